// Names of tables and hooks, the built-in chains of each table, and Table's chain index.
#include "iptc/ir/ruleset.hpp"

#include <cassert>

namespace iptc::ir {

std::string_view table_name(TableKind t) {
  switch (t) {
    case TableKind::Mangle: return "mangle";
    case TableKind::Security: return "security";
    case TableKind::Raw: return "raw";
    case TableKind::Filter: return "filter";
    case TableKind::Nat: return "nat";
  }
  return "?";
}

std::optional<TableKind> table_from_name(std::string_view name) {
  for (size_t i = 0; i < kTableCount; ++i)
    if (table_name(static_cast<TableKind>(i)) == name) return static_cast<TableKind>(i);
  return std::nullopt;
}

std::string_view hook_name(Hook h) {
  switch (h) {
    case Hook::Prerouting: return "PREROUTING";
    case Hook::Input: return "INPUT";
    case Hook::Forward: return "FORWARD";
    case Hook::Output: return "OUTPUT";
    case Hook::Postrouting: return "POSTROUTING";
  }
  return "?";
}

std::optional<Hook> hook_from_name(std::string_view name) {
  for (size_t i = 0; i < kHookCount; ++i)
    if (hook_name(static_cast<Hook>(i)) == name) return static_cast<Hook>(i);
  return std::nullopt;
}

std::vector<Hook> table_hooks(TableKind t) {
  using H = Hook;
  switch (t) {
    case TableKind::Raw: return {H::Prerouting, H::Output};
    case TableKind::Mangle: return {H::Prerouting, H::Input, H::Forward, H::Output, H::Postrouting};
    case TableKind::Filter: return {H::Input, H::Forward, H::Output};
    case TableKind::Security: return {H::Input, H::Forward, H::Output};
    case TableKind::Nat: return {H::Prerouting, H::Input, H::Output, H::Postrouting};
  }
  return {};
}

int table_priority(TableKind t, Hook h) {
  switch (t) {
    case TableKind::Raw: return -300;
    case TableKind::Mangle: return -150;
    case TableKind::Filter: return 0;
    case TableKind::Security: return 50;
    case TableKind::Nat:
      return (h == Hook::Prerouting || h == Hook::Output) ? -100 : 100;
  }
  return 0;
}

Table::Table(TableKind kind) : kind_(kind) {
  for (Hook h : table_hooks(kind)) {
    Chain c;
    c.name = std::string(hook_name(h));
    c.hook = h;
    chains_.push_back(std::move(c));
  }
  reindex();
}

void Table::reindex() {
  index_.clear();
  for (size_t i = 0; i < chains_.size(); ++i) index_.emplace(chains_[i].name, i);
}

Chain* Table::find(std::string_view name) {
  auto it = index_.find(std::string(name));
  return it == index_.end() ? nullptr : &chains_[it->second];
}

const Chain* Table::find(std::string_view name) const {
  auto it = index_.find(std::string(name));
  return it == index_.end() ? nullptr : &chains_[it->second];
}

Chain& Table::add_user_chain(std::string name, SourceLoc loc) {
  assert(!find(name) && "add_user_chain: chain exists");
  Chain c;
  c.name = std::move(name);
  c.loc = loc;
  index_.emplace(c.name, chains_.size());
  chains_.push_back(std::move(c));
  return chains_.back();
}

void Table::erase_chain(std::string_view name) {
  auto it = index_.find(std::string(name));
  if (it == index_.end()) return;
  chains_.erase(chains_.begin() + static_cast<std::ptrdiff_t>(it->second));
  reindex();
}

void Table::rename_chain(std::string_view from, std::string to) {
  Chain* c = find(from);
  assert(c && !c->builtin() && "rename_chain: no such user chain");
  std::string old(from);
  c->name = to;
  for (Chain& ch : chains_)
    for (Rule& r : ch.rules)
      if ((r.target.type == TargetType::Jump || r.target.type == TargetType::Goto) &&
          r.target.chain == old)
        r.target.chain = to;
  reindex();
}

Chain* Table::builtin(Hook h) {
  for (Chain& c : chains_)
    if (c.hook == h) return &c;
  return nullptr;
}

const Chain* Table::builtin(Hook h) const {
  for (const Chain& c : chains_)
    if (c.hook == h) return &c;
  return nullptr;
}

Table& Ruleset::ensure(TableKind t, SourceLoc loc) {
  auto& o = tables[static_cast<size_t>(t)];
  if (!o) {
    o.emplace(t);
    o->loc = loc;
  }
  return *o;
}

}  // namespace iptc::ir
