// The linear reference scan and iptc's reference interpreter as Classifiers (classifier.hpp).
// The interpreter is called the fastest honest way: its own chain traversal and match code on
// packets whose bytes were built and parsed once (interp::ChainRunner), so what is timed is
// the walk of filter/FORWARD and the trace the interpreter writes, not packet construction,
// routing or conntrack.
#include <fmt/format.h>

#include "classifier.hpp"
#include "iptc/interp/chain_runner.hpp"

namespace iptc::bench {

namespace {

class LinearClassifier final : public Classifier {
 public:
  explicit LinearClassifier(std::span<const Filter> f) : filters_(f.begin(), f.end()) {}
  [[nodiscard]] std::string name() const override { return "linear"; }
  void prepare(std::span<const Header> headers) override {
    headers_.assign(headers.begin(), headers.end());
  }
  void classify(std::span<uint32_t> out) override {
    for (size_t i = 0; i < headers_.size(); ++i) out[i] = first_match(filters_, headers_[i]);
  }

 private:
  std::vector<Filter> filters_;
  std::vector<Header> headers_;
};

class InterpClassifier final : public Classifier {
 public:
  explicit InterpClassifier(const ir::Ruleset& rs) : rs_(rs) {}
  [[nodiscard]] std::string name() const override { return "interp"; }
  void prepare(std::span<const Header> headers) override {
    runner_ = std::make_unique<interp::ChainRunner>(rs_, ir::TableKind::Filter, ir::Hook::Forward);
    for (const Header& h : headers) {
      interp::PacketSpec p;
      p.in = "eth0";
      p.src = h.src;
      p.src_given = true;
      p.dst = h.dst;
      p.proto = h.proto;
      p.sport = h.sport;
      p.dport = h.dport;
      runner_->prepare(p, "eth0", "eth1");
    }
  }
  void classify(std::span<uint32_t> out) override {
    for (size_t i = 0; i < runner_->prepared(); ++i) {
      interp::ChainRunner::Decision d = runner_->run(i);
      // Every rule is -j ACCEPT in the base chain, so a rule decides with ACCEPT and the
      // policy with DROP; anything else is a bug the agreement check must see.
      bool ok = d.rule ? d.verdict == interp::Verdict::Accept && d.in_base_chain
                       : d.verdict == interp::Verdict::Drop;
      out[i] = ok ? d.rule : UINT32_MAX;
    }
  }

 private:
  const ir::Ruleset& rs_;
  std::unique_ptr<interp::ChainRunner> runner_;
};

}  // namespace

std::unique_ptr<Classifier> make_linear_classifier(std::span<const Filter> filters) {
  return std::make_unique<LinearClassifier>(filters);
}

std::unique_ptr<Classifier> make_interp_classifier(const ir::Ruleset& rs) {
  return std::make_unique<InterpClassifier>(rs);
}

}  // namespace iptc::bench
