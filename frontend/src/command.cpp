// iptables 1.8.9 do_parse() (iptables/xshared.c), command_default(), command_match(),
// command_jump(), ipv4_post_parse() and generic_opt_check(), re-expressed over the kind table.
// Numbered steps follow the C code so the two can be read side by side.
#include "command.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <span>

#include <fmt/format.h>

#include "getopt.hpp"
#include "iptc/ir/kinds.hpp"
#include "iptc/ir/values.hpp"

namespace iptc::frontend {

namespace {

using ir::ArgKind;

// OPT_* bits, in iptables' order (xshared.h).
enum OptBits : uint32_t {
  kOptNumeric = 1u << 0,
  kOptSource = 1u << 1,
  kOptDestination = 1u << 2,
  kOptProtocol = 1u << 3,
  kOptJump = 1u << 4,
  kOptVerbose = 1u << 5,
  kOptExpanded = 1u << 6,
  kOptViaIn = 1u << 7,
  kOptViaOut = 1u << 8,
  kOptLineNumbers = 1u << 9,
  kOptCounters = 1u << 10,
  kOptFragment = 1u << 11,
};
constexpr char kOptLetters[] = {'n', 's', 'd', 'p', 'j', 'v', 'x', 'i', 'o', '0', 'c', 'f'};
constexpr size_t kOptCount = sizeof(kOptLetters);

constexpr std::string_view kOptString =
    "-:A:C:D:E:F::I:L::M:N:P:VX::Z::c:d:i:j:o:p:s:t:R:S::W::46bfg:h::m:nvw::x";

const std::vector<LongOpt> kBaseOpts = {
    {"append", ArgKind::Required, 'A'},       {"delete", ArgKind::Required, 'D'},
    {"check", ArgKind::Required, 'C'},        {"insert", ArgKind::Required, 'I'},
    {"replace", ArgKind::Required, 'R'},      {"list", ArgKind::Optional, 'L'},
    {"list-rules", ArgKind::Optional, 'S'},   {"flush", ArgKind::Optional, 'F'},
    {"zero", ArgKind::Optional, 'Z'},         {"new-chain", ArgKind::Required, 'N'},
    {"delete-chain", ArgKind::Optional, 'X'}, {"rename-chain", ArgKind::Required, 'E'},
    {"policy", ArgKind::Required, 'P'},       {"source", ArgKind::Required, 's'},
    {"destination", ArgKind::Required, 'd'},  {"src", ArgKind::Required, 's'},
    {"dst", ArgKind::Required, 'd'},          {"protocol", ArgKind::Required, 'p'},
    {"in-interface", ArgKind::Required, 'i'}, {"jump", ArgKind::Required, 'j'},
    {"table", ArgKind::Required, 't'},        {"match", ArgKind::Required, 'm'},
    {"numeric", ArgKind::None, 'n'},          {"out-interface", ArgKind::Required, 'o'},
    {"verbose", ArgKind::None, 'v'},          {"wait", ArgKind::Optional, 'w'},
    {"wait-interval", ArgKind::Optional, 'W'}, {"exact", ArgKind::None, 'x'},
    {"fragments", ArgKind::None, 'f'},        {"version", ArgKind::None, 'V'},
    {"help", ArgKind::Optional, 'h'},         {"line-numbers", ArgKind::None, '0'},
    {"modprobe", ArgKind::Required, 'M'},     {"set-counters", ArgKind::Required, 'c'},
    {"goto", ArgKind::Required, 'g'},         {"ipv4", ArgKind::None, '4'},
    {"ipv6", ArgKind::None, '6'},
};

constexpr int kOptionOffsetScale = 256;  // XT_OPTION_OFFSET_SCALE
constexpr size_t kMaxExtensionName = 29;  // XT_EXTENSION_MAXNAMELEN

/// commands_v_options: per command, per option: 'x' illegal, ' ' optional.
constexpr const char* kCommandsVOptions[kCommandCount] = {
    /*          n s d p j v x i o 0 c f */
    /*INSERT*/ "x     x  x  ",
    /*DELETE*/ "x     x  xx ",
    /*DELNUM*/ "xxxxx xxxxxx",
    /*REPLACE*/"x     x  x  ",
    /*APPEND*/ "x     x  x  ",
    /*LIST*/   " xxxx  xx xx",
    /*FLUSH*/  "xxxxx xxxxxx",
    /*ZERO*/   "xxxxx xxxxxx",
    /*NEWCH*/  "xxxxx xxxxxx",
    /*DELCH*/  "xxxxx xxxxxx",
    /*POLICY*/ "xxxxx xxxx x",
    /*RENAME*/ "xxxxx xxxxxx",
    /*LISTRL*/ "xxxxx xxxxxx",
    /*ZERONUM*/"xxxxx xxxxxx",
    /*CHECK*/  "x     x  xx ",
};

struct MatchInstance {
  const ir::MatchDef* def = nullptr;
  ir::MatchData data;
  uint32_t seen = 0;
  bool completed = false;
  int offset = 0;
  ir::SourceLoc loc;
  uint32_t len = 1;
};

struct TargetInstance {
  const ir::TargetDef* def = nullptr;
  ir::TargetData data;
  uint32_t seen = 0;
  int offset = 0;
  ir::SourceLoc loc;
  uint32_t len = 1;
};

/// Words after the current option, for parsers that take two arguments.
class ArgvSource final : public ir::ArgSource {
 public:
  ArgvSource(const Argv& argv, Getopt& g) : argv_(argv), g_(g) {}
  [[nodiscard]] const ir::ExtraArg* peek() const override {
    if (g_.optind >= argv_.size()) return nullptr;
    const Word& w = argv_[g_.optind];
    cur_ = ir::ExtraArg{w.text, w.loc, w.len};
    return &cur_;
  }
  void take() override { ++g_.optind; }

