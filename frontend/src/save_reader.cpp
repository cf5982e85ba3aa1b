// The iptables-save / iptables-restore reader. It follows xtables_restore_parse() line by line
// (iptables/xtables-restore.c): lines come from fgets() with a 10240-byte buffer; an empty
// line or one starting with '#' is skipped; "COMMIT" alone closes the open table; '*' opens a
// table when none is open (resetting it, as iptables-restore flushes it); ':' declares a chain
// inside a table; anything else inside a table is a command line, with an optional
// "[packets:bytes]" prefix. Lines are tokenised by the PEGTL grammar in save_grammar.hpp and
// executed by parse_command() and the RuleBuilder.
#include <algorithm>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <tao/pegtl.hpp>

#include "command.hpp"
#include "iptc/ir/values.hpp"
#include "rule_builder.hpp"
#include "save_grammar.hpp"
#include "save_reader.hpp"

namespace iptc::frontend {

namespace {

namespace pegtl = tao::pegtl;
namespace g = save_grammar;

constexpr size_t kFgetsChunk = 10239;  // fgets(buffer, 10240, ...) reads at most this much

// ---- word splitting ---------------------------------------------------------------------------

struct WordState {
  uint32_t file_id;
  uint32_t line;       // 1-based line of the text being split
  uint32_t first_col;  // column of the text's first byte
  Argv words;
};

/// add_param_to_argv's unquoting of one word's raw bytes.
std::string unquote(std::string_view raw, bool& quoted) {
  std::string out;
  bool open = false;
  quoted = false;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (open) {
      if (c == '\\' && i + 1 < raw.size()) {
        out += raw[++i];
      } else if (c == '\\') {
        // An escape at the very end consumes nothing.
      } else if (c == '"') {
        open = false;
      } else {
        out += c;
      }
    } else if (c == '"') {
      open = true;
      quoted = true;
    } else {
      out += c;
    }
  }
  return out;
}

template <typename Rule>
struct WordAction : pegtl::nothing<Rule> {};

template <>
struct WordAction<g::Word> {
  template <typename ActionInput>
  static void apply(const ActionInput& in, WordState& st) {
    Word w;
    auto col = static_cast<uint32_t>(in.begin() - in.input().begin());
    w.loc = ir::SourceLoc{st.file_id, st.line, st.first_col + col};
    std::string_view raw(in.begin(), in.size());
    // A word never spans the line's newline except inside an unterminated quote.
    w.len = static_cast<uint32_t>(raw.find('\n') == std::string_view::npos ? raw.size() : raw.find('\n'));
    w.text = unquote(raw, w.quoted);
    st.words.push_back(std::move(w));
  }
};

Argv split_words(ir::SourceLoc start, std::string_view text) {
  WordState st{start.file, start.line, start.col, {}};
  st.words.reserve(16);
  pegtl::memory_input<pegtl::tracking_mode::lazy, pegtl::eol::lf, const char*> in(text.data(), text.size(), "");
  pegtl::parse<g::Words, WordAction>(in, st);
  return std::move(st.words);
}

// ---- table and chain lines ----------------------------------------------------------------

struct HeaderState {
  std::optional<std::pair<size_t, std::string>> name, policy, counters;  // (offset, text)
};

template <typename Rule>
struct HeaderAction : pegtl::nothing<Rule> {};

template <typename Slot>
struct Capture {
  template <typename ActionInput>
  static void apply(const ActionInput& in, HeaderState& st) {
    Slot::get(st) = std::make_pair(static_cast<size_t>(in.begin() - in.input().begin()), in.string());
  }
};
struct NameSlot {
  static auto& get(HeaderState& s) { return s.name; }
};
struct PolicySlot {
  static auto& get(HeaderState& s) { return s.policy; }
};
struct CountersSlot {
  static auto& get(HeaderState& s) { return s.counters; }
};

template <>
struct HeaderAction<g::TableName> : Capture<NameSlot> {};
template <>
struct HeaderAction<g::ChainName> : Capture<NameSlot> {};
template <>
struct HeaderAction<g::Policy> : Capture<PolicySlot> {};
template <>
struct HeaderAction<g::ChainCounters> : Capture<CountersSlot> {};

template <typename Grammar>
HeaderState parse_header(std::string_view text) {
  HeaderState st;
  pegtl::memory_input<pegtl::tracking_mode::lazy, pegtl::eol::lf, const char*> in(text.data(), text.size(), "");
  pegtl::parse<Grammar, HeaderAction>(in, st);
  return st;
}

/// sscanf("[%llu:%llu]") == 2 (used for chain counters under --counters).
std::optional<ir::Counters> scan_counters(std::string_view s) {
  if (s.empty() || s[0] != '[') return std::nullopt;
  s.remove_prefix(1);
  size_t used = 0;
  auto p = ir::scan_ull(s, &used);
  if (!p || used >= s.size() || s[used] != ':') return std::nullopt;
  s.remove_prefix(used + 1);
  auto b = ir::scan_ull(s);
  if (!b) return std::nullopt;
  return ir::Counters{*p, *b};
}

// ---- the reader -------------------------------------------------------------------------------

class Reader {
 public:
  Reader(const ir::SourceFile& file, uint32_t file_id, const ParseOptions& opts,
         RuleBuilder& builder, ir::Diagnostics& diags, bool noflush)
      : file_(file), file_id_(file_id), opts_(opts), diags_(diags), builder_(builder),
        noflush_(noflush) {}

