// Shared pieces of the kind table: diagnostics from option callbacks and save-string quoting.
#include "iptc/ir/kinds.hpp"

namespace iptc::ir {

bool OptionCall::fail(std::string message, std::string hint) const {
  diags->error(arg_loc.valid() ? arg_loc : opt_loc, std::move(message), std::move(hint),
               arg_loc.valid() ? arg_len : opt_len);
  return false;
}

bool OptionCall::fail_option(std::string message, std::string hint) const {
  diags->error(opt_loc, std::move(message), std::move(hint), opt_len);
  return false;
}

bool FinishCall::fail(std::string message, std::string hint) const {
  diags->error(loc, std::move(message), std::move(hint), len);
  return false;
}

SaveWriter& SaveWriter::quoted(std::string_view value) {
  // xtables_save_string: bare when non-empty and only [_-0-9a-zA-Z], else double-quoted with
  // backslashes before '"', '\\' and '\''.
  auto plain = [](char c) {
    return c == '_' || c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z');
  };
  bool bare = !value.empty();
  for (char c : value)
    if (!plain(c)) {
      bare = false;
      break;
    }
  out_ += ' ';
  if (bare) {
    out_ += value;
    return *this;
  }
  out_ += '"';
  for (char c : value) {
    if (c == '"' || c == '\\' || c == '\'') out_ += '\\';
    out_ += c;
  }
  out_ += '"';
  return *this;
}

}  // namespace iptc::ir
