// Frontend entry points: syntax detection and dispatch to the readers.
#include "iptc/frontend/frontend.hpp"

#include <algorithm>
#include <optional>

#include "iptc/ir/verify.hpp"
#include "save_reader.hpp"
#include "shell_reader.hpp"

namespace iptc::frontend {

InputSyntax detect_syntax(std::string_view text) {
  // A shebang first line makes a script. Otherwise a file with iptables-restore structure (a
  // "*table" line or a COMMIT line) is a save file, even with stray lines around it (which
  // iptables-restore then rejects, as iptc will); failing both, the first meaningful line
  // decides: save syntax starts with '*', ':', '-', '['.
  std::optional<InputSyntax> first;
  size_t pos = 0;
  if (text.starts_with("\xEF\xBB\xBF")) pos = 3;
  // A shebang on the first line is a script whatever it embeds (a here-document fed to
  // iptables-restore has '*table' and COMMIT lines of its own).
  if (text.substr(pos).starts_with("#!")) return InputSyntax::Script;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view trimmed = line.substr(0, line.find_last_not_of(" \t") + 1);
    if (trimmed == "COMMIT") return InputSyntax::Save;
    if (!trimmed.empty() && trimmed[0] == '*') {
      std::string_view name = trimmed.substr(1);
      name.remove_prefix(std::min(name.find_first_not_of(" \t"), name.size()));
      if (ir::table_from_name(name.substr(0, name.find_first_of(" \t")))) return InputSyntax::Save;
    }
    size_t s = line.find_first_not_of(" \t");
    if (first || s == std::string_view::npos) continue;
    line = line.substr(s);
    if (line[0] == '#') {
      if (line.starts_with("#!")) first = InputSyntax::Script;
      continue;
    }
    first = (line[0] == ':' || line[0] == '-' || line[0] == '[') ? InputSyntax::Save : InputSyntax::Script;
  }
  return first.value_or(InputSyntax::Save);
}

bool parse(ir::SourceManager& sm, uint32_t file_id, const ParseOptions& opts,
           ir::Ruleset& out, ir::Diagnostics& diags, ParseReport* report) {
  InputSyntax syntax = opts.syntax;
  if (syntax == InputSyntax::Auto) syntax = detect_syntax(sm.file(file_id).text());
  ParseReport local;
  ParseReport& r = report ? *report : local;
  r.syntax = syntax == InputSyntax::Script ? InputSyntax::Script : InputSyntax::Save;
  switch (syntax) {
    case InputSyntax::Auto:
    case InputSyntax::Save: return parse_save(sm, file_id, opts, out, diags);
    case InputSyntax::Script: return parse_script(sm, file_id, opts, out, diags, &r.script);
  }
  return false;
}

bool load(ir::SourceManager& sm, uint32_t file_id, const ParseOptions& opts,
          ir::Ruleset& out, ir::Diagnostics& diags, ParseReport* report) {
  // Verify what did parse even after errors, so one run reports every problem.
  size_t before = diags.error_count();
  bool parsed = parse(sm, file_id, opts, out, diags, report);
  bool verified = ir::verify(out, diags);
  return parsed && verified && diags.error_count() == before;
}

}  // namespace iptc::frontend
