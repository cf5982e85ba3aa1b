// Random rule sets for the kernel agreement test: a generator of valid iptables-save files built
// from option spellings declared in generator.cpp (one table of templates per kind, with the
// kernel's table, hook and protocol constraints), and a mutator that breaks a valid file in one
// place and says which line iptc must blame. Deterministic for a seed on every platform (own
// PRNG, no std:: distributions).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace iptc::test::gen {

/// splitmix64.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next();
  /// Uniform in [0, n) (0 when n == 0).
  size_t below(size_t n);
  /// Uniform in [lo, hi].
  int64_t range(int64_t lo, int64_t hi);
  bool chance(int percent) { return below(100) < static_cast<size_t>(percent); }
  template <typename T>
  const T& pick(const std::vector<T>& v) { return v[below(v.size())]; }

 private:
  uint64_t s_;
};

/// The match and target kinds of the foundation issue, by their iptables spelling.
const std::vector<std::string>& all_kinds();

/// The kinds to generate: IPTC_GEN_KINDS ("all" (default), "implemented" (the kinds whose rows
/// are not placeholders), or a comma-separated list such as "tcp,udp,LOG").
std::set<std::string> kinds_from_env();

/// ipsets the generated rules refer to; created in the namespace before the first load.
const std::vector<std::vector<std::string>>& ipset_commands();

struct TableInfo {
  std::string name;
  int header_line = 0;  ///< 1-based line of "*name"
  int commit_line = 0;
  std::vector<std::string> builtin_chains;
  std::vector<std::string> user_chains;
  std::vector<std::pair<std::string, uint8_t>> reach;  ///< chain -> hooks that reach it (bits)
  std::vector<std::pair<std::string, std::string>> edges;  ///< jumps and gotos: (from, to)
  std::vector<int> rule_lines;  ///< 1-based
};

struct RuleSet {
  std::vector<std::string> lines;  ///< without newlines
  std::vector<TableInfo> tables;
  [[nodiscard]] std::string text() const;
  [[nodiscard]] uint8_t reach_of(size_t table, const std::string& chain) const;
  [[nodiscard]] std::string chain_of_line(int line) const;
};

RuleSet generate(Rng& rng, const std::set<std::string>& kinds);

struct Mutation {
  std::string text;
  std::string what;              ///< which mutation, where
  std::vector<uint32_t> lines;   ///< acceptable lines for iptc's first error (when it rejects)
};

/// Breaks the rule set in one place: a missing COMMIT, an unknown option or module, a bad CIDR or
/// port, an undefined chain, a jump loop, a target in the wrong table, a match or target in a
/// chain reached from a hook it refuses (directly or through user chains), -o in INPUT, a
/// duplicate option, a stray '!', a truncated line, a misspelt table or policy, DROP in nat, or
/// an edge value ("65536", "2:1", "1/33", "0x100000000", ...) as some option's argument. Some
/// mutations leave a file the kernel still loads (a truncation at a word boundary, an edge value
/// in range). Never fails: falls back to a mutation that always applies.
Mutation mutate(const RuleSet& rs, Rng& rng, const std::set<std::string>& kinds);

/// The same rule set with other spellings that getopt_long and add_param_to_argv may or may not
/// take as the same thing: long forms of the short options (--source, --jump, ...), unique or
/// ambiguous abbreviations of long options, "--option=value", quoted words, extra blanks, hex
/// port numbers. Whether the result still loads is for the kernel to say; only agreement and
/// the absence of crashes are checked.
std::string respell(const RuleSet& rs, Rng& rng);

}  // namespace iptc::test::gen
