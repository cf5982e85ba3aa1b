// ksuite: the kernel-differential test suite driver.
//
//   ksuite oracle|hand|corpus|random [options]    record the kernel's answers and compare
//   ksuite rerun --out DIR --iptc PATH [--only S]   compare recorded answers again (no root)
//   ksuite summary --out DIR [--min-compared N]     the categories' totals (the issue asks for
//                                                   at least 20,000 packets compared)
//
// For every case of the category it writes the case files (rules, host, packets; generated
// ones included) under --out, asks the kernel with kharness (NAME.kernel.jsonl: the recorded
// answers, kept so that a disagreement can be re-run offline), runs `iptc trace RULES
// --packets PACKETS [--host HOST] --json` (NAME.iptc.jsonl) and compares them packet by
// packet (lib/compare.hpp). The oracle category instead checks the harness itself against
// the recorded answers in shared/oracle. Cases run in parallel (--jobs); the summary gives
// the packets per category and the time taken.
//
// Options: --kharness PATH --iptc PATH --out DIR --jobs N --only SUBSTRING
//          --cases DIR (hand) --corpus DIR (corpus) --oracle-dir DIR (oracle)
//          --count N --seed S (random) --max-packets N (corpus and random, per set)
//          --no-iptc (record only)
//          --known-gaps FILE: cases iptc cannot load yet, one per line (NAME or NAME.ext, then
//          the reason; tests/corpus_known_gaps.txt). When iptc refuses a listed case with a
//          "not supported by iptc yet" error its packets are not compared; any other refusal
//          of a listed case fails the run, and a listed case iptc loads is compared as usual.
// Exit status: 0 all compared packets agree; 1 a disagreement, an error, or iptc trace
// unavailable; 77 skipped (not root, or the kernel tools are missing).
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>

#include "lib/common.hpp"
#include "lib/compare.hpp"
#include "lib/gen.hpp"
#include "lib/harness.hpp"
#include "lib/netns.hpp"
#include "lib/save_listing.hpp"

using namespace iptc::kernel_test;

namespace {

struct Options {
  std::string category;
  std::string kharness, iptc, out = "kernel-out";
  std::string cases_dir, corpus_dir, oracle_dir;
  int jobs = 2;
  size_t count = 60;
  uint64_t seed = 1;
  size_t max_packets = 0;  // 0: the category's default
  std::string only;
  bool no_iptc = false;
  std::map<std::string, std::string> known_gaps;  ///< case name -> what iptc lacks
  size_t min_compared = 20000;  ///< summary: packets the suite must compare
};

struct Case {
  std::string name;
  std::string rules, host, packets, expected;  // paths; host/expected may be empty
  std::string dir;                             // where results go
};

struct Result {
  std::string name;
  int kernel_status = -1;
  std::string note;
  size_t kernel_lines = 0;
  CompareStats cmp;
  bool compared = false;
  bool known_gap = false;  ///< refused by iptc as listed in --known-gaps
  bool gap_failed = false; ///< listed, but iptc loaded it or refused it for another reason
  double seconds = 0, kernel_seconds = 0, iptc_seconds = 0;
};

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = ::readdir(d)) out.emplace_back(e->d_name);
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

bool ends_with(const std::string& s, const std::string& suf) {
  return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
}

void mkdirs(const std::string& p) {
  std::string cur;
  for (size_t i = 0; i <= p.size(); ++i) {
    if (i == p.size() || p[i] == '/') {
      if (!cur.empty()) ::mkdir(cur.c_str(), 0755);
    }
    if (i < p.size()) cur += p[i];
  }
}

std::string exe_dir() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  std::string p(buf, size_t(n));
  return p.substr(0, p.rfind('/'));
}

