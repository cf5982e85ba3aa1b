// Helpers shared by every test executable: skipping a test case (reported to CTest as "skipped"
// through exit code 77), the locations of the source tree, the corpus and the iptc binary, loading
// rule-set text in-process, and recognising the kinds that are still placeholders on this branch
// so that failures they cause can say so.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "iptc/ir/diag.hpp"
#include "iptc/ir/kinds.hpp"
#include "iptc/ir/ruleset.hpp"
#include "iptc/ir/source.hpp"

namespace iptc::test {

/// Marks the running test case as skipped; the Catch main then exits with IPTC_TEST_SKIP_CODE
/// (when nothing failed), which CTest reports as "skipped". The caller returns right after.
void skip(const std::string& reason);
[[nodiscard]] bool skipped();

/// `--only NAME` on the test program's command line (the CTest registration passes one corpus
/// or recording file per test); empty when absent.
[[nodiscard]] const std::string& only_filter();
void set_only_filter(std::string name);

[[nodiscard]] std::string source_dir();
/// IPTC_CORPUS_DIR from the environment, else the configured ../shared/corpus/public.
[[nodiscard]] std::string corpus_dir();
[[nodiscard]] std::string iptc_binary();

[[nodiscard]] std::optional<std::string> read_file(const std::string& path);
[[nodiscard]] bool file_exists(const std::string& path);
/// Sorted file names (not paths) in a directory ending with suffix.
[[nodiscard]] std::vector<std::string> list_dir(const std::string& dir, std::string_view suffix);

/// One rule set read in-process through the public frontend API.
struct Loaded {
  ir::SourceManager sm;
  uint32_t file = 0;
  ir::Ruleset rs;
  ir::Diagnostics diags;
  bool ok = false;

  /// Every diagnostic, rendered as the CLI prints it.
  [[nodiscard]] std::string rendered() const;
  [[nodiscard]] const ir::Diagnostic* first_error() const;
  /// Line of the first error, 0 when there is none.
  [[nodiscard]] uint32_t first_error_line() const;
  /// Messages of all errors, joined by newlines (for CHECK_THAT on a message).
  [[nodiscard]] std::string messages() const;
  /// iptables-save text of the rule set.
  [[nodiscard]] std::string printed() const;
};

struct LoadOptions {
  bool verify = true;     ///< frontend::load (parse + ir::verify) rather than frontend::parse
  bool counters = false;  ///< iptables-restore --counters
};
/// Reads text as an iptables-save file named "test.rules".
std::unique_ptr<Loaded> load(std::string_view text, LoadOptions opts = {});

/// A kind whose row in ir/src/kinds is still the placeholder that rejects every use (other
/// branches replace them). Detected from the row's behaviour, so it stops matching on its own.
[[nodiscard]] bool is_placeholder(ir::MatchKind k);
[[nodiscard]] bool is_placeholder(ir::TargetKind k);
/// The placeholder kinds a rule-set text uses (`-m NAME`, `-j NAME`, and the protocol matches
/// `-p NAME` loads implicitly), by their iptables spelling, sorted.
[[nodiscard]] std::vector<std::string> placeholder_kinds_in(std::string_view text);
/// " (uses placeholder kinds: a, b; expected to fail until they are implemented)" or "".
[[nodiscard]] std::string placeholder_note(std::string_view text);

/// "a, b, c".
[[nodiscard]] std::string join(const std::vector<std::string>& items, std::string_view sep = ", ");
/// Splits on '\n' (a final newline does not add an empty line).
[[nodiscard]] std::vector<std::string> split_lines(std::string_view text);

}  // namespace iptc::test
