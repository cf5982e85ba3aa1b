// One iptables command line (the argv of `iptables ...` or of an iptables-restore rule line)
// parsed the way iptables 1.8.9's do_parse() parses it: command letters, the ipt_ip options,
// `-m` matches with their options (through the kind table), the implicit protocol match,
// `-j`/`-g`, and the final checks. Both input syntaxes call parse_command; neither has a
// grammar of its own for options.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "iptc/ir/diag.hpp"
#include "iptc/ir/ruleset.hpp"
#include "words.hpp"

namespace iptc::frontend {

/// Command bits, in iptables' CMD_* order.
enum CommandBits : uint32_t {
  kCmdNone = 0,
  kCmdInsert = 1u << 0,
  kCmdDelete = 1u << 1,
  kCmdDeleteNum = 1u << 2,
  kCmdReplace = 1u << 3,
  kCmdAppend = 1u << 4,
  kCmdList = 1u << 5,
  kCmdFlush = 1u << 6,
  kCmdZero = 1u << 7,
  kCmdNewChain = 1u << 8,
  kCmdDeleteChain = 1u << 9,
  kCmdSetPolicy = 1u << 10,
  kCmdRenameChain = 1u << 11,
  kCmdListRules = 1u << 12,
  kCmdZeroNum = 1u << 13,
  kCmdCheck = 1u << 14,
};
inline constexpr int kCommandCount = 15;

struct CommandMode {
  bool restore = false;      ///< inside iptables-restore: -t, -w, -W are refused; -6 skips
  std::string table;         ///< the table of the restore block (restore mode)
};

struct ParsedCommand {
  uint32_t command = kCmdNone;
  bool skipped = false;  ///< `-6` in restore mode: iptables-restore ignores the line
  std::string table = "filter";
  ir::SourceLoc table_loc;
  std::string chain;
  const Word* chain_word = nullptr;
  uint32_t rulenum = 0;
  const Word* rulenum_word = nullptr;
  std::string newname;
  const Word* newname_word = nullptr;
  std::string policy;
  const Word* policy_word = nullptr;
  uint32_t options = 0;  ///< OPT_* bits seen
  bool has_counters = false;  ///< -c / --set-counters
  ir::Counters counters;
  /// Rule commands: one rule per (source, destination) pair, as iptables expands
  /// `-s a,b -d c` into several rules.
  std::vector<ir::Rule> rules;
  ir::SourceLoc loc;  ///< first word of the command
  const Word* command_word = nullptr;
};

/// Parses argv (without the program name). Returns false after reporting to diags.
bool parse_command(const Argv& argv, const CommandMode& mode, ParsedCommand& out,
                   ir::Diagnostics& diags);

/// assert_valid_chain_name: length, first character, no clash with a target name, no blanks.
bool valid_chain_name(const Word& name, ir::Diagnostics& diags);

/// Letter of a command bit ('A' for kCmdAppend), for messages.
char command_letter(uint32_t command);

}  // namespace iptc::frontend
