// Diagnostic collection and compiler-style rendering.
#include "iptc/ir/diag.hpp"

#include <fmt/format.h>

namespace iptc::ir {

namespace {

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "error";
}

const char* severity_color(Severity s) {
  switch (s) {
    case Severity::Error: return "\033[1;31m";
    case Severity::Warning: return "\033[1;35m";
    case Severity::Note: return "\033[1;36m";
  }
  return "";
}

}  // namespace

Diagnostic& Diagnostics::error(SourceLoc loc, std::string message, std::string hint,
                               uint32_t length) {
  ++errors_;
  diags_.push_back({Severity::Error, loc, length, std::move(message), std::move(hint)});
  return diags_.back();
}

Diagnostic& Diagnostics::warning(SourceLoc loc, std::string message, std::string hint,
                                 uint32_t length) {
  diags_.push_back({Severity::Warning, loc, length, std::move(message), std::move(hint)});
  return diags_.back();
}

Diagnostic& Diagnostics::note(SourceLoc loc, std::string message, std::string hint,
                              uint32_t length) {
  diags_.push_back({Severity::Note, loc, length, std::move(message), std::move(hint)});
  return diags_.back();
}

std::string render(const Diagnostic& d, const SourceManager& sm, const RenderOptions& opts) {
  const char* bold = opts.color ? "\033[1m" : "";
  const char* reset = opts.color ? "\033[0m" : "";
  const char* sev_color = opts.color ? severity_color(d.severity) : "";
  const char* caret_color = opts.color ? "\033[1;32m" : "";

  std::string out;
  const SourceFile* file = d.loc.file < sm.size() ? &sm.file(d.loc.file) : nullptr;
  if (file && d.loc.valid())
    out += fmt::format("{}{}:{}:{}: {}", bold, file->name(), d.loc.line, d.loc.col, reset);
  else if (file && d.loc.file != 0)
    out += fmt::format("{}{}: {}", bold, file->name(), reset);
  out += fmt::format("{}{}:{} {}{}{}\n", sev_color, severity_name(d.severity), reset, bold,
                     d.message, reset);
  if (file && d.loc.valid()) {
    std::string_view line = file->line(d.loc.line);
    std::string gutter = fmt::format("{:>5} | ", d.loc.line);
    // Tabs would misalign the caret: show them as single spaces.
    std::string shown(line);
    for (char& c : shown)
      if (c == '\t') c = ' ';
    out += gutter + shown + "\n";
    std::string pad(gutter.size() - 2, ' ');
    uint32_t col = d.loc.col == 0 ? 1 : d.loc.col;
    std::string marker(col - 1, ' ');
    uint32_t len = d.length == 0 ? 1 : d.length;
    if (col - 1 < line.size() && col - 1 + len > line.size())
      len = static_cast<uint32_t>(line.size() - (col - 1));
    marker += '^';
    if (len > 1) marker += std::string(len - 1, '~');
    out += fmt::format("{}| {}{}{}\n", pad, caret_color, marker, reset);
  }
  if (!d.hint.empty()) out += fmt::format("{}hint:{} {}\n", opts.color ? "\033[1;36m" : "", reset, d.hint);
  return out;
}

std::string render(const Diagnostics& diags, const SourceManager& sm, const RenderOptions& opts) {
  std::string out;
  for (const auto& d : diags.all()) out += render(d, sm, opts);
  return out;
}

}  // namespace iptc::ir
