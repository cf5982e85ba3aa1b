// Loading a ClassBench workload into iptc and checking that engines agree (workload.hpp).
#include "workload.hpp"

#include <fmt/format.h>

#include "iptc/frontend/frontend.hpp"

namespace iptc::bench {

std::unique_ptr<Workload> load_workload(const std::string& dir, const std::string& name,
                                        std::string& error) {
  auto w = std::make_unique<Workload>();
  w->name = name;
  std::string filters_path = dir + "/" + name, trace_path = filters_path + "_trace";
  std::string text;
  if (!read_file(filters_path, text)) {
    error = filters_path + ": cannot read the file";
    return nullptr;
  }
  if (!parse_filters(text, w->filters, error) || !to_iptables_save(w->filters, w->rules_text, error)) {
    error = filters_path + ": " + error;
    return nullptr;
  }
  if (!read_file(trace_path, text)) {
    error = trace_path + ": cannot read the file";
    return nullptr;
  }
  if (!parse_trace(text, w->headers, error)) {
    error = trace_path + ": " + error;
    return nullptr;
  }
  uint32_t id = w->sources.add(name + ".rules", w->rules_text);
  ir::Diagnostics diags;
  frontend::ParseOptions opts;
  opts.syntax = frontend::InputSyntax::Save;
  if (!frontend::load(w->sources, id, opts, w->rules, diags)) {
    error = name + ": iptc rejected the converted rule set";
    return nullptr;
  }
  const ir::Table* filter = w->rules.table(ir::TableKind::Filter);
  const ir::Chain* fwd = filter ? filter->builtin(ir::Hook::Forward) : nullptr;
  if (!fwd || fwd->rules.size() != w->filters.size() || fwd->policy != ir::Policy::Drop) {
    error = fmt::format("{}: expected filter/FORWARD with {} rules and policy DROP", name,
                        w->filters.size());
    return nullptr;
  }
  return w;
}

std::vector<Header> sample(std::span<const Header> headers, size_t count) {
  if (count >= headers.size()) return {headers.begin(), headers.end()};
  std::vector<Header> out;
  out.reserve(count);
  double stride = static_cast<double>(headers.size()) / static_cast<double>(count);
  for (size_t i = 0; i < count; ++i) out.push_back(headers[static_cast<size_t>(i * stride)]);
  return out;
}

bool agree(std::span<Classifier* const> engines, std::span<const Header> headers,
           std::string& report) {
  std::vector<std::vector<uint32_t>> answers(engines.size());
  for (size_t e = 0; e < engines.size(); ++e) {
    answers[e].assign(headers.size(), UINT32_MAX - 1);
    engines[e]->prepare(headers);
    engines[e]->classify(answers[e]);
  }
  size_t bad = 0;
  for (size_t i = 0; i < headers.size(); ++i) {
    for (size_t e = 1; e < engines.size(); ++e) {
      if (answers[e][i] == answers[0][i]) continue;
      if (++bad <= 5) {
        const Header& h = headers[i];
        report += fmt::format("header {} (src {:#010x} dst {:#010x} sport {} dport {} proto {}): "
                              "{} says rule {}, {} says rule {}\n",
                              i + 1, h.src, h.dst, h.sport, h.dport, h.proto, engines[0]->name(),
                              answers[0][i], engines[e]->name(), answers[e][i]);
      }
    }
  }
  if (bad > 5) report += fmt::format("... {} disagreements in all\n", bad);
  return bad == 0;
}

}  // namespace iptc::bench
