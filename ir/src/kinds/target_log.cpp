// -j LOG (extensions/libxt_LOG.c, guided parser; net/netfilter/xt_LOG.c). --log-level is a
// number 0-7 (C notation, whole word) or one of libxtables' syslog names (exact, lower case);
// --log-prefix needs at least one byte, refuses newlines and is cut to 29 bytes without a
// word (XTOPT_PUT into xt_log_info.prefix[30]); each --log-* flag may be given once. The kernel
// target works in every table and hook.
#include <algorithm>

#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

// Option ids equal the XT_LOG_* bit positions for the flags, as in libxt_LOG.c.
enum : uint8_t { kTcpSeq = 0, kTcpOpts, kIpOpts, kUid, kNflogUnused, kMac, kLevel, kPrefix };

constexpr OptionDef kOptions[] = {
    {"log-level", kLevel, ArgKind::Required, 0},
    {"log-prefix", kPrefix, ArgKind::Required, 0},
    {"log-tcp-sequence", kTcpSeq, ArgKind::None, 0},
    {"log-tcp-options", kTcpOpts, ArgKind::None, 0},
    {"log-ip-options", kIpOpts, ArgKind::None, 0},
    {"log-uid", kUid, ArgKind::None, 0},
    {"log-macdecode", kMac, ArgKind::None, 0},
};

constexpr size_t kPrefixMax = 29;  // sizeof(xt_log_info.prefix) - 1
constexpr uint8_t kDefaultLevel = 4;  // LOG_WARNING

struct LevelName {
  std::string_view name;
  uint8_t level;
};
// xtopt_parse_sysloglevel's table ("error" and "panic" are its deprecated extras; "err" and
// "warn" are not accepted).
constexpr LevelName kLevels[] = {
    {"alert", 1}, {"crit", 2}, {"debug", 7}, {"emerg", 0}, {"error", 3},
    {"info", 6},  {"notice", 5}, {"panic", 0}, {"warning", 4},
};

bool parse(const OptionCall& c, TargetData& d) {
  auto& l = std::get<LogTarget>(d);
  switch (c.opt->id) {
    case kLevel: {
      if (auto v = parse_uint(c.arg, 0, 7)) {
        l.level = static_cast<uint8_t>(*v);
        return true;
      }
      for (const auto& n : kLevels)
        if (n.name == c.arg) {
          l.level = n.level;
          return true;
        }
      return c.fail(fmt::format("log level '{}' unknown", c.arg),
                    "write 0-7 or emerg, alert, crit, error, warning, notice, info, debug");
    }
    case kPrefix:
      if (c.arg.empty())
        return c.fail("--log-prefix needs at least one character",
                      "leave out --log-prefix for no prefix");
      if (c.arg.find('\n') != std::string_view::npos)
        return c.fail("newlines are not allowed in --log-prefix");
      // The kernel keeps 29 bytes; iptables cuts longer prefixes silently.
      if (c.arg.size() > kPrefixMax)
        c.diags->warning(c.arg_loc, fmt::format("--log-prefix cut to {} characters", kPrefixMax),
                         "the kernel keeps 29 bytes of the prefix", c.arg_len);
      l.prefix = std::string(c.arg.substr(0, kPrefixMax));
      return true;
    case kTcpSeq:
    case kTcpOpts:
    case kIpOpts:
    case kUid:
    case kMac:
      l.logflags |= static_cast<uint8_t>(1u << c.opt->id);
      return true;
    default:
      return false;
  }
}

void save(SaveWriter& w, const TargetData& d) {
  const auto& l = std::get<LogTarget>(d);
  if (!l.prefix.empty()) {
    w.raw(" --log-prefix");
    w.quoted(l.prefix);
  }
  if (l.level != kDefaultLevel) w.raw(fmt::format(" --log-level {}", l.level));
  if (l.logflags & LogTarget::kTcpSeq) w.raw(" --log-tcp-sequence");
  if (l.logflags & LogTarget::kTcpOpt) w.raw(" --log-tcp-options");
  if (l.logflags & LogTarget::kIpOpt) w.raw(" --log-ip-options");
  if (l.logflags & LogTarget::kUid) w.raw(" --log-uid");
  if (l.logflags & LogTarget::kMacDecode) w.raw(" --log-macdecode");
}

}  // namespace

const TargetDef kLog = {
    .kind = TargetKind::Log,
    .name = "LOG",
    .options = kOptions,
    .init = [] { return TargetData{LogTarget{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
};

}  // namespace iptc::ir::kinds
