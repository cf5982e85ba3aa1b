// The counter walk (see walk.hpp).
#include "walk.hpp"

#include <map>

namespace iptc::kernel_test {

const char* hook_name(Hook h) {
  switch (h) {
    case Hook::kPrerouting: return "PREROUTING";
    case Hook::kInput: return "INPUT";
    case Hook::kForward: return "FORWARD";
    case Hook::kOutput: return "OUTPUT";
    case Hook::kPostrouting: return "POSTROUTING";
  }
  return "?";
}

const std::vector<std::string>& tables_at(Hook h) {
  static const std::vector<std::string> kPre = {"raw", "mangle", "nat"};
  static const std::vector<std::string> kIn = {"mangle", "filter", "security", "nat"};
  static const std::vector<std::string> kFwd = {"mangle", "filter", "security"};
  static const std::vector<std::string> kOut = {"raw", "mangle", "nat", "filter", "security"};
  static const std::vector<std::string> kPost = {"mangle", "nat"};
  switch (h) {
    case Hook::kPrerouting: return kPre;
    case Hook::kInput: return kIn;
    case Hook::kForward: return kFwd;
    case Hook::kOutput: return kOut;
    case Hook::kPostrouting: return kPost;
  }
  return kPre;
}

namespace {

enum class Outcome : uint8_t { kFallOff, kReturn, kAccept, kDrop, kReject, kQueue, kSynproxy };

using Key = std::pair<std::string, std::string>;

struct Walker {
  const Listing& listing;
  const std::set<std::string>& user_tables;
  std::map<Key, std::vector<uint64_t>> rem;  // remaining rule counts
  std::map<Key, uint64_t> rem_policy;
  WalkResult& res;
  // Where the last terminating decision was taken.
  std::string at_table, at_chain;
  uint32_t at_rule = 0;
  bool touched = false;
  bool synproxy_consumes = true;

