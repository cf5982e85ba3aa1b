// libFuzzer target for the iptables-save reader: any bytes go through frontend::load (reader,
// command parser, kind option parsers, rule builder, verifier), with and without --counters, then
// the diagnostics are rendered and an accepted rule set printed. Beyond "no crash, no hang" (the
// sanitizers and libFuzzer's timeout), it aborts when a diagnostic points outside the input: every
// location must name the input file, a line that exists and a column within that line (one past
// its end at most). The same entry point is replayed without libFuzzer by replay_main.cpp.
//
// Build: cmake -DIPTC_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ ...; run:
//   build/tests/iptc_fuzz_save_reader -max_len=4096 tests/fuzz/seeds
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "iptc/frontend/frontend.hpp"
#include "iptc/ir/diag.hpp"
#include "iptc/ir/printer.hpp"

namespace {

[[noreturn]] void invariant_failed(const char* what, const iptc::ir::Diagnostic& d) {
  std::fprintf(stderr, "fuzz_save_reader: %s: %u:%u:%u (length %u): %s\n", what, d.loc.file, d.loc.line,
               d.loc.col, d.length, d.message.c_str());
  std::abort();
}

/// Byte length of each line including its terminator, as SourceFile numbers lines.
std::vector<size_t> raw_line_lengths(const std::string& text) {
  std::vector<size_t> out;
  size_t start = 0;
  while (true) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) {
      out.push_back(text.size() - start);
      break;
    }
    out.push_back(nl + 1 - start);
    start = nl + 1;
    if (start == text.size()) break;
  }
  return out;
}

void check_locations(const iptc::ir::Diagnostics& diags, const iptc::ir::SourceManager& sm, uint32_t file,
                     const std::string& text) {
  auto lengths = raw_line_lengths(text);
  for (const auto& d : diags.all()) {
    if (d.message.empty()) invariant_failed("empty message", d);
    if (d.loc.file != file) invariant_failed("location in another file", d);
    if (d.loc.line == 0 || d.loc.line > lengths.size() || d.loc.line > sm.file(file).line_count())
      invariant_failed("line outside the input", d);
    if (d.loc.col == 0 || d.loc.col > lengths[d.loc.line - 1] + 1)
      invariant_failed("column outside the line", d);
  }
}

void run_once(const std::string& text, bool counters) {
  iptc::ir::SourceManager sm;
  uint32_t file = sm.add("fuzz.rules", text);
  iptc::frontend::ParseOptions opts;
  opts.syntax = iptc::frontend::InputSyntax::Save;
  opts.counters = counters;
  iptc::ir::Ruleset rs;
  iptc::ir::Diagnostics diags;
  bool ok = iptc::frontend::load(sm, file, opts, rs, diags);
  if (ok == diags.has_errors()) {
    std::fprintf(stderr, "fuzz_save_reader: load() returned %d with %zu errors\n", ok, diags.error_count());
    std::abort();
  }
  check_locations(diags, sm, file, text);
  std::string rendered = iptc::ir::render(diags, sm);
  if (diags.has_errors() && rendered.empty()) std::abort();
  if (ok) {
    std::string printed = iptc::ir::print_save(rs, iptc::ir::PrintOptions{counters});
    (void)printed;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  run_once(text, false);
  run_once(text, true);
  return 0;
}