size_t count_lines(const std::string& text) {
  size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

/// The packets file as iptc sees it: before each packet a `sleep` with the time that really
/// passed in the kernel since the previous one (rate limits, `recent` and conntrack timeouts
/// run on real time there), and the original sleep lines turned into comments (their time is
/// in the measured gaps). line_map[k] is the original line of line k+1, 0 for added sleeps.
std::string timed_packets(const std::string& packets, const std::string& kernel_jsonl,
                          std::vector<uint32_t>& line_map) {
  std::map<uint32_t, double> times;
  size_t pos = 0;
  while (pos < kernel_jsonl.size()) {
    size_t nl = kernel_jsonl.find('\n', pos);
    if (nl == std::string::npos) nl = kernel_jsonl.size();
    auto j = nlohmann::json::parse(kernel_jsonl.substr(pos, nl - pos), nullptr, false);
    pos = nl + 1;
    if (j.is_object() && j.contains("line") && j.contains("t") && j["t"].is_number())
      times[j["line"].get<uint32_t>()] = j["t"].get<double>();
  }
  std::string out;
  line_map.clear();
  std::optional<double> prev;
  uint32_t lineno = 0;
  pos = 0;
  while (pos < packets.size()) {
    size_t nl = packets.find('\n', pos);
    if (nl == std::string::npos) nl = packets.size();
    std::string line = packets.substr(pos, nl - pos);
    pos = nl + 1;
    ++lineno;
    std::string_view body = trim(std::string_view(line).substr(0, line.find('#')));
    if (starts_with(body, "sleep")) {
      out += "# measured instead: " + line + "\n";
      line_map.push_back(lineno);
      continue;
    }
    if (auto it = times.find(lineno); it != times.end()) {
      if (prev && it->second > *prev) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "sleep %.6f\n", it->second - *prev);
        out += buf;
        line_map.push_back(0);
      }
      prev = it->second;
    }
    out += line + "\n";
    line_map.push_back(lineno);
  }
  return out;
}

/// iptc's answers for the timed file, renumbered to the original file's lines.
std::string renumber(const std::string& jsonl, const std::vector<uint32_t>& line_map) {
  std::string out;
  size_t pos = 0;
  while (pos < jsonl.size()) {
    size_t nl = jsonl.find('\n', pos);
    if (nl == std::string::npos) nl = jsonl.size();
    std::string line = jsonl.substr(pos, nl - pos);
    pos = nl + 1;
    auto j = nlohmann::ordered_json::parse(line, nullptr, false);
    if (j.is_object() && j.contains("line") && j["line"].is_number_integer()) {
      long k = j["line"].get<long>();
      if (k >= 1 && size_t(k) <= line_map.size() && line_map[size_t(k) - 1] != 0)
        j["line"] = line_map[size_t(k) - 1];
      out += j.dump() + "\n";
    } else if (!trim(line).empty()) {
      out += line + "\n";
    }
  }
  return out;
}

/// "" when `iptc trace` can be run, else why not.
std::string iptc_trace_unavailable(const std::string& iptc) {
  if (iptc.empty()) return "no iptc binary given (--iptc)";
  if (find_program(iptc).empty()) return iptc + " not found";
  // The verb must exist and take the options the suite passes (a program without it may
  // still answer --help with its general usage and status 0).
  auto pr = run_program(nullptr, {iptc, "trace", "--help"}, {}, 30);
  std::string text = pr.out + pr.err;
  if (pr.status != 0 || text.find("--packets") == std::string::npos ||
      text.find("--json") == std::string::npos)
    return "`" + iptc + " trace --help` does not offer --packets and --json (no trace verb)";
  return "";
}

// ---- case lists ----

std::vector<Case> oracle_cases(const Options& o) {
  std::vector<Case> out;
  for (const auto& f : list_dir(o.oracle_dir)) {
    if (!ends_with(f, ".rules")) continue;
    std::string n = f.substr(0, f.size() - 6);
    std::string b = o.oracle_dir + "/" + n;
    if (!file_exists(b + ".expected.jsonl") || !file_exists(b + ".packets")) continue;
    out.push_back({n, b + ".rules", file_exists(b + ".host") ? b + ".host" : "", b + ".packets",
                   b + ".expected.jsonl", o.out + "/oracle"});
    mkdirs(o.out + "/oracle");
  }
  return out;
}

