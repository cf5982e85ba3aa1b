// Entry point of the command-script reader (shell_reader.cpp).
#pragma once

#include <optional>

#include "iptc/frontend/frontend.hpp"

namespace iptc::frontend {

bool parse_script(ir::SourceManager& sm, uint32_t file_id, const ParseOptions& opts,
                  ir::Ruleset& out, ir::Diagnostics& diags, ScriptReport* report);

}  // namespace iptc::frontend
