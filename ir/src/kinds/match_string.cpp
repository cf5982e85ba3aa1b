// -m string, revision 1 (extensions/libxt_string.c, guided parser; kernel xt_string.c over
// lib/textsearch.c): --algo NAME (mandatory; XTTYPE_STRING into char algo[16], so cut to 15
// bytes), exactly one of [!] --string TEXT and [!] --hex-string TEXT (at most 128 pattern
// bytes), --from N and --to N (uint16; defaults 0 and 65535), --icase; each once.
//
// --hex-string is parse_hex_string's little language, reproduced step by step because its
// corners are observable: "|...|" blocks hold pairs of hex digits (blanks after the opening
// bar and one blank after each pair are skipped), a backslash outside a block takes the next
// byte literally, and right after a bar the byte under the cursor is copied without being
// looked at again (so in "|41||42|" the second bar is a literal '|'). Save (string_save)
// prints the pattern as --hex-string "|hex|" when a byte is not printable ASCII or the last
// byte is a backslash, else as --string "..." with '"' and '\' escaped; either way quoted.
//
// The kernel (string_mt_check, textsearch_prepare) refuses from > to, an empty pattern, an
// algorithm it does not have (bm, kmp and fsm: built in on this kernel, loadable modules on
// stock Debian), and fsm patterns that are not valid ts_fsm_token arrays (lib/ts_fsm.c
// fsm_init; tokens read in x86 byte order) or are combined with --icase.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kFrom, kTo, kAlgo, kIcase, kString, kHexString };
constexpr size_t kMaxPattern = 128;  // XT_STRING_MAX_PATTERN_SIZE
constexpr size_t kMaxAlgo = 15;      // XT_STRING_MAX_ALGO_NAME_SIZE - 1

// libxt_string.c's table order.
constexpr OptionDef kOptions[] = {
    {"from", kFrom, ArgKind::Required},
    {"to", kTo, ArgKind::Required},
    {"algo", kAlgo, ArgKind::Required, optflag::kMandatory},
    {"string", kString, ArgKind::Required, optflag::kInvert, 1u << kHexString},
    {"hex-string", kHexString, ArgKind::Required, optflag::kInvert, 1u << kString},
    {"icase", kIcase, ArgKind::None},
};

