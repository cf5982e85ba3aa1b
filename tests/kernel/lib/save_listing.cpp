// iptables-save listing reader (see save_listing.hpp).
#include "save_listing.hpp"

#include <map>

#include "common.hpp"

namespace iptc::kernel_test {

const SavedChain* SavedTable::find(std::string_view chain) const {
  for (const auto& c : chains)
    if (c.name == chain) return &c;
  return nullptr;
}
SavedChain* SavedTable::find(std::string_view chain) {
  for (auto& c : chains)
    if (c.name == chain) return &c;
  return nullptr;
}
const SavedTable* Listing::find(std::string_view table) const {
  for (const auto& t : tables)
    if (t.name == table) return &t;
  return nullptr;
}
SavedTable* Listing::find(std::string_view table) {
  for (auto& t : tables)
    if (t.name == table) return &t;
  return nullptr;
}

const std::vector<std::string>& builtin_chains(std::string_view table) {
  static const std::map<std::string, std::vector<std::string>, std::less<>> kChains = {
      {"filter", {"INPUT", "FORWARD", "OUTPUT"}},
      {"nat", {"PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"}},
      {"mangle", {"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"}},
      {"raw", {"PREROUTING", "OUTPUT"}},
      {"security", {"INPUT", "FORWARD", "OUTPUT"}},
  };
  static const std::vector<std::string> kNone;
  auto it = kChains.find(table);
  return it == kChains.end() ? kNone : it->second;
}

std::vector<std::string> tokenize_rule(std::string_view line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    if (i >= line.size()) break;
    std::string w;
    bool quoted = false;
    while (i < line.size()) {
      char c = line[i];
      if (!quoted && (c == ' ' || c == '\t' || c == '\r')) break;
      if (c == '"') {
        quoted = !quoted;
        ++i;
        continue;
      }
      if (c == '\\' && quoted && i + 1 < line.size()) {
        w += line[i + 1];
        i += 2;
        continue;
      }
      w += c;
      ++i;
    }
    out.push_back(std::move(w));
  }
  return out;
}

TargetClass classify_target(std::string_view name, const std::vector<std::string>& opts) {
  if (name.empty()) return TargetClass::kContinue;
  if (name == "ACCEPT") return TargetClass::kAccept;
  if (name == "DROP") return TargetClass::kDrop;
  if (name == "RETURN") return TargetClass::kReturn;
  if (name == "REJECT") return TargetClass::kReject;
  if (name == "QUEUE") return TargetClass::kQueue;
  if (name == "NFQUEUE") {
    for (const auto& o : opts)
      if (o == "--queue-bypass") return TargetClass::kQueueBypass;
    return TargetClass::kQueue;
  }
  // nf_nat's targets answer NF_ACCEPT once the binding is set up.
  if (name == "SNAT" || name == "DNAT" || name == "MASQUERADE" || name == "REDIRECT" ||
      name == "NETMAP" || name == "TPROXY")
    return TargetClass::kAccept;
  if (name == "SYNPROXY") return TargetClass::kSynproxy;
  static const char* const kContinuing[] = {
      "LOG",   "NFLOG",     "ULOG",   "MARK",      "CONNMARK", "TOS",       "DSCP",
      "TTL",   "TCPMSS",    "NOTRACK", "CT",       "TRACE",    "CHECKSUM",  "SET",
      "CLASSIFY", "SECMARK", "CONNSECMARK", "IDLETIMER", "LED", "RATEEST", "AUDIT",
      "HMARK", "TEE",       "TCPOPTSTRIP", "ECN",  "HL",       "CLUSTERIP"};
  for (const char* k : kContinuing)
    if (name == k) return TargetClass::kContinue;
  return TargetClass::kUnknown;
}

bool parse_listing(std::string_view text, Listing& out, std::string& err) {
  out = {};
  SavedTable* table = nullptr;
  uint32_t lineno = 0;
  size_t pos = 0;
  std::vector<std::pair<SavedRule, std::string>> pending;  // rule, chain; resolved at COMMIT
  auto resolve = [&]() -> bool {
    for (auto& [r, chain] : pending) {
      SavedChain* c = table->find(chain);
      if (!c) {
        err = "line " + std::to_string(r.line) + ": rule in unknown chain " + chain;
        return false;
      }
      if (r.cls == TargetClass::kUnknown && table->find(r.target)) r.cls = TargetClass::kJump;
      if (r.cls == TargetClass::kJump || r.cls == TargetClass::kGoto) r.target_chain = r.target;
      if (!r.hidden) {
        uint32_t n = 0;
        for (const auto& o : c->rules)
          if (!o.hidden) ++n;
        r.number = n + 1;
      }
      c->rules.push_back(std::move(r));
    }
    pending.clear();
    return true;
  };
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = trim(text.substr(pos, nl - pos));
    pos = nl + 1;
    ++lineno;
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '*') {
      out.tables.push_back({std::string(line.substr(1)), {}});
      table = &out.tables.back();
      continue;
    }
    if (!table) {
      err = "line " + std::to_string(lineno) + ": outside a table";
      return false;
    }
    if (line == "COMMIT") {
      if (!resolve()) return false;
      table = nullptr;
      continue;
    }
    if (line[0] == ':') {
      auto w = split_ws(line.substr(1));
      if (w.empty()) {
        err = "line " + std::to_string(lineno) + ": empty chain line";
        return false;
      }
      SavedChain c;
      c.name = w[0];
      c.policy = w.size() > 1 ? w[1] : "-";
      c.builtin = c.policy != "-";
      table->chains.push_back(std::move(c));
      continue;
    }
    auto words = tokenize_rule(line);
    if (words.size() < 2 || words[0] != "-A") {
      err = "line " + std::to_string(lineno) + ": expected -A CHAIN";
      return false;
    }
    SavedRule r;
    r.text = std::string(line);
    r.line = lineno;
    std::string chain = words[1];
    r.words.assign(words.begin() + 2, words.end());
    // The target is the last -j/-g (iptables-save prints it after all matches).
    for (size_t k = 0; k + 1 < r.words.size(); ++k) {
      if (r.words[k] == "-j" || r.words[k] == "-g") {
        r.target = r.words[k + 1];
        std::vector<std::string> opts(r.words.begin() + long(k) + 2, r.words.end());
        r.cls = r.words[k] == "-g" ? TargetClass::kGoto : classify_target(r.target, opts);
      }
      if (r.words[k] == "--comment" && r.words[k + 1].find(kHiddenTag) != std::string::npos)
        r.hidden = true;
    }
    pending.emplace_back(std::move(r), chain);
  }
  if (table && !resolve()) return false;
  return true;
}

}  // namespace iptc::kernel_test
