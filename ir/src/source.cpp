// SourceFile line index and SourceManager storage.
#include "iptc/ir/source.hpp"

#include <algorithm>

namespace iptc::ir {

SourceFile::SourceFile(std::string name, std::string text)
    : name_(std::move(name)), text_(std::move(text)) {
  starts_.push_back(0);
  for (size_t i = 0; i < text_.size(); ++i)
    if (text_[i] == '\n' && i + 1 < text_.size()) starts_.push_back(i + 1);
}

std::string_view SourceFile::line(uint32_t line) const {
  if (line == 0 || line > starts_.size()) return {};
  size_t begin = starts_[line - 1];
  size_t end = text_.find('\n', begin);
  if (end == std::string::npos) end = text_.size();
  std::string_view v(text_.data() + begin, end - begin);
  if (!v.empty() && v.back() == '\r') v.remove_suffix(1);
  return v;
}

SourceLoc SourceFile::loc_of(uint32_t file_id, size_t offset) const {
  auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  size_t idx = static_cast<size_t>(it - starts_.begin()) - 1;
  return SourceLoc{file_id, static_cast<uint32_t>(idx + 1),
                   static_cast<uint32_t>(offset - starts_[idx] + 1)};
}

SourceManager::SourceManager() { files_.push_back(std::make_unique<SourceFile>("<unknown>", "")); }

uint32_t SourceManager::add(std::string name, std::string text) {
  files_.push_back(std::make_unique<SourceFile>(std::move(name), std::move(text)));
  return static_cast<uint32_t>(files_.size() - 1);
}

}  // namespace iptc::ir
