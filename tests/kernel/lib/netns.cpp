// Anonymous network namespaces and programs run inside them (see netns.hpp).
#include "netns.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "common.hpp"

namespace iptc::kernel_test {

namespace {
std::atomic<bool> g_stop{false};

void on_stop_signal(int) { g_stop.store(true); }
}  // namespace

bool stop_requested() { return g_stop.load(); }

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

Netns::~Netns() {
  if (fd_ >= 0) ::close(fd_);
}

Netns& Netns::operator=(Netns&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

bool Netns::current(Netns& out, std::string& err) {
  int fd = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    err = std::string("cannot open /proc/self/ns/net: ") + std::strerror(errno);
    return false;
  }
  out = Netns();
  out.fd_ = fd;
  return true;
}

bool Netns::create(Netns& out, std::string& err) {
  Netns home;
  if (!current(home, err)) return false;
  if (::unshare(CLONE_NEWNET) != 0) {
    err = std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno);
    return false;
  }
  Netns fresh;
  bool ok = current(fresh, err);
  if (::setns(home.fd(), CLONE_NEWNET) != 0) {
    // Staying in the new namespace would make every later step act on the wrong one.
    err = std::string("setns back to the original namespace: ") + std::strerror(errno);
    return false;
  }
  if (!ok) return false;
  out = std::move(fresh);
  return true;
}

bool Netns::enter(std::string& err) const {
  if (::setns(fd_, CLONE_NEWNET) != 0) {
    err = std::string("setns: ") + std::strerror(errno);
    return false;
  }
  return true;
}

std::string Netns::proc_path() const {
  return "/proc/" + std::to_string(::getpid()) + "/fd/" + std::to_string(fd_);
}

NetnsScope::NetnsScope(const Netns& target, const Netns& home) : home_(home) {
  ok_ = target.enter(err_);
}

NetnsScope::~NetnsScope() {
  std::string e;
  if (!home_.enter(e)) std::abort();  // continuing in a test namespace would be worse
}

bool write_sysctl(const std::string& rel_path, const std::string& value, std::string& err) {
  std::string path = "/proc/sys/" + rel_path;
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    err = path + ": " + std::strerror(errno);
    return false;
  }
  ssize_t n = ::write(fd, value.data(), value.size());
  int e = errno;
  ::close(fd);
  if (n != ssize_t(value.size())) {
    err = path + ": " + std::strerror(e);
    return false;
  }
  return true;
}

std::string find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/bin:/bin";
  p += ":/usr/sbin:/sbin:/usr/bin:/bin";
  size_t i = 0;
  while (i <= p.size()) {
    size_t j = p.find(':', i);
    if (j == std::string::npos) j = p.size();
    std::string dir = p.substr(i, j - i);
    if (!dir.empty() && ::access((dir + "/" + name).c_str(), X_OK) == 0) return dir + "/" + name;
    i = j + 1;
  }
  return "";
}

bool have_program(const std::string& name) { return !find_program(name).empty(); }

ProcResult run_program(const Netns* ns, const std::vector<std::string>& argv,
                       std::string_view input, double timeout_s) {
  ProcResult r;
  // Everything the child needs is prepared before fork: after fork only async-signal-safe
  // calls are made, so this is safe from the suite's worker threads too.
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin";
  path = "PATH=" + path + ":/usr/sbin:/sbin";
  std::vector<std::string> env_store = {path, "LC_ALL=C"};
  for (char** e = environ; *e; ++e) {
    std::string_view v(*e);
    if (starts_with(v, "PATH=") || starts_with(v, "LC_ALL=")) continue;
    env_store.emplace_back(v);
  }
  std::vector<char*> envp;
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_store = argv;
  std::string exe = find_program(argv.front());
  if (exe.empty()) {
    r.status = 127;
    r.err = argv.front() + ": not found";
    return r;
  }
  std::vector<char*> args;
  for (auto& a : argv_store) args.push_back(a.data());
  args.push_back(nullptr);
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) return r;
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    ::close(in_pipe[0]);
    ::close(in_pipe[1]);
    return r;
  }
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1]}) ::close(fd);
    return r;
  }
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    r.err = std::string("fork: ") + std::strerror(errno);
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]})
      ::close(fd);
    return r;
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    if (ns && ::setns(ns->fd(), CLONE_NEWNET) != 0) ::_exit(126);
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    ::execve(exe.c_str(), args.data(), envp.data());
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  int in_fd = in_pipe[1];
  ::fcntl(in_fd, F_SETFL, O_NONBLOCK);
  size_t written = 0;
  if (input.empty()) {
    ::close(in_fd);
    in_fd = -1;
  }
  double deadline = now_seconds() + timeout_s;
  int out_fd = out_pipe[0], err_fd = err_pipe[0];
  char buf[65536];
  while (out_fd >= 0 || err_fd >= 0 || in_fd >= 0) {
    double left = deadline - now_seconds();
    if (left <= 0) {
      r.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    pollfd fds[3];
    int n = 0;
    int idx_in = -1, idx_out = -1, idx_err = -1;
    if (in_fd >= 0) { idx_in = n; fds[n++] = {in_fd, POLLOUT, 0}; }
    if (out_fd >= 0) { idx_out = n; fds[n++] = {out_fd, POLLIN, 0}; }
    if (err_fd >= 0) { idx_err = n; fds[n++] = {err_fd, POLLIN, 0}; }
    int pr = ::poll(fds, nfds_t(n), int(left * 1000) + 1);
    if (pr < 0 && errno != EINTR) break;
    if (pr <= 0) continue;
    if (idx_in >= 0 && fds[idx_in].revents) {
      ssize_t w = ::write(in_fd, input.data() + written, input.size() - written);
      if (w > 0) written += size_t(w);
      if (w < 0 && errno != EAGAIN) written = input.size();
      if (written >= input.size()) {
        ::close(in_fd);
        in_fd = -1;
      }
    }
    auto drain = [&](int& fd, int idx, std::string& into) {
      if (idx < 0 || !fds[idx].revents) return;
      ssize_t got = ::read(fd, buf, sizeof buf);
      if (got > 0) into.append(buf, size_t(got));
      else if (got == 0 || errno != EINTR) {
        ::close(fd);
        fd = -1;
      }
    };
    drain(out_fd, idx_out, r.out);
    drain(err_fd, idx_err, r.err);
  }
  if (in_fd >= 0) ::close(in_fd);
  if (out_fd >= 0) ::close(out_fd);
  if (err_fd >= 0) ::close(err_fd);
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(st)) r.status = WEXITSTATUS(st);
  else if (WIFSIGNALED(st)) r.status = 128 + WTERMSIG(st);
  if (r.timed_out) r.err += "\n(killed after " + std::to_string(int(timeout_s)) + " s)";
  return r;
}

}  // namespace iptc::kernel_test
