// -j CONNMARK revision 2 (extensions/libxt_CONNMARK.c connmark_tg_*_v2, guided parser;
// net/netfilter/xt_connmark.c). iptables 1.8.9 picks the newest revision the kernel has, and
// every kernel since 4.20 has revision 2, so the shift options are always available and the
// save form always comes from connmark_tg_save_v2.
//  - one operation: --set-xmark V[/M], --set-mark V[/M] (ctmask = M | V), --and-mark,
//    --or-mark, --xor-mark (set mode, like MARK), --save-mark, --restore-mark;
//  - masks --ctmask and --nfmask, or --mask for both (not together with either); they are
//    stored as they come, so a later --set-mark overwrites an earlier --ctmask and vice versa;
//  - --left-shift-mark / --right-shift-mark 0-32, the later one sets the direction; the kernel
//    refuses 32 (connmark_tg_check_v2).
// The save text depends on the mode: --set-xmark V/M, or --save-mark/--restore-mark with both
// masks, then the shift when it is not 0.
#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t {
  kSetMark, kSaveMark, kRestoreMark, kAndMark, kOrMark, kXorMark, kLeftShift, kRightShift,
  kSetXmark, kCtmask, kNfmask, kMask,
};
constexpr uint32_t bit(uint8_t id) { return 1u << id; }
constexpr uint32_t kOpAny = bit(kSetMark) | bit(kSaveMark) | bit(kRestoreMark) | bit(kAndMark) |
                            bit(kOrMark) | bit(kXorMark) | bit(kSetXmark);

constexpr OptionDef kOptions[] = {
    {"set-xmark", kSetXmark, ArgKind::Required, 0, kOpAny},
    {"set-mark", kSetMark, ArgKind::Required, 0, kOpAny},
    {"and-mark", kAndMark, ArgKind::Required, 0, kOpAny},
    {"or-mark", kOrMark, ArgKind::Required, 0, kOpAny},
    {"xor-mark", kXorMark, ArgKind::Required, 0, kOpAny},
    {"save-mark", kSaveMark, ArgKind::None, 0, kOpAny},
    {"restore-mark", kRestoreMark, ArgKind::None, 0, kOpAny},
    {"left-shift-mark", kLeftShift, ArgKind::Required, 0},
    {"right-shift-mark", kRightShift, ArgKind::Required, 0},
    {"ctmask", kCtmask, ArgKind::Required, 0, bit(kMask)},
    {"nfmask", kNfmask, ArgKind::Required, 0, bit(kMask)},
    {"mask", kMask, ArgKind::Required, 0, bit(kCtmask) | bit(kNfmask)},
};

using Mode = ConnmarkTarget::Mode;

bool parse(const OptionCall& c, TargetData& d) {
  auto& m = std::get<ConnmarkTarget>(d);
  switch (c.opt->id) {
    case kSetXmark:
    case kSetMark: {
      auto vm = parse_val_mask(c);
      if (!vm) return false;
      m.mode = Mode::Set;
      m.ctmark = vm->value;
      m.ctmask = c.opt->id == kSetMark ? vm->value | vm->mask : vm->mask;
      return true;
    }
    case kSaveMark: m.mode = Mode::Save; return true;
    case kRestoreMark: m.mode = Mode::Restore; return true;
    case kLeftShift:
    case kRightShift: {
      auto v = uint_option(c, 0, 32);
      if (!v) return false;
      m.shift_dir = c.opt->id == kLeftShift ? ConnmarkTarget::ShiftDir::Left
                                            : ConnmarkTarget::ShiftDir::Right;
      m.shift_bits = static_cast<uint8_t>(*v);
      return true;
    }
    case kAndMark:
    case kOrMark:
    case kXorMark:
    case kCtmask:
    case kNfmask:
    case kMask: break;
    default: return false;
  }
  auto v = uint_option(c, 0, 0xffffffff);
  if (!v) return false;
  switch (c.opt->id) {
    case kAndMark: m.mode = Mode::Set, m.ctmark = 0, m.ctmask = ~*v; break;
    case kOrMark: m.mode = Mode::Set, m.ctmark = *v, m.ctmask = *v; break;
    case kXorMark: m.mode = Mode::Set, m.ctmark = *v, m.ctmask = 0; break;
    case kCtmask: m.ctmask = *v; break;
    case kNfmask: m.nfmask = *v; break;
    default: m.ctmask = m.nfmask = *v; break;  // kMask
  }
  return true;
}

bool finish(const FinishCall& c, TargetData&) {
  if (!(c.seen & kOpAny))
    return c.fail("no operation given to -j CONNMARK",
                  "give one of --set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark, "
                  "--save-mark, --restore-mark");
  return true;
}

void save(SaveWriter& w, const TargetData& d) {
  const auto& m = std::get<ConnmarkTarget>(d);
  switch (m.mode) {
    case Mode::Set: w.raw(fmt::format(" --set-xmark {}/{}", hex(m.ctmark), hex(m.ctmask))); break;
    case Mode::Save:
      w.raw(fmt::format(" --save-mark --nfmask {} --ctmask {}", hex(m.nfmask), hex(m.ctmask)));
      break;
    case Mode::Restore:
      w.raw(fmt::format(" --restore-mark --nfmask {} --ctmask {}", hex(m.nfmask), hex(m.ctmask)));
      break;
  }
  if (m.shift_bits != 0)
    w.raw(fmt::format(" --{}-shift-mark {}",
                      m.shift_dir == ConnmarkTarget::ShiftDir::Left ? "left" : "right",
                      m.shift_bits));
}

/// connmark_tg_check_v2: a shift of the whole 32-bit mark is refused.
std::string kernel_check(const KernelCheckCall&, const TargetData& d) {
  const auto& m = std::get<ConnmarkTarget>(d);
  if (m.shift_bits >= 32)
    return fmt::format("the kernel refuses a CONNMARK shift of {} bits (at most 31)", m.shift_bits);
  return {};
}

}  // namespace

const TargetDef kConnmarkTarget = {
    .kind = TargetKind::Connmark,
    .name = "CONNMARK",
    .options = kOptions,
    .init = [] { return TargetData{ConnmarkTarget{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
    .kernel_check = kernel_check,
};

}  // namespace iptc::ir::kinds
