// -j NFLOG (extensions/libxt_NFLOG.c, guided parser). iptables-nft 1.8.9 does not send the
// xtables target: nft.c add_log builds a native nft "log" expression (group, prefix, snaplen
// when --nflog-size was given, queue threshold when not 0), and nft-shared.c nft_parse_log
// rebuilds NFLOG from it when listing. So the prefix keeps up to 127 bytes (the expression's
// limit, not xt_nflog_info's 63), --nflog-range is dropped (nft_canonicalize_target), and no
// xtables table/hook check applies. --nflog-range and --nflog-size exclude each other.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kGroup, kPrefix, kRange, kSize, kThreshold };

constexpr OptionDef kOptions[] = {
    {"nflog-group", kGroup, ArgKind::Required, 0},
    {"nflog-prefix", kPrefix, ArgKind::Required, 0},
    {"nflog-range", kRange, ArgKind::Required, 0, 1u << kSize},
    {"nflog-size", kSize, ArgKind::Required, 0, 1u << kRange},
    {"nflog-threshold", kThreshold, ArgKind::Required, 0},
};

constexpr size_t kPrefixMax = 127;  // NF_LOG_PREFIXLEN - 1

bool parse(const OptionCall& c, TargetData& d) {
  auto& n = std::get<NflogTarget>(d);
  switch (c.opt->id) {
    case kGroup:
    case kThreshold: {
      auto v = uint_option(c, 0, 65535);
      if (!v) return false;
      (c.opt->id == kGroup ? n.group : n.threshold) = static_cast<uint16_t>(*v);
      return true;
    }
    case kRange:
    case kSize: {
      auto v = uint_option(c, 0, 0xffffffff);
      if (!v) return false;
      n.len = *v;
      if (c.opt->id == kSize) n.flags |= NflogTarget::kCopyLen;
      else
        c.diags->warning(c.opt_loc, "--nflog-range has no effect",
                         "iptables-nft does not pass it to the kernel; use --nflog-size", c.opt_len);
      return true;
    }
    case kPrefix:
      if (c.arg.empty())
        return c.fail("--nflog-prefix needs at least one character",
                      "leave out --nflog-prefix for no prefix");
      if (c.arg.find('\n') != std::string_view::npos)
        return c.fail("newlines are not allowed in --nflog-prefix");
      if (c.arg.size() > kPrefixMax)
        c.diags->warning(c.arg_loc, fmt::format("--nflog-prefix cut to {} characters", kPrefixMax),
                         {}, c.arg_len);
      n.prefix = std::string(c.arg.substr(0, kPrefixMax));
      return true;
    default: return false;
  }
}

void save(SaveWriter& w, const TargetData& d) {
  const auto& n = std::get<NflogTarget>(d);
  if (!n.prefix.empty()) {
    w.raw(" --nflog-prefix");
    w.quoted(n.prefix);
  }
  if (n.group) w.raw(fmt::format(" --nflog-group {}", n.group));
  if (n.flags & NflogTarget::kCopyLen) w.raw(fmt::format(" --nflog-size {}", n.len));
  else if (n.len) w.raw(fmt::format(" --nflog-range {}", n.len));
  if (n.threshold != 0) w.raw(fmt::format(" --nflog-threshold {}", n.threshold));
}

}  // namespace

const TargetDef kNflog = {
    .kind = TargetKind::Nflog,
    .name = "NFLOG",
    .options = kOptions,
    .init = [] { return TargetData{NflogTarget{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
};

}  // namespace iptc::ir::kinds