 private:
  const Argv& argv_;
  Getopt& g_;
  mutable ir::ExtraArg cur_;
};

class Parser {
 public:
  Parser(const Argv& argv, const CommandMode& mode, ParsedCommand& out, ir::Diagnostics& diags)
      : argv_(argv), mode_(mode), out_(out), diags_(diags), g_(argv, kOptString),
        more_(argv, g_) {}

  bool run();

 private:
  // -- diagnostics --------------------------------------------------------------------------
  bool fail_at(const Word* w, std::string msg, std::string hint = {}) {
    if (w)
      diags_.error(w->loc, std::move(msg), std::move(hint), w->len);
    else
      diags_.error(out_.loc, std::move(msg), std::move(hint));
    return false;
  }
  const Word* word(size_t i) const { return i < argv_.size() ? &argv_[i] : nullptr; }
  const Word* opt_word() const { return word(cur_.option_word); }
  const Word* arg_word() const { return cur_.optarg ? cur_.optarg : opt_word(); }
  /// argv[optind - 1]: iptables reads -p, -s, -d, -i, -o values from there, which is the
  /// option word itself when the value was attached ("-ptcp").
  const Word* prev_word() const { return g_.optind > 0 ? word(g_.optind - 1) : nullptr; }

  bool has_arg() const {
    // xs_has_arg: the next word exists and starts with neither '-' nor '!'.
    if (g_.optind >= argv_.size()) return false;
    const std::string& t = argv_[g_.optind].text;
    return t.empty() || (t[0] != '-' && t[0] != '!');
  }

  // -- steps --------------------------------------------------------------------------------
  bool add_command(uint32_t cmd, uint32_t othercmds);
  bool set_option(uint32_t option, bool& inv_field);
  bool set_option(uint32_t option);
  bool parse_rulenumber(const Word* w, uint32_t& out);
  void optional_chain();
  bool command_match();
  bool command_jump(const Word* w);
  bool command_default();
  enum class Dispatch { Taken, Failed, NotFound };
  Dispatch dispatch_option(int c);
  bool load_proto_match();
  int merge_options(std::span<const ir::OptionDef> opts);
  bool add_match_instance(const ir::MatchDef* def, const Word* w);
  bool finish();
  bool generic_opt_check();
  bool valid_chain_name(const Word* w, std::string_view name);

  const Argv& argv_;
  const CommandMode& mode_;
  ParsedCommand& out_;
  ir::Diagnostics& diags_;
  Getopt g_;
  ArgvSource more_;
  GetoptResult cur_;

  std::vector<LongOpt> longopts_ = kBaseOpts;
  /// Extension options in getopt order: newest extension first (xtables_options_xfrm).
  std::vector<LongOpt> ext_opts_;
  std::vector<MatchInstance> matches_;
  /// Option offset of each match kind whose options are merged (clones reuse it).
  std::array<int, ir::kMatchKindCount> kind_offset_{};
  std::optional<TargetInstance> target_;
  std::string jumpto_;
  const Word* jump_word_ = nullptr;
  bool goto_ = false;
  bool table_set_ = false;
  bool invert_ = false;
  const Word* invert_word_ = nullptr;
  int next_offset_ = 0;

