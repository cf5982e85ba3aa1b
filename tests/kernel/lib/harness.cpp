// The kernel harness (see harness.hpp for the topology, the probes and the per-packet steps).
#include "harness.hpp"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/rtnetlink.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <map>
#include <thread>

#include "common.hpp"
#include "frame.hpp"
#include "walk.hpp"

namespace iptc::kernel_test {

using nlohmann::ordered_json;

namespace {

/// The hidden probe rules (see harness.hpp). Inserted with iptables-restore --noflush.
constexpr const char* kProbeRules =
    "*raw\n"
    "-I OUTPUT 1 -m owner ! --uid-owner 0-4294967294 -m comment --comment "
    "\"iptc-kh:kernel-out\" -j DROP\n"
    "COMMIT\n"
    "*mangle\n"
    "-I PREROUTING 1 -m conntrack --ctstate NEW -m comment --comment iptc-kh:ct:NEW\n"
    "-I PREROUTING 2 -m conntrack --ctstate ESTABLISHED -m comment --comment "
    "iptc-kh:ct:ESTABLISHED\n"
    "-I PREROUTING 3 -m conntrack --ctstate RELATED -m comment --comment iptc-kh:ct:RELATED\n"
    "-I PREROUTING 4 -m conntrack --ctstate INVALID -m comment --comment iptc-kh:ct:INVALID\n"
    "-I PREROUTING 5 -m conntrack --ctstate UNTRACKED -m comment --comment "
    "iptc-kh:ct:UNTRACKED\n"
    "-I INPUT 1 -m comment --comment iptc-kh:hook\n"
    "-I FORWARD 1 -m comment --comment iptc-kh:hook\n"
    "-I OUTPUT 1 -m conntrack --ctstate NEW -m comment --comment iptc-kh:ct:NEW\n"
    "-I OUTPUT 2 -m conntrack --ctstate ESTABLISHED -m comment --comment "
    "iptc-kh:ct:ESTABLISHED\n"
    "-I OUTPUT 3 -m conntrack --ctstate RELATED -m comment --comment iptc-kh:ct:RELATED\n"
    "-I OUTPUT 4 -m conntrack --ctstate INVALID -m comment --comment iptc-kh:ct:INVALID\n"
    "-I OUTPUT 5 -m conntrack --ctstate UNTRACKED -m comment --comment iptc-kh:ct:UNTRACKED\n"
    "-I POSTROUTING 1 -m comment --comment iptc-kh:hook\n"
    "COMMIT\n"
    "*security\n"
    "-I INPUT 1 -m comment --comment iptc-kh:passed\n"
    "-I FORWARD 1 -m comment --comment iptc-kh:passed\n"
    "-I OUTPUT 1 -m comment --comment iptc-kh:passed\n"
    "COMMIT\n";

struct Link {
  std::string name;  ///< fw side, as in the host model
  std::string peer;  ///< neighbour side, in nb
  int fw_ifindex = 0, peer_ifindex = 0;
  Mac fw_mac{}, peer_mac{}, hop_mac{};
  uint32_t primary = 0;
  std::vector<std::pair<uint32_t, uint8_t>> addrs;
  int sock = -1;  ///< AF_PACKET on the peer end
};

struct Captured {
  size_t link = 0;
  std::vector<uint8_t> frame;
};

/// The per-connection TCP numbering of DESIGN.md "Packet lines".
struct TcpNumbering {
  struct Conn {
    uint32_t next[2] = {1000000, 2000000};  // initiator, responder
  };
  using Key = std::tuple<uint32_t, uint16_t, uint32_t, uint16_t>;
  std::vector<Conn> conns;
  std::map<Key, std::pair<size_t, int>> sides;  // packet direction -> (conn, side)

