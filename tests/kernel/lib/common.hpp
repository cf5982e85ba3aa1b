// Small helpers shared by the kernel-differential harness, its generators and its driver:
// IPv4 address text, string splitting, file reading, and a monotonic clock. Nothing here knows
// about the kernel; the harness deliberately shares no code with iptc itself, so that a bug in
// iptc can never hide in the oracle that checks it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iptc::kernel_test {

/// Parses dotted-quad IPv4 text ("10.0.0.1") into host byte order.
std::optional<uint32_t> parse_ipv4(std::string_view s);
/// Parses "ADDR/LEN" (LEN 0..32; a bare ADDR is /32).
bool parse_cidr(std::string_view s, uint32_t& addr, uint8_t& len);
/// Host byte order to dotted quad.
std::string format_ipv4(uint32_t a);
/// Netmask of a prefix length, host byte order.
constexpr uint32_t prefix_mask(unsigned len) {
  return len == 0 ? 0u : (len >= 32 ? 0xffffffffu : ~((1u << (32 - len)) - 1u));
}

/// Splits on runs of blanks (spaces and tabs).
std::vector<std::string> split_ws(std::string_view s);
std::string_view trim(std::string_view s);
bool starts_with(std::string_view s, std::string_view p);
/// Strict unsigned decimal (or 0x hex) parse with an upper bound.
std::optional<uint64_t> parse_uint(std::string_view s, uint64_t max);

/// Whole file, or nullopt (err filled) when it cannot be read.
std::optional<std::string> read_file(const std::string& path, std::string* err = nullptr);
bool write_file(const std::string& path, std::string_view text, std::string* err = nullptr);
bool file_exists(const std::string& path);

/// Seconds since an arbitrary start (CLOCK_MONOTONIC).
double now_seconds();

}  // namespace iptc::kernel_test
