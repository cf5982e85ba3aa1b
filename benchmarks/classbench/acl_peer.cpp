// DPDK's rte_acl as the ClassBench peer (Debian 12's libdpdk-dev, DPDK 22.11). The rule
// layout is the IPv4 5-tuple of DPDK's ACL guide and l3fwd-acl: protocol (1-byte bitmask
// field, which must come first), source and destination address (4-byte mask fields), source
// and destination port (2-byte range fields sharing one 4-byte input word). Priority
// N - i for filter i (rte_acl returns the highest priority among matches, so the first
// filter wins), userdata i + 1 (the FORWARD rule number; 0 is rte_acl's "no match"), one
// category. Keys are written once in network byte order (prepare) and classified in bursts of
// kAclBurst with the default algorithm (the best the CPU has: AVX2 here), single thread.
//
// The EAL: rte_acl_classify needs nothing but the context, but rte_acl_create registers the
// context in an EAL tail queue and allocates it, and rte_acl_build its run-time tables, from
// DPDK's malloc heap; both need rte_eal_init (without it rte_acl_create dereferences the
// unset shared configuration). So the EAL is started once per process, without hugepages
// (--no-huge: the heap is ordinary anonymous memory), PCI or shared files (--no-shconf),
// on the one CPU this thread runs on.
#include "classifier.hpp"

#if IPTC_HAVE_DPDK

#include <arpa/inet.h>
#include <sched.h>

#include <rte_acl.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include <cstddef>
#include <cstdio>
#include <mutex>

namespace iptc::bench {

namespace {

struct Key {
  uint8_t proto;
  uint32_t src;  // network byte order
  uint32_t dst;
  uint16_t sport;
  uint16_t dport;
};

enum : uint8_t { kFieldProto, kFieldSrc, kFieldDst, kFieldSport, kFieldDport, kFieldCount };

RTE_ACL_RULE_DEF(AclRule, kFieldCount);

rte_acl_config acl_config() {
  rte_acl_config cfg{};
  cfg.num_categories = 1;
  cfg.num_fields = kFieldCount;
  cfg.defs[0] = {RTE_ACL_FIELD_TYPE_BITMASK, 1, kFieldProto, 0, offsetof(Key, proto)};
  cfg.defs[1] = {RTE_ACL_FIELD_TYPE_MASK, 4, kFieldSrc, 1, offsetof(Key, src)};
  cfg.defs[2] = {RTE_ACL_FIELD_TYPE_MASK, 4, kFieldDst, 2, offsetof(Key, dst)};
  cfg.defs[3] = {RTE_ACL_FIELD_TYPE_RANGE, 2, kFieldSport, 3, offsetof(Key, sport)};
  cfg.defs[4] = {RTE_ACL_FIELD_TYPE_RANGE, 2, kFieldDport, 3, offsetof(Key, dport)};
  cfg.max_size = 0;  // no limit on the run-time tables
  return cfg;
}

bool eal_started = false;
std::string eal_error;
size_t last_memory = 0;

bool start_eal() {
  static std::once_flag once;
  std::call_once(once, [] {
    int cpu = sched_getcpu();
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) == 1)
      for (int c = 0; c < CPU_SETSIZE; ++c)
        if (CPU_ISSET(c, &set)) cpu = c;
    std::string lcore = std::to_string(cpu < 0 ? 0 : cpu);
    // 8 GiB of address space for the heap: the 100K-rule tables need a few hundred MiB, and
    // without hugepages the EAL maps (but does not touch) the whole amount at start.
    const char* argv[] = {"iptc-bench", "-l", lcore.c_str(), "--no-huge", "-m", "8192",
                          "--no-pci", "--no-shconf", "--no-telemetry", "--log-level=error"};
    int argc = static_cast<int>(sizeof argv / sizeof argv[0]);
    if (rte_eal_init(argc, const_cast<char**>(argv)) < 0)
      eal_error = std::string("rte_eal_init failed: ") + rte_strerror(rte_errno);
    else
      eal_started = true;
  });
  return eal_started;
}

size_t heap_bytes() {
  rte_malloc_socket_stats s{};
  size_t total = 0;
  for (int socket = 0; socket < static_cast<int>(rte_socket_count()); ++socket)
    if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(socket), &s) == 0)
      total += s.heap_allocsz_bytes;
  return total;
}

