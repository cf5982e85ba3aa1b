// TCP connection tracking, ported step by step from net/netfilter/nf_conntrack_proto_tcp.c
// (Linux 6.x): the state transition table tcp_conntracks[dir][index][state], tcp_new (with
// tcp_loose mid-stream pickup), tcp_error (truncation, checksum at PREROUTING, invalid flag
// combinations), tcp_in_window (Guido van Rooij's window tracking: the sequence and ack bounds
// that make a packet INVALID or ignored), nf_tcp_handle_invalid, and the timeout choice of
// nf_conntrack_tcp_packet (RETRANS, CLOSE on RST, UNACK with unacknowledged data, the
// short timeout of a picked-up connection without a reply). NAT sequence adjustment
// (nf_ct_seq_offset) is always 0 here: there are no helpers that change payload lengths.
#include <array>

#include "conntrack_internal.hpp"
#include "iptc/runtime/checksum.hpp"

namespace iptc::runtime::detail {
namespace {

// enum tcp_bit_set
constexpr unsigned kSynSet = 0, kSynackSet = 1, kFinSet = 2, kAckSet = 3, kRstSet = 4,
                   kNoneSet = 5;

// The table's extra values: TCP_CONNTRACK_MAX (invalid) and TCP_CONNTRACK_IGNORE.
constexpr uint8_t sNO = 0, sSS = 1, sSR = 2, sES = 3, sFW = 4, sCW = 5, sLA = 6, sTW = 7,
                  sCL = 8, sS2 = 9, sIV = 10, sIG = 11;

// tcp_conntracks[2][6][TCP_CONNTRACK_MAX], as in the kernel (6.x values).
constexpr uint8_t kTable[2][6][10] = {
    {
        /* ORIGINAL   sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2 */
        /* syn    */ {sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2},
        /* synack */ {sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR},
        /* fin    */ {sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV},
        /* ack    */ {sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV},
        /* rst    */ {sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL},
        /* none   */ {sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV},
    },
    {
        /* REPLY      sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2 */
        /* syn    */ {sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2},
        /* synack */ {sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR},
        /* fin    */ {sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV},
        /* ack    */ {sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG},
        /* rst    */ {sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL},
        /* none   */ {sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV},
    },
};

enum class Action { Ignore, Invalid, Accept };  // enum nf_ct_tcp_action

constexpr bool before(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) < 0; }
constexpr bool after(uint32_t a, uint32_t b) { return before(b, a); }

struct Th {
  uint32_t seq, ack_seq;
  uint16_t window;
  uint8_t doff;  // bytes
  bool syn, ack, fin, rst;
};

unsigned get_conntrack_index(const Th& th) {
  if (th.rst) return kRstSet;
  if (th.syn) return th.ack ? kSynackSet : kSynSet;
  if (th.fin) return kFinSet;
  if (th.ack) return kAckSet;
  return kNoneSet;
}

uint32_t segment_seq_plus_len(uint32_t seq, size_t len, unsigned dataoff, const Th& th) {
  return static_cast<uint32_t>(seq + len - dataoff - th.doff + (th.syn ? 1 : 0) +
                               (th.fin ? 1 : 0));
}

constexpr uint32_t kMaxAckWinConst = 66000;
uint32_t max_ack_window(const TcpSeen& s) {
  return s.td_maxwin > kMaxAckWinConst ? s.td_maxwin : kMaxAckWinConst;
}

/// tcp_options: window scale and SACK permitted from the options of a SYN.
void tcp_options(std::span<const uint8_t> b, unsigned dataoff, const Th& th, TcpSeen& state) {
  int length = th.doff - 20;
  if (length <= 0) return;
  const uint8_t* ptr = &b[dataoff + 20];
  state.td_scale = 0;
  state.flags &= tcpctflag::kBeLiberal;
  while (length > 0) {
    const int opcode = *ptr++;
    if (opcode == 0) return;  // TCPOPT_EOL
    if (opcode == 1) {        // TCPOPT_NOP
      --length;
      continue;
    }
    if (length < 2) return;
    const int opsize = *ptr++;
    if (opsize < 2) return;  // "silly options"
    if (opsize > length) return;
    if (opcode == 4 && opsize == 2) {  // TCPOPT_SACK_PERM
      state.flags |= tcpctflag::kSackPerm;
    } else if (opcode == 3 && opsize == 3) {  // TCPOPT_WINDOW
      state.td_scale = *ptr;
      if (state.td_scale > 14) state.td_scale = 14;  // TCP_MAX_WSCALE
      state.flags |= tcpctflag::kWindowScale;
    }
    ptr += opsize - 2;
    length -= opsize;
  }
}

/// tcp_sack: the highest right edge of the SACK blocks.
void tcp_sack(std::span<const uint8_t> b, unsigned dataoff, const Th& th, uint32_t& sack) {
  int length = th.doff - 20;
  if (length <= 0) return;
  const uint8_t* ptr = &b[dataoff + 20];
  // Fast path for a timestamp-only option.
  if (length == 12 && ptr[0] == 1 && ptr[1] == 1 && ptr[2] == 8 && ptr[3] == 10) return;
  while (length > 0) {
    const int opcode = *ptr++;
    if (opcode == 0) return;
    if (opcode == 1) {
      --length;
      continue;
    }
    if (length < 2) return;
    const int opsize = *ptr++;
    if (opsize < 2) return;
    if (opsize > length) return;
    if (opcode == 5 && opsize >= 2 + 8 && ((opsize - 2) % 8) == 0) {  // TCPOPT_SACK
      for (int i = 0; i < opsize - 2; i += 8) {
        const uint32_t tmp = load32(ptr + i + 4);
        if (after(tmp, sack)) sack = tmp;
      }
      return;
    }
    ptr += opsize - 2;
    length -= opsize;
  }
}

void tcp_init_sender(TcpSeen& sender, TcpSeen& receiver, std::span<const uint8_t> b,
                     unsigned dataoff, const Th& th, uint32_t end, uint32_t win, int dir) {
  sender.td_end = sender.td_maxend = end;
  sender.td_maxwin = win == 0 ? 1 : win;
  tcp_options(b, dataoff, th, sender);
  // RFC 1323: both sides must send the Window Scale option to enable it in either direction.
  if (dir == 1 && !((sender.flags & tcpctflag::kWindowScale) &&
                    (receiver.flags & tcpctflag::kWindowScale))) {
    sender.td_scale = 0;
    receiver.td_scale = 0;
  }
}

Action log_invalid(const L4Ctx& c, const TcpSeen& sender, Action ret) {
  const bool liberal = (sender.flags & tcpctflag::kBeLiberal) || c.table.options().tcp_be_liberal;
  if (liberal) return Action::Accept;
  return ret;
}

Action tcp_in_window(L4Ctx& c, int dir, unsigned index, const Th& th, unsigned dataoff) {
  TcpTrack& state = c.ct.tcp;
  TcpSeen& sender = state.seen[dir];
  TcpSeen& receiver = state.seen[!dir];
  uint32_t seq = th.seq;
  uint32_t ack = th.ack_seq, sack = th.ack_seq;
  const uint16_t win_raw = th.window;
  uint32_t win = win_raw;
  uint32_t end = segment_seq_plus_len(seq, c.pkt.size(), dataoff, th);

  if (receiver.flags & tcpctflag::kSackPerm) tcp_sack(c.pkt, dataoff, th, sack);

  if (sender.td_maxwin == 0) {
    // Initialize sender data.
    if (th.syn) {
      tcp_init_sender(sender, receiver, c.pkt, dataoff, th, end, win, dir);
      if (!th.ack) return Action::Accept;  // simultaneous open
    } else {
      // In the middle of a connection whose history is lost: use the packet's data.
      sender.td_end = end;
      const uint32_t swin = win << sender.td_scale;
      sender.td_maxwin = swin == 0 ? 1 : swin;
      sender.td_maxend = end + sender.td_maxwin;
      if (receiver.td_maxwin == 0) {
        // No traffic in the other direction yet: let III and IV pass until it comes.
        receiver.td_end = receiver.td_maxend = sack;
      } else if (sack == receiver.td_end + 1) {
        // Likely a reply to a keepalive. Needed for III.
        receiver.td_end++;
      }
    }
  } else if (th.syn && after(end, sender.td_end) &&
             (state.state == TcpState::SynSent || state.state == TcpState::SynRecv)) {
    // RFC 793: a reinitialised TCP uses larger sequence numbers; re-init this direction.
    tcp_init_sender(sender, receiver, c.pkt, dataoff, th, end, win, dir);
    if (dir == 1 && !th.ack) return Action::Accept;
  }

  if (!th.ack) {
    // No ACK: pretend it was set and OK.
    ack = sack = receiver.td_end;
  } else if (th.rst && th.ack && ack == 0) {
    // Broken stacks that send RST|ACK with a zero ack.
    ack = sack = receiver.td_end;
  }

  if (th.rst && seq == 0 && state.state == TcpState::SynSent) {
    // RST sent answering a SYN.
    seq = end = sender.td_end;
  }

  const bool seq_ok = before(seq, sender.td_maxend + 1);
  if (!seq_ok) {
    const uint32_t overshot = end - sender.td_maxend + 1;
    const bool ack_ok = after(sack, receiver.td_end - max_ack_window(sender) - 1);
    const bool in_recv_win =
        receiver.td_maxwin != 0 && after(end, sender.td_end - receiver.td_maxwin - 1);
    if (in_recv_win && ack_ok && overshot <= receiver.td_maxwin &&
        before(sack, receiver.td_end + 1)) {
      // Work around TCPs that send more than the receive window allows.
      sender.td_end = end;
      sender.flags |= tcpctflag::kDataUnacknowledged;
      return log_invalid(c, sender, Action::Ignore);
    }
    return log_invalid(c, sender, Action::Invalid);  // SEQ is over upper bound
  }

  if (!before(sack, receiver.td_end + 1))
    return log_invalid(c, sender, Action::Invalid);  // ACK is over upper bound

  // Is the ending sequence in the receive window (if available)?
  const bool in_recv_win =
      receiver.td_maxwin == 0 || after(end, sender.td_end - receiver.td_maxwin - 1);
  if (!in_recv_win) return log_invalid(c, sender, Action::Ignore);  // SEQ under lower bound
  if (!after(sack, receiver.td_end - max_ack_window(sender) - 1))
    return log_invalid(c, sender, Action::Ignore);  // ACK under lower bound

  // Window scaling (RFC 1323).
  if (!th.syn) win <<= sender.td_scale;

  // Update sender data.
  const uint32_t swin = win + (sack - ack);
  if (sender.td_maxwin < swin) sender.td_maxwin = swin;
  if (after(end, sender.td_end)) {
    sender.td_end = end;
    sender.flags |= tcpctflag::kDataUnacknowledged;
  }
  if (th.ack) {
    if (!(sender.flags & tcpctflag::kMaxackSet)) {
      sender.td_maxack = ack;
      sender.flags |= tcpctflag::kMaxackSet;
    } else if (after(ack, sender.td_maxack)) {
      sender.td_maxack = ack;
    }
  }

  // Update receiver data.
  if (receiver.td_maxwin != 0 && after(end, sender.td_maxend))
    receiver.td_maxwin += end - sender.td_maxend;
  if (after(sack + win, receiver.td_maxend - 1)) {
    receiver.td_maxend = sack + win;
    if (win == 0) receiver.td_maxend++;
  }
  if (ack == receiver.td_end) receiver.flags &= static_cast<uint8_t>(~tcpctflag::kDataUnacknowledged);

  // Check retransmissions.
  if (index == kAckSet) {
    if (state.last_dir == dir && state.last_seq == seq && state.last_ack == ack &&
        state.last_end == end && state.last_win == win_raw) {
      state.retrans++;
    } else {
      state.last_dir = static_cast<uint8_t>(dir);
      state.last_seq = seq;
      state.last_ack = ack;
      state.last_end = end;
      state.last_win = win_raw;
      state.retrans = 0;
    }
  }
  return Action::Accept;
}

void handle_invalid(L4Ctx& c, int dir, unsigned index) {
  Conn& ct = c.ct;
  if (!(ct.status & ips::kAssured) || (ct.status & ips::kFixedTimeout)) return;
  if (index != kRstSet && index != kFinSet) return;
  if (ct.tcp.last_dir != dir && (ct.tcp.last_index == kFinSet || ct.tcp.last_index == kRstSet)) {
    const double expires = c.table.expires_in(ct);
    if (expires < 120) return;
    const double timeout = c.table.options().timeouts.tcp[kTcpTimeoutUnack];
    if (expires > timeout) c.table.refresh(ct, timeout);
  } else {
    ct.tcp.last_index = static_cast<uint8_t>(index);
    ct.tcp.last_dir = static_cast<uint8_t>(dir);
  }
}

// tcp_valid_flags: PUSH, ECE and CWR are always valid.
bool valid_flags(uint8_t flags) {
  const uint8_t f = flags & static_cast<uint8_t>(~(tcpflag::kEce | tcpflag::kCwr | tcpflag::kPsh));
  using namespace tcpflag;
  switch (f) {
    case kSyn: case kSyn | kUrg: case kSyn | kAck: case kRst: case kRst | kAck:
    case kFin | kAck: case kFin | kAck | kUrg: case kAck: case kAck | kUrg:
      return true;
    default:
      return false;
  }
}

bool tcp_new(L4Ctx& c, const Th& th, unsigned dataoff) {
  TcpTrack& t = c.ct.tcp;
  const uint8_t new_state = kTable[0][get_conntrack_index(th)][sNO];
  if (new_state >= sIV) {
    c.why = CtVerdictReason::TcpInvalidNew;
    return false;
  }
  if (new_state == sSS) {
    t = TcpTrack{};
    // SYN packet.
    t.seen[0].td_end = segment_seq_plus_len(th.seq, c.pkt.size(), dataoff, th);
    t.seen[0].td_maxwin = th.window;
    if (t.seen[0].td_maxwin == 0) t.seen[0].td_maxwin = 1;
    t.seen[0].td_maxend = t.seen[0].td_end;
    tcp_options(c.pkt, dataoff, th, t.seen[0]);
  } else if (!c.table.options().tcp_loose) {
    c.why = CtVerdictReason::TcpInvalidNew;
    return false;
  } else {
    t = TcpTrack{};
    // Mid-connection pickup.
    t.seen[0].td_end = segment_seq_plus_len(th.seq, c.pkt.size(), dataoff, th);
    t.seen[0].td_maxwin = th.window;
    if (t.seen[0].td_maxwin == 0) t.seen[0].td_maxwin = 1;
    t.seen[0].td_maxend = t.seen[0].td_end + t.seen[0].td_maxwin;
    // Assume SACK and liberal window checking to cope with window scaling.
    t.seen[0].flags = t.seen[1].flags = tcpctflag::kSackPerm | tcpctflag::kBeLiberal;
  }
  t.last_index = kNoneSet;
  return true;
}

bool tcp_established(const Conn& ct) {
  return ct.tcp.state == TcpState::Established && (ct.status & ips::kAssured);
}

bool can_early_drop(const Conn& ct) {
  switch (ct.tcp.state) {
    case TcpState::FinWait: case TcpState::LastAck: case TcpState::TimeWait:
    case TcpState::Close: case TcpState::CloseWait:
      return true;
    default:
      return false;
  }
}

}  // namespace

