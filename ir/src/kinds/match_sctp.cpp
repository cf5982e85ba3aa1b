// -m sctp (extensions/libxt_sctp.c, an old-style parser; kernel net/netfilter/xt_sctp.c):
//   [!] --source-port|--sport P[:P]   [!] --destination-port|--dport P[:P]
//       xtables_parse_port with sctp services; "a:" is a:65535, ":b" 0:b; lo > hi is an error
//   [!] --chunk-types any|all|only CHUNKS   (two words; the type case-insensitive) where CHUNKS
//       is ALL, NONE or a comma list of chunk names (case-insensitive), each optionally
//       ":FLAGS" with the letters of that chunk (upper case: set, lower case: clear; '-' is the
//       letter of bit 7), flags on at most 4 chunk types
// each option at most once. The kernel match needs `-p sctp`; its checkentry refuses nothing
// iptables can produce. -p sctp loads the match implicitly for these options.
// iptables stores the index of a chunk name in its table as the flag's chunk type, which is
// the chunk type only for DATA..SHUTDOWN_COMPLETE; flags given on I_DATA and later names are
// kept (for chunk types 15-21, which the kernel then tests) but never listed.
#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kSport, kDport, kChunks };

constexpr uint16_t kInv = optflag::kInvert;
constexpr OptionDef kOptions[] = {
    {"source-port", kSport, ArgKind::Required, kInv},
    {"sport", kSport, ArgKind::Required, kInv},
    {"destination-port", kDport, ArgKind::Required, kInv},
    {"dport", kDport, ArgKind::Required, kInv},
    {"chunk-types", kChunks, ArgKind::Required, kInv},
};

using S = SctpMatch;

struct ChunkName {
  std::string_view name;
  uint8_t type;
  std::string_view valid_flags;  ///< character i is the letter of flag bit 7 - i
};
// sctp_chunk_names, in its order (the index is what iptables stores with flags).
constexpr ChunkName kChunkNames[] = {
    {"DATA", 0, "----IUBE"},         {"INIT", 1, "--------"},
    {"INIT_ACK", 2, "--------"},     {"SACK", 3, "--------"},
    {"HEARTBEAT", 4, "--------"},    {"HEARTBEAT_ACK", 5, "--------"},
    {"ABORT", 6, "-------T"},        {"SHUTDOWN", 7, "--------"},
    {"SHUTDOWN_ACK", 8, "--------"}, {"ERROR", 9, "--------"},
    {"COOKIE_ECHO", 10, "--------"}, {"COOKIE_ACK", 11, "--------"},
    {"ECN_ECNE", 12, "--------"},    {"ECN_CWR", 13, "--------"},
    {"SHUTDOWN_COMPLETE", 14, "-------T"}, {"I_DATA", 64, "----IUBE"},
    {"RE_CONFIG", 130, "--------"},  {"PAD", 132, "--------"},
    {"ASCONF", 193, "--------"},     {"ASCONF_ACK", 128, "--------"},
    {"FORWARD_TSN", 192, "--------"}, {"I_FORWARD_TSN", 194, "--------"},
};

constexpr std::string_view kChunkHint =
    "chunk names: DATA INIT INIT_ACK SACK HEARTBEAT HEARTBEAT_ACK ABORT SHUTDOWN SHUTDOWN_ACK ERROR "
    "COOKIE_ECHO COOKIE_ACK ECN_ECNE ECN_CWR SHUTDOWN_COMPLETE I_DATA RE_CONFIG PAD ASCONF ASCONF_ACK "
    "FORWARD_TSN I_FORWARD_TSN, or ALL or NONE";

bool ieq(std::string_view a, std::string_view b) { return a.size() == b.size() && iprefix(a, b); }

void set_bit(std::array<uint32_t, 8>& map, unsigned t) { map[t / 32] |= 1u << (t % 32); }
bool has_bit(const std::array<uint32_t, 8>& map, unsigned t) { return map[t / 32] & (1u << (t % 32)); }

