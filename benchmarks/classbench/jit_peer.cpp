// iptc's LLVM backend as a Classifier: the rule set JIT-compiled (lowering, O2, machine code:
// timed as the JIT's build), then the compiled filter/FORWARD hook function called once per
// header on parsed packets (struct iptc_pkt, runtime/abi.h) prepared once, arriving on eth0
// and leaving by eth1 as interp::ChainRunner's packets do. No trace buffer is kept (the
// deciding rule comes back in the hook's result) but the per-rule counters are updated, as
// they are on every real run. The ClassBench rules only test addresses, protocol and ports,
// which the backend compiles natively, so the slow-path callbacks are never needed: if one
// is called anyway the answer is marked wrong and the agreement check fails loudly.
#include <cstring>

#include "classifier.hpp"
#include "iptc/backend/backend.hpp"

namespace iptc::bench {

namespace {

int no_match_callback(iptc_ctx* ctx, iptc_pkt*, uint32_t, uint32_t) {
  *static_cast<bool*>(ctx->user) = true;
  return IPTC_MATCH_NO;
}
uint32_t no_target_callback(iptc_ctx* ctx, iptc_pkt*, uint32_t) {
  *static_cast<bool*>(ctx->user) = true;
  return IPTC_DROP;
}

class JitClassifier final : public Classifier {
 public:
  JitClassifier(const ir::Ruleset& rs, std::unique_ptr<backend::CompiledRuleset> c)
      : compiled_(std::move(c)), slots_(ir::slot_map(rs)) {
    fn_ = compiled_->hook(ir::TableKind::Filter, ir::Hook::Forward);
    counters_.assign(compiled_->descriptor().slot_count, iptc_counter{0, 0});
    ctx_.counters = counters_.data();
    ctx_.matched = nullptr;
    ctx_.matched_len = 0;
    ctx_.matched_cap = 0;
    ctx_.match = no_match_callback;
    ctx_.target = no_target_callback;
    ctx_.user = &slow_path_used_;
    // The FORWARD rule number of each slot (0: not a filter/FORWARD rule).
    rule_no_.assign(slots_.slots.size(), 0);
    const ir::Table* filter = rs.table(ir::TableKind::Filter);
    for (uint32_t s = 0; s < slots_.rule_count; ++s) {
      const ir::Slot& sl = slots_.slots[s];
      if (sl.table == ir::TableKind::Filter && filter &&
          &filter->chains()[sl.chain] == filter->builtin(ir::Hook::Forward))
        rule_no_[s] = sl.rule + 1;
    }
  }
  [[nodiscard]] std::string name() const override { return "jit"; }
  void prepare(std::span<const Header> headers) override {
    pkts_.assign(headers.size(), iptc_pkt{});
    for (size_t i = 0; i < headers.size(); ++i) {
      const Header& h = headers[i];
      iptc_pkt& p = pkts_[i];
      p.src = h.src;
      p.dst = h.dst;
      p.proto = h.proto;
      p.ttl = 64;
      const bool tcp = h.proto == 6, udp = h.proto == 17;
      p.l4_avail = tcp ? 20 : (udp || h.proto == 1) ? 8 : 0;
      p.tot_len = static_cast<uint16_t>(20 + p.l4_avail);
      p.len = p.tot_len;
      if (tcp || udp) {
        p.sport = h.sport;
        p.dport = h.dport;
      } else if (h.proto == 1) {
        p.icmp_type = 8;  // an echo request, as the interpreter's packets are by default
        p.sport = static_cast<uint16_t>(8 << 8);
      }
      if (tcp) p.tcp_flags = 0x02;  // SYN, the packet lines' default
      p.ct_state = IPTC_CT_NEW;
      p.flags = IPTC_PKT_HAS_MAC;
      p.in_ifindex = 2;
      p.out_ifindex = 3;
      std::memcpy(p.in, "eth0", 5);
      std::memcpy(p.out, "eth1", 5);
    }
  }
  void classify(std::span<uint32_t> out) override {
    for (size_t i = 0; i < pkts_.size(); ++i) {
      iptc_pkt p = pkts_[i];  // a hook may write the mark: each run starts from the original
      uint32_t r = fn_ ? fn_(&p, &ctx_) : IPTC_ACCEPT;
      const uint32_t v = IPTC_RESULT_VERDICT(r);
      uint32_t rule = UINT32_MAX;
      if (IPTC_RESULT_HAS_SLOT(r)) {
        const uint32_t slot = IPTC_RESULT_SLOT(r);
        if (slot >= slots_.rule_count && v == IPTC_DROP) rule = 0;  // the policy
        else if (slot < slots_.rule_count && v == IPTC_ACCEPT && rule_no_[slot] != 0)
          rule = rule_no_[slot];
      }
      out[i] = slow_path_used_ ? UINT32_MAX : rule;
    }
  }

 private:
  std::unique_ptr<backend::CompiledRuleset> compiled_;
  ir::SlotMap slots_;
  iptc_hook_fn fn_ = nullptr;
  std::vector<iptc_counter> counters_;
  iptc_ctx ctx_{};
  bool slow_path_used_ = false;
  std::vector<uint32_t> rule_no_;
  std::vector<iptc_pkt> pkts_;
};

}  // namespace

std::unique_ptr<Classifier> make_jit_classifier(const ir::Ruleset& rs, std::string* why_not) {
  backend::CompileOptions opts;  // O2, this machine's CPU: what `iptc compile` does
  std::string err;
  auto compiled = backend::compile(rs, opts, err);
  if (!compiled) {
    if (why_not) *why_not = "the backend failed to compile the rule set: " + err;
    return nullptr;
  }
  return std::make_unique<JitClassifier>(rs, std::move(compiled));
}

}  // namespace iptc::bench