  template <typename Lookup>
  std::pair<size_t, int> find_or_create(uint32_t src, uint16_t sport, uint32_t dst,
                                        uint16_t dport, Lookup&& lookup) {
    Key k{src, sport, dst, dport};
    if (auto it = sides.find(k); it != sides.end()) return it->second;
    // A reply addressed to a NATed tuple belongs to the connection it was NATed from: the
    // kernel's conntrack entry holding this tuple as its reply names the original one.
    CtTuple t{src, dst, 6, sport, dport};
    if (std::optional<CtEntry> e = lookup(t); e && e->reply == t) {
      Key ok{e->orig.src, e->orig.sport, e->orig.dst, e->orig.dport};
      if (auto it = sides.find(ok); it != sides.end()) {
        auto found = std::make_pair(it->second.first, 1 - it->second.second);
        sides[k] = found;
        return found;
      }
    }
    conns.push_back({});
    size_t c = conns.size() - 1;
    sides[k] = {c, 0};
    sides.emplace(Key{dst, dport, src, sport}, std::make_pair(c, 1));
    return {c, 0};
  }
};

std::string errno_name(int e) {
  switch (e) {
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case ENETUNREACH: return "ENETUNREACH";
    case EHOSTUNREACH: return "EHOSTUNREACH";
    case EINVAL: return "EINVAL";
    case EMSGSIZE: return "EMSGSIZE";
    case ENOBUFS: return "ENOBUFS";
    default: return std::strerror(e);
  }
}

const char* tcp_state_name(int s) {
  static const char* const kNames[] = {"NONE",      "SYN_SENT", "SYN_RECV",  "ESTABLISHED",
                                       "FIN_WAIT",  "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT",
                                       "CLOSE",     "SYN_SENT2"};
  if (s >= 0 && s < int(sizeof kNames / sizeof *kNames)) return kNames[s];
  return "?";
}

ordered_json tuple_json(const CtTuple& t) {
  ordered_json j;
  j["src"] = format_ipv4(t.src);
  j["dst"] = format_ipv4(t.dst);
  j["proto"] = t.proto;
  if (t.proto == 1) {
    j["id"] = t.sport;
    j["type"] = t.dport >> 8;
    j["code"] = t.dport & 255;
  } else if (proto_has_ports(t.proto)) {
    j["sport"] = t.sport;
    j["dport"] = t.dport;
  }
  return j;
}

ordered_json ct_json(const CtEntry& e, const char* dir) {
  ordered_json j;
  j["dir"] = dir;
  j["orig"] = tuple_json(e.orig);
  j["reply"] = tuple_json(e.reply);
  ordered_json st = ordered_json::array();
  if (e.status & IPS_SEEN_REPLY) st.push_back("SEEN_REPLY");
  if (e.status & IPS_ASSURED) st.push_back("ASSURED");
  if (e.status & IPS_SRC_NAT) st.push_back("SNAT");
  if (e.status & IPS_DST_NAT) st.push_back("DNAT");
  if (e.status & IPS_EXPECTED) st.push_back("EXPECTED");
  j["status"] = st;
  if (e.tcp_state >= 0) j["tcp_state"] = tcp_state_name(e.tcp_state);
  if (e.mark) j["mark"] = e.mark;
  j["timeout"] = e.timeout;
  return j;
}

/// The conntrack tuple a packet presents as sent (ICMP: id and type/code).
CtTuple packet_tuple(const Packet& p, uint32_t src) {
  CtTuple t;
  t.src = src;
  t.dst = p.dst;
  t.proto = p.proto;
  if (p.proto == 1 && !p.is_icmp_err()) {
    t.sport = p.echo_id;
    t.dport = uint16_t(p.type << 8 | p.code);
  } else if (proto_has_ports(p.proto)) {
    t.sport = p.sport;
    t.dport = p.dport;
  }
  return t;
}

}  // namespace

struct Harness::Impl {
  HarnessOptions opts;
  Netns home, fw, nb;
  std::vector<Link> links;
  int raw_sock = -1;
  NlSocket nft, ct, rt;
  Listing listing;
  std::set<std::string> user_tables;
  std::string user_listing_text;
  std::map<std::pair<std::string, std::string>, std::vector<uint32_t>> rules_lines;
  CounterSnapshot last;
  TcpNumbering numbering;
  uint16_t next_id = 1;
  bool ready = false;
  double t_start = now_seconds();

  ~Impl() {
    for (auto& l : links)
      if (l.sock >= 0) ::close(l.sock);
    if (raw_sock >= 0) ::close(raw_sock);
    // The namespaces go with their last file descriptor (Netns destructors).
  }

  // ---- setup ----

