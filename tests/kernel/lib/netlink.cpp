// Netlink requests of the harness (see netlink.hpp): a minimal attribute builder/reader and
// the nf_tables, ctnetlink and rtnetlink messages it needs. The message layouts follow
// include/uapi/linux/netfilter/nf_tables.h, nfnetlink_conntrack.h and rtnetlink.h.
#include "netlink.hpp"

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>

namespace iptc::kernel_test {

namespace {

// ---- message building ----

struct MsgBuilder {
  std::vector<uint8_t> buf;

  explicit MsgBuilder(uint16_t type, uint16_t flags) {
    buf.resize(NLMSG_HDRLEN);
    auto* h = reinterpret_cast<nlmsghdr*>(buf.data());
    h->nlmsg_type = type;
    h->nlmsg_flags = flags;
  }
  void put_raw(const void* p, size_t n) {
    size_t at = buf.size();
    buf.resize(at + NLMSG_ALIGN(n));
    std::memcpy(buf.data() + at, p, n);
  }
  void put_attr(uint16_t type, const void* p, size_t n) {
    nlattr a{};
    a.nla_len = uint16_t(NLA_HDRLEN + n);
    a.nla_type = type;
    size_t at = buf.size();
    buf.resize(at + NLA_HDRLEN + NLA_ALIGN(n));
    std::memcpy(buf.data() + at, &a, sizeof a);
    if (n) std::memcpy(buf.data() + at + NLA_HDRLEN, p, n);
  }
  void put_u32(uint16_t type, uint32_t v) { put_attr(type, &v, 4); }
  std::vector<uint8_t> finish() {
    reinterpret_cast<nlmsghdr*>(buf.data())->nlmsg_len = uint32_t(buf.size());
    return buf;
  }
};

std::vector<uint8_t> nfnl_request(uint8_t subsys, uint8_t msg, uint16_t flags,
                                  uint8_t family = NFPROTO_IPV4) {
  MsgBuilder b(uint16_t((subsys << 8) | msg), flags);
  nfgenmsg g{};
  g.nfgen_family = family;
  g.version = NFNETLINK_V0;
  g.res_id = 0;
  b.put_raw(&g, sizeof g);
  return b.finish();
}

// ---- attribute reading ----

struct Attr {
  uint16_t type;
  const uint8_t* data;
  size_t len;
  [[nodiscard]] std::string str() const {
    size_t n = len;
    while (n > 0 && data[n - 1] == 0) --n;
    return std::string(reinterpret_cast<const char*>(data), n);
  }
  [[nodiscard]] uint8_t u8() const { return len >= 1 ? data[0] : 0; }
  [[nodiscard]] uint16_t be16() const {
    uint16_t v = 0;
    if (len >= 2) std::memcpy(&v, data, 2);
    return ntohs(v);
  }
  [[nodiscard]] uint32_t be32() const {
    uint32_t v = 0;
    if (len >= 4) std::memcpy(&v, data, 4);
    return ntohl(v);
  }
  [[nodiscard]] uint32_t u32() const {
    uint32_t v = 0;
    if (len >= 4) std::memcpy(&v, data, 4);
    return v;
  }
  [[nodiscard]] uint64_t be64() const {
    uint64_t v = 0;
    if (len >= 8) {
      for (int i = 0; i < 8; ++i) v = (v << 8) | data[i];
    }
    return v;
  }
};

void for_each_attr(const uint8_t* p, size_t len, const std::function<void(const Attr&)>& fn) {
  while (len >= NLA_HDRLEN) {
    nlattr a;
    std::memcpy(&a, p, sizeof a);
    if (a.nla_len < NLA_HDRLEN || a.nla_len > len) return;
    fn(Attr{uint16_t(a.nla_type & NLA_TYPE_MASK), p + NLA_HDRLEN, size_t(a.nla_len - NLA_HDRLEN)});
    size_t step = NLA_ALIGN(a.nla_len);
    if (step >= len) return;
    p += step;
    len -= step;
  }
}

void for_each_nested(const Attr& a, const std::function<void(const Attr&)>& fn) {
  for_each_attr(a.data, a.len, fn);
}

/// Attributes of a reply message whose fixed header is `fixed` bytes.
void for_each_msg_attr(const std::vector<uint8_t>& msg, size_t fixed,
                       const std::function<void(const Attr&)>& fn) {
  size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(fixed);
  if (msg.size() < off) return;
  for_each_attr(msg.data() + off, msg.size() - off, fn);
}

}  // namespace

NlSocket::~NlSocket() {
  if (fd_ >= 0) ::close(fd_);
}

NlSocket& NlSocket::operator=(NlSocket&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    seq_ = o.seq_;
    o.fd_ = -1;
  }
  return *this;
}

