// Kernel load-time checks (see verify.hpp). The idea, from net/netfilter/nf_tables_api.c and
// nft_compat.c:
//  1. from every base chain the jump graph is walked at most 16 levels deep
//     (NFT_JUMP_STACK_SIZE), so a cycle reachable from a base chain is refused while one among
//     chains no base chain reaches loads (kernel 6.x: "Too many links"), and every xtables match
//     and target on the way is validated against that base chain's hook (nft_match_validate /
//     nft_target_validate);
//  2. each xtables match and target checks its table and protocol when it is created
//     (xt_check_match / xt_check_target), whether or not its chain is reachable;
//  3. iptables-nft's own payload compares: an inverted address with a zero mask asks for a
//     zero-length compare, which the kernel refuses.
// Native nf_tables expressions (iptables-nft's encodings of tcp/udp ports, ..., and of the
// NFLOG target) carry no such checks, so they are skipped.
#include "iptc/ir/verify.hpp"

#include <algorithm>
#include <functional>

#include <fmt/format.h>

#include "iptc/ir/kinds.hpp"
#include "iptc/ir/nft_canon.hpp"
#include "iptc/ir/values.hpp"

namespace iptc::ir {

namespace {

constexpr int kJumpStackSize = 16;

std::string hooks_text(HookMask m) {
  std::string s;
  for (size_t h = 0; h < kHookCount; ++h)
    if (m & (1u << h)) {
      if (!s.empty()) s += ", ";
      s += hook_name(static_cast<Hook>(h));
    }
  return s;
}

std::string proto_text(uint8_t p) {
  if (auto n = protocol_name(p)) return std::string(*n);
  return std::to_string(p);
}

bool is_jump(const Rule& r) {
  return r.target.type == TargetType::Jump || r.target.type == TargetType::Goto;
}

/// Cycle check: a cycle reachable from a built-in chain (the kernel finds cycles while it
/// validates from base chains, so a cycle among unreachable chains loads). Reports the jump
/// written last in the cycle.
void check_loops(const Table& t, Diagnostics& diags, bool& ok) {
  const auto& chains = t.chains();
  std::vector<int> state(chains.size(), 0);  // 0 new, 1 on stack, 2 done
  std::vector<std::pair<size_t, size_t>> path;  // (chain, rule) edges on the stack
  std::function<void(size_t)> dfs = [&](size_t ci) {
    state[ci] = 1;
    const Chain& c = chains[ci];
    for (size_t ri = 0; ri < c.rules.size(); ++ri) {
      const Rule& r = c.rules[ri];
      if (!is_jump(r)) continue;
      const Chain* to = t.find(r.target.chain);
      if (!to) continue;
      size_t ti = static_cast<size_t>(to - chains.data());
      path.emplace_back(ci, ri);
      if (state[ti] == 1) {
        // The cycle is the suffix of path starting at the first edge out of chain ti.
        size_t start = path.size() - 1;
        while (start > 0 && path[start].first != ti) --start;
        const Rule* last = &chains[path.back().first].rules[path.back().second];
        std::string cycle;
        for (size_t k = start; k < path.size(); ++k) {
          const Rule& e = chains[path[k].first].rules[path[k].second];
          if (e.loc.line > last->loc.line) last = &e;
          cycle += chains[path[k].first].name + " -> ";
        }
        cycle += to->name;
        diags.error(last->target.loc.valid() ? last->target.loc : last->loc,
                    fmt::format("jump to chain '{}' creates a loop", last->target.chain),
                    fmt::format("the chains jump in a circle: {}", cycle));
        ok = false;
      } else if (state[ti] == 0) {
        dfs(ti);
      }
      path.pop_back();
    }
    state[ci] = 2;
  };
  for (size_t i = 0; i < chains.size(); ++i)
    if (state[i] == 0 && chains[i].builtin()) dfs(i);
}

/// Depth check from each base chain, as nft_chain_validate walks it.
void check_depth(const Table& t, Diagnostics& diags, bool& ok) {
  const auto& chains = t.chains();
  std::vector<int> depth(chains.size(), -1);  // longest path seen from any base chain
  std::function<bool(size_t, int)> walk = [&](size_t ci, int level) {
    if (depth[ci] >= level) return true;
    depth[ci] = level;
    for (const Rule& r : chains[ci].rules) {
      if (!is_jump(r)) continue;
      const Chain* to = t.find(r.target.chain);
      if (!to) continue;
      if (level + 1 >= kJumpStackSize) {
        diags.error(r.target.loc.valid() ? r.target.loc : r.loc,
                    fmt::format("jump to '{}' nests chains too deeply (the kernel allows {} levels)",
                                r.target.chain, kJumpStackSize - 1),
                    "flatten the chain structure");
        ok = false;
        return false;
      }
      if (!walk(static_cast<size_t>(to - chains.data()), level + 1)) return false;
    }
    return true;
  };
  for (size_t i = 0; i < chains.size(); ++i)
    if (chains[i].builtin()) walk(i, 0);
}

}  // namespace

std::vector<HookMask> reachable_hooks(const Table& t) {
  const auto& chains = t.chains();
  std::vector<HookMask> mask(chains.size(), 0);
  std::vector<size_t> work;
  for (size_t i = 0; i < chains.size(); ++i)
    if (chains[i].builtin()) {
      mask[i] = hook_bit(*chains[i].hook);
      work.push_back(i);
    }
  while (!work.empty()) {
    size_t ci = work.back();
    work.pop_back();
    for (const Rule& r : chains[ci].rules) {
      if (!is_jump(r)) continue;
      const Chain* to = t.find(r.target.chain);
      if (!to) continue;
      size_t ti = static_cast<size_t>(to - chains.data());
      HookMask m = static_cast<HookMask>(mask[ti] | mask[ci]);
      if (m != mask[ti]) {
        mask[ti] = m;
        work.push_back(ti);
      }
    }
  }
  return mask;
}

bool verify(const Ruleset& rs, Diagnostics& diags) {
  bool ok = true;
  for (const auto& t : rs.tables) {
    if (!t) continue;
    check_loops(*t, diags, ok);
    if (ok) check_depth(*t, diags, ok);
    auto hooks = reachable_hooks(*t);
    const auto& chains = t->chains();
    for (size_t ci = 0; ci < chains.size(); ++ci) {
      const Chain& c = chains[ci];
      for (const Rule& r : c.rules) {
        // add_addr() compares as many bytes as the mask covers: none for a zero mask, and the
        // kernel refuses a zero-length payload compare, which "! -s X/0" asks for.
        auto zero_mask = [&](bool inv, const Ipv4Net& n, SourceLoc loc, char letter) {
          if (!inv || n.mask != 0) return;
          diags.error(loc.valid() ? loc : r.loc,
                      fmt::format("'! -{} {}/0' is refused by the kernel (it would compare zero bytes)", letter,
                                  ipv4_to_string(n.addr)),
                      "an inverted /0 never matches; remove the rule or give a real mask");
          ok = false;
        };
        zero_mask(r.ip.inv_src, r.ip.src, r.ip.src_loc, 's');
        zero_mask(r.ip.inv_dst, r.ip.dst, r.ip.dst_loc, 'd');
        KernelCheckCall call{t->kind(), hooks[ci], &r.ip, c.builtin()};
        auto check = [&](std::string_view what, std::string_view name, uint8_t proto,
                         HookMask legal, std::optional<TableKind> only, SourceLoc loc,
                         std::string extra) {
          std::string hint_path =
              c.builtin() ? "" : fmt::format(" (chain '{}' is reached from {})", c.name, hooks_text(hooks[ci]));
          // A target's location is its name; a match's is the "-m" word.
          auto len = static_cast<uint32_t>(what == "target" ? name.size() : 2);
          if (only && *only != t->kind()) {
            diags.error(loc, fmt::format("{} '{}' is only valid in the {} table", what, name, table_name(*only)),
                        fmt::format("move the rule to table '{}'", table_name(*only)), len);
            return false;
          }
          if (proto && (r.ip.proto != proto || r.ip.inv_proto)) {
            diags.error(loc, fmt::format("{} '{}' needs '-p {}'", what, name, proto_text(proto)),
                        fmt::format("add '-p {}' to the rule", proto_text(proto)), len);
            return false;
          }
          if (hooks[ci] && (hooks[ci] & ~legal)) {
            diags.error(loc,
                        fmt::format("{} '{}' cannot be used in {}{}", what, name,
                                    hooks_text(static_cast<HookMask>(hooks[ci] & ~legal)), hint_path),
                        fmt::format("'{}' is valid only in {}", name, hooks_text(legal)), len);
            return false;
          }
          if (!extra.empty()) {
            diags.error(loc, std::move(extra), {}, len);
            return false;
          }
          return true;
        };
        for (const Match& m : r.matches) {
          if (nft_is_native(m)) continue;
          const MatchDef& d = match_def(m.kind());
          std::string extra = d.kernel_check ? d.kernel_check(call, m.data) : std::string{};
          if (!check("match", d.name, d.proto, d.hooks, d.only_table, m.loc, std::move(extra)))
            ok = false;
        }
        if (r.target.type == TargetType::Extension && !nft_target_is_native(r.target)) {
          const TargetDef& d = target_def(r.target.kind());
          std::string extra = d.kernel_check ? d.kernel_check(call, r.target.data) : std::string{};
          if (!check("target", d.name, d.proto, d.hooks, d.only_table, r.target.loc, std::move(extra)))
            ok = false;
        }
      }
    }
  }
  return ok;
}

}  // namespace iptc::ir