/// parse_sctp_ports.
bool parse_ports(const OptionCall& c, PortRange& out) {
  auto port = [&](std::string_view s) -> std::optional<uint16_t> {
    auto p = parse_port(s, "sctp");
    if (!p)
      c.fail(fmt::format("sctp: invalid port/service '{}'", s),
             "write a port number 0-65535 or an sctp service name from /etc/services");
    return p;
  };
  std::string_view s = c.arg;
  size_t colon = s.find(':');
  if (colon == std::string_view::npos) {
    auto p = port(s);
    if (!p) return false;
    out = {*p, *p};
    return true;
  }
  std::string_view a = s.substr(0, colon), b = s.substr(colon + 1);
  uint16_t lo = 0, hi = 0xffff;
  if (!a.empty()) {
    auto p = port(a);
    if (!p) return false;
    lo = *p;
  }
  if (!b.empty()) {
    auto p = port(b);
    if (!p) return false;
    hi = *p;
  }
  if (lo > hi)
    return c.fail(fmt::format("sctp: invalid port range '{}' (min > max)", s), "write LOW:HIGH");
  out = {lo, hi};
  return true;
}

/// parse_sctp_chunk.
bool parse_chunks(const OptionCall& c, const ExtraArg& word, S& m) {
  auto fail = [&](std::string msg, std::string hint) {
    c.diags->error(word.loc, std::move(msg), std::move(hint), word.len);
    return false;
  };
  m.chunkmap = {};
  m.flag_info.clear();
  std::string_view s = word.text;
  if (ieq(s, "ALL")) {
    m.chunkmap.fill(0xffffffffu);
    return true;
  }
  if (ieq(s, "NONE")) return true;
  std::string_view rest = s;
  while (!rest.empty()) {
    // strtok(",") skips empty items.
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (item.empty()) continue;
    size_t colon = item.find(':');
    std::string_view name = item.substr(0, colon);
    size_t idx = std::size(kChunkNames);
    for (size_t i = 0; i < std::size(kChunkNames); ++i)
      if (ieq(name, kChunkNames[i].name)) {
        idx = i;
        break;
      }
    if (idx == std::size(kChunkNames))
      return fail(fmt::format("sctp: unknown chunk type '{}'", name), std::string(kChunkHint));
    set_bit(m.chunkmap, kChunkNames[idx].type);
    if (colon == std::string_view::npos) continue;
    std::string_view valid = kChunkNames[idx].valid_flags;
    for (char ch : item.substr(colon + 1)) {
      size_t pos = valid.find(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
      if (pos == std::string_view::npos)
        return fail(fmt::format("sctp: invalid flag '{}' for chunk type {}", ch, kChunkNames[idx].name),
                    idx == 0 || idx == 15 ? "DATA and I_DATA flags are I U B E (upper case: set, lower case: clear)"
                    : valid.back() == 'T' ? "this chunk's only flag is T (upper case: set, lower case: clear)"
                                          : "this chunk type has no flags");
      uint8_t bit = static_cast<uint8_t>(1u << (7 - pos));
      bool set = std::isupper(static_cast<unsigned char>(ch)) != 0;
      auto it = std::find_if(m.flag_info.begin(), m.flag_info.end(),
                             [&](const S::FlagInfo& f) { return f.chunktype == idx; });
      if (it == m.flag_info.end()) {
        if (m.flag_info.size() == 4)
          return fail("sctp: flags are possible on at most 4 chunk types", "drop the flags of one chunk type");
        m.flag_info.push_back({static_cast<uint8_t>(idx), 0, 0});
        it = m.flag_info.end() - 1;
      }
      it->flag_mask |= bit;
      if (set) it->flag |= bit;
    }
  }
  return true;
}

bool parse(const OptionCall& c, MatchData& d) {
  auto& m = std::get<SctpMatch>(d);
  switch (c.opt->id) {
    case kSport:
    case kDport: {
      uint32_t flag = c.opt->id == kSport ? S::kSrcPorts : S::kDestPorts;
      m.flags |= flag;
      if (!parse_ports(c, c.opt->id == kSport ? m.spts : m.dpts)) return false;
      if (c.invert) m.invflags |= flag;
      return true;
    }
    case kChunks: {
      const ExtraArg* chunks = c.more ? c.more->peek() : nullptr;
      if (!chunks || (!chunks->text.empty() && (chunks->text[0] == '-' || chunks->text[0] == '!')))
        return c.fail_option("sctp: --chunk-types requires two arguments",
                             "write --chunk-types any|all|only CHUNK[,CHUNK...], e.g. --chunk-types any INIT");
      m.flags |= S::kChunkTypes;
      if (ieq(c.arg, "ANY")) m.chunk_match_type = S::kMatchAny;
      else if (ieq(c.arg, "ALL")) m.chunk_match_type = S::kMatchAll;
      else if (ieq(c.arg, "ONLY")) m.chunk_match_type = S::kMatchOnly;
      else
        return c.fail(fmt::format("sctp: bad chunk match type '{}'", c.arg), "write any, all or only");
      if (!parse_chunks(c, *chunks, m)) return false;
      if (c.invert) m.invflags |= S::kChunkTypes;
      c.more->take();
      return true;
    }
    default: return false;
  }
}

void save_ports(SaveWriter& w, std::string_view opt, const PortRange& p) {
  if (p.lo != p.hi) w.raw(fmt::format(" --{} {}:{}", opt, p.lo, p.hi));
  else w.raw(fmt::format(" --{} {}", opt, p.lo));
}

/// print_chunks with numeric 0.
void save_chunks(SaveWriter& w, const S& m) {
  switch (m.chunk_match_type) {
    case S::kMatchAny: w.raw(" any"); break;
    case S::kMatchAll: w.raw(" all"); break;
    case S::kMatchOnly: w.raw(" only"); break;
    default: w.raw("Never reach here\n"); break;
  }
  bool clear = true, all = true;
  for (uint32_t word : m.chunkmap) {
    clear = clear && word == 0;
    all = all && word == 0xffffffffu;
  }
  if (clear) {
    w.raw(" NONE");
    return;
  }
  if (all) {
    w.raw(" ALL");
    return;
  }
  const char* sep = " ";
  for (unsigned t = 0; t < 256; ++t) {
    if (!has_bit(m.chunkmap, t)) continue;
    w.raw(sep);
    sep = ",";
    for (const auto& n : kChunkNames)
      if (n.type == t) w.raw(n.name);
    for (const auto& f : m.flag_info) {
      // print_chunk_flags looks the letters up by chunk *number* in the name table.
      if (f.chunktype != t || !f.flag_mask) continue;
      w.raw(":");
      std::string_view valid = kChunkNames[t].valid_flags;
      for (int b = 7; b >= 0; --b)
        if (f.flag_mask & (1u << b)) {
          char ch = valid[static_cast<size_t>(7 - b)];
          w.raw(std::string(1, (f.flag & (1u << b)) ? ch
                                                    : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)))));
        }
    }
  }
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& m = std::get<SctpMatch>(d);
  if (m.flags & S::kSrcPorts) {
    w.bang(m.invflags & S::kSrcPorts);
    save_ports(w, "sport", m.spts);
  }
  if (m.flags & S::kDestPorts) {
    w.bang(m.invflags & S::kDestPorts);
    save_ports(w, "dport", m.dpts);
  }
  if (m.flags & S::kChunkTypes) {
    w.bang(m.invflags & S::kChunkTypes);
    w.raw(" --chunk-types");
    save_chunks(w, m);
  }
}

}  // namespace

const MatchDef kSctp = {
    .kind = MatchKind::Sctp,
    .name = "sctp",
    .options = kOptions,
    .init = [] { return MatchData{SctpMatch{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
    .proto = 132,
};

}  // namespace iptc::ir::kinds