bool NlSocket::open(int protocol, std::string& err) {
  fd_ = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
  if (fd_ < 0) {
    err = std::string("netlink socket: ") + std::strerror(errno);
    return false;
  }
  int big = 8 << 20;
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
  int one = 1;
  // Extended ACKs give the kernel's reason text on errors.
  ::setsockopt(fd_, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    err = std::string("netlink bind: ") + std::strerror(errno);
    return false;
  }
  return true;
}

bool NlSocket::transact(std::vector<uint8_t> msg, std::vector<std::vector<uint8_t>>& replies,
                        std::string& err) {
  auto* h = reinterpret_cast<nlmsghdr*>(msg.data());
  uint32_t seq = seq_++;
  h->nlmsg_seq = seq;
  bool is_dump = (h->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
  bool wants_ack = (h->nlmsg_flags & NLM_F_ACK) != 0;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(fd_, msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&kernel),
               sizeof kernel) < 0) {
    err = std::string("netlink send: ") + std::strerror(errno);
    return false;
  }
  std::vector<uint8_t> buf(1 << 20);
  // Bounded: a dump ends with NLMSG_DONE, a request with its answer or ACK; a kernel that
  // says nothing for 5 s is treated as an error rather than waited for.
  for (int rounds = 0; rounds < 1000000; ++rounds) {
    pollfd p{fd_, POLLIN, 0};
    int pr = ::poll(&p, 1, 5000);
    if (pr == 0) {
      err = "netlink: no answer from the kernel in 5 s";
      return false;
    }
    if (pr < 0) {
      if (errno == EINTR) continue;
      err = std::string("netlink poll: ") + std::strerror(errno);
      return false;
    }
    ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      err = std::string("netlink recv: ") + std::strerror(errno);
      return false;
    }
    size_t left = size_t(n);
    const uint8_t* p8 = buf.data();
    while (left >= NLMSG_HDRLEN) {
      nlmsghdr mh;
      std::memcpy(&mh, p8, sizeof mh);
      if (mh.nlmsg_len < NLMSG_HDRLEN || mh.nlmsg_len > left) break;
      if (mh.nlmsg_seq == seq) {
        if (mh.nlmsg_type == NLMSG_DONE) return true;
        if (mh.nlmsg_type == NLMSG_ERROR) {
          nlmsgerr e;
          std::memcpy(&e, p8 + NLMSG_HDRLEN, sizeof e);
          if (e.error == 0) return true;  // ACK
          err = std::string("netlink: ") + std::strerror(-e.error);
          return false;
        }
        replies.emplace_back(p8, p8 + mh.nlmsg_len);
        if (!is_dump && !wants_ack) return true;
      }
      size_t step = NLMSG_ALIGN(mh.nlmsg_len);
      if (step >= left) break;
      p8 += step;
      left -= step;
    }
  }
  err = "netlink: reply never ended";
  return false;
}

