// -m owner (extensions/libxt_owner.c revision 1, guided parser; kernel xt_owner.c):
// [!] --uid-owner USER|ID[-ID], [!] --gid-owner GROUP|ID[-ID], [!] --socket-exists,
// --suppl-groups (only after --gid-owner). At least one option is required. The kernel allows
// the match only at OUTPUT and POSTROUTING and refuses a reversed id range.
//
// Names: iptables resolves them with getpwnam/getgrnam on the host that loads the rules and
// the kernel keeps only the number (iptables-save prints numbers). iptc must not depend on the
// machine it runs on, so it knows the accounts whose ids are fixed on every Debian system
// (base-passwd's passwd.master and group.master); any other name is an error that asks for the
// number, because its id differs from host to host.
#include <cctype>
#include <span>

#include <fmt/format.h>

#include "kind_helpers.hpp"
#include "registry.hpp"

namespace iptc::ir::kinds {

namespace {

enum : uint8_t { kUid, kGid, kSocket, kSuppl };

constexpr OptionDef kOptions[] = {
    {"uid-owner", kUid, ArgKind::Required, optflag::kInvert},
    {"gid-owner", kGid, ArgKind::Required, optflag::kInvert},
    {"socket-exists", kSocket, ArgKind::None, optflag::kInvert},
    {"suppl-groups", kSuppl, ArgKind::None, 0},
};

struct Account {
  std::string_view name;
  uint32_t id;
};

// Debian base-passwd 3.6.1 (bookworm), /usr/share/base-passwd/passwd.master.
constexpr Account kUsers[] = {
    {"root", 0},   {"daemon", 1}, {"bin", 2},      {"sys", 3},     {"sync", 4},
    {"games", 5},  {"man", 6},    {"lp", 7},       {"mail", 8},    {"news", 9},
    {"uucp", 10},  {"proxy", 13}, {"www-data", 33}, {"backup", 34}, {"list", 38},
    {"irc", 39},   {"_apt", 42},  {"nobody", 65534},
};

// Debian base-passwd 3.6.1 (bookworm), /usr/share/base-passwd/group.master.
constexpr Account kGroups[] = {
    {"root", 0},      {"daemon", 1},  {"bin", 2},      {"sys", 3},       {"adm", 4},
    {"tty", 5},       {"disk", 6},    {"lp", 7},       {"mail", 8},      {"news", 9},
    {"uucp", 10},     {"man", 12},    {"proxy", 13},   {"kmem", 15},     {"dialout", 20},
    {"fax", 21},      {"voice", 22},  {"cdrom", 24},   {"floppy", 25},   {"tape", 26},
    {"sudo", 27},     {"audio", 29},  {"dip", 30},     {"www-data", 33}, {"backup", 34},
    {"operator", 37}, {"list", 38},   {"irc", 39},     {"src", 40},      {"shadow", 42},
    {"utmp", 43},     {"video", 44},  {"sasl", 45},    {"plugdev", 46},  {"staff", 50},
    {"games", 60},    {"users", 100}, {"nogroup", 65534},
};

std::optional<uint32_t> lookup(std::span<const Account> table, std::string_view name) {
  for (const auto& a : table)
    if (a.name == name) return a.id;
  return std::nullopt;
}

/// owner_parse_range: "ID", "ID-ID" or "ID:ID", ids 0..4294967294 in C notation (-1 is the
/// kernel's invalid id).
bool parse_range(const OptionCall& c, bool user, uint32_t& lo, uint32_t& hi) {
  std::string_view what = user ? "user" : "group";
  if (auto id = lookup(user ? std::span<const Account>(kUsers) : std::span<const Account>(kGroups), c.arg)) {
    lo = hi = *id;
    return true;
  }
  constexpr uint64_t kMax = UINT32_MAX - 1;
  auto bad = [&] {
    // A word that does not start like a number is meant as a name.
    bool name_like = !c.arg.empty() && (std::isalpha(static_cast<unsigned char>(c.arg[0])) ||
                                        c.arg[0] == '_');
    if (name_like)
      return c.fail(fmt::format("owner: cannot resolve {} name '{}'", what, c.arg),
                    fmt::format("iptc knows only the {}s whose ids are fixed on every Debian system "
                                "(such as {}); other ids depend on the host, so write the number "
                                "(`id -{} {}` on the host that loads the rules)",
                                what, user ? "root, daemon, www-data, nobody" : "root, adm, www-data, nogroup",
                                user ? 'u' : 'g', c.arg));
    return c.fail(fmt::format("owner: invalid {} id '{}'", what, c.arg),
                  fmt::format("write a {} name, an id 0-{} or a range FROM-TO", what, kMax));
  };
  auto first = parse_uint_prefix(c.arg, 0, kMax);
  if (!first) return bad();
  lo = hi = static_cast<uint32_t>(first->first);
  std::string_view rest = first->second;
  if (!rest.empty() && (rest[0] == '-' || rest[0] == ':')) {
    auto second = parse_uint_prefix(rest.substr(1), 0, kMax);
    if (!second) return bad();
    hi = static_cast<uint32_t>(second->first);
    rest = second->second;
  }
  if (!rest.empty()) return bad();
  return true;
}

bool parse(const OptionCall& c, MatchData& d) {
  auto& o = std::get<OwnerMatch>(d);
  switch (c.opt->id) {
    case kUid:
      if (!parse_range(c, true, o.uid_min, o.uid_max)) return false;
      o.match |= OwnerMatch::kUid;
      if (c.invert) o.invert |= OwnerMatch::kUid;
      return true;
    case kGid:
      if (!parse_range(c, false, o.gid_min, o.gid_max)) return false;
      o.match |= OwnerMatch::kGid;
      if (c.invert) o.invert |= OwnerMatch::kGid;
      return true;
    case kSocket:
      o.match |= OwnerMatch::kSocket;
      if (c.invert) o.invert |= OwnerMatch::kSocket;
      return true;
    case kSuppl:
      // Checked when the option is parsed, so --gid-owner must come first.
      if (!(o.match & OwnerMatch::kGid))
        return c.fail_option("owner: --suppl-groups needs --gid-owner before it",
                             "write --gid-owner GROUP --suppl-groups");
      o.match |= OwnerMatch::kSupplGroups;
      return true;
    default: return false;
  }
}

bool finish(const FinishCall& c, MatchData&) {
  if (c.seen == 0)
    return c.fail("owner: at least one of --uid-owner, --gid-owner or --socket-exists is required");
  return true;
}

void save(SaveWriter& w, const MatchData& d) {
  const auto& o = std::get<OwnerMatch>(d);
  auto item = [&](uint8_t flag, std::string_view opt, uint32_t lo, uint32_t hi, bool value) {
    if (!(o.match & flag)) return;
    w.bang(o.invert & flag).raw(" --").raw(opt);
    if (!value) return;
    if (lo != hi) w.raw(fmt::format(" {}-{}", lo, hi));
    else w.raw(fmt::format(" {}", lo));
  };
  item(OwnerMatch::kSocket, "socket-exists", 0, 0, false);
  item(OwnerMatch::kUid, "uid-owner", o.uid_min, o.uid_max, true);
  item(OwnerMatch::kGid, "gid-owner", o.gid_min, o.gid_max, true);
  item(OwnerMatch::kSupplGroups, "suppl-groups", 0, 0, false);
}

/// owner_check: ids must be valid in the init user namespace and ranges not reversed.
std::string kernel_check(const KernelCheckCall&, const MatchData& d) {
  const auto& o = std::get<OwnerMatch>(d);
  if ((o.match & OwnerMatch::kUid) && o.uid_max < o.uid_min)
    return fmt::format("owner: uid range {}-{} is reversed; write {}-{}", o.uid_min, o.uid_max,
                       o.uid_max, o.uid_min);
  if ((o.match & OwnerMatch::kGid) && o.gid_max < o.gid_min)
    return fmt::format("owner: gid range {}-{} is reversed; write {}-{}", o.gid_min, o.gid_max,
                       o.gid_max, o.gid_min);
  return {};
}

}  // namespace

const MatchDef kOwner = {
    .kind = MatchKind::Owner,
    .name = "owner",
    .options = kOptions,
    .init = [] { return MatchData{OwnerMatch{}}; },
    .parse = parse,
    .finish = finish,
    .save = save,
    .kernel_check = kernel_check,
    .hooks = hook_bit(Hook::Output) | hook_bit(Hook::Postrouting),
};

}  // namespace iptc::ir::kinds
