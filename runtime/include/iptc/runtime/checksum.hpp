// Internet checksums the way the kernel computes them (include/net/checksum.h,
// net/core/utils.c inet_proto_csum_replace*): a full one's-complement sum for building packets
// and the incremental updates NAT and mangling targets use when they rewrite a field, so that a
// rewritten packet carries the same checksum bytes the kernel would have written (RFC 1071,
// RFC 1624). All values are in network byte order as they sit in the packet: the one's-complement
// sum is byte-order independent, so the helpers read and write the two checksum bytes directly.
// Nothing here allocates or throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace iptc::runtime {

/// Partial 32-bit one's-complement sum of bytes (csum_partial); `init` chains sums.
uint32_t csum_partial(std::span<const uint8_t> bytes, uint32_t init = 0);
/// Folds a partial sum to 16 bits and complements it (csum_fold); the value to store, host order.
uint16_t csum_fold(uint32_t sum);
/// Partial sum of the TCP/UDP pseudo header (csum_tcpudp_nofold); addresses host order.
uint32_t csum_pseudo(uint32_t saddr, uint32_t daddr, uint8_t proto, uint16_t len);

/// Reads / writes a 16-bit big-endian field.
inline uint16_t load16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline void store16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline uint32_t load32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
inline void store32(uint8_t* p, uint32_t v) {
  store16(p, static_cast<uint16_t>(v >> 16));
  store16(p + 2, static_cast<uint16_t>(v));
}

/// csum_replace4 / csum_replace2: the checksum at `check` (2 bytes, network order) after a
/// covered 32/16-bit field changed from `from` to `to` (host order values). csum_replace2 is
/// the kernel's 16-bit variant (TTL and TOS targets).
void csum_replace4(uint8_t* check, uint32_t from, uint32_t to);
void csum_replace2(uint8_t* check, uint16_t from, uint16_t to);
/// inet_proto_csum_replace4/2 for a packet whose checksum is complete (not CHECKSUM_PARTIAL):
/// csum_fold(csum_partial({~from, to}, ~csum_unfold(*sum))). The 2-byte variant widens its
/// values to 32 bits first, so both reduce to csum_replace4's arithmetic. `pseudohdr` only
/// matters for offloaded checksums, which we never have; it keeps call sites like the kernel's.
inline void proto_csum_replace4(uint8_t* check, uint32_t from, uint32_t to, bool /*pseudohdr*/) {
  csum_replace4(check, from, to);
}
inline void proto_csum_replace2(uint8_t* check, uint16_t from, uint16_t to, bool /*pseudohdr*/) {
  csum_replace4(check, from, to);
}

}  // namespace iptc::runtime
