// The kind recordings, checked offline: every case of tests/kinds/NAME.cases (directives @table,
// @chain, @chains, @before, @setup as tools/record-kinds defines them) against the kernel's
// verdict and listing in NAME.expected (written by tools/record-kinds from real loads, never by
// iptc). This is tools/check-kinds in C++, so CI needs no python: iptc must accept exactly the
// cases the kernel accepted and list exactly the -A lines the kernel listed.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "test_support.hpp"

namespace iptc::test {
namespace {

struct KindCase {
  int line = 0;  ///< in the .cases file
  std::string table = "filter", chain = "INPUT";
  std::vector<std::string> chains;
  std::vector<std::string> before;  ///< whole rule lines loaded before the case (@before)
  std::string spec;
  /// The rule set iptables-restore was given (exactly as tools/record-kinds builds it).
  [[nodiscard]] std::string text() const {
    std::string t = "*" + table + "\n";
    for (const auto& c : chains) t += ":" + c + " - [0:0]\n";
    for (const auto& b : before) t += b + "\n";
    t += "-A " + chain + " " + spec + "\nCOMMIT\n";
    return t;
  }
};

struct Recording {
  std::string spec, verdict, listed;
};

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

/// The directives of tools/record-kinds; @setup only matters to the kernel.
std::vector<KindCase> read_cases(const std::string& text) {
  std::vector<KindCase> out;
  KindCase cur;
  int n = 0;
  for (const std::string& line : split_lines(text)) {
    ++n;
    std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    if (line.starts_with("@table ")) {
      cur.table = trim(line.substr(7));
    } else if (line.starts_with("@chain ")) {
      cur.chain = trim(line.substr(7));
    } else if (line.starts_with("@chains")) {
      cur.chains.clear();
      std::string rest = trim(line.substr(7));
      size_t pos = 0;
      while (pos <= rest.size()) {
        size_t comma = rest.find(',', pos);
        std::string c = rest.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
        if (!c.empty()) cur.chains.push_back(c);
        if (comma == std::string::npos) break;
        pos = comma + 1;
      }
    } else if (line.starts_with("@before")) {
      // "@before LINE" adds a line loaded before each following case; a bare "@before" clears.
      std::string rest = trim(line.substr(7));
      if (rest.empty()) cur.before.clear();
      else cur.before.push_back(rest);
    } else if (line.starts_with("@setup ")) {
      continue;
    } else {
      KindCase c = cur;
      c.line = n;
      c.spec = line;
      out.push_back(c);
    }
  }
  return out;
}

std::vector<Recording> read_recordings(const std::string& text) {
  std::vector<Recording> out;
  for (const std::string& line : split_lines(text)) {
    if (line.empty()) continue;
    Recording r;
    size_t t1 = line.find('\t');
    size_t t2 = t1 == std::string::npos ? t1 : line.find('\t', t1 + 1);
    if (t2 == std::string::npos) {
      r.spec = line;
      r.verdict = "MALFORMED";
    } else {
      r.spec = line.substr(0, t1);
      r.verdict = line.substr(t1 + 1, t2 - t1 - 1);
      r.listed = line.substr(t2 + 1);
    }
    out.push_back(r);
  }
  return out;
}

std::string kinds_dir() { return source_dir() + "/tests/kinds"; }

std::vector<std::string> kind_names() {
  std::vector<std::string> names;
  for (const auto& f : list_dir(kinds_dir(), ".cases")) names.push_back(f.substr(0, f.size() - 6));
  return names;
}

/// The -A lines of iptc's listing, joined as the recording joins them.
std::string listed_rules(const std::string& printed) {
  std::string out;
  for (const auto& l : split_lines(printed))
    if (l.starts_with("-A ")) out += (out.empty() ? "" : " || ") + l;
  return out;
}

}  // namespace

TEST_CASE("kind recordings: iptc agrees with the kernel on every case", "[kinds]") {
  auto names = kind_names();
  REQUIRE_FALSE(names.empty());
  bool any = false;
  for (const std::string& name : names) {
    if (!only_filter().empty() && only_filter() != name) continue;
    any = true;
    auto cases_text = read_file(kinds_dir() + "/" + name + ".cases");
    auto expected_text = read_file(kinds_dir() + "/" + name + ".expected");
    INFO("recording " << name << ".cases");
    REQUIRE(cases_text);
    REQUIRE(expected_text);  // run tools/record-kinds (root) after adding cases
    auto cases = read_cases(*cases_text);
    auto recs = read_recordings(*expected_text);
    REQUIRE(cases.size() == recs.size());
    int bad = 0;
    for (size_t i = 0; i < cases.size(); ++i) {
      const KindCase& c = cases[i];
      const Recording& r = recs[i];
      REQUIRE(r.spec == c.spec);
      auto loaded = load(c.text());
      bool kernel_ok = r.verdict == "OK";
      std::string got = loaded->ok ? listed_rules(loaded->printed()) : "";
      bool agree = loaded->ok == kernel_ok && (!kernel_ok || got == r.listed);
      if (!agree) {
        ++bad;
        std::string why = fmt::format(
            "{}.cases:{}: {}\n  kernel: {} {}\n  iptc:   {} {}{}", name, c.line, c.spec, r.verdict,
            r.listed, loaded->ok ? "OK" : "ERROR", got, placeholder_note(c.text()));
        if (!loaded->ok) why += "\n  " + loaded->rendered();
        FAIL_CHECK(why);
      }
    }
    INFO(bad << " of " << cases.size() << " cases disagree");
    CHECK(bad == 0);
  }
  if (!any) FAIL("no recording named '" << only_filter() << "' in tests/kinds");
}

TEST_CASE("kind recordings are complete", "[kinds-meta]") {
  // Every case file has a recording with one line per case, in order: a case added without
  // re-running tools/record-kinds would otherwise be silently skipped.
  for (const std::string& name : kind_names()) {
    INFO("recording " << name);
    auto cases_text = read_file(kinds_dir() + "/" + name + ".cases");
    auto expected_text = read_file(kinds_dir() + "/" + name + ".expected");
    REQUIRE(cases_text);
    REQUIRE(expected_text);
    auto cases = read_cases(*cases_text);
    auto recs = read_recordings(*expected_text);
    CHECK(cases.size() == recs.size());
    for (size_t i = 0; i < std::min(cases.size(), recs.size()); ++i) {
      CHECK(recs[i].spec == cases[i].spec);
      CHECK((recs[i].verdict == "OK" || recs[i].verdict == "ERROR"));
      if (recs[i].verdict == "ERROR") CHECK(recs[i].listed.empty());
    }
  }
}

}  // namespace iptc::test
