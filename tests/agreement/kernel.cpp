// Network namespaces, kernel loads and iptc runs for the kernel tests (see kernel.hpp).
//
// Deleting a named namespace is two system calls (what `ip netns del` does): detach the bind
// mount at /run/netns/NAME and unlink the file. Both are async-signal-safe, so the signal handler
// can clean up after a crash or an interrupt; the destructor covers every normal exit, including
// a failed assertion or an exception, and remove_stale_namespaces() covers SIGKILL.
#include "kernel.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <regex>

#include "test_support.hpp"

namespace iptc::test {

namespace {

constexpr const char* kNetnsDir = "/run/netns";
constexpr const char* kPrefix = "iptc-test-";
constexpr int kSlots = 8;

// Paths of live namespaces, for the signal handler (fixed storage: no allocation there).
char g_paths[kSlots][128];
volatile sig_atomic_t g_used[kSlots];
bool g_handlers_installed = false;

void cleanup_all_from_handler() {
  for (int i = 0; i < kSlots; ++i)
    if (g_used[i]) {
      ::umount2(g_paths[i], MNT_DETACH);
      ::unlink(g_paths[i]);
      g_used[i] = 0;
    }
}

void on_signal(int sig) {
  cleanup_all_from_handler();
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void install_handlers() {
  if (g_handlers_installed) return;
  g_handlers_installed = true;
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL})
    ::signal(sig, on_signal);
}

int take_slot(const std::string& path) {
  for (int i = 0; i < kSlots; ++i)
    if (!g_used[i]) {
      std::snprintf(g_paths[i], sizeof g_paths[i], "%s", path.c_str());
      g_used[i] = 1;
      return i;
    }
  return -1;
}

int g_counter = 0;

uint32_t first_number_after(const std::string& text, const std::regex& re) {
  std::smatch m;
  if (std::regex_search(text, m, re)) return static_cast<uint32_t>(std::stoul(m[1].str()));
  return 0;
}

}  // namespace

bool crashed(const ProcessResult& p) {
  return p.signal != 0 || p.timed_out || p.spawn_failed || (p.exit_code != 0 && p.exit_code != 1);
}

std::string kernel_unavailable_reason(bool need_ipset) {
  if (::geteuid() != 0) return "not root (network namespaces and iptables-restore need root)";
  for (const char* tool : {"ip", "iptables-restore"})
    if (!have_program(tool)) return std::string("'") + tool + "' is not installed";
  if (need_ipset && !have_program("ipset")) return "'ipset' is not installed";
  return "";
}

bool netns_exists(const std::string& name) {
  struct stat st {};
  return ::stat((std::string(kNetnsDir) + "/" + name).c_str(), &st) == 0;
}

void remove_stale_namespaces() {
  DIR* d = ::opendir(kNetnsDir);
  if (!d) return;
  std::vector<std::string> stale;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (!n.starts_with(kPrefix)) continue;
    long pid = std::strtol(n.c_str() + std::strlen(kPrefix), nullptr, 10);
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) stale.push_back(n);
  }
  ::closedir(d);
  for (const auto& n : stale) run_process({"ip", "netns", "del", n}, {.timeout_s = 30});
}

NetNamespace::NetNamespace() {
  install_handlers();
  remove_stale_namespaces();
  name_ = std::string(kPrefix) + std::to_string(::getpid()) + "-" + std::to_string(g_counter++);
  path_ = std::string(kNetnsDir) + "/" + name_;
  ProcessResult r = run_process({"ip", "netns", "add", name_}, {.timeout_s = 30});
  if (!r.exited() || r.exit_code != 0) {
    error_ = "ip netns add " + name_ + ": " + r.status() + " " + r.err;
    name_.clear();
    return;
  }
  slot_ = take_slot(path_);
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) error_ = "cannot open " + path_ + ": " + std::strerror(errno);
}

