// The kernel as oracle: a network namespace of our own (named iptc-test-<pid>-<n>, deleted when
// the object goes, on SIGINT/SIGTERM/crash signals by the signal handler, and on the next run if
// the process was killed outright), real `iptables-restore` loads inside it, and `iptc check`
// run as a subprocess on the same text, with the first error line of each side extracted.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "subprocess.hpp"

namespace iptc::test {

/// Why the kernel tests cannot run here, or "" when they can: root, `ip`, `iptables-restore`
/// (and `ipset` when asked) must be present.
std::string kernel_unavailable_reason(bool need_ipset);

class NetNamespace {
 public:
  NetNamespace();
  ~NetNamespace();
  NetNamespace(const NetNamespace&) = delete;
  NetNamespace& operator=(const NetNamespace&) = delete;

  [[nodiscard]] bool ok() const { return fd_ >= 0; }
  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] const std::string& error() const { return error_; }
  /// Runs a program inside the namespace.
  ProcessResult run(const std::vector<std::string>& argv, std::string_view input = {},
                    double timeout_s = 60) const;

 private:
  std::string name_, path_, error_;
  int fd_ = -1;
  int slot_ = -1;  ///< in the signal handler's table
};

/// True when /run/netns/NAME exists.
bool netns_exists(const std::string& name);

/// Deletes leftovers of earlier runs that were killed before they could clean up.
void remove_stale_namespaces();

struct Verdict {
  bool ok = false;
  uint32_t line = 0;    ///< line the tool blamed (0: none given)
  std::string message;  ///< first error message, for reports
  ProcessResult proc;
};

/// `iptables-restore` (a real load, not --test) of text inside ns. A signal counts as a refusal
/// (iptables-restore 1.8.9 itself crashes on some inputs); the line comes from "Error occurred
/// at line: N", "line N failed", "line N: ... failed" or "COMMIT expected at line N".
Verdict kernel_load(const NetNamespace& ns, std::string_view text, bool test_only = false);

/// Runs the `ipset create ...` lines of a NAME.ipsets file inside ns; returns "" or an error.
std::string create_ipsets(const NetNamespace& ns, std::string_view ipsets_text);

/// `iptc check -` on text (stdin), as a subprocess; line and message of the first "error:".
Verdict iptc_check(std::string_view text);

/// A process that ended by a signal or timed out, or exited with anything but 0 or 1.
[[nodiscard]] bool crashed(const ProcessResult& p);

}  // namespace iptc::test
