// The kind table: every match and target kind declared once, with its iptables spelling, its
// options, its option parser and final check, its iptables-save printer and the kernel's
// constraints (protocol, tables, hooks). The frontend parses options through it, the printer
// prints through it, the verifier checks through it; none of them lists kinds again.
//
// Option handling mirrors libxtables' guided option parser (xtoptions.c): each option has a
// kind-local id; the generic layer (options.cpp) enforces "! allowed", "only once",
// exclusions, companions and mandatory options; the kind's parse callback converts the value.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "iptc/ir/diag.hpp"
#include "iptc/ir/ruleset.hpp"

namespace iptc::ir {

enum class ArgKind : uint8_t { None, Required, Optional };

namespace optflag {
inline constexpr uint16_t kInvert = 1 << 0;     ///< may be preceded by `!`
inline constexpr uint16_t kMulti = 1 << 1;      ///< may be given more than once
inline constexpr uint16_t kMandatory = 1 << 2;  ///< must be given
/// `!` before it is accepted and silently ignored (old-style parsers that never look at it).
inline constexpr uint16_t kInvertIgnored = 1 << 3;
}  // namespace optflag

struct OptionDef {
  std::string_view name;  ///< long name without the leading "--"
  uint8_t id = 0;         ///< kind-local id; aliases share one id
  ArgKind arg = ArgKind::Required;
  uint16_t flags = 0;
  uint32_t excl = 0;  ///< bit i: option id i may not be combined with this one
  uint32_t also = 0;  ///< bit i: option id i must be given too
};

/// What an option parser may look at besides its own argument (iptables passes ipt_entry).
struct RuleContext {
  TableKind table = TableKind::Filter;
  std::string_view chain;
  const IpHeaderMatch* ip = nullptr;
};

/// Further command-line words, for the few options that take more than one argument
/// (`--tcp-flags MASK COMP`), as old-style iptables parsers read argv[optind] directly.
struct ExtraArg {
  std::string_view text;
  SourceLoc loc;
  uint32_t len = 1;
};
class ArgSource {
 public:
  virtual ~ArgSource() = default;
  /// The next word, if any.
  [[nodiscard]] virtual const ExtraArg* peek() const = 0;
  /// Consumes the word peek() returned.
  virtual void take() = 0;
};

/// One option occurrence handed to a kind's parse callback.
struct OptionCall {
  const OptionDef* opt = nullptr;
  std::string_view arg;  ///< empty for ArgKind::None (or an absent optional argument)
  bool has_arg = false;
  bool invert = false;
  SourceLoc opt_loc;  ///< the "--name" word
  uint32_t opt_len = 1;
  SourceLoc arg_loc;  ///< the argument word (== opt_loc when attached with '=')
  uint32_t arg_len = 1;
  const RuleContext* ctx = nullptr;
  Diagnostics* diags = nullptr;
  ArgSource* more = nullptr;
  uint32_t seen = 0;  ///< options of this match/target instance given before this one

  /// Reports an error about the argument; returns false so parsers can `return c.fail(...)`.
  bool fail(std::string message, std::string hint = {}) const;
  /// Reports an error about the option word itself.
  bool fail_option(std::string message, std::string hint = {}) const;
};

/// The end of one match or target: which options were seen, for final checks.
struct FinishCall {
  uint32_t seen = 0;     ///< bit i: option id i was given
  SourceLoc loc;         ///< the `-m` / `-j` word
  uint32_t len = 1;
  const RuleContext* ctx = nullptr;
  Diagnostics* diags = nullptr;
  bool fail(std::string message, std::string hint = {}) const;
};

/// Appends iptables-save text (" --opt value" pieces) to a string.
class SaveWriter {
 public:
  explicit SaveWriter(std::string& out) : out_(out) {}
  /// Appends raw text.
  SaveWriter& raw(std::string_view s) {
    out_ += s;
    return *this;
  }
  /// " ! " when inverted, else nothing (iptables prints " !" then " --opt").
  SaveWriter& bang(bool invert) {
    if (invert) out_ += " !";
    return *this;
  }
  /// A string argument quoted as xtables_save_string does.
  SaveWriter& quoted(std::string_view value);
  std::string& out() { return out_; }

 private:
  std::string& out_;
};

/// Kernel objects that rules share by name within a network namespace (a hashlimit table, a
/// recent list): the first rule to name one creates it, and the kernel may refuse a later rule
/// that disagrees with it. verify() hands every check one map for the whole rule set; a kind
/// keys its entries with its own prefix ("hashlimit:NAME").
using SharedObjects = std::map<std::string, uint64_t, std::less<>>;

/// Facts the kernel checks when a rule is loaded (xt_check_match/target and checkentry).
struct KernelCheckCall {
  TableKind table;
  HookMask hooks;  ///< hooks from which the rule's chain is reachable (0 when unknown)
  const IpHeaderMatch* ip = nullptr;
  bool base_chain = false;  ///< the rule sits in a built-in chain
  SharedObjects* shared = nullptr;  ///< named objects created by the rules checked before
  std::string* hint = nullptr;      ///< may be set with the error: how to fix the rule
};

struct MatchDef {
  MatchKind kind;
  std::string_view name;                ///< `-m NAME`
  std::span<const OptionDef> options;
  MatchData (*init)();                  ///< the payload before any option
  bool (*parse)(const OptionCall&, MatchData&);
  bool (*finish)(const FinishCall&, MatchData&);  ///< may be null
  void (*save)(SaveWriter&, const MatchData&);
  /// Kernel checks beyond proto/table/hooks; returns an error message or "" (may be null).
  std::string (*kernel_check)(const KernelCheckCall&, const MatchData&) = nullptr;
  uint8_t proto = 0;  ///< xt_match.proto: the rule needs `-p` this (0: any)
  HookMask hooks = kAllHooks;
  std::optional<TableKind> only_table;
};

struct TargetDef {
  TargetKind kind;
  std::string_view name;  ///< `-j NAME`
  std::span<const OptionDef> options;
  TargetData (*init)();
  bool (*parse)(const OptionCall&, TargetData&);
  bool (*finish)(const FinishCall&, TargetData&);
  void (*save)(SaveWriter&, const TargetData&);
  std::string (*kernel_check)(const KernelCheckCall&, const TargetData&) = nullptr;
  uint8_t proto = 0;
  HookMask hooks = kAllHooks;
  std::optional<TableKind> only_table;
};

const MatchDef& match_def(MatchKind k);
const TargetDef& target_def(TargetKind k);
/// Looks a kind up by its iptables spelling (`-m tcp`, `-j DNAT`); aliases included.
const MatchDef* find_match_def(std::string_view name);
const TargetDef* find_target_def(std::string_view name);

/// Names iptables 1.8.9 knows as matches/targets that iptc does not implement yet, so that a
/// rule using them gets "not supported yet" instead of "unknown".
bool is_known_foreign_match(std::string_view name);
bool is_known_foreign_target(std::string_view name);

/// Targets that exist only out of tree (xtables-addons, old patch-o-matic): iptables 1.8.9
/// has no extension for them, so `-j NAME` is a jump to a chain of that name and their
/// options are unknown. Returns where the target came from ("xtables-addons"), or nullopt.
std::optional<std::string_view> out_of_tree_target(std::string_view name);

}  // namespace iptc::ir