L4Result tcp_packet(L4Ctx& c) {
  const auto& opts = c.table.options();
  const PacketView& v = c.v;
  if (v.l4.avail < 20) {
    c.why = CtVerdictReason::Truncated;
    return L4Result::Invalid;
  }
  const unsigned dataoff = v.l4.off;
  Th th{v.seq, v.ack_seq, v.window, v.doff,
        (v.tcp_flags & tcpflag::kSyn) != 0, (v.tcp_flags & tcpflag::kAck) != 0,
        (v.tcp_flags & tcpflag::kFin) != 0, (v.tcp_flags & tcpflag::kRst) != 0};

  // tcp_error
  const size_t tcplen = c.pkt.size() - dataoff;
  if (th.doff < 20 || tcplen < th.doff) {
    c.why = CtVerdictReason::Truncated;
    return L4Result::Invalid;
  }
  if (opts.checksum && c.hook == Hook::Prerouting && !transport_checksum_ok(c.pkt, v)) {
    c.why = CtVerdictReason::BadChecksum;
    return L4Result::Invalid;
  }
  if (!valid_flags(v.tcp_flags)) {
    c.why = CtVerdictReason::TcpInvalidFlags;
    return L4Result::Invalid;
  }

  Conn& ct = c.ct;
  if (!ct.confirmed() && !tcp_new(c, th, dataoff)) return L4Result::Invalid;

  const uint8_t old_state_u = static_cast<uint8_t>(ct.tcp.state);
  uint8_t old_state = old_state_u;
  const int dir = static_cast<int>(ctinfo_dir(c.info));
  const unsigned index = get_conntrack_index(th);
  uint8_t new_state = kTable[dir][index][old_state];
  TcpTrack& t = ct.tcp;

  bool skip_window = false;
  switch (new_state) {
    case sSS:
      if (old_state < sTW) break;
      // RFC 1122 TIME-WAIT reopen, or an aborted connection being replaced: kill the entry
      // and look the tuple up again (a fresh entry is made).
      if (((t.seen[dir].flags | t.seen[!dir].flags) & tcpctflag::kCloseInit) ||
          (t.last_dir == dir && t.last_index == kRstSet)) {
        if (c.table.kill(ct)) return L4Result::Repeat;
        return L4Result::Drop;
      }
      [[fallthrough]];
    case sIG: {
      // Ignored packets: our entry may be out of sync.
      if (index == kSynackSet && t.last_index == kSynSet && t.last_dir != dir &&
          th.ack_seq == t.last_end) {
        // b) This SYN/ACK acknowledges a SYN we ignored: resync from the annotations.
        old_state = sSS;
        new_state = sSR;
        TcpSeen& s = t.seen[t.last_dir];
        s.td_end = t.last_end;
        s.td_maxend = t.last_end;
        s.td_maxwin = t.last_win == 0 ? 1 : t.last_win;
        s.td_scale = t.last_wscale;
        t.last_flags &= static_cast<uint8_t>(~tcpctflag::kExpChallengeAck);
        s.flags = t.last_flags;
        // nf_ct_tcp_state_reset
        TcpSeen& r = t.seen[dir];
        r.td_end = r.td_maxend = r.td_maxwin = r.td_maxack = 0;
        r.td_scale = 0;
        r.flags &= tcpctflag::kBeLiberal;
        break;
      }
      t.last_index = static_cast<uint8_t>(index);
      t.last_dir = static_cast<uint8_t>(dir);
      t.last_seq = th.seq;
      t.last_end = segment_seq_plus_len(th.seq, c.pkt.size(), dataoff, th);
      t.last_win = th.window;
      // a) A SYN in ORIGINAL: annotate its options and let it through.
      if (index == kSynSet && dir == 0) {
        TcpSeen seen{};
        t.last_flags = t.last_wscale = 0;
        tcp_options(c.pkt, dataoff, th, seen);
        if (seen.flags & tcpctflag::kWindowScale) {
          t.last_flags |= tcpctflag::kWindowScale;
          t.last_wscale = seen.td_scale;
        }
        if (seen.flags & tcpctflag::kSackPerm) t.last_flags |= tcpctflag::kSackPerm;
        // A challenge ACK may follow: special in LAST_ACK, where an ACK acks the last FIN.
        if (old_state == sLA) t.last_flags |= tcpctflag::kExpChallengeAck;
      }
      // Possible challenge ACK reply to a SYN.
      if (old_state == sSS && index == kAckSet && dir == 1) t.last_ack = th.ack_seq;
      c.why = CtVerdictReason::TcpIgnored;
      return L4Result::Accept;
    }
    case sIV:
      c.why = CtVerdictReason::TcpInvalidState;
      return L4Result::Invalid;
    case sTW:
      // RFC 5961 challenge ACK: must not be taken for the ACK of the last FIN.
      if (old_state == sLA && index == kAckSet && t.last_dir != dir && t.last_index == kSynSet &&
          (t.last_flags & tcpctflag::kExpChallengeAck)) {
        t.last_flags &= static_cast<uint8_t>(~tcpctflag::kExpChallengeAck);
        c.why = CtVerdictReason::TcpIgnored;
        return L4Result::Accept;  // don't change state
      }
      break;
    case sS2:
      t.last_flags |= tcpctflag::kSimultaneousOpen;
      break;
    case sSR:
      if (dir == 1 && index == kAckSet && (t.last_flags & tcpctflag::kSimultaneousOpen))
        new_state = sES;
      break;
    case sCL: {
      if (index != kRstSet) break;
      // Closing: the tuple may have been reused; skip validation.
      if (can_early_drop(ct)) {
        skip_window = true;
        break;
      }
      bool done = false;
      if ((t.seen[!dir].flags & tcpctflag::kMaxackSet) && t.last_index != kSynSet) {
        const uint32_t seq = th.seq;
        if (seq == 0 && !tcp_established(ct)) {
          done = true;  // an answer to a SYN we let through
        } else if (before(seq, t.seen[!dir].td_maxack) && !opts.tcp_ignore_invalid_rst) {
          c.why = CtVerdictReason::TcpOutOfWindow;  // invalid RST
          return L4Result::Invalid;
        } else if (!tcp_established(ct) || seq == t.seen[!dir].td_maxack) {
          done = true;
        } else if (t.last_index == kAckSet && t.last_dir == dir && seq == t.last_end) {
          done = true;  // RST as part of a train
        } else {
          // The RST's sequence number does not match exactly: keep the state, to allow a
          // possible challenge ACK.
          new_state = old_state;
        }
      }
      if (done) break;
      if ((((ct.status & ips::kSeenReply) && t.last_index == kSynSet) ||
           (!(ct.status & ips::kAssured) && t.last_index == kAckSet)) &&
          th.ack_seq == t.last_end) {
        // RST answering an invalid SYN or ACK we let through: delete without window checks.
        skip_window = true;
        break;
      }
      // Reset in response to a challenge ACK we let through earlier.
      if (old_state == sSS && t.last_index == kAckSet && t.last_dir == 1 && th.seq == t.last_ack)
        skip_window = true;
      break;
    }
    default:
      break;
  }

  if (!skip_window) {
    const Action res = tcp_in_window(c, dir, index, th, dataoff);
    switch (res) {
      case Action::Ignore:
        c.why = CtVerdictReason::TcpIgnored;
        return L4Result::Accept;
      case Action::Invalid:
        handle_invalid(c, dir, index);
        c.why = CtVerdictReason::TcpOutOfWindow;
        return L4Result::Invalid;
      case Action::Accept:
        break;
    }
  }

  // in_window: from now on, in-window packets.
  t.last_index = static_cast<uint8_t>(index);
  t.last_dir = static_cast<uint8_t>(dir);
  t.state = static_cast<TcpState>(new_state);
  if (old_state != new_state && new_state == sFW) t.seen[dir].flags |= tcpctflag::kCloseInit;

  const auto& to = opts.timeouts.tcp;
  double timeout;
  if (t.retrans >= opts.tcp_max_retrans && to[new_state] > to[kTcpTimeoutRetrans])
    timeout = to[kTcpTimeoutRetrans];
  else if (index == kRstSet)
    timeout = to[sCL];
  else if (((t.seen[0].flags | t.seen[1].flags) & tcpctflag::kDataUnacknowledged) &&
           to[new_state] > to[kTcpTimeoutUnack])
    timeout = to[kTcpTimeoutUnack];
  else if (t.last_win == 0 && to[new_state] > to[kTcpTimeoutRetrans])
    timeout = to[kTcpTimeoutRetrans];
  else
    timeout = to[new_state];

  if (!(ct.status & ips::kSeenReply)) {
    // Only a RST as reply: not an established connection; delete the entry at once.
    if (th.rst) {
      const int d = static_cast<int>(ctinfo_dir(c.info));
      ct.packets[d] += 1;
      ct.bytes[d] += c.pkt.size();
      c.table.kill(ct);
      return L4Result::Accept;
    }
    // Do not renew the timeout on SYN retransmits.
    if (index == kSynSet && old_state == sSS) return L4Result::Accept;
    // ESTABLISHED without a reply (loose pickup): avoid the large timeout.
    if (new_state == sES && timeout > to[kTcpTimeoutUnack]) timeout = to[kTcpTimeoutUnack];
  } else if (!(ct.status & ips::kAssured) && (old_state == sSR || old_state == sES) &&
             new_state == sES) {
    // Valid ACK in ESTABLISHED after SYN_RECV, or a valid answer for a picked-up connection.
    ct.status |= ips::kAssured;
  }
  refresh_acct(c, timeout);
  return L4Result::Accept;
}

}  // namespace iptc::runtime::detail