std::vector<Case> hand_cases(const Options& o) {
  std::vector<Case> out;
  std::string dir = o.out + "/hand";
  mkdirs(dir);
  for (const auto& f : list_dir(o.cases_dir)) {
    if (!ends_with(f, ".rules")) continue;
    std::string n = f.substr(0, f.size() - 6);
    std::string b = o.cases_dir + "/" + n;
    if (!file_exists(b + ".packets")) continue;
    // Copies, so that the output directory alone is enough to re-run a case.
    std::string err;
    for (const char* ext : {".rules", ".rules.ipsets", ".host", ".packets"})
      if (auto t = read_file(b + ext)) write_file(dir + "/" + n + ext, *t, &err);
    out.push_back({n, dir + "/" + n + ".rules", file_exists(b + ".host") ? dir + "/" + n + ".host" : "",
                   dir + "/" + n + ".packets", "", dir});
  }
  return out;
}

std::vector<Case> corpus_cases(const Options& o, std::vector<std::string>& skipped) {
  std::vector<Case> out;
  std::string dir = o.out + "/corpus";
  mkdirs(dir);
  for (const auto& f : list_dir(o.corpus_dir)) {
    bool is_rules = ends_with(f, ".rules"), is_sh = ends_with(f, ".sh");
    if (!is_rules && !is_sh) continue;
    std::string b = o.corpus_dir + "/" + f;
    // The kernel loads exactly the sets that have a canonical re-dump (corpus README).
    if (!file_exists(b + ".canonical")) {
      skipped.push_back(f + " (the kernel refuses it: no .canonical)");
      continue;
    }
    std::string n = f.substr(0, f.rfind('.'));
    if (!o.only.empty() && n.find(o.only) == std::string::npos) continue;
    std::string err;
    auto listing_text = read_file(b + ".canonical", &err);
    Listing l;
    if (!listing_text || !parse_listing(*listing_text, l, err)) {
      skipped.push_back(f + " (cannot read its canonical listing: " + err + ")");
      continue;
    }
    // Shell scripts: their canonical listing is what the literal iptables lines load.
    auto rules_text = read_file(is_sh ? b + ".canonical" : b);
    write_file(dir + "/" + n + ".rules", *rules_text, &err);
    if (auto ips = read_file(b + ".ipsets")) write_file(dir + "/" + n + ".rules.ipsets", *ips, &err);
    auto gh = generate_host(l, n);
    write_file(dir + "/" + n + ".host", gh.text, &err);
    GenPacketsOptions go;
    go.seed = o.seed;
    go.max_packets = o.max_packets ? o.max_packets : 800;
    go.min_packets = std::min<size_t>(300, go.max_packets);
    // Huge sets (block lists) get fewer packets: reading a chain's counters costs the kernel
    // time quadratic in its length (nf_tables resumes a rule dump by skipping from the
    // chain's start), 0.3 s a packet at 8,000 rules and 2.4 s at 100,000.
    size_t nrules = 0;
    for (const auto& t : l.tables)
      for (const auto& c : t.chains) nrules += c.rules.size();
    if (nrules > 20000) go.max_packets = std::min<size_t>(go.max_packets, 40);
    else if (nrules > 5000) go.max_packets = std::min<size_t>(go.max_packets, 150);
    go.min_packets = std::min(go.min_packets, go.max_packets);
    go.auto_numbered_flows = 0.2;
    write_file(dir + "/" + n + ".packets", generate_packets(l, gh.host, go, n), &err);
    out.push_back({n, dir + "/" + n + ".rules", dir + "/" + n + ".host", dir + "/" + n + ".packets",
                   "", dir});
  }
  return out;
}