  Outcome walk_chain(const SavedTable& t, const SavedChain& c, int depth,
                     std::vector<MatchedEntry>& out) {
    if (depth > 64) {
      res.unexplained = "chain nesting deeper than 64 in " + t.name + "/" + c.name;
      return Outcome::kDrop;
    }
    auto& counts = rem[{t.name, c.name}];
    for (size_t i = 0; i < c.rules.size(); ++i) {
      res.evaluated.push_back(&c.rules[i]);
      if (i >= counts.size() || counts[i] == 0) continue;
      --counts[i];
      touched = true;
      const SavedRule& r = c.rules[i];
      if (!r.hidden && user_tables.count(t.name)) {
        MatchedEntry m;
        m.table = t.name;
        m.chain = c.name;
        m.rule = r.number;
        m.text = r.text;
        m.target = r.target;
        m.line = r.line;
        out.push_back(std::move(m));
      }
      auto decide = [&](Outcome o) {
        at_table = t.name;
        at_chain = c.name;
        at_rule = r.number;
        return o;
      };
      switch (r.cls) {
        case TargetClass::kContinue:
        case TargetClass::kUnknown: break;
        case TargetClass::kAccept:
        case TargetClass::kQueueBypass: return decide(Outcome::kAccept);
        case TargetClass::kDrop: return decide(Outcome::kDrop);
        case TargetClass::kReject: return decide(Outcome::kReject);
        case TargetClass::kQueue: return decide(Outcome::kQueue);
        case TargetClass::kSynproxy:
          if (!synproxy_consumes) break;
          return decide(Outcome::kSynproxy);
        case TargetClass::kReturn: return Outcome::kReturn;
        case TargetClass::kJump:
        case TargetClass::kGoto: {
          const SavedChain* sub = t.find(r.target_chain);
          if (!sub) {
            res.unexplained = "jump to unknown chain " + r.target_chain;
            return Outcome::kDrop;
          }
          Outcome o = walk_chain(t, *sub, depth + 1, out);
          if (o == Outcome::kFallOff || o == Outcome::kReturn) {
            // A goto's end returns to the caller of this chain; a jump's to the next rule.
            if (r.cls == TargetClass::kGoto) return Outcome::kReturn;
            break;
          }
          return o;
        }
      }
    }
    return Outcome::kFallOff;
  }
};

std::string outcome_verdict(Outcome o) {
  switch (o) {
    case Outcome::kDrop: return "DROP";
    case Outcome::kReject: return "REJECT";
    case Outcome::kQueue: return "QUEUE";
    case Outcome::kSynproxy: return "SYNPROXY";
    case Outcome::kAccept:
    case Outcome::kFallOff:
    case Outcome::kReturn: return "ACCEPT";
  }
  return "ACCEPT";
}

}  // namespace

WalkResult walk_counters(const WalkInput& in) {
  WalkResult res;
  Walker w{*in.listing, *in.user_tables, {}, {}, res, {}, {}, 0, false, in.synproxy_consumes};
  // 1. Deltas; the hidden probes are read off and set aside where they are not part of any
  // packet's walk (the kernel-output drop rule counts only the kernel's own packets).
  for (const auto& [key, after] : in.after->rules) {
    auto it = in.before->rules.find(key);
    std::vector<uint64_t> d(after.size(), 0);
    for (size_t i = 0; i < after.size(); ++i) {
      uint64_t b = (it != in.before->rules.end() && i < it->second.size()) ? it->second[i] : 0;
      d[i] = after[i] >= b ? after[i] - b : 0;
    }
    const SavedTable* t = in.listing->find(key.first);
    const SavedChain* c = t ? t->find(key.second) : nullptr;
    if (c) {
      for (size_t i = 0; i < c->rules.size() && i < d.size(); ++i) {
        const SavedRule& r = c->rules[i];
        if (!r.hidden || d[i] == 0) continue;
        for (size_t k = 0; k + 1 < r.words.size(); ++k) {
          if (r.words[k] != "--comment") continue;
          const std::string& tag = r.words[k + 1];
          if (tag.find(":kernel-out") != std::string::npos) {
            res.kernel_sent += d[i];
            d[i] = 0;
          } else if (auto p = tag.find(":ct:"); p != std::string::npos && !res.ctstate) {
            res.ctstate = tag.substr(p + 4);
          } else if (tag.find(":passed") != std::string::npos) {
            res.passed_filter = true;
          }
        }
      }
    }
    w.rem[key] = std::move(d);
  }
  for (const auto& [key, after] : in.after->policies) {
    auto it = in.before->policies.find(key);
    uint64_t b = it != in.before->policies.end() ? it->second : 0;
    w.rem_policy[key] = after >= b ? after - b : 0;
  }
  // 2. Hooks in order, tables by priority.
  bool decided = false;
  for (Hook h : in.hook_order) {
    bool reached = false;
    for (const std::string& tname : tables_at(h)) {
      const SavedTable* t = in.listing->find(tname);
      if (!t) continue;
      const SavedChain* c = t->find(hook_name(h));
      if (!c) continue;
      std::vector<MatchedEntry> matched;
      w.at_table.clear();
      w.touched = false;
      Outcome o = w.walk_chain(*t, *c, 0, matched);
      bool policy_hit = false;
      if (o == Outcome::kFallOff || o == Outcome::kReturn) {
        auto& pol = w.rem_policy[{tname, c->name}];
        // iptables-nft creates the built-in chains of a table made by `-I` alone without
        // chain counters (the harness's own probe tables): there, the probe that counted
        // shows the table ran, and its policy is what ended it.
        bool no_counter = !in.after->policies.count({tname, c->name});
        if (pol > 0 || (no_counter && w.touched)) {
          if (pol > 0) --pol;
          policy_hit = true;
          if (in.user_tables->count(tname)) res.policies.push_back({tname, c->name, c->policy});
          o = c->policy == "DROP" ? Outcome::kDrop : Outcome::kAccept;
          w.at_table = tname;
          w.at_chain = c->name;
          w.at_rule = 0;
        }
      }
      // A table saw the packet when something in it counted: a rule (listed or one of the
      // hidden probes) or the policy.
      if (!w.touched && !policy_hit) continue;
      reached = true;
      for (auto& m : matched) res.matched.push_back(std::move(m));
      if (decided) {
        if (res.unexplained.empty())
          res.unexplained = std::string("counts in ") + tname + "/" + hook_name(h) +
                            " after the packet was already " + res.verdict;
        continue;
      }
      if (o == Outcome::kFallOff || o == Outcome::kReturn) {
        // The packet entered the table but neither a terminating rule nor the policy counted:
        // a match dropped it on the way (hotdrop), which counters cannot show directly.
        decided = true;
        res.verdict = "DROP";
        res.hotdrop = true;
        res.verdict_hook = h;
        res.verdict_table = tname;
        res.verdict_chain = c->name;
        res.verdict_rule = 0;
        if (!matched.empty() || !res.matched.empty()) {
          const MatchedEntry& last = res.matched.back();
          if (last.table == tname) res.hotdrop_after = last.chain + "#" + std::to_string(last.rule);
        }
        continue;
      }
      if (o != Outcome::kAccept) {
        decided = true;
        res.verdict = outcome_verdict(o);
        res.verdict_hook = h;
        res.verdict_table = w.at_table;
        res.verdict_chain = w.at_chain;
        res.verdict_rule = w.at_rule;
      }
    }
    if (reached) res.hooks.push_back(h);
  }
  // A match that drops the packet before anything in its table counted (hotdrop in the first
  // rules of filter, e.g. -m esp on a cut header) leaves no count in filter at all: the
  // packet reached the hook (mangle's probe counted) but never security's "passed" probe.
  if (!decided && !res.passed_filter) {
    for (Hook h : res.hooks) {
      if (h != Hook::kInput && h != Hook::kForward && h != Hook::kOutput) continue;
      const SavedTable* t = in.listing->find("filter");
      if (!t || !t->find(hook_name(h)) || !in.user_tables->count("filter")) continue;
      decided = true;
      res.verdict = "DROP";
      res.hotdrop = true;
      res.verdict_hook = h;
      res.verdict_table = "filter";
      res.verdict_chain = hook_name(h);
      res.verdict_rule = 0;
      break;
    }
  }
  // 3. Every count must have been explained by the walk.
  for (const auto& [key, counts] : w.rem) {
    for (size_t i = 0; i < counts.size(); ++i) {
      if (counts[i] == 0) continue;
      if (res.unexplained.empty())
        res.unexplained = "rule " + std::to_string(i + 1) + " of " + key.first + "/" +
                          key.second + " counted " + std::to_string(counts[i]) +
                          " more than the walk visited it";
    }
  }
  for (const auto& [key, n] : w.rem_policy) {
    if (n && res.unexplained.empty())
      res.unexplained = "policy of " + key.first + "/" + key.second + " counted " +
                        std::to_string(n) + " more than the walk reached it";
  }
  // Count of visits per rule, as the oracle reports it (a rule visited twice says 2).
  std::map<std::tuple<std::string, std::string, uint32_t>, uint64_t> visits;
  for (const auto& m : res.matched) ++visits[{m.table, m.chain, m.rule}];
  for (auto& m : res.matched) m.count = visits[{m.table, m.chain, m.rule}];
  return res;
}

}  // namespace iptc::kernel_test
