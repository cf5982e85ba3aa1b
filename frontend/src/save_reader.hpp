// Entry point of the iptables-save format reader (save_reader.cpp).
#pragma once

#include "iptc/frontend/frontend.hpp"

namespace iptc::frontend {

bool parse_save(const ir::SourceManager& sm, uint32_t file_id, const ParseOptions& opts,
                ir::Ruleset& out, ir::Diagnostics& diags);

}  // namespace iptc::frontend
