// Running a program as a subprocess with its input given and its output captured, with a
// timeout, and optionally inside a network namespace (setns in the child before exec). Tests run
// iptc this way so that a crash is seen as a signal rather than taking the test down, and run
// iptables-restore this way inside the namespace they created.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace iptc::test {

struct ProcessResult {
  int exit_code = -1;      ///< valid when exited()
  int signal = 0;          ///< the terminating signal, 0 when the process exited
  bool timed_out = false;  ///< killed by us after the timeout
  bool spawn_failed = false;
  std::string out, err;
  [[nodiscard]] bool exited() const { return signal == 0 && !timed_out && !spawn_failed; }
  /// "exit 1", "signal 11 (Segmentation fault)", "timed out", ...
  [[nodiscard]] std::string status() const;
};

struct ProcessOptions {
  std::string_view input;   ///< written to the child's stdin, then closed
  double timeout_s = 60;
  int netns_fd = -1;        ///< when >= 0, the child joins this network namespace first
};

/// Runs argv[0] (searched in PATH) with the arguments. Never throws.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& opts = {});

/// True when `name` is an executable in PATH (or an executable path).
[[nodiscard]] bool have_program(const std::string& name);

}  // namespace iptc::test
