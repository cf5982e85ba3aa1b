// glibc getopt_long emulation (see getopt.hpp). Follows posix/getopt.c: exact long-option match
// first, then abbreviations, which are ambiguous when two candidates differ in has_arg or val.
#include "getopt.hpp"

#include <cstring>

namespace iptc::frontend {

GetoptResult Getopt::long_option(const std::vector<LongOpt>& longopts) {
  GetoptResult r;
  const Word& w = argv_[optind];
  r.option_word = optind;
  std::string_view body = std::string_view(w.text).substr(2);
  size_t eq = body.find('=');
  std::string_view name = body.substr(0, eq);

  const LongOpt* found = nullptr;
  for (const LongOpt& o : longopts)
    if (o.name == name) {
      found = &o;
      break;
    }
  if (!found) {
    bool ambiguous = false;
    for (const LongOpt& o : longopts) {
      if (o.name.substr(0, name.size()) != name) continue;
      if (!found) found = &o;
      else if (found->has_arg != o.has_arg || found->val != o.val) ambiguous = true;
    }
    if (ambiguous) {
      ++optind;
      r.code = '?';
      r.ambiguous = true;
      return r;
    }
  }
  ++optind;
  if (!found) {
    r.code = '?';
    return r;
  }
  r.longopt = found;
  if (eq != std::string_view::npos) {
    if (found->has_arg == ir::ArgKind::None) {
      r.code = '?';
      r.arg_not_allowed = true;
      return r;
    }
    r.optarg = &w;
    r.optarg_text = body.substr(eq + 1);
  } else if (found->has_arg == ir::ArgKind::Required) {
    if (optind < argv_.size()) {
      r.optarg = &argv_[optind];
      r.optarg_text = argv_[optind].text;
      ++optind;
    } else {
      r.code = ':';
      return r;
    }
  }
  r.code = found->val;
  return r;
}

GetoptResult Getopt::next(const std::vector<LongOpt>& longopts) {
  GetoptResult r;
  if (nextchar_ == 0) {
    if (optind >= argv_.size()) return r;
    const std::string& t = argv_[optind].text;
    if (t == "--") {
      // End of options: glibc stops and leaves optind at the first word after "--".
      ++optind;
      return r;
    }
    if (t.size() < 2 || t[0] != '-') {
      r.code = 1;
      r.optarg = &argv_[optind];
      r.optarg_text = t;
      r.option_word = optind;
      ++optind;
      return r;
    }
    if (t[1] == '-') return long_option(longopts);
    nextchar_ = 1;
  }

  const Word& w = argv_[optind];
  const std::string& t = w.text;
  r.option_word = optind;
  char c = t[nextchar_++];
  bool last = nextchar_ >= t.size();
  const char* spec = (c == ':' || c == '-' || c == '\0')
                         ? nullptr
                         : static_cast<const char*>(std::memchr(optstring_.data(), c, optstring_.size()));
  if (!spec) {
    if (last) {
      nextchar_ = 0;
      ++optind;
    }
    r.code = '?';
    return r;
  }
  size_t at = static_cast<size_t>(spec - optstring_.data());
  bool takes = at + 1 < optstring_.size() && optstring_[at + 1] == ':';
  bool optional = takes && at + 2 < optstring_.size() && optstring_[at + 2] == ':';
  if (!takes) {
    if (last) {
      nextchar_ = 0;
      ++optind;
    }
    r.code = static_cast<unsigned char>(c);
    return r;
  }
  if (!last) {
    // Attached argument: "-ptcp".
    r.optarg = &w;
    r.optarg_text = std::string_view(t).substr(nextchar_);
    nextchar_ = 0;
    ++optind;
  } else if (optional) {
    nextchar_ = 0;
    ++optind;
  } else {
    nextchar_ = 0;
    ++optind;
    if (optind >= argv_.size()) {
      r.code = ':';
      return r;
    }
    r.optarg = &argv_[optind];
    r.optarg_text = argv_[optind].text;
    ++optind;
  }
  r.code = static_cast<unsigned char>(c);
  return r;
}

}  // namespace iptc::frontend
