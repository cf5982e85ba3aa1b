// Network namespaces for the kernel harness, and running programs inside them.
//
// The namespaces are anonymous: created with unshare(CLONE_NEWNET) and held only by file
// descriptors of this process (and the sockets opened in them). Nothing is mounted under
// /run/netns, so there is nothing to leak: when the harness exits for any reason (error,
// signal, even SIGKILL) the kernel destroys the namespaces with their veths, rules and
// conntrack tables. Parallel runs cannot collide either, since there are no names.
// Programs (ip, iptables-restore, ipset, ...) run in a namespace by fork + setns + exec, with
// a time limit and PR_SET_PDEATHSIG so that no child outlives the harness.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace iptc::kernel_test {

class Netns {
 public:
  Netns() = default;
  ~Netns();
  Netns(Netns&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Netns& operator=(Netns&& o) noexcept;
  Netns(const Netns&) = delete;
  Netns& operator=(const Netns&) = delete;

  /// A fresh, empty network namespace; the calling thread is left where it was.
  static bool create(Netns& out, std::string& err);
  /// The namespace the process runs in now.
  static bool current(Netns& out, std::string& err);

  [[nodiscard]] int fd() const { return fd_; }
  [[nodiscard]] bool valid() const { return fd_ >= 0; }
  /// Moves the calling thread into this namespace (sockets opened now live in it).
  bool enter(std::string& err) const;
  /// "/proc/PID/fd/N": a path other programs (ip ... netns PATH) can open.
  [[nodiscard]] std::string proc_path() const;

 private:
  int fd_ = -1;
};

/// Enters a namespace for the lifetime of the guard, then returns to the original one.
class NetnsScope {
 public:
  NetnsScope(const Netns& target, const Netns& home);
  ~NetnsScope();
  NetnsScope(const NetnsScope&) = delete;
  NetnsScope& operator=(const NetnsScope&) = delete;
  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] const std::string& error() const { return err_; }

 private:
  const Netns& home_;
  bool ok_ = false;
  std::string err_;
};

struct ProcResult {
  int status = -1;  ///< exit status; 128+signal when killed; -1 when it could not run
  bool timed_out = false;
  std::string out, err;
};

/// Runs argv[0] (searched in PATH) in `ns` (or here when ns is null) with `input` on its
/// standard input, collecting its output, killed after timeout_s seconds.
ProcResult run_program(const Netns* ns, const std::vector<std::string>& argv,
                       std::string_view input = {}, double timeout_s = 60);

/// Writes a /proc/sys value in the current namespace (path relative to /proc/sys/).
bool write_sysctl(const std::string& rel_path, const std::string& value, std::string& err);

/// Full path of an executable (PATH, then /usr/sbin and /sbin), or "".
std::string find_program(const std::string& name);
/// True when `name` is an executable in PATH.
bool have_program(const std::string& name);

/// Set by SIGINT/SIGTERM/SIGHUP once install_stop_handlers() ran: loops check it and stop.
bool stop_requested();
void install_stop_handlers();

}  // namespace iptc::kernel_test