std::vector<Case> random_cases(const Options& o) {
  std::vector<Case> out;
  std::string dir = o.out + "/random";
  mkdirs(dir);
  for (size_t i = 0; i < o.count; ++i) {
    uint64_t seed = o.seed * 100000 + i;
    std::string n = "random-" + std::to_string(seed);
    auto gh = generate_random_host(seed);
    std::string rules = generate_random_rules(seed, gh.host);
    Listing l;
    std::string err;
    if (!parse_listing(rules, l, err)) continue;
    GenPacketsOptions go;
    go.seed = seed;
    go.max_packets = o.max_packets ? o.max_packets : 400;
    go.min_packets = std::min<size_t>(300, go.max_packets);
    go.auto_numbered_flows = 0.3;
    std::string b = dir + "/" + n;
    write_file(b + ".rules", rules, &err);
    write_file(b + ".host", gh.text, &err);
    write_file(b + ".packets", generate_packets(l, gh.host, go, n), &err);
    out.push_back({n, b + ".rules", b + ".host", b + ".packets", "", dir});
  }
  return out;
}

std::vector<Case> recorded_cases(const Options& o) {
  std::vector<Case> out;
  for (const char* cat : {"hand", "corpus", "random"}) {
    std::string dir = o.out + "/" + cat;
    for (const auto& f : list_dir(dir)) {
      if (!ends_with(f, ".kernel.jsonl")) continue;
      std::string n = f.substr(0, f.size() - 13);
      std::string b = dir + "/" + n;
      out.push_back({n, b + ".rules", file_exists(b + ".host") ? b + ".host" : "", b + ".packets",
                     b + ".kernel.jsonl", dir});
    }
  }
  return out;
}

// ---- running ----

Result run_case(const Options& o, const Case& c, int cpu, bool iptc_ok, bool rerun) {
  Result r;
  r.name = c.name;
  double t0 = now_seconds();
  std::string kernel_path = rerun ? c.expected : c.dir + "/" + c.name + ".kernel.jsonl";
  std::string err;
  if (!rerun) {
    std::vector<std::string> argv = {o.kharness, c.rules, "--packets", c.packets, "-o", kernel_path,
                                     "--cpu", std::to_string(cpu)};
    if (!c.host.empty()) {
      argv.push_back("--host");
      argv.push_back(c.host);
    }
    auto pr = run_program(nullptr, argv, {}, 1200);
    r.kernel_status = pr.status;
    r.kernel_seconds = now_seconds() - t0;
    if (pr.status == 3) {
      r.note = "the kernel refused the rule set: " + std::string(trim(pr.err)).substr(0, 300);
      r.seconds = now_seconds() - t0;
      return r;
    }
    if (pr.status != 0) {
      r.note = "kharness failed (" + std::to_string(pr.status) + "): " + std::string(trim(pr.err)).substr(0, 300);
      r.seconds = now_seconds() - t0;
      return r;
    }
  } else {
    r.kernel_status = 0;
  }
  auto kernel = read_file(kernel_path, &err);
  if (!kernel) {
    r.note = err;
    r.kernel_status = -1;
    return r;
  }
  r.kernel_lines = count_lines(*kernel);
  if (!c.expected.empty() && !rerun) {
    // The oracle category: the harness against recorded answers.
    auto exp = read_file(c.expected, &err);
    r.cmp = compare_jsonl(exp ? *exp : "", *kernel, false);
    r.compared = true;
  } else if (iptc_ok) {
    double t1 = now_seconds();
    std::vector<uint32_t> line_map;
    auto packets_text = read_file(c.packets, &err);
    std::string timed_path = c.dir + "/" + c.name + ".timed.packets";
    write_file(timed_path, timed_packets(packets_text ? *packets_text : "", *kernel, line_map), &err);
    std::vector<std::string> argv = {o.iptc, "trace", c.rules, "--packets", timed_path};
    if (!c.host.empty()) {
      argv.push_back("--host");
      argv.push_back(c.host);
    }
    argv.push_back("--json");
    auto pr = run_program(nullptr, argv, {}, 1200);
    r.iptc_seconds = now_seconds() - t1;
    std::string answers = renumber(pr.out, line_map);
    write_file(c.dir + "/" + c.name + ".iptc.jsonl", answers, &err);
    auto gap = o.known_gaps.find(c.name);
    const bool unsupported = pr.err.find("not supported by iptc yet") != std::string::npos;
    if (gap != o.known_gaps.end() && pr.status != 0 && answers.empty()) {
      // A known gap: the packets are not compared, but the refusal must be the listed one.
      // (A listed case iptc loads is compared like any other: the golden test, which shares
      // the list, is the one that insists on removing its line.)
      CompareStats st = compare_jsonl(*kernel, *kernel, true);
      r.cmp.kernel_drop = st.kernel_drop;
      r.cmp.unexplained = st.unexplained;
      r.cmp.unstable = st.unstable;
      r.known_gap = true;
      r.gap_failed = !unsupported;
      r.note = unsupported ? "known gap: " + gap->second
                           : "listed as a known gap, but iptc refused it otherwise: " +
                                 std::string(trim(pr.err)).substr(0, 300);
      r.seconds = now_seconds() - t0;
      return r;
    }
    if (pr.status != 0 && answers.empty()) {
      r.note = "iptc trace failed (" + std::to_string(pr.status) + "): " + std::string(trim(pr.err)).substr(0, 300);
      r.cmp = compare_jsonl(*kernel, "", true);
    } else {
      r.cmp = compare_jsonl(*kernel, answers, true);
    }
    r.compared = true;
    if (!r.cmp.mismatches.empty()) {
      std::string d;
      for (const auto& m : r.cmp.mismatches) d += m + "\n";
      write_file(c.dir + "/" + c.name + ".diff", d, &err);
    }
  } else {
    // Not compared: count what the kernel answered.
    CompareStats st = compare_jsonl(*kernel, *kernel, true);
    r.cmp.kernel_drop = st.kernel_drop;
    r.cmp.kernel_error = st.kernel_error;
    r.cmp.unexplained = st.unexplained;
    r.cmp.unstable = st.unstable;
    r.cmp.compared = st.compared;
  }
  r.seconds = now_seconds() - t0;
  return r;
}