class AclClassifier final : public Classifier {
 public:
  ~AclClassifier() override { rte_acl_free(ctx_); }
  [[nodiscard]] std::string name() const override { return "rte_acl"; }

  bool build(std::span<const Filter> filters, std::string* why_not) {
    static int serial = 0;
    std::string ctx_name = "iptc-acl-" + std::to_string(serial++);
    rte_acl_param prm{};
    prm.name = ctx_name.c_str();
    prm.socket_id = SOCKET_ID_ANY;
    prm.rule_size = RTE_ACL_RULE_SZ(kFieldCount);
    prm.max_rule_num = static_cast<uint32_t>(filters.size());
    size_t before = heap_bytes();
    ctx_ = rte_acl_create(&prm);
    if (!ctx_) return fail(why_not, "rte_acl_create");
    std::vector<AclRule> rules(filters.size());
    uint32_t n = static_cast<uint32_t>(filters.size());
    for (uint32_t i = 0; i < n; ++i) {
      const Filter& f = filters[i];
      AclRule& r = rules[i];
      r.data.category_mask = 1;
      r.data.priority = static_cast<int32_t>(n - i);
      r.data.userdata = i + 1;
      r.field[kFieldProto].value.u8 = f.proto;
      r.field[kFieldProto].mask_range.u8 = f.proto_any ? 0 : 0xff;
      r.field[kFieldSrc].value.u32 = f.src;
      r.field[kFieldSrc].mask_range.u32 = f.src_len;
      r.field[kFieldDst].value.u32 = f.dst;
      r.field[kFieldDst].mask_range.u32 = f.dst_len;
      r.field[kFieldSport].value.u16 = f.sport_lo;
      r.field[kFieldSport].mask_range.u16 = f.sport_hi;
      r.field[kFieldDport].value.u16 = f.dport_lo;
      r.field[kFieldDport].mask_range.u16 = f.dport_hi;
    }
    if (int rc = rte_acl_add_rules(ctx_, reinterpret_cast<const rte_acl_rule*>(rules.data()), n);
        rc != 0)
      return fail(why_not, "rte_acl_add_rules", -rc);
    rte_acl_config cfg = acl_config();
    if (int rc = rte_acl_build(ctx_, &cfg); rc != 0) return fail(why_not, "rte_acl_build", -rc);
    last_memory = heap_bytes() - before;
    return true;
  }

  void prepare(std::span<const Header> headers) override {
    keys_.resize(headers.size());
    ptrs_.resize(headers.size());
    for (size_t i = 0; i < headers.size(); ++i) {
      const Header& h = headers[i];
      keys_[i] = Key{h.proto, htonl(h.src), htonl(h.dst), htons(h.sport), htons(h.dport)};
      ptrs_[i] = reinterpret_cast<const uint8_t*>(&keys_[i]);
    }
  }

  void classify(std::span<uint32_t> out) override {
    for (size_t i = 0; i < ptrs_.size(); i += kAclBurst) {
      uint32_t n = static_cast<uint32_t>(std::min(kAclBurst, ptrs_.size() - i));
      rte_acl_classify(ctx_, ptrs_.data() + i, out.data() + i, n, 1);
    }
  }

 private:
  bool fail(std::string* why_not, const char* what, int err = -1) {
    if (why_not)
      *why_not = std::string(what) + " failed: " + rte_strerror(err < 0 ? rte_errno : err);
    return false;
  }

  rte_acl_ctx* ctx_ = nullptr;
  std::vector<Key> keys_;
  std::vector<const uint8_t*> ptrs_;
};

}  // namespace

bool acl_available() { return true; }

std::unique_ptr<Classifier> make_acl_classifier(std::span<const Filter> filters,
                                                std::string* why_not) {
  if (!start_eal()) {
    if (why_not) *why_not = eal_error;
    return nullptr;
  }
  auto c = std::make_unique<AclClassifier>();
  if (!c->build(filters, why_not)) return nullptr;
  return c;
}

size_t acl_last_memory() { return last_memory; }

}  // namespace iptc::bench

#else  // !IPTC_HAVE_DPDK

namespace iptc::bench {

bool acl_available() { return false; }

std::unique_ptr<Classifier> make_acl_classifier(std::span<const Filter>, std::string* why_not) {
  if (why_not)
    *why_not = "built without DPDK (install libdpdk-dev: scripts/setup --with-benchmark-peers)";
  return nullptr;
}

size_t acl_last_memory() { return 0; }

}  // namespace iptc::bench

#endif