bool read_counters(NlSocket& nft, CounterSnapshot& out, std::string& err) {
  out = {};
  std::vector<std::vector<uint8_t>> msgs;
  if (!nft.transact(nfnl_request(NFNL_SUBSYS_NFTABLES, NFT_MSG_GETRULE,
                                 NLM_F_REQUEST | NLM_F_DUMP),
                    msgs, err))
    return false;
  for (const auto& m : msgs) {
    std::string table, chain;
    std::optional<uint64_t> packets;
    for_each_msg_attr(m, sizeof(nfgenmsg), [&](const Attr& a) {
      switch (a.type) {
        case NFTA_RULE_TABLE: table = a.str(); break;
        case NFTA_RULE_CHAIN: chain = a.str(); break;
        case NFTA_RULE_EXPRESSIONS:
          for_each_nested(a, [&](const Attr& elem) {
            std::string name;
            const Attr* data = nullptr;
            Attr data_copy{};
            for_each_nested(elem, [&](const Attr& e) {
              if (e.type == NFTA_EXPR_NAME) name = e.str();
              if (e.type == NFTA_EXPR_DATA) {
                data_copy = e;
                data = &data_copy;
              }
            });
            if (name == "counter" && data && !packets) {
              for_each_nested(*data, [&](const Attr& c) {
                if (c.type == NFTA_COUNTER_PACKETS) packets = c.be64();
              });
            }
          });
          break;
        default: break;
      }
    });
    // A rule without a counter cannot come from iptables-nft; count it as 0 so positions stay
    // aligned with iptables-save's listing.
    out.rules[{table, chain}].push_back(packets.value_or(0));
  }
  msgs.clear();
  if (!nft.transact(nfnl_request(NFNL_SUBSYS_NFTABLES, NFT_MSG_GETCHAIN,
                                 NLM_F_REQUEST | NLM_F_DUMP),
                    msgs, err))
    return false;
  for (const auto& m : msgs) {
    std::string table, chain;
    std::optional<uint64_t> packets;
    for_each_msg_attr(m, sizeof(nfgenmsg), [&](const Attr& a) {
      if (a.type == NFTA_CHAIN_TABLE) table = a.str();
      if (a.type == NFTA_CHAIN_NAME) chain = a.str();
      if (a.type == NFTA_CHAIN_COUNTERS)
        for_each_nested(a, [&](const Attr& c) {
          if (c.type == NFTA_COUNTER_PACKETS) packets = c.be64();
        });
    });
    if (packets) out.policies[{table, chain}] = *packets;
  }
  return true;
}

namespace {

void parse_ct_tuple(const Attr& t, CtTuple& out) {
  for_each_nested(t, [&](const Attr& a) {
    if (a.type == CTA_TUPLE_IP) {
      for_each_nested(a, [&](const Attr& ip) {
        if (ip.type == CTA_IP_V4_SRC) out.src = ip.be32();
        if (ip.type == CTA_IP_V4_DST) out.dst = ip.be32();
      });
    } else if (a.type == CTA_TUPLE_PROTO) {
      uint8_t type = 0, code = 0;
      bool icmp = false;
      for_each_nested(a, [&](const Attr& p) {
        switch (p.type) {
          case CTA_PROTO_NUM: out.proto = p.u8(); break;
          case CTA_PROTO_SRC_PORT: out.sport = p.be16(); break;
          case CTA_PROTO_DST_PORT: out.dport = p.be16(); break;
          case CTA_PROTO_ICMP_ID: out.sport = p.be16(); icmp = true; break;
          case CTA_PROTO_ICMP_TYPE: type = p.u8(); icmp = true; break;
          case CTA_PROTO_ICMP_CODE: code = p.u8(); icmp = true; break;
          default: break;
        }
      });
      if (icmp) out.dport = uint16_t(type << 8 | code);
    }
  });
}

}  // namespace

namespace {

CtEntry parse_ct_entry(const std::vector<uint8_t>& m) {
  CtEntry e;
  for_each_msg_attr(m, sizeof(nfgenmsg), [&](const Attr& a) {
    switch (a.type) {
      case CTA_TUPLE_ORIG: parse_ct_tuple(a, e.orig); break;
      case CTA_TUPLE_REPLY: parse_ct_tuple(a, e.reply); break;
      case CTA_STATUS: e.status = a.be32(); break;
      case CTA_MARK: e.mark = a.be32(); break;
      case CTA_TIMEOUT: e.timeout = a.be32(); break;
      case CTA_ID: e.id = a.be32(); break;
      case CTA_PROTOINFO:
        for_each_nested(a, [&](const Attr& pi) {
          if (pi.type == CTA_PROTOINFO_TCP)
            for_each_nested(pi, [&](const Attr& t) {
              if (t.type == CTA_PROTOINFO_TCP_STATE) e.tcp_state = t.u8();
            });
        });
        break;
      default: break;
    }
  });
  return e;
}

/// Appends a nested attribute built by `fill` to b.
template <typename F>
void put_nested(MsgBuilder& b, uint16_t type, F fill) {
  size_t at = b.buf.size();
  b.put_attr(uint16_t(type | NLA_F_NESTED), nullptr, 0);
  fill();
  nlattr a;
  std::memcpy(&a, b.buf.data() + at, sizeof a);
  a.nla_len = uint16_t(b.buf.size() - at);
  std::memcpy(b.buf.data() + at, &a, sizeof a);
}

}  // namespace

