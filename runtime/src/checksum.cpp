// One's-complement checksums with the kernel's arithmetic (csum_partial, csum_fold,
// csum_replace4/2 of include/net/checksum.h): RFC 1071 sums, RFC 1624 incremental updates.
// Values are summed as big-endian 16-bit words; the one's-complement sum does not depend on the
// byte order, so the bytes written equal the kernel's.
#include "iptc/runtime/checksum.hpp"

namespace iptc::runtime {
namespace {

uint32_t csum_add(uint32_t a, uint32_t b) {
  const uint32_t r = a + b;
  return r + (r < a ? 1u : 0u);
}

}  // namespace

uint32_t csum_partial(std::span<const uint8_t> bytes, uint32_t init) {
  uint64_t sum = init;
  size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) sum += load16(&bytes[i]);
  if (i < bytes.size()) sum += static_cast<uint32_t>(bytes[i]) << 8;
  while (sum >> 32) sum = (sum & 0xffffffffULL) + (sum >> 32);
  return static_cast<uint32_t>(sum);
}

uint16_t csum_fold(uint32_t sum) {
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

uint32_t csum_pseudo(uint32_t saddr, uint32_t daddr, uint8_t proto, uint16_t len) {
  uint64_t sum = 0;
  sum += saddr >> 16;
  sum += saddr & 0xffff;
  sum += daddr >> 16;
  sum += daddr & 0xffff;
  sum += proto;
  sum += len;
  while (sum >> 32) sum = (sum & 0xffffffffULL) + (sum >> 32);
  return static_cast<uint32_t>(sum);
}

void csum_replace4(uint8_t* check, uint32_t from, uint32_t to) {
  // *sum = csum_fold(csum_add(csum_sub(~csum_unfold(*sum), from), to)), csum_sub(a, b) being
  // csum_add(a, ~b), and ~csum_unfold a 32-bit complement: the kernel's exact arithmetic.
  uint32_t s = csum_add(~static_cast<uint32_t>(load16(check)), ~from);
  s = csum_add(s, to);
  store16(check, csum_fold(s));
}

void csum_replace2(uint8_t* check, uint16_t from, uint16_t to) {
  // *sum = ~csum16_add(csum16_sub(~(*sum), old), new), all in 16 bits.
  auto add16 = [](uint16_t a, uint16_t b) {
    const uint16_t r = static_cast<uint16_t>(a + b);
    return static_cast<uint16_t>(r + (r < b ? 1 : 0));
  };
  const uint16_t s = static_cast<uint16_t>(~load16(check));
  const uint16_t r = add16(add16(s, static_cast<uint16_t>(~from)), to);
  store16(check, static_cast<uint16_t>(~r));
}

}  // namespace iptc::runtime
