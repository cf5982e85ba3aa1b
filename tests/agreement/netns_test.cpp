// Tests of the kernel-test machinery itself: the namespace is deleted whatever happens (normal
// exit, exception, crash signal, and SIGKILL through the stale-namespace sweep of the next run),
// and the reason the agreement tests do a real load: `iptables-restore --test` accepts files the
// kernel refuses.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

#include "kernel.hpp"
#include "test_support.hpp"

namespace iptc::test {

namespace {

/// Runs body in a child process that reports the namespace name through a pipe, then ends as
/// body decides (returning, raising a signal...). Returns the name.
template <typename Body>
std::string in_child(Body body) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    body(fds[1]);
    ::_exit(0);
  }
  ::close(fds[1]);
  char buf[256] = {};
  ssize_t n = ::read(fds[0], buf, sizeof buf - 1);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

}  // namespace

TEST_CASE("the test namespace is always deleted", "[netns_is_always_deleted]") {
  if (auto why = kernel_unavailable_reason(false); !why.empty()) {
    skip(why);
    return;
  }
  std::string name;
  {
    NetNamespace ns;
    REQUIRE(ns.ok());
    name = ns.name();
    CHECK(netns_exists(name));
    // It really is a separate namespace: a rule loaded inside is not visible outside it.
    REQUIRE(ns.run({"iptables-restore"}, "*filter\n-A INPUT -s 192.0.2.77 -j DROP\nCOMMIT\n").exit_code == 0);
    CHECK_THAT(ns.run({"iptables-save"}).out, Catch::Contains("192.0.2.77"));
  }
  CHECK_FALSE(netns_exists(name));

  try {
    NetNamespace ns;
    name = ns.name();
    throw std::runtime_error("a failing test");
  } catch (const std::runtime_error&) {
  }
  CHECK_FALSE(name.empty());
  CHECK_FALSE(netns_exists(name));

  for (int sig : {SIGSEGV, SIGABRT, SIGTERM, SIGINT}) {
    name = in_child([sig](int fd) {
      NetNamespace ns;
      (void)!::write(fd, ns.name().data(), ns.name().size());
      ::close(fd);
      ::raise(sig);
    });
    INFO("child killed by signal " << sig);
    REQUIRE_FALSE(name.empty());
    CHECK_FALSE(netns_exists(name));
  }

  // SIGKILL cannot be caught: the next namespace created sweeps the leftover away.
  name = in_child([](int fd) {
    NetNamespace ns;
    (void)!::write(fd, ns.name().data(), ns.name().size());
    ::close(fd);
    ::raise(SIGKILL);
  });
  REQUIRE_FALSE(name.empty());
  CHECK(netns_exists(name));
  {
    NetNamespace next;
    CHECK_FALSE(netns_exists(name));
  }
}

TEST_CASE("iptables-restore --test is weaker than a load", "[iptables_restore_test_is_weak]") {
  if (auto why = kernel_unavailable_reason(false); !why.empty()) {
    skip(why);
    return;
  }
  NetNamespace ns;
  REQUIRE(ns.ok());
  // DNAT belongs to the nat table; the kernel's xt_check_target refuses it in filter, but --test
  // never sends the rule to the kernel.
  std::string dnat = "*filter\n-A INPUT -p tcp -j DNAT --to-destination 10.0.0.1\nCOMMIT\n";
  // A loop reachable from INPUT: nf_tables refuses it when validating the jump graph.
  std::string loop = "*filter\n:A - [0:0]\n:B - [0:0]\n-A INPUT -j A\n-A A -j B\n-A B -j A\nCOMMIT\n";
  for (const std::string& text : {dnat, loop}) {
    INFO(text);
    Verdict test_only = kernel_load(ns, text, true);
    Verdict real = kernel_load(ns, text);
    CHECK(test_only.ok);
    CHECK_FALSE(real.ok);
    Verdict iptc = iptc_check(text);
    CHECK_FALSE(crashed(iptc.proc));
    CHECK_FALSE(iptc.ok);  // iptc follows the real load
  }
}

}  // namespace iptc::test
