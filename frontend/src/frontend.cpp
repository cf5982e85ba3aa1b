// Frontend entry points: syntax detection and dispatch to the readers.
#include "iptc/frontend/frontend.hpp"

#include "iptc/ir/verify.hpp"
#include "save_reader.hpp"
#include "shell_reader.hpp"

namespace iptc::frontend {

InputSyntax detect_syntax(std::string_view text) {
  size_t pos = 0;
  if (text.starts_with("\xEF\xBB\xBF")) pos = 3;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    size_t s = line.find_first_not_of(" \t\r");
    if (s == std::string_view::npos) continue;
    line = line.substr(s);
    if (line[0] == '#') {
      if (line.starts_with("#!")) return InputSyntax::Script;
      continue;
    }
    if (line[0] == '*' || line[0] == ':' || line[0] == '-' || line[0] == '[' ||
        line.starts_with("COMMIT"))
      return InputSyntax::Save;
    return InputSyntax::Script;
  }
  return InputSyntax::Save;
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
