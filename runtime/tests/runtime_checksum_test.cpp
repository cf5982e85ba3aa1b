// Checksum arithmetic against the RFCs' worked examples (RFC 1071 section 3, RFC 1624
// section 4) and a real IPv4 header.
#include <catch2/catch.hpp>

#include <array>

#include "iptc/runtime/checksum.hpp"

using namespace iptc::runtime;

TEST_CASE("RFC 1071 example sum", "[checksum]") {
  // RFC 1071 section 3: the one's-complement sum of 00 01 f2 03 f4 f5 f6 f7 is dd f2.
  const std::array<uint8_t, 8> b = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  CHECK(csum_fold(csum_partial(b)) == static_cast<uint16_t>(~0xddf2));
}

TEST_CASE("RFC 1624 incremental update", "[checksum]") {
  // RFC 1624 section 4: HC = 0xDD2F, m = 0x5555 -> m' = 0x3285 gives HC' = 0x0000 (eqn. 3).
  std::array<uint8_t, 2> c = {0xdd, 0x2f};
  csum_replace2(c.data(), 0x5555, 0x3285);
  CHECK(load16(c.data()) == 0x0000);
  std::array<uint8_t, 2> d = {0xdd, 0x2f};
  csum_replace4(d.data(), 0x5555, 0x3285);
  CHECK(load16(d.data()) == 0x0000);
}

TEST_CASE("IPv4 header checksum of a known header", "[checksum]") {
  // The classic example header (Wikipedia "IPv4 header checksum"): checksum b861.
  std::array<uint8_t, 20> h = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                               0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  CHECK(csum_fold(csum_partial(h)) == 0xb861);
  store16(&h[10], 0xb861);
  CHECK(csum_fold(csum_partial(h)) == 0);
  // Rewriting the source address incrementally must agree with a full recomputation.
  csum_replace4(&h[10], 0xc0a80001, 0x0a000001);
  store32(&h[12], 0x0a000001);
  CHECK(csum_fold(csum_partial(h)) == 0);
}
