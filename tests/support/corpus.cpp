// Reading the known-gaps list (see corpus.hpp).
#include "corpus.hpp"

#include "test_support.hpp"

namespace iptc::test {

KnownGaps read_known_gaps(const std::string& path) {
  KnownGaps g;
  auto text = read_file(path);
  if (!text) {
    g.problems.push_back("cannot read " + path);
    return g;
  }
  g.loaded = true;
  int n = 0;
  for (const std::string& raw : split_lines(*text)) {
    ++n;
    size_t s = raw.find_first_not_of(" \t");
    if (s == std::string::npos || raw[s] == '#') continue;
    size_t e = raw.find_first_of(" \t", s);
    std::string file = raw.substr(s, e == std::string::npos ? std::string::npos : e - s);
    std::string missing;
    if (e != std::string::npos) {
      size_t m = raw.find_first_not_of(" \t", e);
      if (m != std::string::npos) missing = raw.substr(m);
    }
    if (missing.empty()) {
      g.problems.push_back("line " + std::to_string(n) + ": '" + file +
                           "' does not say which kind is missing");
      continue;
    }
    if (g.by_file.count(file)) {
      g.problems.push_back("line " + std::to_string(n) + ": '" + file + "' is listed twice");
      continue;
    }
    g.by_file[file] = KnownGap{file, missing, n};
  }
  return g;
}

bool corpus_available() {
  return !list_dir(corpus_dir(), ".rules").empty();
}

}  // namespace iptc::test