  bool setup(const Host& host, std::string& err) {
    if (!Netns::current(home, err)) return false;
    if (!Netns::create(fw, err) || !Netns::create(nb, err)) return false;
    // 1. Sysctls before any interface exists, so every interface inherits them.
    {
      NetnsScope s(fw, home);
      if (!s.ok()) {
        err = s.error();
        return false;
      }
      std::string e;
      write_sysctl("net/ipv6/conf/default/disable_ipv6", "1", e);
      write_sysctl("net/ipv6/conf/all/disable_ipv6", "1", e);
      if (!write_sysctl("net/ipv4/conf/all/rp_filter", "0", err) ||
          !write_sysctl("net/ipv4/conf/default/rp_filter", "0", err) ||
          !write_sysctl("net/ipv4/ip_forward", "1", err))
        return false;
      // Neighbour entries the harness answered stay valid for the whole run.
      write_sysctl("net/ipv4/neigh/default/base_reachable_time_ms", "3600000", e);
      write_sysctl("net/ipv4/neigh/default/gc_stale_time", "3600", e);
    }
    {
      NetnsScope s(nb, home);
      if (!s.ok()) {
        err = s.error();
        return false;
      }
      std::string e;
      write_sysctl("net/ipv6/conf/default/disable_ipv6", "1", e);
      write_sysctl("net/ipv6/conf/all/disable_ipv6", "1", e);
    }
    // 2. Links: one veth per host-model interface.
    std::string fw_cmds = "link set lo up\n", nb_cmds = "link set lo up\n";
    for (size_t i = 0; i < host.ifaces.size(); ++i) {
      const HostIface& hi = host.ifaces[i];
      Link l;
      l.name = hi.name;
      l.peer = "p" + std::to_string(i + 1);
      uint8_t n = uint8_t(i + 1);
      l.peer_mac = {0x02, 0, 0, 0, 0, n};
      l.fw_mac = {0x02, 0, 0, 0, 1, n};
      l.hop_mac = {0x02, 0, 0, 0, 2, n};
      l.addrs = hi.addrs;
      l.primary = hi.addrs.front().first;
      fw_cmds += "link add " + l.name + " address " + format_mac(l.fw_mac.data()) +
                 " mtu 65535 type veth peer name " + l.peer + " address " +
                 format_mac(l.peer_mac.data()) + " mtu 65535 netns " + nb.proc_path() + "\n";
      for (const auto& [a, len] : hi.addrs) {
        fw_cmds += "addr add " + format_ipv4(a) + "/" + std::to_string(len);
        // The subnet's broadcast address is local (DESIGN.md host model), as ifupdown and
        // DHCP clients set it up.
        if (len <= 30) fw_cmds += " brd +";
        fw_cmds += " dev " + l.name + "\n";
      }
      if (hi.group) fw_cmds += "link set " + l.name + " group " + std::to_string(*hi.group) + "\n";
      fw_cmds += "link set " + l.name + " up\n";
      nb_cmds += "link set " + l.peer + " up\n";
      links.push_back(std::move(l));
    }
    if (host.lo_group) fw_cmds += "link set lo group " + std::to_string(*host.lo_group) + "\n";
    for (const auto& r : host.routes) {
      fw_cmds += "route add ";
      fw_cmds += r.len == 0 ? std::string("default")
                            : format_ipv4(r.dst) + "/" + std::to_string(r.len);
      fw_cmds += " dev " + r.iface;
      if (r.via) fw_cmds += " via " + format_ipv4(*r.via) + " onlink";
      fw_cmds += "\n";
    }
    auto pr = run_program(&fw, {"ip", "-batch", "-"}, fw_cmds, 60);
    if (pr.status != 0) {
      err = "setting up fw failed: " + pr.err + pr.out;
      return false;
    }
    pr = run_program(&nb, {"ip", "-batch", "-"}, nb_cmds, 60);
    if (pr.status != 0) {
      err = "setting up the neighbours failed: " + pr.err + pr.out;
      return false;
    }
    // 3. The neighbours never speak for themselves.
    pr = run_program(&nb, {"iptables-restore"},
                     "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT DROP [0:0]\n"
                     "COMMIT\n",
                     60);
    if (pr.status != 0) {
      err = "silencing the neighbours failed: " + pr.err;
      return false;
    }
    // 4. Sockets: capture/injection on the peers, raw and netlink in fw.
    {
      NetnsScope s(nb, home);
      for (auto& l : links) {
        l.peer_ifindex = int(if_nametoindex(l.peer.c_str()));
        l.sock = ::socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
        if (l.sock < 0 || l.peer_ifindex == 0) {
          err = std::string("packet socket on ") + l.peer + ": " + std::strerror(errno);
          return false;
        }
        sockaddr_ll sa{};
        sa.sll_family = AF_PACKET;
        sa.sll_protocol = htons(ETH_P_ALL);
        sa.sll_ifindex = l.peer_ifindex;
        if (::bind(l.sock, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
          err = std::string("bind packet socket: ") + std::strerror(errno);
          return false;
        }
        int big = 4 << 20;
        ::setsockopt(l.sock, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
      }
    }
    {
      NetnsScope s(fw, home);
      for (auto& l : links) l.fw_ifindex = int(if_nametoindex(l.name.c_str()));
      raw_sock = ::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
      if (raw_sock < 0) {
        err = std::string("raw socket: ") + std::strerror(errno);
        return false;
      }
      int one = 1;
      ::setsockopt(raw_sock, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
      if (!nft.open(NETLINK_NETFILTER, err) || !ct.open(NETLINK_NETFILTER, err) ||
          !rt.open(NETLINK_ROUTE, err))
        return false;
    }
    // 5. The backlog is FIFO per CPU: stay on one so the ARP barrier is a real barrier.
    int cpu = opts.cpu >= 0 ? opts.cpu : sched_getcpu();
    if (cpu >= 0) {
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(cpu, &set);
      sched_setaffinity(0, sizeof set, &set);
    }
    std::vector<Captured> junk;
    drain(junk, nullptr);
    return true;
  }

  // ---- loading ----

  bool list_rules(std::string& text, std::string& err) {
    auto pr = run_program(&fw, {"iptables-save"}, {}, 120);
    if (pr.status != 0) {
      err = "iptables-save failed: " + pr.err;
      return false;
    }
    text = pr.out;
    return true;
  }

  bool reload_listing(std::string& err) {
    std::string text;
    if (!list_rules(text, err)) return false;
    if (!parse_listing(text, listing, err)) {
      err = "cannot read the kernel's listing: " + err;
      return false;
    }
    return read_counters(nft, last, err);
  }

  bool load(const std::string& rules, const std::string& ipsets, std::string& err) {
    if (!ipsets.empty()) {
      // Both `ipset save` text ("create NAME TYPE ...", "add NAME ELEM") and the same as
      // shell commands ("ipset create ...", as the corpus writes them) are accepted.
      std::string restore;
      size_t pos = 0;
      while (pos < ipsets.size()) {
        size_t nl = ipsets.find('\n', pos);
        if (nl == std::string::npos) nl = ipsets.size();
        std::string_view line = trim(std::string_view(ipsets).substr(pos, nl - pos));
        pos = nl + 1;
        if (line.empty() || line[0] == '#') continue;
        if (starts_with(line, "ipset ")) line = trim(line.substr(6));
        restore += std::string(line) + "\n";
      }
      auto pr = run_program(&fw, {"ipset", "restore"}, restore, 120);
      if (pr.status != 0) {
        err = "ipset restore: " + pr.err;
        return false;
      }
    }
    auto pr = run_program(&fw, {"iptables-restore"}, rules, 300);
    if (pr.status != 0) {
      err = pr.err.empty() ? "iptables-restore exited with " + std::to_string(pr.status)
                           : pr.err;
      return false;
    }
    if (!list_rules(user_listing_text, err)) return false;
    Listing user;
    if (!parse_listing(user_listing_text, user, err)) return false;
    for (const auto& t : user.tables) user_tables.insert(t.name);
    // Lines of the rules in the user's file, when it is plain -A save format.
    Listing file;
    std::string ferr;
    if (parse_listing(rules, file, ferr)) {
      for (const auto& t : file.tables)
        for (const auto& c : t.chains)
          for (const auto& r : c.rules) rules_lines[{t.name, c.name}].push_back(r.line);
    }
    pr = run_program(&fw, {"iptables-restore", "--noflush"}, kProbeRules, 120);
    if (pr.status != 0) {
      err = "inserting the harness's probe rules failed: " + pr.err;
      return false;
    }
    if (!reload_listing(err)) return false;
    // The counters and the listing must describe the same rules.
    for (const auto& t : listing.tables)
      for (const auto& c : t.chains) {
        auto it = last.rules.find({t.name, c.name});
        size_t n = it == last.rules.end() ? 0 : it->second.size();
        if (n != c.rules.size()) {
          err = "listing and nf_tables disagree on " + t.name + "/" + c.name + ": " +
                std::to_string(c.rules.size()) + " rules listed, " + std::to_string(n) +
                " in nf_tables";
          return false;
        }
      }
    ready = true;
    t_start = now_seconds();
    return true;
  }

  // ---- frames ----

  void send_frame(const Link& l, const std::vector<uint8_t>& f) {
    sockaddr_ll sa{};
    sa.sll_family = AF_PACKET;
    sa.sll_ifindex = l.peer_ifindex;
    sa.sll_halen = 6;
    std::memcpy(sa.sll_addr, f.data(), 6);
    ::sendto(l.sock, f.data(), f.size(), 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  }

  /// Reads every frame waiting on the peers: answers fw's ARP requests, reports whether the
  /// barrier reply for `barrier` arrived, and keeps IPv4 frames fw sent.
  bool drain(std::vector<Captured>& out, const Link* barrier, bool* answered_arp = nullptr) {
    bool got = false;
    uint8_t buf[70000];
    for (size_t i = 0; i < links.size(); ++i) {
      Link& l = links[i];
      for (int guard = 0; guard < 10000; ++guard) {
        sockaddr_ll from{};
        socklen_t fl = sizeof from;
        ssize_t n = ::recvfrom(l.sock, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from),
                               &fl);
        if (n < 0) break;
        if (from.sll_pkttype == PACKET_OUTGOING) continue;  // our own injections
        if (n < 14) continue;
        uint16_t et = uint16_t(buf[12] << 8 | buf[13]);
        if (et == 0x0806 && n >= 42) {
          const uint8_t* a = buf + 14;
          uint16_t op = uint16_t(a[6] << 8 | a[7]);
          uint32_t spa = uint32_t(a[14]) << 24 | uint32_t(a[15]) << 16 |
                         uint32_t(a[16]) << 8 | a[17];
          uint32_t tpa = uint32_t(a[24]) << 24 | uint32_t(a[25]) << 16 |
                         uint32_t(a[26]) << 8 | a[27];
          if (op == 2 && barrier == &l && spa == l.primary &&
              std::memcmp(a + 18, l.peer_mac.data(), 6) == 0)
            got = true;
          if (op == 1 && std::memcmp(a + 8, l.fw_mac.data(), 6) == 0 && tpa != 0) {
            // fw resolves a next hop on this link: every address is there, at hop_mac.
            auto reply = build_arp(2, l.hop_mac.data(), tpa, a + 8, spa, a + 8);
            send_frame(l, reply);
            if (answered_arp) *answered_arp = true;
          }
          continue;
        }
        if (et != 0x0800) continue;
        out.push_back({i, std::vector<uint8_t>(buf + 14, buf + n)});
      }
    }
    return got;
  }

  /// Sends the ARP barrier on `l` and collects everything fw emitted before answering it.
  bool barrier(const Link& l, std::vector<Captured>& out) {
    bool all_ok = true;
    for (int round = 0; round < 5; ++round) {
      static const uint8_t kBcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
      static const uint8_t kZero[6] = {0, 0, 0, 0, 0, 0};
      send_frame(l, build_arp(1, l.peer_mac.data(), 0, kZero, l.primary, kBcast));
      bool answered = false, got = false;
      double deadline = now_seconds() + opts.barrier_timeout_s;
      while (!got) {
        got = drain(out, &l, &answered);
        if (got) break;
        double left = deadline - now_seconds();
        if (left <= 0) break;
        std::vector<pollfd> fds;
        for (const auto& k : links) fds.push_back({k.sock, POLLIN, 0});
        ::poll(fds.data(), nfds_t(fds.size()), int(std::ceil(left * 1000)));
      }
      drain(out, nullptr, &answered);
      if (!got) all_ok = false;
      if (!answered) break;
    }
    return all_ok;
  }

  const Link* link_by_name(const std::string& n) const {
    for (const auto& l : links)
      if (l.name == n) return &l;
    return nullptr;
  }

  /// The destination MAC a real neighbour would use for dst on this link.
  Mac dst_mac_for(const Link& l, uint32_t dst) const {
    if (dst == 0xffffffffu) return {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    if ((dst >> 28) == 0xe)
      return {0x01, 0x00, 0x5e, uint8_t((dst >> 16) & 0x7f), uint8_t(dst >> 8), uint8_t(dst)};
    for (const auto& [a, len] : l.addrs)
      if (len <= 30 && dst == ((a & prefix_mask(len)) | ~prefix_mask(len)))
        return {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    return l.fw_mac;
  }

  bool run_iptables(const std::vector<std::string>& args, std::string& err) {
    std::vector<std::string> argv = {"iptables"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto pr = run_program(&fw, argv, {}, 60);
    if (pr.status != 0) {
      err = pr.err;
      return false;
    }
    return true;
  }

  // ---- one packet ----

  ordered_json run_packet(const PacketLine& pl) {
    const Packet& p = pl.pkt;
    ordered_json j;
    j["line"] = pl.line;
    j["packet"] = pl.text;
    std::string err;
    const Link* in = nullptr;
    if (p.in) {
      in = link_by_name(*p.in);
      if (!in) {
        j["error"] = "unknown interface " + *p.in + " (not in the host model)";
        return j;
      }
    }
    // 1. Source address: the kernel's choice for a local packet without one.
    uint32_t src = 0;
    if (p.src) {
      src = *p.src;
    } else {
      RouteAnswer ra;
      if (route_get(rt, p.dst, std::nullopt, 0, ra, err) && ra.prefsrc) src = ra.prefsrc;
    }
    // 2. TCP numbering.
    WireFields w;
    w.src = src;
    if (p.proto == 6 && p.has_l4()) {
      auto [c, side] = numbering.find_or_create(
          src, p.sport, p.dst, p.dport, [&](const CtTuple& t) -> std::optional<CtEntry> {
            CtEntry e;
            bool found = false;
            std::string e2;
            if (get_conntrack(ct, t, e, found, e2) && found) return e;
            return std::nullopt;
          });
      auto& conn = numbering.conns[c];
      w.seq = p.seq.value_or(conn.next[side]);
      w.ack = p.ack.value_or((p.flags & kTcpAck) ? conn.next[1 - side] : 0);
      uint32_t hdrs = p.mss ? 44 : 40;  // IP + TCP (+ the MSS option)
      uint32_t total = p.len.value_or(uint32_t(hdrs + p.payload.size()));
      uint32_t payload = total > hdrs ? total - hdrs : 0;
      conn.next[side] = w.seq + payload + ((p.flags & kTcpSyn) ? 1 : 0) +
                        ((p.flags & kTcpFin) ? 1 : 0);
    } else if (p.is_icmp_err()) {
      w.seq = p.seq.value_or(0);
    }
    if (p.id) {
      w.id = *p.id;
    } else {
      w.id = next_id++;
      if (next_id == 0) next_id = 1;
    }
    auto ip = build_ipv4(p, w);
    // 3. A mark on an arriving packet: the netns crossing scrubs skb->mark, so a hidden raw
    // PREROUTING rule sets it as the packet enters fw.
    bool mark_rule = false;
    if (in && p.mark) {
      if (!run_iptables({"-t", "raw", "-I", "PREROUTING", "1", "-m", "comment", "--comment",
                         "iptc-kh:mark", "-j", "MARK", "--set-xmark",
                         std::to_string(*p.mark) + "/0xffffffff"},
                        err) ||
          !reload_listing(err)) {
        j["error"] = "cannot set the mark: " + err;
        return j;
      }
      mark_rule = true;
    }
    // The CPU that sends is the CPU that runs netfilter for the packet (veth's netif_rx
    // queues to this CPU's backlog; a local packet runs in the sender's context): -m cpu.
    {
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(int(p.cpu), &set);
      if (sched_setaffinity(0, sizeof set, &set) != 0 || sched_getcpu() != int(p.cpu)) {
        j["error"] = "cannot run on cpu " + std::to_string(p.cpu);
        return j;
      }
    }
    CounterSnapshot before = last;
    // 4. Inject and wait for the kernel to finish with it. The time is recorded: rate
    // limits and timeouts see real time, and the suite replays it to iptc as sleep lines.
    double t_sent = now_seconds() - t_start;
    std::string send_error;
    if (in) {
      Mac dmac = dst_mac_for(*in, p.dst);
      send_frame(*in, build_ethernet(dmac.data(), in->peer_mac.data(), 0x0800, ip));
    } else {
      uint32_t mark = p.mark.value_or(0);
      ::setsockopt(raw_sock, SOL_SOCKET, SO_MARK, &mark, sizeof mark);
      sockaddr_in sa{};
      sa.sin_family = AF_INET;
      sa.sin_addr.s_addr = htonl(p.dst);
      if (::sendto(raw_sock, ip.data(), ip.size(), 0, reinterpret_cast<sockaddr*>(&sa),
                   sizeof sa) < 0)
        send_error = errno_name(errno);
    }
    std::vector<Captured> frames;
    bool barrier_ok = barrier(in ? *in : links.front(), frames);
    CounterSnapshot after;
    if (!read_counters(nft, after, err)) {
      j["error"] = "reading counters: " + err;
      return j;
    }
    CtTuple tup = packet_tuple(p, src);
    CtEntry ct_entry;
    bool ct_found = false;
    // Conntrack refuses lookups of tuples it would never track (ICMP types without an id
    // such as 255): then there is simply no entry to show.
    if (!p.is_icmp_err() && p.has_l4() && !get_conntrack(ct, tup, ct_entry, ct_found, err))
      ct_found = false;
    // 5. The walk.
    WalkInput wi;
    wi.listing = &listing;
    wi.user_tables = &user_tables;
    wi.before = &before;
    wi.after = &after;
    if (p.proto == 6) {
      const uint8_t f = p.flags;
      wi.synproxy_consumes = ((f & kTcpSyn) && !(f & (kTcpAck | kTcpFin | kTcpRst))) ||
                             ((f & kTcpAck) && !(f & (kTcpFin | kTcpRst | kTcpSyn)));
    }
    if (in)
      wi.hook_order = {Hook::kPrerouting, Hook::kInput, Hook::kForward, Hook::kPostrouting};
    else
      wi.hook_order = {Hook::kOutput, Hook::kPostrouting, Hook::kPrerouting, Hook::kInput};
    WalkResult wr = walk_counters(wi);
    // (wr.evaluated points into the listing, which a mark rule below replaces: read it now.)
    std::string unstable;
    for (const SavedRule* r : wr.evaluated) {
      if (r->hidden) continue;
      for (size_t k = 0; k + 1 < r->words.size(); ++k)
        if (r->words[k] == "--probability") {
          double prob = std::atof(r->words[k + 1].c_str());
          if (prob > 0 && prob < 1) unstable = "reached a -m statistic --mode random rule";
        }
    }
    wr.evaluated.clear();
    last = std::move(after);
    if (mark_rule) {
      std::string e2;
      if (!run_iptables({"-t", "raw", "-D", "PREROUTING", "1"}, e2) || !reload_listing(e2))
        j["harness_error"] = "removing the mark rule: " + e2;
    }
    // 6. The conntrack entry of this packet (either direction).
    const CtEntry* entry = ct_found ? &ct_entry : nullptr;
    const char* dir = entry && entry->reply == tup && !(entry->orig == tup) ? "reply" : "original";
    // 7. Path.
    auto has_hook = [&](Hook h) {
      for (Hook x : wr.hooks)
        if (x == h) return true;
      return false;
    };
    std::string path;
    bool local = false;
    if (!in) {
      path = "output";
      local = has_hook(Hook::kPrerouting) || has_hook(Hook::kInput);
      if (!local) {
        uint32_t d = p.dst;
        if (entry && std::string(dir) == "original" && (entry->status & IPS_DST_NAT))
          d = entry->reply.src;
        RouteAnswer ra;
        if (route_get(rt, d, std::nullopt, 0, ra, err))
          local = ra.type == RTN_LOCAL || ra.type == RTN_BROADCAST;
      }
    } else if (has_hook(Hook::kInput)) {
      path = "input";
    } else if (has_hook(Hook::kForward)) {
      path = "forward";
    } else {
      uint32_t d = p.dst;
      if (entry && std::string(dir) == "original" && (entry->status & IPS_DST_NAT))
        d = entry->reply.src;
      RouteAnswer ra;
      bool ok = route_get(rt, d, std::nullopt, 0, ra, err);
      path = ok && (ra.type == RTN_LOCAL || ra.type == RTN_BROADCAST ||
                    ra.type == RTN_MULTICAST)
                 ? "input"
                 : "forward";
    }
    j["path"] = path;
    if (local) j["local"] = true;
    ordered_json hooks = ordered_json::array();
    for (Hook h : wr.hooks) hooks.push_back(hook_name(h));
    j["hooks"] = hooks;
    ordered_json matched = ordered_json::array();
    for (const auto& m : wr.matched) {
      ordered_json mj;
      mj["table"] = m.table;
      mj["chain"] = m.chain;
      mj["rule"] = m.rule;
      mj["text"] = m.text;
      if (!m.target.empty()) mj["target"] = m.target;
      auto rl = rules_lines.find({m.table, m.chain});
      if (rl != rules_lines.end() && m.rule >= 1 && m.rule <= rl->second.size())
        mj["rules_line"] = rl->second[m.rule - 1];
      if (m.count > 1) mj["count"] = m.count;
      matched.push_back(mj);
    }
    j["matched"] = matched;
    ordered_json pol = ordered_json::array();
    for (const auto& pe : wr.policies)
      pol.push_back({{"table", pe.table}, {"chain", pe.chain}, {"policy", pe.policy}});
    j["policy"] = pol;
    // 8. Verdict.
    const Captured* eg = frames.empty() ? nullptr : &frames.front();
    std::string verdict = wr.verdict;
    ordered_json verdict_at;
    bool delivered = false;
    if (verdict != "ACCEPT") {
      if (wr.verdict_hook) verdict_at["hook"] = hook_name(*wr.verdict_hook);
      verdict_at["table"] = wr.verdict_table;
      verdict_at["chain"] = wr.verdict_chain;
      if (wr.hotdrop) {
        verdict_at["hotdrop"] = true;
        if (!wr.hotdrop_after.empty()) verdict_at["after"] = wr.hotdrop_after;
      } else if (wr.verdict_rule) {
        verdict_at["rule"] = wr.verdict_rule;
      } else {
        verdict_at["policy"] = "DROP";
      }
    } else {
      bool complete;
      std::string reason;
      if (path == "input" || (path == "output" && local)) {
        complete = has_hook(Hook::kInput);
        delivered = complete;
        reason = "never reached INPUT";
      } else {
        complete = eg != nullptr;
        reason = has_hook(Hook::kPostrouting) ? "accepted in POSTROUTING but never left fw"
                                              : "never reached POSTROUTING";
      }
      if ((p.mf || p.fragoff) && wr.hooks.empty()) {
        complete = false;
        reason = "fragment held for reassembly before the first hook (nf_defrag_ipv4)";
      }
      if (!send_error.empty()) {
        complete = false;
        reason = "send failed: " + send_error;
      }
      if (!complete) {
        verdict = "KERNEL-DROP";
        if (!wr.hooks.empty()) verdict_at["hook"] = hook_name(wr.hooks.back());
        verdict_at["reason"] = reason;
      }
    }
    j["verdict"] = verdict;
    if (!verdict_at.empty()) j["verdict_at"] = verdict_at;
    j["delivered"] = delivered;
    // 9. Egress: the packet as it left fw, after NAT.
    if (eg && verdict == "ACCEPT" && !local) {
      PacketView v;
      ordered_json e;
      e["iface"] = links[eg->link].name;
      if (parse_ipv4_packet(eg->frame.data(), eg->frame.size(), v)) {
        e["src"] = format_ipv4(v.src);
        e["dst"] = format_ipv4(v.dst);
        e["sport"] = v.sport ? ordered_json(*v.sport) : ordered_json(nullptr);
        e["dport"] = v.dport ? ordered_json(*v.dport) : ordered_json(nullptr);
        e["ttl"] = v.ttl;
        if (v.echo_id) e["echo_id"] = *v.echo_id;
        if (v.inner) {
          ordered_json ij;
          ij["src"] = format_ipv4(v.inner->src);
          ij["dst"] = format_ipv4(v.inner->dst);
          ij["proto"] = v.inner->proto;
          if (v.inner->sport) ij["sport"] = *v.inner->sport;
          if (v.inner->dport) ij["dport"] = *v.inner->dport;
          e["inner"] = ij;
        }
        if (v.tcp_flags) e["flags"] = tcp_flags_text(*v.tcp_flags);
        if (v.tos != p.tos) e["tos"] = v.tos;
      }
      if (frames.size() > 1) e["frames"] = frames.size();
      j["egress"] = e;
    } else {
      j["egress"] = nullptr;
    }
    if (wr.ctstate) j["ctstate"] = *wr.ctstate;
    if (entry) j["conntrack"] = ct_json(*entry, dir);
    if (wr.kernel_sent) j["kernel_sent"] = wr.kernel_sent;
    if (!send_error.empty()) j["send_error"] = send_error;
    if (!barrier_ok) j["harness_warning"] = "ARP barrier timed out";
    if (!wr.unexplained.empty()) {
      // A broadcast or multicast the host sends is put on the wire and looped back as a copy
      // that goes through POSTROUTING again, then PREROUTING and INPUT (ip_mc_output): two
      // packets for one line, which a single path cannot describe.
      RouteAnswer ra;
      if (!in && route_get(rt, p.dst, std::nullopt, 0, ra, err) &&
          (ra.type == RTN_BROADCAST || ra.type == RTN_MULTICAST))
        wr.unexplained = "a local broadcast/multicast is sent out and looped back as a second "
                         "packet (" + wr.unexplained + ")";
      j["unexplained"] = wr.unexplained;
    }
    // Answers that depend on chance: the kernel's (and iptc's) dice differ, so the suite
    // does not compare them.
    if (entry && (entry->status & IPS_SRC_NAT) && proto_has_ports(entry->orig.proto) &&
        entry->reply.dport != entry->orig.sport)
      unstable = "the source NAT chose a new source port (nf_nat picks it at random)";
    if (!unstable.empty()) j["unstable"] = unstable;
    j["t"] = std::round(t_sent * 1e6) / 1e6;
    if (opts.verbose) j["sent"] = {{"src", format_ipv4(src)}, {"seq", w.seq}, {"ack", w.ack}};
    return j;
  }

  ordered_json run_line(const PacketLine& pl) {
    switch (pl.kind) {
      case PacketLine::Kind::Error: {
        ordered_json j;
        j["line"] = pl.line;
        j["packet"] = pl.text;
        j["error"] = pl.error;
        return j;
      }
      case PacketLine::Kind::Flush: {
        std::string err;
        if (!flush_conntrack(ct, err)) {
          ordered_json j;
          j["line"] = pl.line;
          j["error"] = "conntrack flush failed: " + err;
          return j;
        }
        return nullptr;
      }
      case PacketLine::Kind::Sleep: {
        double until = now_seconds() + std::min(pl.sleep_s, opts.max_sleep_s);
        while (!stop_requested()) {
          double left = until - now_seconds();
          if (left <= 0) break;
          std::this_thread::sleep_for(std::chrono::duration<double>(std::min(left, 0.2)));
        }
        return nullptr;
      }
      case PacketLine::Kind::Packet: return run_packet(pl);
    }
    return nullptr;
  }
};

Harness::Harness(HarnessOptions opts) : impl_(std::make_unique<Impl>()) { impl_->opts = opts; }
Harness::~Harness() = default;

bool Harness::setup(const Host& host, std::string& err) { return impl_->setup(host, err); }

bool Harness::load(const std::string& rules_text, const std::string& ipsets_text,
                   std::string& err) {
  return impl_->load(rules_text, ipsets_text, err);
}

nlohmann::ordered_json Harness::run_line(const PacketLine& pl) {
  if (!impl_->ready && pl.kind == PacketLine::Kind::Packet) {
    ordered_json j;
    j["line"] = pl.line;
    j["error"] = "harness not loaded";
    return j;
  }
  return impl_->run_line(pl);
}

std::string Harness::user_listing() const { return impl_->user_listing_text; }

std::string kernel_harness_unavailable() {
  if (::geteuid() != 0) return "not root (the kernel tests create network namespaces)";
  for (const char* p : {"ip", "iptables-restore", "iptables-save", "iptables", "conntrack"})
    if (!have_program(p)) return std::string("'") + p + "' is not installed";
  auto pr = run_program(nullptr, {"iptables", "-V"}, {}, 10);
  if (pr.status != 0) return "iptables -V failed";
  if (pr.out.find("nf_tables") == std::string::npos)
    return "iptables is not the nf_tables variant (" + std::string(trim(pr.out)) + ")";
  return "";
}

}  // namespace iptc::kernel_test
