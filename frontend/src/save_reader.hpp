// Entry point of the iptables-save format reader (save_reader.cpp).
#pragma once

#include "iptc/frontend/frontend.hpp"
#include "rule_builder.hpp"

namespace iptc::frontend {

bool parse_save(const ir::SourceManager& sm, uint32_t file_id, const ParseOptions& opts,
                ir::Ruleset& out, ir::Diagnostics& diags);

/// iptables-restore input embedded in another file (a script's here document): the bytes
/// [begin, end) of `file`, applied through `builder`; with noflush (iptables-restore -n) a
/// `*table` line keeps the table's contents.
bool parse_save_range(const ir::SourceFile& file, uint32_t file_id, size_t begin, size_t end,
                      const ParseOptions& opts, RuleBuilder& builder, ir::Diagnostics& diags,
                      bool noflush);

}  // namespace iptc::frontend