  void run(size_t begin, size_t end);

 private:
  ir::SourceLoc loc(size_t offset) const { return file_.loc_of(file_id_, offset); }
  void error(size_t offset, uint32_t len, std::string msg, std::string hint = {}) {
    diags_.error(loc(offset), std::move(msg), std::move(hint), len);
  }
  void line(size_t offset, std::string_view text);
  void table_line(size_t offset, std::string_view text);
  void chain_line(size_t offset, std::string_view text);
  void rule_line(size_t offset, std::string_view text);
  void outside_table(size_t offset, std::string_view text);

  const ir::SourceFile& file_;
  uint32_t file_id_;
  const ParseOptions& opts_;
  ir::Diagnostics& diags_;
  RuleBuilder& builder_;
  bool noflush_ = false;

  bool in_table_ = false;
  ir::TableKind table_ = ir::TableKind::Filter;
  size_t table_offset_ = 0;
};

std::string_view trim_newline(std::string_view s) {
  if (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  return s;
}

void Reader::run(size_t begin, size_t stop) {
  const std::string_view text = std::string_view(file_.text()).substr(0, stop);
  if (text.substr(begin).starts_with("\xEF\xBB\xBF"))
    error(begin, 3, "the file starts with a byte-order mark, which iptables-restore rejects",
          "save the file as UTF-8 without a BOM");
  size_t pos = begin;
  while (pos < text.size() && !diags_.limit_reached()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string::npos ? text.size() : nl + 1;
    if (end - pos > kFgetsChunk + (nl == std::string::npos ? 0 : 1)) {
      error(pos, 1, fmt::format("line is {} bytes long; iptables-restore reads at most {}", end - pos,
                                kFgetsChunk),
            "split the rule or shorten its comment");
      pos = end;
      continue;
    }
    line(pos, text.substr(pos, end - pos));
    pos = end;
  }
  if (in_table_) {
    size_t last = text.size() > begin ? text.size() - 1 : begin;
    diags_.error(loc(last), fmt::format("COMMIT expected: table '{}' is not committed", ir::table_name(table_)),
                 fmt::format("add a line 'COMMIT' at the end of the table that starts at line {}",
                             loc(table_offset_).line),
                 1);
  }
}

void Reader::line(size_t offset, std::string_view text) {
  // fgets() keeps a NUL byte, but every later step reads the buffer as a C string: the line
  // ends at its first NUL ("-A INPUT -j ACCEPT\0junk" loads as "-A INPUT -j ACCEPT").
  if (size_t nul = text.find('\0'); nul != std::string_view::npos) {
    if (nul == 0)
      return error(offset, 1, "line starts with a NUL byte",
                   "iptables-restore reads each line as a C string, which ends at the first NUL byte");
    text = text.substr(0, nul);
  }
  if (text.empty() || text[0] == '\n' || text[0] == '#') return;
  if (in_table_ && text.starts_with("COMMIT") && (text.size() == 6 || text[6] == '\n')) {
    in_table_ = false;
    return;
  }
  if (text[0] == '*' && !in_table_) return table_line(offset, text);
  if (text[0] == ':' && in_table_) return chain_line(offset, text);
  if (in_table_) return rule_line(offset, text);
  outside_table(offset, text);
}

void Reader::outside_table(size_t offset, std::string_view text) {
  std::string_view t = trim_newline(text);
  uint32_t len = static_cast<uint32_t>(std::min<size_t>(t.size(), 200));
  if (t.starts_with("COMMIT"))
    return error(offset, len, "COMMIT outside of a table",
                 t.size() > 6 ? "COMMIT must stand alone on its line (no trailing blanks or CR)"
                              : "remove it, or start the table with '*filter' (or its name) before");
  if (t[0] == ':')
    return error(offset, len, "chain line outside of a table",
                 "start the table with '*filter' (or the table it belongs to) before it");
  if (t[0] == '-' || t[0] == '[')
    return error(offset, len, "rule outside of a table",
                 "start the table with '*filter' (or the table it belongs to) before it");
  if (t.find_first_not_of(" \t\r") == std::string_view::npos)
    return error(offset, len, "blank line with spaces outside of a table",
                 "iptables-restore skips only completely empty lines");
  // A shell command among restore blocks (a script that embeds a save file, or a pasted
  // terminal session) was read as a save file because of its '*table'/COMMIT lines.
  const bool command = t.find("iptables ") != std::string_view::npos ||
                       t.find("iptables-restore") != std::string_view::npos;
  error(offset, len, "unexpected line outside of a table",
        command ? "this looks like a shell command: the file has '*table'/COMMIT lines, so it was "
                  "read as iptables-restore input; pass --input script to read it as a script"
                : "iptables-restore input consists of '*table' ... 'COMMIT' blocks and '#' comments");
}

void Reader::table_line(size_t offset, std::string_view text) {
  HeaderState h = parse_header<g::TableLine>(text);
  if (!h.name) return error(offset, 1, "table name missing after '*'", "write '*filter', '*nat', '*mangle', '*raw' or '*security'");
  auto kind = ir::table_from_name(h.name->second);
  if (!kind) {
    std::string hint = "tables are filter, nat, mangle, raw and security";
    if (h.name->second.ends_with('\r')) hint = "the line ends with a carriage return: convert the file from CRLF to LF line endings";
    return error(offset + h.name->first, static_cast<uint32_t>(h.name->second.size()),
                 fmt::format("table '{}' does not exist", h.name->second), hint);
  }
  in_table_ = true;
  table_ = *kind;
  table_offset_ = offset;
  if (!noflush_) builder_.reset_table(*kind);
}

void Reader::chain_line(size_t offset, std::string_view text) {
  HeaderState h = parse_header<g::ChainLine>(text);
  if (!h.name) return error(offset, 1, "chain name missing after ':'", "write ':NAME POLICY [0:0]'");
  Word name{h.name->second, loc(offset + h.name->first), static_cast<uint32_t>(h.name->second.size()), false};
  if (!valid_chain_name(name, diags_)) return;
  if (!h.policy)
    return error(offset + h.name->first, name.len, fmt::format("policy missing for chain '{}'", name.text),
                 fmt::format("write ':{} ACCEPT [0:0]' for a built-in chain or ':{} - [0:0]' for a user chain", name.text, name.text));
  Word policy{h.policy->second, loc(offset + h.policy->first), static_cast<uint32_t>(h.policy->second.size()), false};
  std::optional<ir::Counters> counters;
  bool builtin = false;
  for (ir::Hook hk : ir::table_hooks(table_))
    if (ir::hook_name(hk) == name.text) builtin = true;
  if (builtin && opts_.counters) {
    if (h.counters) counters = scan_counters(h.counters->second);
    if (!counters)
      return error(h.counters ? offset + h.counters->first : offset + h.policy->first,
                   h.counters ? static_cast<uint32_t>(h.counters->second.size()) : policy.len,
                   fmt::format("invalid policy counters for chain '{}'", name.text), "write them as [PACKETS:BYTES]");
  }
  builder_.chain_line(table_, name, &policy, counters ? &*counters : nullptr);
}

void Reader::rule_line(size_t offset, std::string_view text) {
  size_t start = 0;
  size_t stop = text.size();
  std::optional<ir::Counters> counters;
  if (text[0] == '[') {
    // tokenize_rule_counters: needs a ']' somewhere, a ':' token and a ']' token (strtok).
    size_t close = text.find(']');
    if (close == std::string_view::npos)
      return error(offset, 1, "bad counters: need ']'", "write the prefix as [PACKETS:BYTES]");
    std::string_view body = text.substr(1);
    size_t p = body.find_first_not_of(':');
    if (p == std::string_view::npos || body[p] == '\0')
      return error(offset, 1, "bad counters: need ':'", "write the prefix as [PACKETS:BYTES]");
    size_t colon = body.find(':', p);
    if (colon == std::string_view::npos)
      return error(offset, 1, "bad counters: need ']'", "write the prefix as [PACKETS:BYTES]");
    size_t b = body.find_first_not_of(']', colon + 1);
    if (b == std::string_view::npos)
      return error(offset, 1, "bad counters: need ']'", "write the prefix as [PACKETS:BYTES]");
    size_t bend = body.find(']', b);
    // strtok wrote '\0' over the ':' and the ']' that end the two tokens, and the rule starts
    // after the first ']' of the line: when a token ended beyond it ("[5] ... --dport 7:9"), the
    // rule ends there too.
    if (1 + colon > close) stop = std::min(stop, 1 + colon);
    if (bend != std::string_view::npos && 1 + bend > close) stop = std::min(stop, 1 + bend);
    if (opts_.counters) {
      std::string_view pc = body.substr(p, colon - p);
      std::string_view bc = body.substr(b, bend == std::string_view::npos ? body.npos : bend - b);
      auto pv = ir::scan_ull(pc), bv = ir::scan_ull(bc);
      if (!pv) return error(offset + 1 + p, static_cast<uint32_t>(pc.size()), "packet counter is not a number");
      if (!bv) return error(offset + 1 + b, static_cast<uint32_t>(bc.size()), "byte counter is not a number");
      counters = ir::Counters{*pv, *bv};
    }
    start = close + 1;
  }
  Argv argv = split_words(loc(offset + start), text.substr(start, stop - start));
  if (argv.empty())
    return error(offset, static_cast<uint32_t>(trim_newline(text).size()),
                 "line with only blanks inside a table",
                 "iptables-restore skips only completely empty lines; remove the blanks");
  const Word& first = argv.front();
  if (first.text[0] == '*' && !first.quoted)
    return error(offset, first.len, fmt::format("'{}' inside table '{}'", first.text, ir::table_name(table_)),
                 "end the open table with COMMIT before starting the next one");
  if (first.text[0] == '#' && !first.quoted)
    return error(offset, first.len, "comment not at the start of the line",
                 "iptables-restore treats '#' as a comment only in the first column");
  if (first.text.starts_with("COMMIT"))
    return error(offset, first.len, "COMMIT must stand alone on its line",
                 first.text.ends_with('\r') ? "the line ends with a carriage return: convert the file from CRLF to LF line endings"
                                            : "remove what follows COMMIT on this line");
  if (counters) {
    argv.insert(argv.begin(), Word{"--set-counters", argv.front().loc, 1, false});
    argv.insert(argv.begin() + 1, Word{std::to_string(counters->packets), argv.front().loc, 1, false});
    argv.insert(argv.begin() + 2, Word{std::to_string(counters->bytes), argv.front().loc, 1, false});
  }
  for (const Word& w : argv)
    if (!w.text.empty() && w.text.back() == '\r' && !w.quoted) {
      diags_.error(ir::SourceLoc{w.loc.file, w.loc.line, w.loc.col + w.len - 1},
                   "carriage return in a rule line",
                   "convert the file from CRLF to LF line endings; iptables-restore rejects CR");
      return;
    }
  ParsedCommand cmd;
  CommandMode mode{true, std::string(ir::table_name(table_))};
  if (!parse_command(argv, mode, cmd, diags_)) return;
  builder_.apply(cmd);
}

}  // namespace

bool parse_save(const ir::SourceManager& sm, uint32_t file_id, const ParseOptions& opts,
                ir::Ruleset& out, ir::Diagnostics& diags) {
  size_t before = diags.error_count();
  RuleBuilder builder(out, diags, /*restore=*/true);
  const ir::SourceFile& file = sm.file(file_id);
  Reader r(file, file_id, opts, builder, diags, false);
  r.run(0, file.text().size());
  return diags.error_count() == before;
}

bool parse_save_range(const ir::SourceFile& file, uint32_t file_id, size_t begin, size_t end,
                      const ParseOptions& opts, RuleBuilder& builder, ir::Diagnostics& diags,
                      bool noflush) {
  size_t before = diags.error_count();
  Reader r(file, file_id, opts, builder, diags, noflush);
  r.run(begin, end);
  return diags.error_count() == before;
}

}  // namespace iptc::frontend
