// Source files and locations. Every IR node carries a SourceLoc so that every diagnostic, lint
// finding and trace line can point at the user's text. Files are owned by a SourceManager and
// named by a small index, so a location is three integers and cheap to copy.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace iptc::ir {

/// A position in a source file: 1-based line and column (in bytes). line == 0 means "unknown".
struct SourceLoc {
  uint32_t file = 0;
  uint32_t line = 0;
  uint32_t col = 0;

  [[nodiscard]] bool valid() const { return line != 0; }
  friend bool operator==(const SourceLoc&, const SourceLoc&) = default;
};

/// One loaded input: its display name and full text, with an index of line starts.
class SourceFile {
 public:
  SourceFile(std::string name, std::string text);

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] const std::string& text() const { return text_; }
  /// The text of a 1-based line without its line terminator; empty when out of range.
  [[nodiscard]] std::string_view line(uint32_t line) const;
  [[nodiscard]] uint32_t line_count() const { return static_cast<uint32_t>(starts_.size()); }
  /// Location of a byte offset in the text.
  [[nodiscard]] SourceLoc loc_of(uint32_t file_id, size_t offset) const;

 private:
  std::string name_;
  std::string text_;
  std::vector<size_t> starts_;
};

/// Owns every input of one run. File ids are stable indexes; id 0 is a placeholder.
class SourceManager {
 public:
  SourceManager();
  uint32_t add(std::string name, std::string text);
  [[nodiscard]] const SourceFile& file(uint32_t id) const { return *files_.at(id); }
  [[nodiscard]] size_t size() const { return files_.size(); }

 private:
  std::vector<std::unique_ptr<SourceFile>> files_;
};

}  // namespace iptc::ir
