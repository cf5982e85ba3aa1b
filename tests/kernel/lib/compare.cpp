// Packet-by-packet comparison of kernel and iptc answers (see compare.hpp).
#include "compare.hpp"

#include <map>
#include <set>
#include <sstream>
#include <tuple>

namespace iptc::kernel_test {

using nlohmann::json;

void CompareStats::add(const CompareStats& o) {
  compared += o.compared;
  agree += o.agree;
  kernel_drop += o.kernel_drop;
  kernel_error += o.kernel_error;
  unexplained += o.unexplained;
  unstable += o.unstable;
  missing += o.missing;
  extra += o.extra;
  actual_error += o.actual_error;
  unparsable += o.unparsable;
  mismatches.insert(mismatches.end(), o.mismatches.begin(), o.mismatches.end());
}

namespace {

std::string str_or(const json& j, const char* key, const std::string& dflt = "null") {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return dflt;
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

std::string norm_verdict(const std::string& v) {
  if (v == "NFQUEUE") return "QUEUE";
  if (v == "SYNPROXY") return "DROP";
  return v;
}

using RuleKey = std::tuple<std::string, std::string, std::string>;

std::vector<RuleKey> rule_list(const json& j) {
  std::vector<RuleKey> out;
  auto it = j.find("matched");
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& m : *it) {
    if (!m.is_object()) {
      out.emplace_back("?", "?", m.dump());
      continue;
    }
    out.emplace_back(str_or(m, "table"), str_or(m, "chain"), str_or(m, "rule"));
  }
  return out;
}

std::set<std::pair<std::string, std::string>> policy_set(const json& j) {
  std::set<std::pair<std::string, std::string>> out;
  auto it = j.find("policy");
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& p : *it)
    if (p.is_object()) out.emplace(str_or(p, "table"), str_or(p, "chain"));
  return out;
}

std::string fmt_rules(const std::vector<RuleKey>& l) {
  std::string s = "[";
  for (size_t i = 0; i < l.size(); ++i) {
    if (i) s += ", ";
    s += std::get<0>(l[i]) + "/" + std::get<1>(l[i]) + "#" + std::get<2>(l[i]);
  }
  return s + "]";
}

std::string fmt_egress(const json& e) {
  return str_or(e, "src") + ":" + str_or(e, "sport") + "->" + str_or(e, "dst") + ":" +
         str_or(e, "dport");
}

}  // namespace

std::vector<std::string> compare_packet(const json& e, const json& a, bool compare_ctstate) {
  std::vector<std::string> d;
  if (str_or(e, "path") != str_or(a, "path"))
    d.push_back("path " + str_or(e, "path") + " != " + str_or(a, "path"));
  std::string ev = norm_verdict(str_or(e, "verdict")), av = norm_verdict(str_or(a, "verdict"));
  if (ev != av) d.push_back("verdict " + ev + " != " + av);
  auto em = rule_list(e), am = rule_list(a);
  if (em != am) d.push_back("matched " + fmt_rules(em) + " != " + fmt_rules(am));
  auto ep = policy_set(e), ap = policy_set(a);
  if (ep != ap) {
    std::string s = "policy {";
    for (const auto& [t, c] : ep) s += t + "/" + c + " ";
    s += "} != {";
    for (const auto& [t, c] : ap) s += t + "/" + c + " ";
    d.push_back(s + "}");
  }
  auto eg = e.find("egress");
  if (eg != e.end() && eg->is_object()) {
    auto ag = a.find("egress");
    if (ag == a.end() || !ag->is_object()) {
      d.push_back("egress " + fmt_egress(*eg) + " != none");
    } else {
      for (const char* k : {"src", "dst", "sport", "dport"})
        if (str_or(*eg, k) != str_or(*ag, k)) {
          d.push_back("egress " + fmt_egress(*eg) + " != " + fmt_egress(*ag));
          break;
        }
    }
  }
  if (compare_ctstate && e.contains("ctstate") && !e["ctstate"].is_null()) {
    if (str_or(e, "ctstate") != str_or(a, "ctstate"))
      d.push_back("ctstate " + str_or(e, "ctstate") + " != " + str_or(a, "ctstate"));
  }
  return d;
}

CompareStats compare_jsonl(const std::string& expected, const std::string& actual,
                           bool compare_ctstate, size_t max_report) {
  CompareStats st;
  auto load = [&](const std::string& text, std::map<long, json>& rows, std::vector<long>& order) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      json j = json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object() || !j.contains("line") ||
          !j["line"].is_number_integer()) {
        ++st.unparsable;
        continue;
      }
      long k = j["line"].get<long>();
      if (rows.count(k)) continue;
      rows[k] = std::move(j);
      order.push_back(k);
    }
  };
  std::map<long, json> exp, act;
  std::vector<long> eorder, aorder;
  load(expected, exp, eorder);
  load(actual, act, aorder);
  for (long k : eorder) {
    const json& e = exp[k];
    if (e.contains("error")) {
      ++st.kernel_error;
      continue;
    }
    if (e.contains("unexplained")) {
      ++st.unexplained;
      continue;
    }
    if (e.contains("unstable")) {
      ++st.unstable;
      continue;
    }
    if (str_or(e, "verdict") == "KERNEL-DROP") {
      ++st.kernel_drop;
      continue;
    }
    ++st.compared;
    std::vector<std::string> d;
    auto it = act.find(k);
    if (it == act.end()) {
      d.push_back("missing from iptc's output");
      ++st.missing;
    } else if (it->second.contains("error")) {
      d.push_back("iptc error: " + str_or(it->second, "error"));
      ++st.actual_error;
    } else {
      d = compare_packet(e, it->second, compare_ctstate);
    }
    if (d.empty()) {
      ++st.agree;
      continue;
    }
    if (st.mismatches.size() < max_report) {
      std::string s = "line " + std::to_string(k) + ": ";
      for (size_t i = 0; i < d.size(); ++i) s += (i ? "; " : "") + d[i];
      s += "\n    packet: " + str_or(e, "packet", "");
      st.mismatches.push_back(std::move(s));
    }
  }
  for (long k : aorder)
    if (!exp.count(k)) ++st.extra;
  return st;
}

}  // namespace iptc::kernel_test