bool read_conntrack(NlSocket& ct, std::vector<CtEntry>& out, std::string& err) {
  out.clear();
  std::vector<std::vector<uint8_t>> msgs;
  if (!ct.transact(nfnl_request(NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_GET,
                                NLM_F_REQUEST | NLM_F_DUMP, AF_INET),
                   msgs, err))
    return false;
  for (const auto& m : msgs) out.push_back(parse_ct_entry(m));
  return true;
}

bool get_conntrack(NlSocket& ct, const CtTuple& t, CtEntry& out, bool& found, std::string& err) {
  found = false;
  MsgBuilder b(uint16_t((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET), NLM_F_REQUEST);
  nfgenmsg g{};
  g.nfgen_family = AF_INET;
  g.version = NFNETLINK_V0;
  b.put_raw(&g, sizeof g);
  put_nested(b, CTA_TUPLE_ORIG, [&] {
    put_nested(b, CTA_TUPLE_IP, [&] {
      uint32_t s = htonl(t.src), d = htonl(t.dst);
      b.put_attr(CTA_IP_V4_SRC, &s, 4);
      b.put_attr(CTA_IP_V4_DST, &d, 4);
    });
    put_nested(b, CTA_TUPLE_PROTO, [&] {
      uint8_t p = t.proto;
      b.put_attr(CTA_PROTO_NUM, &p, 1);
      if (t.proto == 1) {
        uint16_t id = htons(t.sport);
        uint8_t type = uint8_t(t.dport >> 8), code = uint8_t(t.dport);
        b.put_attr(CTA_PROTO_ICMP_ID, &id, 2);
        b.put_attr(CTA_PROTO_ICMP_TYPE, &type, 1);
        b.put_attr(CTA_PROTO_ICMP_CODE, &code, 1);
      } else {
        uint16_t sp = htons(t.sport), dp = htons(t.dport);
        b.put_attr(CTA_PROTO_SRC_PORT, &sp, 2);
        b.put_attr(CTA_PROTO_DST_PORT, &dp, 2);
      }
    });
  });
  std::vector<std::vector<uint8_t>> msgs;
  std::string e;
  if (!ct.transact(b.finish(), msgs, e)) {
    if (e.find(std::strerror(ENOENT)) != std::string::npos) return true;
    err = e;
    return false;
  }
  if (msgs.empty()) return true;
  out = parse_ct_entry(msgs.front());
  found = true;
  return true;
}

bool flush_conntrack(NlSocket& ct, std::string& err) {
  std::vector<std::vector<uint8_t>> msgs;
  return ct.transact(nfnl_request(NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_DELETE,
                                  NLM_F_REQUEST | NLM_F_ACK, AF_INET),
                     msgs, err);
}

bool route_get(NlSocket& rt, uint32_t dst, std::optional<uint32_t> src, int iif,
               RouteAnswer& out, std::string& err) {
  MsgBuilder b(RTM_GETROUTE, NLM_F_REQUEST);
  rtmsg r{};
  r.rtm_family = AF_INET;
  r.rtm_dst_len = 32;
  if (src) r.rtm_src_len = 32;
  b.put_raw(&r, sizeof r);
  uint32_t d = htonl(dst);
  b.put_attr(RTA_DST, &d, 4);
  if (src) {
    uint32_t s = htonl(*src);
    b.put_attr(RTA_SRC, &s, 4);
  }
  if (iif > 0) b.put_u32(RTA_IIF, uint32_t(iif));
  std::vector<std::vector<uint8_t>> msgs;
  if (!rt.transact(b.finish(), msgs, err)) return false;
  if (msgs.empty()) {
    err = "route lookup: no answer";
    return false;
  }
  const auto& m = msgs.front();
  if (m.size() < NLMSG_HDRLEN + sizeof(rtmsg)) {
    err = "route lookup: short answer";
    return false;
  }
  rtmsg got;
  std::memcpy(&got, m.data() + NLMSG_HDRLEN, sizeof got);
  out = {};
  out.type = got.rtm_type;
  for_each_msg_attr(m, sizeof(rtmsg), [&](const Attr& a) {
    if (a.type == RTA_OIF) out.oif = int(a.u32());
    if (a.type == RTA_PREFSRC) out.prefsrc = a.be32();
    if (a.type == RTA_GATEWAY) out.gateway = a.be32();
  });
  return true;
}

}  // namespace iptc::kernel_test
