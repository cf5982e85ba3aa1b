// `--ipset FILE`: see ipsets.hpp.
#include "ipsets.hpp"

#include <fmt/format.h>

#include "input.hpp"

namespace iptc::cli {

namespace {

/// Calls f(loc, name, dim, what) for every set reference of every rule.
template <typename F>
void for_each_set_ref(const ir::Ruleset& rs, F&& f) {
  for (const auto& t : rs.tables) {
    if (!t) continue;
    for (const auto& c : t->chains())
      for (const auto& r : c.rules) {
        for (const auto& m : r.matches)
          if (const auto* s = std::get_if<ir::SetMatch>(&m.data)) f(m.loc, s->name, s->dim, "match");
        if (r.target.type == ir::TargetType::Extension)
          if (const auto* t = std::get_if<ir::SetTarget>(&r.target.data))
            for (const ir::SetTargetRef* ref : {&t->add_set, &t->del_set, &t->map_set})
              if (!ref->name.empty()) f(r.target.loc, ref->name, ref->dim, "target");
      }
  }
}

}  // namespace

std::optional<runtime::IpsetStore> load_ipsets(ir::SourceManager& sm, const std::string& path,
                                               ir::Diagnostics& diags) {
  auto id = read_input(sm, path);
  if (!id) return std::nullopt;
  runtime::IpsetStore store;
  std::vector<runtime::IpsetParseError> errs;
  if (store.parse(sm.file(*id).text(), errs)) return store;
  for (const auto& e : errs)
    diags.error(ir::SourceLoc{*id, e.line, e.col ? e.col : 1}, e.message, e.hint, e.len ? e.len : 1);
  return std::nullopt;
}

bool check_set_refs(const ir::Ruleset& rs, const runtime::IpsetStore& sets, ir::Diagnostics& diags) {
  bool ok = true;
  for_each_set_ref(rs, [&](const ir::SourceLoc& loc, const std::string& name, uint8_t dim,
                           const char* what) {
    int id = sets.find(name);
    if (id < 0) {
      diags.error(loc, fmt::format("set {} doesn't exist", name),
                  "create it in the --ipset file (iptables asks the kernel for the set by name)");
      ok = false;
      return;
    }
    const auto& d = sets.def(id);
    uint8_t need = runtime::ipset_type_dimension(d.type);
    if (dim < need)
      diags.warning(loc,
                    fmt::format("set {} is {} ({} dimensions) but the {} gives {} direction{}: the "
                                "kernel accepts it and it never {}",
                                name, runtime::ipset_type_name(d.type), need, what, dim,
                                dim == 1 ? "" : "s",
                                std::string_view(what) == "match" ? "matches" : "adds or deletes"),
                    fmt::format("give {} directions, e.g. src,dst", need));
  });
  return ok;
}

bool uses_sets(const ir::Ruleset& rs) {
  bool any = false;
  for_each_set_ref(rs, [&](const ir::SourceLoc&, const std::string&, uint8_t, const char*) { any = true; });
  return any;
}

}  // namespace iptc::cli
