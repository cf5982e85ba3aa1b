// A command-line word with where it came from. Both input syntaxes produce argv vectors of
// Words (the save format by iptables-restore's tokenizer, scripts by the shell subset), and one
// command parser consumes them.
#pragma once

#include <string>
#include <vector>

#include "iptc/ir/source.hpp"

namespace iptc::frontend {

struct Word {
  std::string text;
  ir::SourceLoc loc;  ///< first character of the word as written (quote included)
  uint32_t len = 1;   ///< bytes the word spans in the source, for carets
  bool quoted = false;
};

using Argv = std::vector<Word>;

}  // namespace iptc::frontend
