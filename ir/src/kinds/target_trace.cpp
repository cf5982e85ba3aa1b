// -j TRACE (extensions/libxt_TRACE.c: no options). iptables-nft 1.8.9 does not send the
// xtables target (whose kernel side, xt_TRACE.c, is raw-only): nft.c add_target turns it into
// "immediate 1; meta nftrace set" (add_meta_nftrace), and nft-shared.c nft_meta_set_to_target
// lists that back as -j TRACE. So it loads in every table and chain (nft_target_is_native).
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

bool parse(const OptionCall&, TargetData&) { return false; }  // no options to dispatch
void save(SaveWriter&, const TargetData&) {}

}  // namespace

const TargetDef kTrace = {
    .kind = TargetKind::Trace,
    .name = "TRACE",
    .options = {},
    .init = [] { return TargetData{TraceTarget{}}; },
    .parse = parse,
    .finish = nullptr,
    .save = save,
};

}  // namespace iptc::ir::kinds
