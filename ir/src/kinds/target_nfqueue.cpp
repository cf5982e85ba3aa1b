// -j NFQUEUE (extensions/libxt_NFQUEUE.c revision 3, the one iptables 1.8.9 picks on this
// kernel; guided parser; net/netfilter/xt_NFQUEUE.c). --queue-num 0-65535 or --queue-balance
// FIRST:LAST (XTTYPE_UINT16RC; two fields, FIRST < LAST), not both; --queue-bypass;
// --queue-cpu-fanout, which needs --queue-balance; each once. Without options the queue is 0.
// The kernel target has no table or hook restriction. Its checkentry refuses a total of 0
// queues, which --queue-balance 0:65535 (or ":") produces by wrapping the u16 count.
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
      // 0:65535 wraps the u16 total to 0, which the kernel refuses (see kernel_check).
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

std::string kernel_check(const KernelCheckCall&, const TargetData& d) {
  const auto& q = std::get<NfqueueTarget>(d);
  // nfqueue_tg_check
  if (q.queues_total == 0)
    return "NFQUEUE: the queue range holds 65536 queues, which wraps the kernel's 16-bit "
           "count to 0; use at most 65535 queues (e.g. 0:65534)";
  if (q.queuenum + q.queues_total - 1 > 0xffff) return "NFQUEUE: the last queue is above 65535";
  return {};
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
    .kernel_check = kernel_check,
};

}  // namespace iptc::ir::kinds
