// Shared test helpers (see test_support.hpp).
#include "test_support.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>

#include "iptc/frontend/frontend.hpp"
#include "iptc/ir/printer.hpp"

namespace iptc::test {

namespace {
bool g_skipped = false;
std::string g_only;
}  // namespace

void skip(const std::string& reason) {
  g_skipped = true;
  // Catch2 v2 has no SKIP(); WARN shows the reason in the test's output.
  WARN("SKIPPED: " << reason);
}

bool skipped() { return g_skipped; }

const std::string& only_filter() { return g_only; }
void set_only_filter(std::string name) { g_only = std::move(name); }

std::string source_dir() { return IPTC_SOURCE_DIR; }

std::string corpus_dir() {
  if (const char* env = std::getenv("IPTC_CORPUS_DIR"); env && *env) return env;
  return IPTC_CORPUS_DIR;
}

std::string iptc_binary() {
  if (const char* env = std::getenv("IPTC_BINARY"); env && *env) return env;
  return IPTC_BINARY;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::vector<std::string> list_dir(const std::string& dir, std::string_view suffix) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.size() >= suffix.size() && name.ends_with(suffix) && name != "." && name != "..")
      out.push_back(name);
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::string Loaded::rendered() const { return ir::render(diags, sm); }

const ir::Diagnostic* Loaded::first_error() const {
  for (const auto& d : diags.all())
    if (d.severity == ir::Severity::Error) return &d;
  return nullptr;
}

uint32_t Loaded::first_error_line() const {
  const ir::Diagnostic* d = first_error();
  return d ? d->loc.line : 0;
}

std::string Loaded::messages() const {
  std::string out;
  for (const auto& d : diags.all())
    if (d.severity == ir::Severity::Error) {
      if (!out.empty()) out += '\n';
      out += d.message;
    }
  return out;
}

std::string Loaded::printed() const { return ir::print_save(rs); }

std::unique_ptr<Loaded> load(std::string_view text, LoadOptions opts) {
  auto l = std::make_unique<Loaded>();
  l->file = l->sm.add("test.rules", std::string(text));
  frontend::ParseOptions po;
  po.syntax = frontend::InputSyntax::Save;
  po.counters = opts.counters;
  l->ok = opts.verify ? frontend::load(l->sm, l->file, po, l->rs, l->diags)
                      : frontend::parse(l->sm, l->file, po, l->rs, l->diags);
  return l;
}

namespace {

template <typename Def>
bool finish_says_unimplemented(const Def& def) {
  if (!def.finish) return false;
  ir::IpHeaderMatch ip;
  ip.proto = def.proto;
  ir::RuleContext ctx;
  ctx.ip = &ip;
  ctx.chain = "INPUT";
  ir::Diagnostics diags;
  ir::FinishCall call{0, {}, 1, &ctx, &diags};
  auto data = def.init();
  if (def.finish(call, data)) return false;
  for (const auto& d : diags.all())
    if (d.message.find("does not implement") != std::string::npos) return true;
  return false;
}

}  // namespace

bool is_placeholder(ir::MatchKind k) { return finish_says_unimplemented(ir::match_def(k)); }
bool is_placeholder(ir::TargetKind k) { return finish_says_unimplemented(ir::target_def(k)); }

std::vector<std::string> placeholder_kinds_in(std::string_view text) {
  std::set<std::string> found;
  // Words of the text, crudely (quotes do not matter for finding option names).
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
    size_t s = i;
    while (i < text.size() && !(text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
    if (i > s) words.push_back(text.substr(s, i - s));
  }
  for (size_t w = 0; w + 1 < words.size(); ++w) {
    std::string_view opt = words[w], arg = words[w + 1];
    if (opt == "-m" || opt == "--match" || opt == "-p" || opt == "--protocol") {
      std::string name(arg);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (const ir::MatchDef* d = ir::find_match_def(name); d && is_placeholder(d->kind))
        found.insert(name);
    } else if (opt == "-j" || opt == "--jump") {
      if (const ir::TargetDef* d = ir::find_target_def(arg); d && is_placeholder(d->kind))
        found.insert(std::string(arg));
    }
  }
  return {found.begin(), found.end()};
}

std::string placeholder_note(std::string_view text) {
  auto kinds = placeholder_kinds_in(text);
  if (kinds.empty()) return {};
  return " (uses placeholder kinds: " + join(kinds) +
         "; expected to fail on a branch where they are not implemented yet)";
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      out.emplace_back(text.substr(pos));
      break;
    }
    out.emplace_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

}  // namespace iptc::test
