// kgen: writes the generated cases of the kernel-differential suite (see lib/gen.hpp).
//
//   kgen host LISTING [--title NAME]                     host model for a rule set
//   kgen packets LISTING --host HOST [--seed N] [--max N] [--auto SHARE]
//   kgen random --seed N --out PREFIX [--max N]          PREFIX.rules, .host, .packets
//
// LISTING is iptables-save text in the kernel's canonical spelling (a corpus NAME.canonical,
// or what iptables-save printed after loading the rules). Output goes to standard output.
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "lib/common.hpp"
#include "lib/gen.hpp"
#include "lib/save_listing.hpp"

using namespace iptc::kernel_test;

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: kgen host LISTING [--title NAME]\n"
               "       kgen packets LISTING --host HOST [--seed N] [--max N] [--auto SHARE]\n"
               "       kgen random --seed N --out PREFIX [--max N]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  std::string verb = argv[1];
  std::string file, host_path, title, out_prefix;
  GenPacketsOptions opts;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--host") host_path = next();
    else if (a == "--title") title = next();
    else if (a == "--seed") opts.seed = std::strtoull(next().c_str(), nullptr, 10);
    else if (a == "--max") opts.max_packets = std::strtoull(next().c_str(), nullptr, 10);
    else if (a == "--auto") opts.auto_numbered_flows = std::atof(next().c_str());
    else if (a == "--out") out_prefix = next();
    else if (!a.empty() && a[0] == '-') return usage();
    else file = a;
  }
  std::string err;
  if (verb == "random") {
    if (out_prefix.empty()) return usage();
    auto h = generate_random_host(opts.seed);
    std::string rules = generate_random_rules(opts.seed, h.host);
    Listing l;
    if (!parse_listing(rules, l, err)) {
      std::fprintf(stderr, "kgen: internal: %s\n", err.c_str());
      return 1;
    }
    std::string name = "random-" + std::to_string(opts.seed);
    opts.auto_numbered_flows = opts.auto_numbered_flows > 0 ? opts.auto_numbered_flows : 0.3;
    std::string packets = generate_packets(l, h.host, opts, name);
    if (!write_file(out_prefix + ".rules", rules, &err) ||
        !write_file(out_prefix + ".host", h.text, &err) ||
        !write_file(out_prefix + ".packets", packets, &err)) {
      std::fprintf(stderr, "kgen: %s\n", err.c_str());
      return 1;
    }
    return 0;
  }
  if (file.empty()) return usage();
  auto text = read_file(file, &err);
  Listing l;
  if (!text || !parse_listing(*text, l, err)) {
    std::fprintf(stderr, "kgen: %s: %s\n", file.c_str(), err.c_str());
    return 1;
  }
  if (title.empty()) title = file;
  if (verb == "host") {
    std::cout << generate_host(l, title).text;
    return 0;
  }
  if (verb == "packets") {
    Host h = default_host();
    if (!host_path.empty()) {
      auto ht = read_file(host_path, &err);
      if (!ht || !parse_host(*ht, h, err)) {
        std::fprintf(stderr, "kgen: %s: %s\n", host_path.c_str(), err.c_str());
        return 1;
      }
    }
    std::cout << generate_packets(l, h, opts, title);
    return 0;
  }
  return usage();
}
