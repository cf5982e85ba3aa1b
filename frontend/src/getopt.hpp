// getopt_long as glibc implements it for iptables' option string
// ("-:A:C:D:R:I:L::S::M:F::Z::N:X::E:P:Vh::o:p:s:d:j:i:fbvw::W::nt:m:xc:g:46"): arguments in
// order (non-options come back as code 1), ':' for a missing argument, '?' for an unknown or
// ambiguous option, unambiguous prefixes of long options accepted. iptables' own parser relies
// on every one of these behaviours, so the emulation has to be exact.
#pragma once

#include <string_view>
#include <vector>

#include "iptc/ir/kinds.hpp"
#include "words.hpp"

namespace iptc::frontend {

struct LongOpt {
  std::string_view name;
  ir::ArgKind has_arg = ir::ArgKind::Required;
  int val = 0;
};

struct GetoptResult {
  int code = -1;               ///< -1 end, 1 non-option, '?' unknown, ':' missing argument
  const Word* optarg = nullptr;  ///< argument word (or the option word itself when attached)
  std::string_view optarg_text;  ///< the argument text (after '=' or after the short letter)
  size_t option_word = 0;      ///< index of the word holding the option
  const LongOpt* longopt = nullptr;
  bool ambiguous = false;
  bool arg_not_allowed = false;  ///< "--flag=value" for a flag without argument
};

class Getopt {
 public:
  Getopt(const Argv& argv, std::string_view optstring) : argv_(argv), optstring_(optstring) {}

  GetoptResult next(const std::vector<LongOpt>& longopts);

  /// Index of the next word to scan (glibc's optind), adjustable like iptables does.
  size_t optind = 0;

 private:
  GetoptResult long_option(const std::vector<LongOpt>& longopts);
  const Argv& argv_;
  std::string_view optstring_;
  size_t nextchar_ = 0;  ///< position inside a short-option cluster (0: none)
};

}  // namespace iptc::frontend