bool is_hex_digit(char ch) {
  return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

int hex_value(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  return ch - 'A' + 10;
}

/// parse_hex_string, step by step (see the file comment).
bool parse_hex(const OptionCall& c, std::string& out) {
  constexpr std::string_view kHint =
      "write bytes as text and as |hex| blocks of digit pairs, e.g. \"GET |20|/\"; \\ takes the "
      "next byte literally outside blocks";
  std::string_view s = c.arg;
  const size_t slen = s.size();
  auto at = [&](size_t k) { return k < slen ? s[k] : '\0'; };
  if (slen == 0) return c.fail("string: --hex-string needs at least one byte", std::string(kHint));
  out.clear();
  bool hex_f = false, literal_f = false;
  size_t i = 0;
  while (i < slen) {
    if (out.size() >= kMaxPattern)
      return c.fail(fmt::format("string: pattern longer than {} bytes", kMaxPattern));
    if (s[i] == '\\' && !hex_f) {
      literal_f = true;
    } else if (s[i] == '\\') {
      return c.fail("string: a backslash cannot stand inside a |hex| block", std::string(kHint));
    } else if (s[i] == '|') {
      if (hex_f) {
        hex_f = false;
      } else {
        hex_f = true;
        while (at(i + 1) == ' ') ++i;  // blanks right after the opening bar
      }
      if (i + 1 >= slen) break;
      ++i;
    }
    if (literal_f) {
      if (i + 1 >= slen)
        return c.fail("string: a backslash at the end has nothing to escape", std::string(kHint));
      out += s[i + 1];
      i += 2;
      literal_f = false;
    } else if (hex_f) {
      if (i + 1 >= slen) return c.fail("string: empty or odd-length |hex| block", std::string(kHint));
      if (i + 2 >= slen)
        return c.fail("string: unfinished |hex| block",
                      "hex digits come in pairs and the block ends with '|'");
      if (!is_hex_digit(s[i]))
        return c.fail(fmt::format("string: invalid hex digit '{}'", s[i]), std::string(kHint));
      if (!is_hex_digit(s[i + 1]))
        return c.fail(fmt::format("string: invalid hex digit '{}'", s[i + 1]), std::string(kHint));
      out += static_cast<char>(hex_value(s[i]) * 16 + hex_value(s[i + 1]));
      i += at(i + 2) == ' ' ? 3 : 2;
    } else {
      out += s[i];
      ++i;
    }
  }
  return true;
}

bool parse(const OptionCall& c, MatchData& d) {
  auto& m = std::get<StringMatch>(d);
  switch (c.opt->id) {
    case kFrom:
    case kTo: {
      auto v = uint_option(c, 0, UINT16_MAX);
      if (!v) return false;
      (c.opt->id == kFrom ? m.from_offset : m.to_offset) = static_cast<uint16_t>(*v);
      return true;
    }
    case kAlgo: m.algo = std::string(c.arg.substr(0, kMaxAlgo)); return true;
    case kIcase: m.icase = true; return true;
    case kString:
      if (c.arg.size() > kMaxPattern)
        return c.fail(fmt::format("string: pattern longer than {} bytes", kMaxPattern));
      m.pattern = std::string(c.arg);
      if (c.invert) m.invert = true;
      return true;
    case kHexString:
      if (!parse_hex(c, m.pattern)) return false;
      if (c.invert) m.invert = true;
      return true;
    default: return false;
  }
}

bool finish(const FinishCall& c, MatchData&) {
  if (!(c.seen & ((1u << kString) | (1u << kHexString))))
    return c.fail("string: --string or --hex-string is required",
                  "e.g. -m string --string \"GET /\" --algo bm");
  return true;
}

/// is_hex_string: a byte isprint() rejects in the C locale, or a trailing backslash.
bool needs_hex(std::string_view p) {
  for (char ch : p)
    if (ch < 0x20 || ch > 0x7e) return true;
  return !p.empty() && p.back() == '\\';
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& m = std::get<StringMatch>(d);
  w.bang(m.invert);
  if (needs_hex(m.pattern)) {
    w.raw(" --hex-string \"|");
    for (char ch : m.pattern) w.raw(fmt::format("{:02x}", static_cast<unsigned char>(ch)));
    w.raw("|\"");
  } else {
    w.raw(" --string \"");
    for (char ch : m.pattern) {
      if (ch == '"' || ch == '\\') w.raw("\\");
      w.out() += ch;
    }
    w.raw("\"");
  }
  w.raw(" --algo ").raw(m.algo);
  if (m.from_offset != 0) w.raw(fmt::format(" --from {}", m.from_offset));
  if (m.to_offset != UINT16_MAX) w.raw(fmt::format(" --to {}", m.to_offset));
  if (m.icase) w.raw(" --icase");
}

/// lib/ts_fsm.c fsm_init: 4-byte tokens {u16 type, u8 recur, u8 value}, type <= 13
/// (TS_FSM_TYPE_MAX), recur <= 4 (TS_FSM_RECUR_MAX), TS_FSM_HEAD_IGNORE (4) only first and
/// not alone; no TS_IGNORECASE.
std::string fsm_check(const StringMatch& m) {
  const std::string& p = m.pattern;
  if (p.size() % 4 != 0)
    return fmt::format(
        "string: an fsm pattern is an array of 4-byte tokens, but it has {} bytes (use --algo bm "
        "or kmp to search for text)",
        p.size());
  if (m.icase) return "string: the fsm algorithm does not support --icase";
  size_t n = p.size() / 4;
  for (size_t i = 0; i < n; ++i) {
    auto byte = [&](size_t k) { return static_cast<unsigned>(static_cast<unsigned char>(p[4 * i + k])); };
    unsigned type = byte(0) | (byte(1) << 8);
    unsigned recur = byte(2);
    if (type > 13) return fmt::format("string: fsm token {} has an unknown type {}", i + 1, type);
    if (recur > 4) return fmt::format("string: fsm token {} has an unknown recurrence {}", i + 1, recur);
    if (recur == 4 && (i != 0 || i == n - 1))
      return fmt::format("string: fsm token {}: head-ignore is allowed only in the first of several tokens",
                         i + 1);
  }
  return {};
}

std::string kernel_check(const KernelCheckCall&, const MatchData& d) {
  const auto& m = std::get<StringMatch>(d);
  if (m.from_offset > m.to_offset)
    return fmt::format("string: --from {} is beyond --to {}", m.from_offset, m.to_offset);
  if (m.pattern.empty()) return "string: empty pattern (the kernel refuses it)";
  if (m.algo == "bm" || m.algo == "kmp") return {};
  if (m.algo == "fsm") return fsm_check(m);
  return fmt::format("string: unknown search algorithm '{}' (the kernel has bm, kmp and fsm)", m.algo);
}

}  // namespace

const MatchDef kString = {
    .kind = MatchKind::String,
    .name = "string",
    .options = kOptions,
    .init = [] { return MatchData{StringMatch{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
    .kernel_check = kernel_check,
};

}  // namespace iptc::ir::kinds
