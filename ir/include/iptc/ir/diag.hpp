// Diagnostics: user mistakes are reported, never thrown. Every message is
// `file:line:col: severity: lower-case message`, then the source line, a caret under the offending
// text, and a hint when one is known. A Diagnostics collects them so that one run can report
// several problems; rendering is separate so tests can inspect messages directly.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "iptc/ir/source.hpp"

namespace iptc::ir {

enum class Severity : uint8_t { Error, Warning, Note };

struct Diagnostic {
  Severity severity = Severity::Error;
  SourceLoc loc;
  uint32_t length = 1;  ///< bytes underlined, starting at loc.col
  std::string message;
  std::string hint;
};

class Diagnostics {
 public:
  Diagnostic& error(SourceLoc loc, std::string message, std::string hint = {}, uint32_t length = 1);
  Diagnostic& warning(SourceLoc loc, std::string message, std::string hint = {},
                      uint32_t length = 1);
  Diagnostic& note(SourceLoc loc, std::string message, std::string hint = {}, uint32_t length = 1);

  [[nodiscard]] bool has_errors() const { return errors_ != 0; }
  [[nodiscard]] size_t error_count() const { return errors_; }
  [[nodiscard]] const std::vector<Diagnostic>& all() const { return diags_; }
  void clear() {
    diags_.clear();
    errors_ = 0;
  }
  /// Stop collecting errors past this many (a file of garbage should not print 100k lines).
  void set_error_limit(size_t limit) { limit_ = limit; }
  [[nodiscard]] bool limit_reached() const { return errors_ >= limit_; }

 private:
  std::vector<Diagnostic> diags_;
  size_t errors_ = 0;
  size_t limit_ = 100;
};

struct RenderOptions {
  bool color = false;
};

/// Renders one diagnostic in the compiler style described above (ends with a newline).
std::string render(const Diagnostic& d, const SourceManager& sm, const RenderOptions& opts = {});
/// Renders all, in the order reported.
std::string render(const Diagnostics& diags, const SourceManager& sm,
                   const RenderOptions& opts = {});

}  // namespace iptc::ir
