// iptables-save (nf_tables) output: tables in kernel order (mangle, security, raw, filter, nat),
// built-in chains with policy and counters, user chains sorted by name (strcmp), then the rules
// of every chain in the same order. The ipt_ip part prints as nft_ipv4_save_rule does:
// -s, -d, -i, -o, -p, -f; then "-m NAME" and each match's save text, then the target.
#include "iptc/ir/printer.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "iptc/ir/kinds.hpp"
#include "iptc/ir/nft_canon.hpp"
#include "iptc/ir/values.hpp"

namespace iptc::ir {

namespace {

void save_addr(std::string& out, char letter, const Ipv4Net& n, bool invert) {
  if (n.mask == 0 && !invert && n.addr == 0) return;
  out += fmt::format("{} -{} {}/{}", invert ? " !" : "", letter, ipv4_to_string(n.addr),
                     mask_to_string(n.mask));
}

void save_iface(std::string& out, char letter, const std::string& name, bool invert) {
  // save_iface prints the masked part of the name and '+' for a wildcard; "+" alone has an
  // empty mask and prints nothing. "! -i +" is different: iptables-nft stores it as a match on the
  // impossible name "INVAL/D" and parse_invalid_iface() lists it back as "! -i +".
  if (name.empty() || (name == "+" && !invert)) return;
  out += fmt::format("{} -{} {}", invert ? " !" : "", letter, name);
}

std::vector<const Chain*> chain_order(const Table& t) {
  std::vector<const Chain*> builtins, users;
  for (const Chain& c : t.chains()) (c.builtin() ? builtins : users).push_back(&c);
  std::sort(users.begin(), users.end(),
            [](const Chain* a, const Chain* b) { return a->name < b->name; });
  builtins.insert(builtins.end(), users.begin(), users.end());
  return builtins;
}

}  // namespace

std::string print_rule_spec(const Rule& r) {
  std::string out;
  const IpHeaderMatch& ip = r.ip;
  save_addr(out, 's', ip.src, ip.inv_src);
  save_addr(out, 'd', ip.dst, ip.inv_dst);
  save_iface(out, 'i', ip.iniface, ip.inv_in);
  save_iface(out, 'o', ip.outiface, ip.inv_out);
  if (ip.proto != 0) {
    if (ip.inv_proto) out += " !";
    if (auto name = protocol_name(ip.proto)) out += fmt::format(" -p {}", *name);
    else out += fmt::format(" -p {}", ip.proto);
  }
  if (ip.frag) out += ip.inv_frag ? " ! -f" : " -f";
  SaveWriter w(out);
  for (const Match& m : nft_save_view(r.matches)) {
    const MatchDef& def = match_def(m.kind());
    out += fmt::format(" -m {}", def.name);
    def.save(w, m.data);
  }
  switch (r.target.type) {
    case TargetType::None: break;
    case TargetType::Accept: out += " -j ACCEPT"; break;
    case TargetType::Drop: out += " -j DROP"; break;
    case TargetType::Queue: out += " -j QUEUE"; break;
    case TargetType::Return: out += " -j RETURN"; break;
    case TargetType::Jump: out += fmt::format(" -j {}", r.target.chain); break;
    case TargetType::Goto: out += fmt::format(" -g {}", r.target.chain); break;
    case TargetType::Extension: {
      const TargetDef& def = target_def(r.target.kind());
      out += fmt::format(" -j {}", def.name);
      def.save(w, r.target.data);
      break;
    }
  }
  return out;
}

std::string print_rule(const Chain& c, const Rule& r) {
  return fmt::format("-A {}{}", c.name, print_rule_spec(r));
}

std::string print_save(const Ruleset& rs, const PrintOptions& opts) {
  std::string out;
  for (const auto& t : rs.tables) {
    if (!t) continue;
    out += fmt::format("*{}\n", t->name());
    auto chains = chain_order(*t);
    for (const Chain* c : chains) {
      if (c->builtin())
        out += fmt::format(":{} {} [{}:{}]\n", c->name,
                           c->policy == Policy::Accept ? "ACCEPT" : "DROP",
                           opts.counters ? c->counters.packets : 0,
                           opts.counters ? c->counters.bytes : 0);
      else
        out += fmt::format(":{} - [0:0]\n", c->name);
    }
    for (const Chain* c : chains)
      for (const Rule& r : c->rules) {
        if (opts.counters) out += fmt::format("[{}:{}] ", r.counters.packets, r.counters.bytes);
        out += print_rule(*c, r);
        out += '\n';
      }
    out += "COMMIT\n";
  }
  return out;
}

}  // namespace iptc::ir
