// The real-world corpus (../shared/corpus/public) and the one list of files iptc cannot handle
// yet (tests/corpus_known_gaps.txt), read the same way by the golden and the kernel tests.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace iptc::test {

struct KnownGap {
  std::string file;
  std::string missing;  ///< the kinds (or input feature) iptc lacks for this file
  int line = 0;         ///< line in the list, for messages
};

struct KnownGaps {
  std::map<std::string, KnownGap> by_file;
  std::vector<std::string> problems;  ///< malformed or duplicate entries
  bool loaded = false;
};

/// Reads the list: one "FILE  MISSING..." per line, '#' comments.
KnownGaps read_known_gaps(const std::string& path);

/// True when the corpus directory exists and holds at least one rule set.
bool corpus_available();

}  // namespace iptc::test
