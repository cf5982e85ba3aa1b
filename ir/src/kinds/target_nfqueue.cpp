// -j NFQUEUE (extensions/libxt_NFQUEUE.c revision 3, the one iptables 1.8.9 picks on this
// kernel; guided parser; net/netfilter/xt_NFQUEUE.c). --queue-num 0-65535 or --queue-balance
// FIRST:LAST (XTTYPE_UINT16RC; two fields, FIRST < LAST), not both; --queue-bypass;
// --queue-cpu-fanout, which needs --queue-balance; each once. Without options the queue is 0.
// The kernel target has no table or hook restriction; its checkentry's limits (queues_total
// not 0, the last queue at most 65535, known flags) cannot be broken from iptables.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kNum, kBalance, kBypass, kCpuFanout };

constexpr OptionDef kOptions[] = {
    {"queue-num", kNum, ArgKind::Required, 0, 1u << kBalance},
    {"queue-balance", kBalance, ArgKind::Required, 0, 1u << kNum},
    {"queue-bypass", kBypass, ArgKind::None, 0},
    {"queue-cpu-fanout", kCpuFanout, ArgKind::None, 0, 0, 1u << kBalance},
};

bool parse(const OptionCall& c, TargetData& d) {
  auto& q = std::get<NfqueueTarget>(d);
  switch (c.opt->id) {
    case kNum: {
      auto v = uint_option(c, 0, 65535);
      if (!v) return false;
      q.queuenum = static_cast<uint16_t>(*v);
      return true;
    }
    case kBalance: {
      auto r = parse_uint_rc(c, "NFQUEUE", 65535);
      if (!r) return false;
      // xtopt_parse_mint counts the fields: one field is no range.
      if (c.arg.find(':') == std::string_view::npos)
        return c.fail(fmt::format("bad range '{}'", c.arg), "write FIRST:LAST, e.g. 0:3");
      if (r->first >= r->second)
        return c.fail(fmt::format("{} should be less than {}", r->first, r->second),
                      "the first queue of a balanced range must be below the last");
      q.queuenum = static_cast<uint16_t>(r->first);
      q.queues_total = static_cast<uint16_t>(r->second - r->first + 1);
      return true;
    }
    case kBypass: q.flags |= NfqueueTarget::kBypass; return true;
    case kCpuFanout: q.flags |= NfqueueTarget::kCpuFanout; return true;
    default: return false;
  }
}

void save(SaveWriter& w, const TargetData& d) {
  const auto& q = std::get<NfqueueTarget>(d);
  if (q.queues_total > 1)
    w.raw(fmt::format(" --queue-balance {}:{}", q.queuenum, q.queuenum + q.queues_total - 1));
  else
    w.raw(fmt::format(" --queue-num {}", q.queuenum));
  if (q.flags & NfqueueTarget::kBypass) w.raw(" --queue-bypass");
  if (q.flags & NfqueueTarget::kCpuFanout) w.raw(" --queue-cpu-fanout");
}

}  // namespace

const TargetDef kNfqueue = {
    .kind = TargetKind::Nfqueue,
    .name = "NFQUEUE",
    .options = kOptions,
    .init = [] { return TargetData{NfqueueTarget{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
};

}  // namespace iptc::ir::kinds
