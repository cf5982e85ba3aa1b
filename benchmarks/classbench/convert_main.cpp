// classbench_convert: a ClassBench filter set to an iptables-save file (classbench.hpp has
// the exact conversion), or with --trace a header trace to packet lines for `iptc trace`.
//   classbench_convert FILTERS [-o OUT]
//   classbench_convert --trace TRACE [--in IFACE] [-o OUT]
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "classbench.hpp"

namespace {

/// "line N: message" (the library's errors) as "FILE:N: error: message".
void report(const std::string& file, const std::string& error) {
  size_t colon = error.find(':');
  fmt::print(stderr, "{}:{}: error:{}\n", file, error.substr(5, colon - 5), error.substr(colon + 1));
}

int usage() {
  std::fputs("usage: classbench_convert FILTERS [-o OUT]\n"
             "       classbench_convert --trace TRACE [--in IFACE] [-o OUT]\n"
             "FILTERS becomes an iptables-save file (one filter/FORWARD rule per filter, first\n"
             "match wins, -j ACCEPT, policy DROP); TRACE becomes packet lines arriving on IFACE\n"
             "(default eth0).\n",
             stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string input, output, in_iface = "eth0";
  bool trace = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--trace") trace = true;
    else if ((a == "-o" || a == "--in") && i + 1 < argc) (a == "-o" ? output : in_iface) = argv[++i];
    else if (a == "-h" || a == "--help") return usage();
    else if (!a.empty() && a[0] != '-' && input.empty()) input = a;
    else return usage();
  }
  if (input.empty()) return usage();
  std::string text, out, error;
  if (!iptc::bench::read_file(input, text)) {
    fmt::print(stderr, "{}: error: cannot read the file\n", input);
    return 1;
  }
  if (trace) {
    std::vector<iptc::bench::Header> headers;
    if (!iptc::bench::parse_trace(text, headers, error)) {
      report(input, error);
      return 1;
    }
    out = iptc::bench::to_packet_lines(headers, in_iface);
  } else {
    std::vector<iptc::bench::Filter> filters;
    if (!iptc::bench::parse_filters(text, filters, error) ||
        !iptc::bench::to_iptables_save(filters, out, error)) {
      report(input, error);
      return 1;
    }
  }
  if (output.empty()) {
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
  }
  std::ofstream f(output, std::ios::binary);
  f << out;
  if (!f) {
    fmt::print(stderr, "{}: error: cannot write the file\n", output);
    return 1;
  }
  return 0;
}
