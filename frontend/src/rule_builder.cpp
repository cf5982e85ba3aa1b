// Command execution with iptables-nft semantics (iptables/nft.c, nft-cmd.c): see
// rule_builder.hpp. Every failure names the command's own line.
#include "rule_builder.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "iptc/ir/nft_canon.hpp"
#include "iptc/ir/values.hpp"

namespace iptc::frontend {

namespace {
/// iptables -D/-C compare a rule as the kernel lists it with the new rule.
bool same_as_listed(const ir::Rule& a, const ir::Rule& b) {
  return a.ip == b.ip && a.target == b.target &&
         ir::nft_save_view(a.matches) == ir::nft_save_view(b.matches);
}
}  // namespace

bool RuleBuilder::fail(const Word* w, ir::SourceLoc fallback, std::string msg, std::string hint) {
  if (w)
    diags_.error(w->loc, std::move(msg), std::move(hint), w->len);
  else
    diags_.error(fallback, std::move(msg), std::move(hint));
  return false;
}

void RuleBuilder::reset_table(ir::TableKind t) { rs_.tables[static_cast<size_t>(t)].reset(); }

bool RuleBuilder::created(ir::TableKind t, std::string_view chain) const {
  const ir::Table* table = rs_.table(t);
  const ir::Chain* c = table ? table->find(chain) : nullptr;
  return c && c->builtin() && c->registered;
}

ir::Table& RuleBuilder::table(ir::TableKind tk, ir::SourceLoc loc) {
  bool fresh = rs_.table(tk) == nullptr;
  ir::Table& t = rs_.ensure(tk, loc);
  // iptables-nft creates a table's built-in chains one by one as the input names them.
  if (fresh)
    for (auto& c : t.chains())
      if (c.builtin()) c.registered = false;
  return t;
}

bool RuleBuilder::chain_line(ir::TableKind tk, const Word& name, const Word* policy,
                             const ir::Counters* counters) {
  ir::Table& t = table(tk, name.loc);
  ir::Chain* c = t.find(name.text);
  if (c && c->builtin()) {
    // No nat check here: do_parse refuses DROP in nat for -P and -j only, and chain lines never
    // reach do_parse, so ":PREROUTING DROP" loads in nat.
    c->registered = true;  // nft_chain_set -> nft_chain_new
    if (policy->text == "ACCEPT") c->policy = ir::Policy::Accept;
    else if (policy->text == "DROP") c->policy = ir::Policy::Drop;
    else if (policy->text != "-")
      return fail(policy, name.loc, fmt::format("bad policy name '{}'", policy->text),
                  "a built-in chain's policy is ACCEPT or DROP");
    if (counters) c->counters = *counters;
    c->loc = name.loc;
    return true;
  }
  if (c) {
    c->rules.clear();  // re-declaring a user chain flushes it, as iptables-restore does
    return true;
  }
  t.add_user_chain(name.text, name.loc);
  return true;
}

ir::Chain* RuleBuilder::chain_for(ir::Table& t, const ParsedCommand& cmd, bool must_exist) {
  ir::Chain* c = t.find(cmd.chain);
  if (!c && must_exist) {
    std::string hint;
    for (const auto& other : rs_.tables)
      if (other && &*other != &t && other->find(cmd.chain))
        hint = fmt::format("chain '{}' exists in table '{}', not in '{}'", cmd.chain, other->name(), t.name());
    if (hint.empty())
      hint = ir::hook_from_name(cmd.chain)
                 ? fmt::format("table '{}' has no built-in chain {}", t.name(), cmd.chain)
                 : fmt::format("declare it first with ':{} - [0:0]' or -N {}", cmd.chain, cmd.chain);
    fail(cmd.chain_word, cmd.loc, fmt::format("chain '{}' does not exist", cmd.chain), hint);
  }
  return c;
}

bool RuleBuilder::check_jump(ir::Table& t, const ir::Rule& r) {
  if (r.target.type == ir::TargetType::Queue) {
    // iptables 1.8.9 treats QUEUE as a standard target, but nft.c add_action sends it as an
    // xtables target named "QUEUE", which no kernel has: RULE_APPEND fails with ENOENT.
    diags_.error(r.target.loc, "-j QUEUE cannot be loaded through iptables-nft",
                 "the kernel has no target named QUEUE; write -j NFQUEUE --queue-num 0 (the "
                 "queue QUEUE meant)",
                 5);
    return false;
  }
  if (r.target.type != ir::TargetType::Jump && r.target.type != ir::TargetType::Goto) return true;
  const ir::Chain* to = t.find(r.target.chain);
  if (!to) {
    std::vector<std::string_view> names;
    for (const auto& c : t.chains())
      if (!c.builtin()) names.push_back(c.name);
    std::string best = ir::closest(r.target.chain, names);
    diags_.error(r.target.loc, fmt::format("chain '{}' does not exist", r.target.chain),
                 best.empty() ? fmt::format("declare ':{} - [0:0]' before the rules that jump to it", r.target.chain)
                              : fmt::format("did you mean '{}'?", best),
                 static_cast<uint32_t>(r.target.chain.size()));
    return false;
  }
  if (to->builtin()) {
    diags_.error(r.target.loc, fmt::format("cannot jump to built-in chain '{}'", r.target.chain),
                 "only user-defined chains can be the target of -j or -g");
    return false;
  }
  return true;
}

bool RuleBuilder::apply(const ParsedCommand& cmd) {
  if (cmd.skipped) return true;
  // A command is one transaction: when it fails, a table it would have created stays absent.
  auto tk0 = ir::table_from_name(cmd.table);
  ir::Table* before = tk0 ? rs_.table(*tk0) : nullptr;
  std::vector<bool> registered;  // base chains the kernel has, restored when the command fails
  if (before)
    for (const auto& c : before->chains()) registered.push_back(c.registered);
  bool ok = apply_command(cmd);
  if (!ok && tk0 && !before) reset_table(*tk0);
  if (!ok && before)
    for (size_t i = 0; i < registered.size(); ++i) before->chains()[i].registered = registered[i];
  return ok;
}

bool RuleBuilder::apply_command(const ParsedCommand& cmd) {
  auto tk = ir::table_from_name(cmd.table);
  if (!tk) {
    diags_.error(cmd.table_loc.valid() ? cmd.table_loc : cmd.loc,
                 fmt::format("table '{}' does not exist", cmd.table),
                 "tables are filter, nat, mangle, raw and security");
    return false;
  }
  uint32_t op = cmd.command & ~(kCmdZero | kCmdZeroNum);
  if (op == 0) op = cmd.command;

  // Listing and checking change nothing, and must not create the table.
  ir::Table* existing = rs_.table(*tk);
  if (op & (kCmdList | kCmdListRules)) {
    if (!cmd.chain.empty() && !(existing && existing->find(cmd.chain)) &&
        !(ir::hook_from_name(cmd.chain) && [&] {
          for (ir::Hook h : ir::table_hooks(*tk))
            if (ir::hook_name(h) == cmd.chain) return true;
          return false;
        }()))
      return fail(cmd.chain_word, cmd.loc, fmt::format("chain '{}' does not exist", cmd.chain));
    return true;
  }

  // Flushing, zeroing or deleting every chain of a table that was never created changes
  // nothing and creates nothing.
  if (!existing && cmd.chain.empty() && (op == kCmdFlush || op == kCmdZero || op == kCmdDeleteChain))
    return true;
  bool builtin_name = false;
  for (ir::Hook h : ir::table_hooks(*tk))
    if (ir::hook_name(h) == cmd.chain) builtin_name = true;
  if ((op == kCmdZero || op == kCmdZeroNum) && builtin_name && !created(*tk, cmd.chain))
    return fail(cmd.chain_word, cmd.loc,
                fmt::format("built-in chain '{}' does not exist in the kernel yet", cmd.chain),
                "iptables-nft creates a base chain only when a rule, a policy or -F first needs it");
  ir::Table& t = table(*tk, cmd.loc);
  // -A, -I, -F CHAIN and -P create the base chain they name (Chain::registered).
  if (builtin_name && (op == kCmdAppend || op == kCmdInsert || op == kCmdFlush || op == kCmdSetPolicy))
    t.find(cmd.chain)->registered = true;
  switch (op) {
    case kCmdAppend:
    case kCmdInsert: {
      ir::Chain* c = chain_for(t, cmd, true);
      if (!c) return false;
      size_t at = 0;
      if (op == kCmdInsert) {
        at = cmd.rulenum - 1;
        if (at > c->rules.size())
          return fail(cmd.rulenum_word, cmd.loc,
                      fmt::format("index of insertion too big: chain '{}' has {} rule{}", c->name,
                                  c->rules.size(), c->rules.size() == 1 ? "" : "s"),
                      fmt::format("insert at 1 to {}", c->rules.size() + 1));
      }
      for (const ir::Rule& r0 : cmd.rules)
        if (!check_jump(t, r0)) return false;
      for (const ir::Rule& r0 : cmd.rules) {
        ir::Rule r = r0;
        ir::nft_canonicalize(r);
        if (op == kCmdAppend) c->rules.push_back(std::move(r));
        else c->rules.insert(c->rules.begin() + static_cast<std::ptrdiff_t>(at), std::move(r));
      }
      return true;
    }
    case kCmdDelete:
    case kCmdCheck: {
      ir::Chain* c = chain_for(t, cmd, true);
      if (!c) return false;
      for (const ir::Rule& r0 : cmd.rules) {
        ir::Rule r = r0;
        ir::nft_canonicalize(r);
        auto it = std::find_if(c->rules.begin(), c->rules.end(),
                               [&](const ir::Rule& x) { return same_as_listed(x, r); });
        if (it == c->rules.end())
          return fail(cmd.chain_word, cmd.loc,
                      fmt::format("bad rule: no matching rule exists in chain '{}'", c->name),
                      op == kCmdCheck ? "" : "-D with a rule spec deletes the first rule with exactly these criteria and target");
        if (op == kCmdDelete) c->rules.erase(it);
      }
      return true;
    }
    case kCmdDeleteNum:
    case kCmdReplace: {
      ir::Chain* c = chain_for(t, cmd, true);
      if (!c) return false;
      // nft_rule_replace() looks the rule up in a cache iptables-restore never fills: it fails
      // ("No chain/target/match by that name") or crashes (SIGSEGV) on every -R line.
      if (op == kCmdReplace && restore_)
        return fail(cmd.command_word, cmd.loc, "iptables-restore (nf_tables) cannot replace rules: -R fails or crashes it",
                    fmt::format("delete the rule and insert the new one: -D {} {} then -I {} {} ...", c->name,
                                cmd.rulenum, c->name, cmd.rulenum));
      if (cmd.rulenum == 0 || cmd.rulenum > c->rules.size())
        return fail(cmd.rulenum_word, cmd.loc,
                    fmt::format("chain '{}' has no rule {} (it has {})", c->name, cmd.rulenum,
                                c->rules.size()));
      if (op == kCmdDeleteNum) {
        c->rules.erase(c->rules.begin() + (cmd.rulenum - 1));
      } else {
        const ir::Rule& r0 = cmd.rules.front();
        if (!check_jump(t, r0)) return false;
        ir::Rule r = r0;
        ir::nft_canonicalize(r);
        c->rules[cmd.rulenum - 1] = std::move(r);
      }
      return true;
    }
    case kCmdFlush:
    case kCmdZero: {
      // nft_rule_flush() without a chain returns early when the table is not in the cache, and
      // iptables-restore starts with an empty cache: the rules stay.
      if (op == kCmdFlush && cmd.chain.empty() && restore_) return true;
      if (!cmd.chain.empty()) {
        ir::Chain* c = chain_for(t, cmd, true);
        if (!c) return false;
        if (op == kCmdFlush) c->rules.clear();
        else {
          c->counters = {};
          for (auto& r : c->rules) r.counters = {};
        }
        return true;
      }
      for (auto& c : t.chains()) {
        if (op == kCmdFlush) c.rules.clear();
        else {
          c.counters = {};
          for (auto& r : c.rules) r.counters = {};
        }
      }
      return true;
    }
    case kCmdZeroNum: {
      ir::Chain* c = chain_for(t, cmd, true);
      if (!c) return false;
      if (cmd.rulenum == 0 || cmd.rulenum > c->rules.size())
        return fail(cmd.rulenum_word, cmd.loc,
                    fmt::format("chain '{}' has no rule {} (it has {})", c->name, cmd.rulenum, c->rules.size()));
      c->rules[cmd.rulenum - 1].counters = {};
      return true;
    }
    case kCmdNewChain:
      if (t.find(cmd.chain))
        return fail(cmd.chain_word, cmd.loc, fmt::format("chain '{}' already exists", cmd.chain));
      t.add_user_chain(cmd.chain, cmd.chain_word ? cmd.chain_word->loc : cmd.loc);
      return true;
    case kCmdDeleteChain: {
      auto referenced = [&](std::string_view name) {
        for (const auto& ch : t.chains())
          for (const auto& r : ch.rules)
            if ((r.target.type == ir::TargetType::Jump || r.target.type == ir::TargetType::Goto) &&
                r.target.chain == name)
              return true;
        return false;
      };
      if (!cmd.chain.empty()) {
        ir::Chain* c = chain_for(t, cmd, true);
        if (!c) return false;
        if (c->builtin())
          return fail(cmd.chain_word, cmd.loc, fmt::format("cannot delete built-in chain '{}'", c->name));
        if (referenced(c->name))
          return fail(cmd.chain_word, cmd.loc, fmt::format("chain '{}' is still referenced by a rule", c->name),
                      "delete or change the rules that jump to it first");
        if (!c->rules.empty())
          return fail(cmd.chain_word, cmd.loc, fmt::format("chain '{}' is not empty", c->name),
                      fmt::format("flush it first with -F {}", c->name));
        t.erase_chain(cmd.chain);
        return true;
      }
      // Without a name: every user chain goes, and the kernel refuses (EBUSY) to delete one that
      // still has rules or is the target of a jump, failing the whole command.
      std::vector<std::string> names;
      for (const auto& ch : t.chains()) {
        if (ch.builtin()) continue;
        if (referenced(ch.name))
          return fail(cmd.command_word, cmd.loc,
                      fmt::format("cannot delete every user chain: chain '{}' is still referenced by a rule", ch.name),
                      "delete or change the rules that jump to it first");
        if (!ch.rules.empty())
          return fail(cmd.command_word, cmd.loc,
                      fmt::format("cannot delete every user chain: chain '{}' is not empty", ch.name),
                      fmt::format("flush it first with -F {}", ch.name));
        names.push_back(ch.name);
      }
      for (const auto& n : names) t.erase_chain(n);
      return true;
    }
    case kCmdRenameChain: {
      ir::Chain* c = chain_for(t, cmd, true);
      if (!c) return false;
      // iptables-nft 1.8.9 lets this through and renames the nf_tables base chain: the
      // renamed chain keeps filtering packets at its hook, but iptables-save can no longer
      // list it ("incompatible base-chains"). iptc refuses to model that state.
      // iptables-restore flushed the table at '*table', so the chain was created in this
      // transaction, and nf_tables renames by handle, which such a chain does not have yet:
      // "CHAIN_RENAME failed (No such file or directory)".
      if (restore_ && !c->builtin())
        return fail(cmd.command_word, cmd.loc,
                    fmt::format("iptables-restore (nf_tables) cannot rename chain '{}' created in the same file", c->name),
                    fmt::format("declare the chain as '{}' in the first place", cmd.newname));
      if (c->builtin())
        return fail(cmd.chain_word, cmd.loc, fmt::format("cannot rename built-in chain '{}'", c->name),
                    "iptables-nft accepts this but leaves a hidden base chain that iptables-save cannot list; iptc refuses it");
      if (t.find(cmd.newname))
        return fail(cmd.newname_word, cmd.loc, fmt::format("chain '{}' already exists", cmd.newname));
      t.rename_chain(cmd.chain, cmd.newname);
      return true;
    }
    case kCmdSetPolicy: {
      ir::Chain* c = t.find(cmd.chain);
      if (!c || !c->builtin())
        return fail(cmd.chain_word, cmd.loc, fmt::format("bad built-in chain name '{}'", cmd.chain),
                    "only built-in chains have a policy");
      if (cmd.policy == "ACCEPT") c->policy = ir::Policy::Accept;
      else if (cmd.policy == "DROP") c->policy = ir::Policy::Drop;
      else
        return fail(cmd.policy_word, cmd.loc, fmt::format("bad policy name '{}'", cmd.policy),
                    "a built-in chain's policy is ACCEPT or DROP");
      if (cmd.has_counters) c->counters = cmd.counters;
      return true;
    }
    default:
      return fail(cmd.command_word, cmd.loc, "this combination of commands is not supported");
  }
}

}  // namespace iptc::frontend