/// Reads the category summaries the last runs wrote and prints the suite's totals.
int summary(const Options& o) {
  struct Row {
    std::string cat;
    std::map<std::string, double> v;
    bool present = false;
  };
  std::vector<Row> rows;
  double compared = 0, agree = 0, recorded = 0, wall = 0;
  bool all_iptc = true, any = false;
  for (const char* cat : {"hand", "corpus", "random"}) {
    Row r;
    r.cat = cat;
    if (auto t = read_file(o.out + "/" + cat + ".summary")) {
      r.present = true;
      any = true;
      size_t pos = 0;
      while (pos < t->size()) {
        size_t nl = t->find('\n', pos);
        if (nl == std::string::npos) nl = t->size();
        auto w = split_ws(std::string_view(*t).substr(pos, nl - pos));
        if (w.size() == 2) r.v[w[0]] = std::atof(w[1].c_str());
        pos = nl + 1;
      }
      compared += r.v["compared"];
      agree += r.v["agree"];
      recorded += r.v["recorded"];
      wall += r.v["wall_seconds"];
      all_iptc = all_iptc && r.v["iptc"] != 0;
    }
    rows.push_back(r);
  }
  std::printf("%-8s %7s %9s %9s %9s %11s %9s %12s %8s\n", "category", "cases", "recorded",
              "compared", "agree", "kernel-drop", "unstable", "unexplained", "wall s");
  for (auto& r : rows) {
    if (!r.present) {
      std::printf("%-8s (not run)\n", r.cat.c_str());
      continue;
    }
    std::printf("%-8s %7.0f %9.0f %9.0f %9s %11.0f %9.0f %12.0f %8.1f\n", r.cat.c_str(),
                r.v["cases"], r.v["recorded"], r.v["compared"],
                r.v["iptc"] != 0 ? std::to_string(long(r.v["agree"])).c_str() : "-",
                r.v["kernel_drop"], r.v["unstable"], r.v["unexplained"], r.v["wall_seconds"]);
  }
  std::printf("%-8s %7s %9.0f %9.0f %9s %11s %9s %12s %8.1f\n", "total", "", recorded, compared,
              all_iptc ? std::to_string(long(agree)).c_str() : "-", "", "", "", wall);
  if (!any) {
    std::printf("ksuite summary: skipped: no category ran (not root?)\n");
    return 77;
  }
  bool ok = all_iptc && compared == agree && compared >= double(o.min_compared);
  if (!all_iptc) std::printf("ksuite summary: FAIL: iptc trace unavailable\n");
  else if (compared < double(o.min_compared))
    std::printf("ksuite summary: FAIL: %.0f packets compared, fewer than %zu\n", compared,
                o.min_compared);
  else if (compared != agree)
    std::printf("ksuite summary: FAIL: %.0f packets disagree\n", compared - agree);
  else
    std::printf("ksuite summary: PASS\n");
  return ok ? 0 : 1;
}

