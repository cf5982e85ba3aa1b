// Private interface between the conntrack core (conntrack.cpp) and the protocol trackers:
// the tracker verdicts of nf_conntrack_handle_packet (a verdict, or "invalid" = -NF_ACCEPT,
// or "repeat" = -NF_REPEAT) and the per-protocol entry points.
#pragma once

#include <span>

#include "iptc/runtime/conntrack.hpp"
#include "iptc/runtime/packet.hpp"

namespace iptc::runtime::detail {

enum class L4Result : uint8_t {
  Accept,   ///< NF_ACCEPT: tracked
  Invalid,  ///< -NF_ACCEPT: not a valid part of the connection; packet goes on INVALID
  Drop,     ///< NF_DROP
  Repeat,   ///< -NF_REPEAT: entry killed, look up again (TCP reopen)
};

struct L4Ctx {
  ConntrackTable& table;
  Conn& ct;
  std::span<const uint8_t> pkt;
  const PacketView& v;
  CtInfo info;
  Hook hook;
  CtVerdictReason& why;
};

L4Result tcp_packet(L4Ctx& c);

/// nf_ct_refresh_acct: new timeout plus per-direction accounting.
void refresh_acct(L4Ctx& c, double extra);

}  // namespace iptc::runtime::detail