  // ipt_ip fields as parsed
  ir::IpHeaderMatch ip_;
  std::string protocol_;  ///< lower-cased -p argument
  bool proto_used_ = false;
  const Word* in_word_ = nullptr;
  const Word* out_word_ = nullptr;
  const Word* src_word_ = nullptr;
  const Word* dst_word_ = nullptr;
  std::string src_text_, dst_text_;
};

char letter_of(uint32_t option) {
  for (size_t i = 0; i < kOptCount; ++i)
    if (option == (1u << i)) return kOptLetters[i];
  return '?';
}

bool Parser::add_command(uint32_t cmd, uint32_t othercmds) {
  if (invert_) return fail_at(invert_word_, "unexpected '!' before a command");
  if (out_.command & ~othercmds)
    return fail_at(opt_word(), fmt::format("cannot use -{} with -{}", command_letter(cmd),
                                           command_letter(out_.command & ~othercmds)),
                   "give one command per line");
  out_.command |= cmd;
  out_.command_word = opt_word();
  return true;
}

bool Parser::set_option(uint32_t option) {
  bool ignored = false;
  return set_option(option, ignored);
}

bool Parser::set_option(uint32_t option, bool& inv_field) {
  if (out_.options & option)
    return fail_at(opt_word(), fmt::format("multiple -{} options are not allowed", letter_of(option)));
  out_.options |= option;
  if (invert_) {
    constexpr uint32_t invertible = kOptSource | kOptDestination | kOptProtocol | kOptViaIn |
                                    kOptViaOut | kOptFragment;
    if (!(option & invertible))
      return fail_at(invert_word_, fmt::format("cannot have '!' before -{}", letter_of(option)));
    inv_field = true;
  }
  return true;
}

/// -L, -S, -F, -Z, -X: the chain is optional, attached ("-LINPUT") or the next word when it
/// is not an option (xs_has_arg).
void Parser::optional_chain() {
  if (cur_.optarg) {
    out_.chain = std::string(cur_.optarg_text);
    out_.chain_word = cur_.optarg;
  } else if (has_arg()) {
    out_.chain_word = word(g_.optind++);
    out_.chain = out_.chain_word->text;
  }
}

bool Parser::parse_rulenumber(const Word* w, uint32_t& out) {
  auto v = ir::parse_uint(w->text, 1, 0x7fffffff);
  if (!v) return fail_at(w, fmt::format("invalid rule number '{}'", w->text),
                         "rule numbers count from 1");
  out = static_cast<uint32_t>(*v);
  return true;
}

bool Parser::valid_chain_name(const Word* w, std::string_view name) {
  Word copy = *w;
  copy.text = std::string(name);
  return frontend::valid_chain_name(copy, diags_);
}


int Parser::merge_options(std::span<const ir::OptionDef> opts) {
  next_offset_ += kOptionOffsetScale;
  std::vector<LongOpt> fresh;
  for (const auto& o : opts)
    fresh.push_back({o.name, o.arg, next_offset_ + o.id});
  ext_opts_.insert(ext_opts_.begin(), fresh.begin(), fresh.end());
  longopts_ = kBaseOpts;
  longopts_.insert(longopts_.end(), ext_opts_.begin(), ext_opts_.end());
  return next_offset_;
}

bool Parser::add_match_instance(const ir::MatchDef* def, const Word* w) {
  // xtables_find_match: earlier instances of the same kind stop taking options.
  bool loaded = false;
  for (auto& m : matches_)
    if (m.def == def) {
      m.completed = true;
      loaded = true;
    }
  MatchInstance inst;
  inst.def = def;
  inst.data = def->init();
  inst.loc = w ? w->loc : out_.loc;
  inst.len = w ? w->len : 1;
  size_t k = static_cast<size_t>(def->kind);
  if (!loaded && kind_offset_[k] == 0) kind_offset_[k] = merge_options(def->options);
  inst.offset = kind_offset_[k];
  matches_.push_back(std::move(inst));
  return true;
}

bool Parser::command_match() {
  const Word* w = arg_word();
  if (invert_) return fail_at(invert_word_, "unexpected '!' before -m", "a match cannot be negated as a whole; negate its options");
  std::string_view name = cur_.optarg_text;
  if (name.size() >= kMaxExtensionName)
    return fail_at(w, fmt::format("invalid match name '{}' ({} characters at most)", name,
                                  kMaxExtensionName - 1));
  // xtables_find_match folds the ICMPv6 spellings together.
  const ir::MatchDef* def = ir::find_match_def(name);
  if (!def) {
    if (ir::is_known_foreign_match(name))
      return fail_at(w, fmt::format("match '{}' is not supported by iptc yet", name),
                     "iptables knows this match; iptc cannot model it yet");
    std::vector<std::string_view> names;
    for (size_t i = 0; i < ir::kMatchKindCount; ++i)
      names.push_back(ir::match_def(static_cast<ir::MatchKind>(i)).name);
    std::string best = ir::closest(name, names);
    return fail_at(w, fmt::format("unknown match '{}'", name),
                   best.empty() ? "" : fmt::format("did you mean '{}'?", best));
  }
  return add_match_instance(def, w);
}

bool Parser::command_jump(const Word* w) {
  // iptables takes the name from argv[optind - 1], so "-jACCEPT" names a chain "-jACCEPT".
  std::string_view name = w->text;
  // xt_parse_target
  if (name.empty()) return fail_at(w, "invalid target name (too short)");
  if (name.size() >= kMaxExtensionName)
    return fail_at(w, fmt::format("invalid target name '{}' ({} characters at most)", name,
                                  kMaxExtensionName - 1));
  for (char c : name)
    if (std::isspace(static_cast<unsigned char>(c)))
      return fail_at(w, fmt::format("invalid target name '{}'", name));
  jumpto_ = std::string(name);
  jump_word_ = w;
  if (name == "ACCEPT" || name == "DROP" || name == "QUEUE" || name == "RETURN") return true;
  const ir::TargetDef* def = ir::find_target_def(name);
  if (!def) {
    if (ir::is_known_foreign_target(name))
      return fail_at(w, fmt::format("target '{}' is not supported by iptc yet", name),
                     "iptables knows this target; iptc cannot model it yet");
    return true;  // a chain name, checked when the rule is added
  }
  TargetInstance t;
  t.def = def;
  t.data = def->init();
  t.loc = w->loc;
  t.len = w->len;
  t.offset = merge_options(def->options);
  target_ = std::move(t);
  return true;
}

bool Parser::load_proto_match() {
  // should_load_proto / load_proto: with -p given and its match not used by this rule yet.
  if (protocol_.empty() || proto_used_) return false;
  std::optional<std::string_view> name;
  if (auto n = ir::parse_uint(protocol_, 0, 255))
    name = ir::protocol_match_name(static_cast<uint8_t>(*n));
  else
    name = protocol_;
  if (!name) return false;
  const ir::MatchDef* def = ir::find_match_def(*name);
  if (!def) return false;
  proto_used_ = true;
  // The implicit match points at the option that caused it to load.
  add_match_instance(def, opt_word());
  return true;
}

Parser::Dispatch Parser::dispatch_option(int c) {
  auto make_call = [&](const ir::OptionDef* od, uint32_t seen) {
    ir::OptionCall call;
    call.opt = od;
    call.has_arg = cur_.optarg != nullptr;
    call.arg = cur_.optarg_text;
    call.invert = invert_;
    const Word* ow = opt_word();
    call.opt_loc = ow->loc;
    call.opt_len = ow->len;
    const Word* aw = arg_word();
    call.arg_loc = aw->loc;
    call.arg_len = aw->len;
    call.more = &more_;
    call.seen = seen;
    call.diags = &diags_;
    return call;
  };
  auto generic_checks = [&](const ir::OptionDef& od, uint32_t seen, std::string_view ext) {
    uint32_t bit = 1u << od.id;
    if ((!(od.flags & ir::optflag::kMulti) || (od.excl & bit)) && (seen & bit))
      return fail_at(opt_word(), fmt::format("{}: option '--{}' can only be used once", ext, od.name));
    if (invert_ && !(od.flags & (ir::optflag::kInvert | ir::optflag::kInvertIgnored)))
      return fail_at(invert_word_ ? invert_word_ : opt_word(),
                     fmt::format("{}: option '--{}' cannot be inverted", ext, od.name));
    return true;
  };
  auto find_def = [](std::span<const ir::OptionDef> opts, int id) -> const ir::OptionDef* {
    for (const auto& o : opts)
      if (o.id == id) return &o;
    return nullptr;
  };

  ir::RuleContext ctx;
  ctx.ip = &ip_;
  ctx.chain = out_.chain;
  if (auto t = ir::table_from_name(out_.table)) ctx.table = *t;

  if (target_ && c >= target_->offset && c < target_->offset + kOptionOffsetScale) {
    const ir::OptionDef* od = find_def(target_->def->options, c - target_->offset);
    if (!generic_checks(*od, target_->seen, target_->def->name)) return Dispatch::Failed;
    ir::OptionCall call = make_call(od, target_->seen);
    call.ctx = &ctx;
    if (!target_->def->parse(call, target_->data)) return Dispatch::Failed;
    target_->seen |= 1u << od->id;
    return Dispatch::Taken;
  }
  for (auto& m : matches_) {
    if (m.completed) continue;
    if (c < m.offset || c >= m.offset + kOptionOffsetScale) continue;
    const ir::OptionDef* od = find_def(m.def->options, c - m.offset);
    if (!generic_checks(*od, m.seen, m.def->name)) return Dispatch::Failed;
    ir::OptionCall call = make_call(od, m.seen);
    call.ctx = &ctx;
    if (!m.def->parse(call, m.data)) return Dispatch::Failed;
    m.seen |= 1u << od->id;
    return Dispatch::Taken;
  }
  return Dispatch::NotFound;
}

bool Parser::command_default() {
  int c = cur_.code;
  if (c >= kOptionOffsetScale) {
    switch (dispatch_option(c)) {
      case Dispatch::Taken: return true;
      case Dispatch::Failed: return false;
      case Dispatch::NotFound: break;
    }
  }
  // Try loading the protocol's match, then rescan the same word.
  if (load_proto_match()) {
    g_.optind = cur_.option_word;
    return true;
  }
  const Word* w = opt_word();
  if (c == ':')
    return fail_at(w, fmt::format("option '{}' requires an argument", w->text));
  if (cur_.ambiguous)
    return fail_at(w, fmt::format("option '{}' is ambiguous", w->text),
                   "write the option in full");
  if (cur_.arg_not_allowed)
    return fail_at(w, fmt::format("option '{}' does not take an argument", w->text));
  std::string hint;
  std::string_view text = w->text;
  if (text.starts_with("--")) {
    std::string_view name = text.substr(2, text.find('=') == std::string_view::npos
                                               ? std::string_view::npos
                                               : text.find('=') - 2);
    std::vector<std::string_view> names;
    for (const auto& o : longopts_) names.push_back(o.name);
    for (size_t i = 0; i < ir::kMatchKindCount; ++i)
      for (const auto& o : ir::match_def(static_cast<ir::MatchKind>(i)).options)
        names.push_back(o.name);
    std::string best = ir::closest(name, names);
    bool belongs_to_match = false;
    for (size_t i = 0; i < ir::kMatchKindCount && !belongs_to_match; ++i) {
      const auto& d = ir::match_def(static_cast<ir::MatchKind>(i));
      for (const auto& o : d.options)
        if (o.name == name) {
          belongs_to_match = true;
          hint = protocol_.empty() && (d.kind == ir::MatchKind::Tcp || d.kind == ir::MatchKind::Udp)
                     ? fmt::format("'--{}' needs '-p tcp' or '-p udp' (or '-m {}') before it", name, d.name)
                     : fmt::format("'--{}' belongs to '-m {}'; load that match first", name, d.name);
          break;
        }
    }
    if (!belongs_to_match && !best.empty()) hint = fmt::format("did you mean '--{}'?", best);
  }
  if (auto origin = ir::out_of_tree_target(jumpto_); origin && !target_)
    hint = fmt::format("target '{}' comes from {}; iptables 1.8.9 does not know it, so it "
                       "has no options",
                       jumpto_, *origin);
  if (c == '?') return fail_at(w, fmt::format("unknown option '{}'", w->text), hint);
  return fail_at(w, fmt::format("option '{}' is not valid here", w->text), hint);
}

bool Parser::run() {
  if (!argv_.empty()) out_.loc = argv_.front().loc;
  if (mode_.restore) out_.table = mode_.table;

  while (true) {
    cur_ = g_.next(longopts_);
    int c = cur_.code;
    if (c == -1) break;
    bool ok = true;
    bool keep_invert = false;
    switch (c) {
      // ---- commands ----
      case 'A':
        ok = add_command(kCmdAppend, kCmdNone);
        out_.chain = std::string(cur_.optarg_text);
        out_.chain_word = arg_word();
        break;
      case 'C':
        ok = add_command(kCmdCheck, kCmdNone);
        out_.chain = std::string(cur_.optarg_text);
        out_.chain_word = arg_word();
        break;
      case 'D':
        ok = add_command(kCmdDelete, kCmdNone);
        out_.chain = std::string(cur_.optarg_text);
        out_.chain_word = arg_word();
        if (ok && has_arg()) {
          out_.rulenum_word = word(g_.optind++);
          ok = parse_rulenumber(out_.rulenum_word, out_.rulenum);
          out_.command = kCmdDeleteNum;
        }
        break;
      case 'R':
        ok = add_command(kCmdReplace, kCmdNone);
        out_.chain = std::string(cur_.optarg_text);
        out_.chain_word = arg_word();
        if (ok) {
          if (has_arg()) {
            out_.rulenum_word = word(g_.optind++);
            ok = parse_rulenumber(out_.rulenum_word, out_.rulenum);
          } else {
            ok = fail_at(opt_word(), "-R requires a rule number", "write -R CHAIN NUMBER RULE");
          }
        }
        break;
      case 'I':
        ok = add_command(kCmdInsert, kCmdNone);
        out_.chain = std::string(cur_.optarg_text);
        out_.chain_word = arg_word();
        if (ok) {
          if (has_arg()) {
            out_.rulenum_word = word(g_.optind++);
            ok = parse_rulenumber(out_.rulenum_word, out_.rulenum);
          } else {
            out_.rulenum = 1;
          }
        }
        break;
      case 'L':
      case 'S':
        ok = add_command(c == 'L' ? kCmdList : kCmdListRules, kCmdZero | kCmdZeroNum);
        optional_chain();
        if (ok && has_arg()) {
          out_.rulenum_word = word(g_.optind++);
          ok = parse_rulenumber(out_.rulenum_word, out_.rulenum);
        }
        break;
      case 'F':
        ok = add_command(kCmdFlush, kCmdNone);
        optional_chain();
        break;
      case 'Z':
        ok = add_command(kCmdZero, kCmdList | kCmdListRules);
        optional_chain();
        if (ok && has_arg()) {
          out_.rulenum_word = word(g_.optind++);
          ok = parse_rulenumber(out_.rulenum_word, out_.rulenum);
          out_.command = (out_.command & ~kCmdZero) | kCmdZeroNum;
        }
        break;
      case 'N':
        ok = valid_chain_name(arg_word(), cur_.optarg_text) && add_command(kCmdNewChain, kCmdNone);
        out_.chain = std::string(cur_.optarg_text);
        out_.chain_word = arg_word();
        break;
      case 'X':
        ok = add_command(kCmdDeleteChain, kCmdNone);
        optional_chain();
        break;
      case 'E':
        ok = add_command(kCmdRenameChain, kCmdNone);
        out_.chain = std::string(cur_.optarg_text);
        out_.chain_word = arg_word();
        if (ok) {
          if (has_arg()) {
            out_.newname_word = word(g_.optind++);
            out_.newname = out_.newname_word->text;
          } else {
            ok = fail_at(opt_word(), "-E requires old-chain-name and new-chain-name");
          }
        }
        break;
      case 'P':
        ok = add_command(kCmdSetPolicy, kCmdNone);
        out_.chain = std::string(cur_.optarg_text);
        out_.chain_word = arg_word();
        if (ok) {
          if (has_arg()) {
            out_.policy_word = word(g_.optind++);
            out_.policy = out_.policy_word->text;
          } else {
            ok = fail_at(opt_word(), "-P requires a chain and a policy", "write -P CHAIN ACCEPT|DROP");
          }
        }
        break;
      case 'h':
        ok = fail_at(opt_word(), "-h (help) in a rule",
                     "iptables would print its help and stop without loading anything");
        break;
      case 'V':
        ok = fail_at(opt_word(), "-V (version) in a rule",
                     "iptables would print its version and stop without loading anything");
        break;

      // ---- the ipt_ip part ----
      case 'p': {
        ok = set_option(kOptProtocol, ip_.inv_proto);
        if (!ok) break;
        const Word* pw = prev_word();
        std::string p = pw->text;
        for (char& ch : p) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        protocol_ = p;
        ip_.proto_loc = opt_word()->loc;
        auto proto = ir::parse_protocol(p);
        if (!proto) {
          ok = fail_at(pw, fmt::format("unknown protocol '{}'", pw->text),
                       pw == opt_word() ? "write the protocol as a separate word: -p tcp"
                                        : "use a name from /etc/protocols or a number 0-255");
          break;
        }
        ip_.proto = *proto;
        if (ip_.proto == 0 && ip_.inv_proto)
          ok = fail_at(pw, "'! -p all' would never match", "remove the rule or the '!'");
        break;
      }
      case 's':
        ok = set_option(kOptSource, ip_.inv_src);
        src_word_ = prev_word();
        src_text_ = src_word_ ? src_word_->text : "";
        ip_.src_loc = opt_word()->loc;
        break;
      case 'd':
        ok = set_option(kOptDestination, ip_.inv_dst);
        dst_word_ = prev_word();
        dst_text_ = dst_word_ ? dst_word_->text : "";
        ip_.dst_loc = opt_word()->loc;
        break;
      case 'g':
        ok = set_option(kOptJump);
        if (ok) {
          goto_ = true;
          const Word* w = arg_word();
          std::string_view name = cur_.optarg_text;
          if (name.empty()) ok = fail_at(w, "invalid target name (too short)");
          else if (name.size() >= kMaxExtensionName)
            ok = fail_at(w, fmt::format("invalid target name '{}' ({} characters at most)", name,
                                        kMaxExtensionName - 1));
          jumpto_ = std::string(name);
          jump_word_ = w;
        }
        break;
      case 'j':
        ok = set_option(kOptJump) && command_jump(prev_word());
        break;
      case 'i':
      case 'o': {
        const Word* w = arg_word();
        if (cur_.optarg_text.empty()) {
          ok = fail_at(w, "empty interface name is likely to be undesired");
          break;
        }
        bool& inv = c == 'i' ? ip_.inv_in : ip_.inv_out;
        ok = set_option(c == 'i' ? kOptViaIn : kOptViaOut, inv);
        if (!ok) break;
        const Word* pw = prev_word();
        if (pw->text.size() + 1 > 16) {
          ok = fail_at(pw, fmt::format("interface name '{}' must be shorter than 16 characters", pw->text));
          break;
        }
        (c == 'i' ? ip_.iniface : ip_.outiface) = pw->text;
        (c == 'i' ? ip_.in_loc : ip_.out_loc) = opt_word()->loc;
        (c == 'i' ? in_word_ : out_word_) = opt_word();
        break;
      }
      case 'f':
        ok = set_option(kOptFragment, ip_.inv_frag);
        ip_.frag = true;
        ip_.frag_loc = opt_word()->loc;
        break;
      case 'v':
        if (!(out_.options & kOptVerbose)) ok = set_option(kOptVerbose);
        break;
      case 'm':
        ok = command_match();
        break;
      case 'n':
        ok = set_option(kOptNumeric);
        break;
      case 't':
        if (invert_) {
          ok = fail_at(invert_word_, "unexpected '!' before -t");
          break;
        }
        if (mode_.restore) {
          ok = fail_at(opt_word(), "-t cannot be used in iptables-restore input",
                       "put the rule under the '*TABLE' line of its table");
          break;
        }
        out_.table = std::string(cur_.optarg_text);
        out_.table_loc = arg_word()->loc;
        table_set_ = true;
        break;
      case 'x':
        ok = set_option(kOptExpanded);
        break;
      case 'w':
      case 'W':
        if (mode_.restore) {
          ok = fail_at(opt_word(), fmt::format("-{} cannot be used in iptables-restore input", char(c)));
          break;
        }
        // The wait time is an optional argument: attached, or the next word if it is not
        // an option. Its value does not matter to a rule set.
        if (!cur_.optarg && has_arg()) ++g_.optind;
        break;
      case '0':
        ok = set_option(kOptLineNumbers);
        break;
      case 'M':
        break;
      case 'c': {
        ok = set_option(kOptCounters);
        if (!ok) break;
        std::string_view pcnt = cur_.optarg_text;
        std::string_view bcnt;
        bool have_b = false;
        if (pcnt.size() > 1) {
          size_t comma = pcnt.find(',', 1);
          if (comma != std::string_view::npos) {
            bcnt = pcnt.substr(comma + 1);
            pcnt = pcnt.substr(0, comma);
            have_b = true;
          }
        }
        if (!have_b && has_arg()) {
          bcnt = word(g_.optind++)->text;
          have_b = true;
        }
        if (!have_b) {
          ok = fail_at(opt_word(), "-c requires packet and byte counter");
          break;
        }
        auto p = ir::scan_ull(pcnt), b = ir::scan_ull(bcnt);
        if (!p) ok = fail_at(opt_word(), "-c packet counter not numeric");
        else if (!b) ok = fail_at(opt_word(), "-c byte counter not numeric");
        else {
          out_.has_counters = true;
          out_.counters = {*p, *b};
        }
        break;
      }
      case '4':
        break;
      case '6':
        if (mode_.restore) {
          out_.skipped = true;
          return true;
        }
        ok = fail_at(opt_word(), "-6 given to iptables", "IPv6 rules belong to ip6tables");
        break;
      case 1: {
        const Word* w = cur_.optarg;
        if (w->text == "!") {
          if (invert_) {
            ok = fail_at(w, "multiple consecutive '!' are not allowed");
            break;
          }
          invert_ = true;
          invert_word_ = w;
          keep_invert = true;
          break;
        }
        std::string hint;
        if (!w->text.empty() && w->text[0] == '!')
          hint = "put a space after '!': write '! -s ...'";
        else if (out_.options & (kOptSource | kOptDestination) && (w->text == src_text_ || w->text == dst_text_))
          hint = "'!' goes before the option: '! -s ADDR', not '-s ! ADDR'";
        ok = fail_at(w, fmt::format("bad argument '{}'", w->text), hint);
        break;
      }
      default:
        ok = command_default();
        if (ok && g_.optind == cur_.option_word) keep_invert = true;  // rescan after loading
        break;
    }
    if (!ok) return false;
    if (!keep_invert) {
      invert_ = false;
      invert_word_ = nullptr;
    }
  }
  return finish();
}

bool Parser::generic_opt_check() {
  for (size_t i = 0; i < kOptCount; ++i) {
    int legal = 0;
    for (int j = 0; j < kCommandCount; ++j) {
      if (!(out_.command & (1u << j))) continue;
      if (!(out_.options & (1u << i))) continue;
      if (kCommandsVOptions[j][i] != 'x') legal = 1;
      else if (legal == 0) legal = -1;
    }
    if (legal == -1)
      return fail_at(out_.command_word,
                     fmt::format("illegal option -{} with this command", kOptLetters[i]));
  }
  return true;
}

bool Parser::finish() {
  // 1. The nat table refuses DROP.
  if (out_.table == "nat" &&
      ((out_.command & kCmdSetPolicy && out_.policy == "DROP") || jumpto_ == "DROP"))
    return fail_at(jumpto_ == "DROP" ? jump_word_ : out_.policy_word,
                   "the nat table is not intended for filtering; DROP is not allowed in it",
                   "filter in the filter table; nat decides only address translation");
  // 2. Final checks of every match, then of the target (xtables_option_mfcall/tfcall).
  ir::RuleContext ctx;
  ctx.ip = &ip_;
  ctx.chain = out_.chain;
  if (auto t = ir::table_from_name(out_.table)) ctx.table = *t;
  auto fcheck = [&](std::span<const ir::OptionDef> opts, uint32_t seen, std::string_view ext,
                    ir::SourceLoc loc, uint32_t len) {
    for (const auto& o : opts) {
      uint32_t bit = 1u << o.id;
      if ((o.flags & ir::optflag::kMandatory) && !(seen & bit)) {
        diags_.error(loc, fmt::format("{}: option '--{}' must be specified", ext, o.name), {}, len);
        return false;
      }
      if (!(seen & bit)) continue;
      for (const auto& other : opts) {
        if (other.id == o.id) continue;
        uint32_t obit = 1u << other.id;
        if ((o.excl & obit) && (seen & obit)) {
          diags_.error(loc, fmt::format("{}: '--{}' cannot be used together with '--{}'", ext, o.name, other.name), {}, len);
          return false;
        }
        if ((o.also & obit) && !(seen & obit)) {
          diags_.error(loc, fmt::format("{}: '--{}' requires '--{}'", ext, o.name, other.name), {}, len);
          return false;
        }
      }
    }
    return true;
  };
  for (auto& m : matches_) {
    if (!fcheck(m.def->options, m.seen, m.def->name, m.loc, m.len)) return false;
    if (m.def->finish) {
      ir::FinishCall fc{m.seen, m.loc, m.len, &ctx, &diags_};
      if (!m.def->finish(fc, m.data)) return false;
    }
  }
  if (target_) {
    if (!fcheck(target_->def->options, target_->seen, target_->def->name, target_->loc, target_->len))
      return false;
    if (target_->def->finish) {
      ir::FinishCall fc{target_->seen, target_->loc, target_->len, &ctx, &diags_};
      if (!target_->def->finish(fc, target_->data)) return false;
    }
  }
  // 3. Leftovers.
  if (g_.optind < argv_.size())
    return fail_at(word(g_.optind), "unknown arguments found on the command line");
  if (!out_.command)
    return fail_at(argv_.empty() ? nullptr : &argv_.front(), "no command specified",
                   "a rule line starts with -A CHAIN (or -I, -D, -R, -N, -X, -F, -P, -E, -Z)");
  if (invert_) return fail_at(invert_word_, "nothing appropriate follows '!'");

  // 4. ipv4_post_parse: addresses (default any for rule commands), expansion.
  constexpr uint32_t kRuleCmds = kCmdReplace | kCmdInsert | kCmdDelete | kCmdAppend | kCmdCheck;
  std::vector<ir::Ipv4Net> srcs{ir::Ipv4Net{}}, dsts{ir::Ipv4Net{}};
  if (out_.command & kRuleCmds || (out_.options & (kOptSource | kOptDestination))) {
    if (out_.options & kOptSource) {
      auto r = ir::parse_ipv4_multiple(src_text_);
      if (!r.error.empty()) return fail_at(src_word_, r.error, r.hint);
      srcs = r.nets;
    }
    if (out_.options & kOptDestination) {
      auto r = ir::parse_ipv4_multiple(dst_text_);
      if (!r.error.empty()) return fail_at(dst_word_, r.error, r.hint);
      dsts = r.nets;
    }
    if ((srcs.size() > 1 || dsts.size() > 1) && (ip_.inv_src || ip_.inv_dst))
      return fail_at(srcs.size() > 1 ? src_word_ : dst_word_,
                     "'!' is not allowed with multiple source or destination addresses",
                     "write one rule per address");
  }
  if (out_.command == kCmdReplace && (srcs.size() != 1 || dsts.size() != 1))
    return fail_at(srcs.size() != 1 ? src_word_ : dst_word_,
                   "a replacement rule must name exactly one source and one destination address");

  // 5. Which options go with which command.
  if (!generic_opt_check()) return false;
  if (out_.chain_word && out_.chain.size() >= kMaxExtensionName)
    return fail_at(out_.chain_word, fmt::format("chain name '{}' is too long (must be under {} characters)",
                                                out_.chain, kMaxExtensionName));
  // 6. Interfaces that cannot exist at the named built-in hooks (a check on the chain's name).
  if (out_.command & (kCmdAppend | kCmdDelete | kCmdDeleteNum | kCmdCheck | kCmdInsert | kCmdReplace)) {
    if ((out_.chain == "PREROUTING" || out_.chain == "INPUT") && (out_.options & kOptViaOut))
      return fail_at(out_word_, fmt::format("-o cannot be used in {}", out_.chain),
                     "packets in PREROUTING and INPUT have no output interface yet");
    if ((out_.chain == "POSTROUTING" || out_.chain == "OUTPUT") && (out_.options & kOptViaIn))
      return fail_at(in_word_, fmt::format("-i cannot be used in {}", out_.chain),
                     "packets in OUTPUT and POSTROUTING have no input interface");
  }

  // 7. Build the rules.
  if (out_.command & kRuleCmds) {
    ir::Rule proto_rule;
    proto_rule.ip = ip_;
    proto_rule.loc = out_.loc;
    if (out_.has_counters) proto_rule.counters = out_.counters;
    for (auto& m : matches_) proto_rule.matches.push_back(ir::Match{std::move(m.data), m.loc});
    ir::Target& t = proto_rule.target;
    t.loc = jump_word_ ? jump_word_->loc : ir::SourceLoc{};
    if (target_) {
      t.type = ir::TargetType::Extension;
      t.data = std::move(target_->data);
    } else if (goto_) {
      t.type = ir::TargetType::Goto;
      t.chain = jumpto_;
    } else if (jumpto_ == "ACCEPT") t.type = ir::TargetType::Accept;
    else if (jumpto_ == "DROP") t.type = ir::TargetType::Drop;
    else if (jumpto_ == "QUEUE") t.type = ir::TargetType::Queue;
    else if (jumpto_ == "RETURN") t.type = ir::TargetType::Return;
    else if (!jumpto_.empty()) {
      t.type = ir::TargetType::Jump;
      t.chain = jumpto_;
    }
    for (const auto& s : srcs)
      for (const auto& d : dsts) {
        ir::Rule r = proto_rule;
        r.ip.src = s;
        r.ip.dst = d;
        out_.rules.push_back(std::move(r));
      }
  }
  return true;
}

}  // namespace

bool valid_chain_name(const Word& w, ir::Diagnostics& diags) {
  std::string_view name = w.text;
  auto fail = [&](std::string msg, std::string hint = {}) {
    diags.error(w.loc, std::move(msg), std::move(hint), w.len);
    return false;
  };
  if (name.size() >= kMaxExtensionName)
    return fail(fmt::format("chain name '{}' is too long (must be under {} characters)", name,
                            kMaxExtensionName));
  if (!name.empty() && (name[0] == '-' || name[0] == '!'))
    return fail(fmt::format("chain name may not start with '{}'", name[0]));
  if (ir::find_target_def(name) || ir::is_known_foreign_target(name) || name == "ACCEPT" ||
      name == "DROP" || name == "QUEUE" || name == "RETURN" || name == "standard")
    return fail(fmt::format("chain name '{}' clashes with a target name", name),
                "choose another name; iptables would take it for the target");
  for (char c : name)
    if (std::isspace(static_cast<unsigned char>(c)))
      return fail(fmt::format("invalid chain name '{}'", name));
  return true;
}

char command_letter(uint32_t command) {
  static constexpr char kLetters[] = {'I', 'D', 'D', 'R', 'A', 'L', 'F', 'Z',
                                      'N', 'X', 'P', 'E', 'S', 'Z', 'C'};
  for (int i = 0; i < kCommandCount; ++i)
    if (command & (1u << i)) return kLetters[i];
  return '?';
}

bool parse_command(const Argv& argv, const CommandMode& mode, ParsedCommand& out,
                   ir::Diagnostics& diags) {
  Parser p(argv, mode, out, diags);
  return p.run();
}

}  // namespace iptc::frontend