int usage() {
  std::fprintf(stderr,
               "usage: ksuite oracle|hand|corpus|random [--kharness PATH] [--iptc PATH] [--out DIR]\n"
               "              [--jobs N] [--only SUBSTRING] [--cases DIR] [--corpus DIR]\n"
               "              [--oracle-dir DIR] [--count N] [--seed S] [--max-packets N] [--no-iptc]\n"
               "              [--known-gaps FILE]\n"
               "       ksuite rerun --out DIR --iptc PATH [--only SUBSTRING]\n"
               "       ksuite summary --out DIR [--min-compared N]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  Options o;
  o.category = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--kharness") o.kharness = next();
    else if (a == "--iptc") o.iptc = next();
    else if (a == "--out") o.out = next();
    else if (a == "--cases") o.cases_dir = next();
    else if (a == "--corpus") o.corpus_dir = next();
    else if (a == "--oracle-dir") o.oracle_dir = next();
    else if (a == "--jobs") o.jobs = std::max(1, std::atoi(next().c_str()));
    else if (a == "--count") o.count = std::strtoull(next().c_str(), nullptr, 10);
    else if (a == "--seed") o.seed = std::strtoull(next().c_str(), nullptr, 10);
    else if (a == "--max-packets") o.max_packets = std::strtoull(next().c_str(), nullptr, 10);
    else if (a == "--only") o.only = next();
    else if (a == "--no-iptc") o.no_iptc = true;
    else if (a == "--known-gaps") {
      std::string path = next(), err;
      auto text = read_file(path, &err);
      if (!text) {
        std::fprintf(stderr, "ksuite: --known-gaps: %s\n", err.c_str());
        return 2;
      }
      // NAME[.ext] REASON...; '#' starts a comment line.
      size_t pos = 0;
      while (pos < text->size()) {
        size_t eol = text->find('\n', pos);
        if (eol == std::string::npos) eol = text->size();
        std::string line = text->substr(pos, eol - pos);
        pos = eol + 1;
        size_t b = line.find_first_not_of(" \t");
        if (b == std::string::npos || line[b] == '#') continue;
        size_t e = line.find_first_of(" \t", b);
        std::string name = line.substr(b, e == std::string::npos ? std::string::npos : e - b);
        std::string reason = e == std::string::npos ? "" : std::string(trim(line.substr(e)));
        if (size_t dot = name.rfind('.'); dot != std::string::npos) name.resize(dot);
        o.known_gaps[name] = reason;
      }
    }
    else if (a == "--min-compared") o.min_compared = std::strtoull(next().c_str(), nullptr, 10);
    else return usage();
  }
  install_stop_handlers();
  if (o.category == "summary") return summary(o);
  if (o.kharness.empty()) o.kharness = exe_dir() + "/kharness";
  bool rerun = o.category == "rerun";
  std::string cat = o.category;
  // A summary is only ever the last run's: a skipped or failed run leaves none behind.
  ::unlink((o.out + "/" + cat + ".summary").c_str());
  if (!rerun) {
    if (std::string why = kernel_harness_unavailable(); !why.empty()) {
      std::printf("ksuite %s: skipped: %s\n", cat.c_str(), why.c_str());
      return 77;
    }
  }
  double t0 = now_seconds();
  std::vector<Case> cases;
  std::vector<std::string> skipped;
  mkdirs(o.out);
  if (cat == "oracle") {
    if (o.oracle_dir.empty() || list_dir(o.oracle_dir).empty()) {
      std::printf("ksuite oracle: skipped: no oracle directory (%s)\n", o.oracle_dir.c_str());
      return 77;
    }
    cases = oracle_cases(o);
  } else if (cat == "hand") {
    cases = hand_cases(o);
  } else if (cat == "corpus") {
    if (o.corpus_dir.empty() || list_dir(o.corpus_dir).empty()) {
      std::printf("ksuite corpus: no corpus directory (%s): set IPTC_KERNEL_CORPUS_DIR\n",
                  o.corpus_dir.c_str());
      return 1;
    }
    cases = corpus_cases(o, skipped);
  } else if (cat == "random") {
    cases = random_cases(o);
  } else if (rerun) {
    cases = recorded_cases(o);
  } else {
    return usage();
  }
  if (!o.only.empty())
    cases.erase(std::remove_if(cases.begin(), cases.end(),
                               [&](const Case& c) { return c.name.find(o.only) == std::string::npos; }),
                cases.end());
  double gen_seconds = now_seconds() - t0;
  bool is_oracle = cat == "oracle";
  std::string iptc_why = is_oracle || o.no_iptc ? "" : iptc_trace_unavailable(o.iptc);
  bool iptc_ok = !is_oracle && !o.no_iptc && iptc_why.empty();
  if (!is_oracle && !o.no_iptc && !iptc_ok)
    std::printf("ksuite %s: iptc trace unavailable: %s\n"
                "ksuite %s: recording the kernel's answers only; the comparison FAILS\n",
                cat.c_str(), iptc_why.c_str(), cat.c_str());
  if (rerun && !iptc_ok) return 1;
  // Run the cases, a few at a time, each harness pinned to its own CPU.
  std::vector<Result> results(cases.size());
  std::atomic<size_t> next{0};
  std::mutex print_mu;
  long ncpu = ::sysconf(_SC_NPROCESSORS_ONLN);
  if (ncpu < 1) ncpu = 1;
  auto worker = [&](int w) {
    for (;;) {
      size_t i = next++;
      if (i >= cases.size() || stop_requested()) return;
      results[i] = run_case(o, cases[i], int(w % ncpu), iptc_ok, rerun);
      const Result& r = results[i];
      std::lock_guard<std::mutex> lk(print_mu);
      std::string line = "[" + cat + "] " + r.name + ": ";
      if (r.kernel_status != 0) {
        line += r.note;
      } else {
        line += std::to_string(r.kernel_lines) + " packets";
        if (r.compared && !r.known_gap)
          line += ", agree " + std::to_string(r.cmp.agree) + "/" + std::to_string(r.cmp.compared);
        if (r.cmp.kernel_drop) line += ", kernel-drop " + std::to_string(r.cmp.kernel_drop);
        if (r.cmp.unexplained) line += ", unexplained " + std::to_string(r.cmp.unexplained);
        if (r.cmp.unstable) line += ", unstable " + std::to_string(r.cmp.unstable);
        if (r.cmp.kernel_error) line += ", harness errors " + std::to_string(r.cmp.kernel_error);
        if (!r.note.empty()) line += " (" + r.note + ")";
      }
      char tb[64];
      std::snprintf(tb, sizeof tb, " [%.1f s]", r.seconds);
      std::printf("%s%s\n", line.c_str(), tb);
      for (size_t k = 0; k < r.cmp.mismatches.size() && k < 5; ++k)
        std::printf("    %s\n", r.cmp.mismatches[k].c_str());
      if (r.cmp.mismatches.size() > 5)
        std::printf("    ... (%s/%s.diff)\n", cases[i].dir.c_str(), r.name.c_str());
      std::fflush(stdout);
    }
  };
  std::vector<std::thread> threads;
  for (int w = 0; w < o.jobs; ++w) threads.emplace_back(worker, w);
  for (auto& t : threads) t.join();
  if (stop_requested()) {
    std::printf("ksuite %s: interrupted\n", cat.c_str());
    return 130;
  }
  // Summary.
  CompareStats total;
  size_t refused = 0, failed = 0, recorded = 0, gaps = 0, gap_failures = 0;
  double kernel_s = 0, iptc_s = 0;
  for (const auto& r : results) {
    gaps += r.known_gap && !r.gap_failed;
    gap_failures += r.gap_failed;
    if (r.kernel_status == 3) ++refused;
    else if (r.kernel_status != 0) ++failed;
    else recorded += r.kernel_lines;
    total.add(r.cmp);
    kernel_s += r.kernel_seconds;
    iptc_s += r.iptc_seconds;
  }
  double wall = now_seconds() - t0;
  std::printf("\nksuite %s summary: %zu cases (%zu refused by the kernel, %zu failed), "
              "%zu packet lines recorded\n",
              cat.c_str(), cases.size(), refused, failed, recorded);
  if (is_oracle || iptc_ok)
    std::printf("  compared %llu packets: %llu agree, %llu disagree; not compared: %llu "
                "kernel-drop, %llu unexplained, %llu unstable, %llu harness errors\n",
                (unsigned long long)total.compared, (unsigned long long)total.agree,
                (unsigned long long)(total.compared - total.agree),
                (unsigned long long)total.kernel_drop, (unsigned long long)total.unexplained,
                (unsigned long long)total.unstable, (unsigned long long)total.kernel_error);
  else
    std::printf("  %llu packets to compare (iptc not run); not comparable: %llu kernel-drop, "
                "%llu unexplained, %llu unstable, %llu harness errors\n",
                (unsigned long long)total.compared, (unsigned long long)total.kernel_drop,
                (unsigned long long)total.unexplained, (unsigned long long)total.unstable,
                (unsigned long long)total.kernel_error);
  std::printf("  time: %.1f s wall (generation %.1f s, kernel %.1f s, iptc %.1f s summed over "
              "%d jobs)\n",
              wall, gen_seconds, kernel_s, iptc_s, o.jobs);
  if (gaps || gap_failures)
    std::printf("  known gaps (iptc refuses, packets not compared): %zu cases; %zu listed wrongly\n",
                gaps, gap_failures);
  for (const auto& s : skipped) std::printf("  not run: %s\n", s.c_str());
  std::printf("  recorded answers and diffs: %s/%s\n", o.out.c_str(), rerun ? "*" : cat.c_str());
  std::string summary_path = o.out + "/" + cat + ".summary";
  {
    std::string s = "category " + cat + "\ncases " + std::to_string(cases.size()) + "\nrefused " +
                    std::to_string(refused) + "\nfailed " + std::to_string(failed) +
                    "\nrecorded " + std::to_string(recorded) + "\ncompared " +
                    std::to_string(total.compared) + "\nagree " + std::to_string(total.agree) +
                    "\nkernel_drop " + std::to_string(total.kernel_drop) + "\nunstable " +
                    std::to_string(total.unstable) + "\nunexplained " +
                    std::to_string(total.unexplained) + "\nwall_seconds " + std::to_string(wall) +
                    "\niptc " + (iptc_ok ? "1" : "0") + "\n";
    std::string err;
    write_file(summary_path, s, &err);
  }
  if (!is_oracle && !o.no_iptc && !iptc_ok) {
    std::printf("ksuite %s: FAIL: iptc trace unavailable (%s)\n", cat.c_str(), iptc_why.c_str());
    return 1;
  }
  bool ok = failed == 0 && gap_failures == 0 && (o.no_iptc || total.compared == total.agree);
  if (cat == "random" && refused * 10 > cases.size()) {
    std::printf("ksuite random: FAIL: the kernel refused %zu of %zu generated rule sets\n", refused,
                cases.size());
    ok = false;
  }
  if ((cat == "hand" || cat == "oracle") && refused) ok = false;
  std::printf("ksuite %s: %s\n", cat.c_str(), ok ? "PASS" : "FAIL");
  if (!ok && !is_oracle)
    std::printf("  re-run a case offline (no root): ksuite rerun --out %s --iptc %s --only NAME\n",
                o.out.c_str(), o.iptc.c_str());
  return ok ? 0 : 1;
}