NetNamespace::~NetNamespace() {
  if (fd_ >= 0) ::close(fd_);
  if (name_.empty()) return;
  ProcessResult r = run_process({"ip", "netns", "del", name_}, {.timeout_s = 30});
  if (!r.exited() || r.exit_code != 0) {
    // Do what `ip netns del` does, so the namespace never outlives the test.
    ::umount2(path_.c_str(), MNT_DETACH);
    ::unlink(path_.c_str());
  }
  if (slot_ >= 0) g_used[slot_] = 0;
}

ProcessResult NetNamespace::run(const std::vector<std::string>& argv, std::string_view input,
                                double timeout_s) const {
  ProcessOptions o;
  o.input = input;
  o.timeout_s = timeout_s;
  o.netns_fd = fd_;
  return run_process(argv, o);
}

Verdict kernel_load(const NetNamespace& ns, std::string_view text, bool test_only) {
  static const std::regex kAtLine(R"(Error occurred at line: (\d+))");
  static const std::regex kLineFailed(R"(line (\d+)(:| failed))");
  static const std::regex kCommit(R"(COMMIT expected at line (\d+))");
  Verdict v;
  std::vector<std::string> argv = {"iptables-restore"};
  if (test_only) argv.push_back("--test");
  v.proc = ns.run(argv, text, 120);
  v.ok = v.proc.exited() && v.proc.exit_code == 0;
  if (!v.ok) {
    const std::string& e = v.proc.err;
    v.line = first_number_after(e, kAtLine);
    if (!v.line) v.line = first_number_after(e, kCommit);
    if (!v.line) v.line = first_number_after(e, kLineFailed);
    for (const auto& l : split_lines(e))
      if (!l.empty() && !l.starts_with("Try `")) {
        v.message += (v.message.empty() ? "" : " / ") + l;
      }
    if (v.proc.signal) v.message = "iptables-restore " + v.proc.status() + " " + v.message;
  }
  return v;
}

std::string create_ipsets(const NetNamespace& ns, std::string_view ipsets_text) {
  for (const std::string& line : split_lines(ipsets_text)) {
    size_t s = line.find_first_not_of(" \t");
    if (s == std::string::npos || line[s] == '#') continue;
    std::vector<std::string> argv;
    size_t pos = s;
    while (pos < line.size()) {
      size_t e = line.find_first_of(" \t", pos);
      argv.push_back(line.substr(pos, e == std::string::npos ? std::string::npos : e - pos));
      if (e == std::string::npos) break;
      pos = line.find_first_not_of(" \t", e);
      if (pos == std::string::npos) break;
    }
    if (argv.empty() || argv[0] != "ipset") return "not an ipset command: " + line;
    ProcessResult r = ns.run(argv);
    if (!r.exited() || r.exit_code != 0) return line + ": " + r.status() + " " + r.err;
  }
  return "";
}

Verdict iptc_check(std::string_view text) {
  Verdict v;
  v.proc = run_process({iptc_binary(), "check", "--color", "never", "-"}, {.input = text, .timeout_s = 60});
  v.ok = v.proc.exited() && v.proc.exit_code == 0;
  // "<stdin>:LINE:COL: error: MESSAGE" (parsed by hand: a message may quote a carriage return).
  constexpr std::string_view kPrefix = "<stdin>:";
  for (const auto& l : split_lines(v.proc.err)) {
    if (!l.starts_with(kPrefix)) continue;
    size_t p = kPrefix.size(), q = p;
    while (q < l.size() && std::isdigit(static_cast<unsigned char>(l[q]))) ++q;
    if (q == p || q >= l.size() || l[q] != ':') continue;
    size_t r = q + 1;
    while (r < l.size() && std::isdigit(static_cast<unsigned char>(l[r]))) ++r;
    if (l.compare(r, 9, ": error: ") != 0) continue;
    v.line = static_cast<uint32_t>(std::stoul(l.substr(p, q - p)));
    v.message = l.substr(r + 9);
    break;
  }
  return v;
}

}  // namespace iptc::test
