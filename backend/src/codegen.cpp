// Lowered form -> LLVM IR. The shape is the kernel's own loop unrolled: rules become
// straight-line compare-and-branch code (each criterion a load of one iptc_pkt field, a mask,
// a range compare and a branch to the next rule or to the hotdrop exit), a matching rule bumps
// its counter slot in this thread's shard and appends its slot to the trace buffer, then runs
// its action. Each (table, hook) is an external function; each user chain it reaches is an
// internal function of its own, so the native call stack is the return stack: `-j` is a call
// whose IPTC_RETURN result continues with the next rule, `-g` a call whose result is returned
// as ours (from the built-in chain, RETURN then means the policy). Its depth is bounded by the
// verifier's jump-depth check, as the kernel's jumpstack is. LLVM inlines chains called once.
//
// Fields are read where a rule tests them, never cached across a callback: a slow-path match
// or target may change the packet and refresh *pkt (abi.h). Offsets come from abi.h through
// offsetof, checked by static_asserts, so the C header stays the single source of the layout.
#include <cstddef>

#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/IRBuilder.h>

#include "codegen.hpp"
#include "iptc/runtime/abi.h"

namespace iptc::backend::detail {

static_assert(offsetof(iptc_pkt, mac) == 60 && offsetof(iptc_pkt, in) == 68 &&
              offsetof(iptc_pkt, data) == 104 && sizeof(iptc_pkt) == 120,
              "abi.h's documented offsets");
static_assert(offsetof(iptc_ctx, counters) == 0 && offsetof(iptc_ctx, matched) == 8 &&
              offsetof(iptc_ctx, matched_len) == 16 && offsetof(iptc_ctx, matched_cap) == 20 &&
              offsetof(iptc_ctx, match) == 24 && offsetof(iptc_ctx, target) == 32);
static_assert(sizeof(iptc_counter) == 16);
static_assert(sizeof(iptc_hook_entry) == 24 && offsetof(iptc_descriptor, hooks) == 16 &&
              offsetof(iptc_descriptor, fingerprint) == 24);
static_assert(IPTC_TABLE_NAT == static_cast<unsigned>(ir::TableKind::Nat) &&
              IPTC_HOOK_POSTROUTING == static_cast<unsigned>(ir::Hook::Postrouting));

namespace {

/// The internal result of a user chain that ran off its end or hit RETURN.
constexpr uint32_t kReturn = 0xff;
/// The internal result of a chain segment whose rules all fell through.
constexpr uint32_t kNext = 0xfd;
/// Rules per function before a chain is split into segments.
constexpr size_t kSegmentRules = 128;

struct FieldInfo {
  unsigned offset;
  unsigned bits;
};

FieldInfo field_info(ir::Field f) {
  using F = ir::Field;
  switch (f) {
    case F::Src: return {offsetof(iptc_pkt, src), 32};
    case F::Dst: return {offsetof(iptc_pkt, dst), 32};
    case F::Mark: return {offsetof(iptc_pkt, mark), 32};
    case F::Len: return {offsetof(iptc_pkt, len), 32};
    case F::CtStatus: return {offsetof(iptc_pkt, ct_status), 32};
    case F::CtMark: return {offsetof(iptc_pkt, ct_mark), 32};
    case F::Uid: return {offsetof(iptc_pkt, uid), 32};
    case F::Gid: return {offsetof(iptc_pkt, gid), 32};
    case F::InIfindex: return {offsetof(iptc_pkt, in_ifindex), 32};
    case F::OutIfindex: return {offsetof(iptc_pkt, out_ifindex), 32};
    case F::TotLen: return {offsetof(iptc_pkt, tot_len), 16};
    case F::FragOff: return {offsetof(iptc_pkt, frag_off), 16};
    case F::Sport: return {offsetof(iptc_pkt, sport), 16};
    case F::Dport: return {offsetof(iptc_pkt, dport), 16};
    case F::L4Avail: return {offsetof(iptc_pkt, l4_avail), 16};
    case F::CtState: return {offsetof(iptc_pkt, ct_state), 16};
    case F::Proto: return {offsetof(iptc_pkt, proto), 8};
    case F::Tos: return {offsetof(iptc_pkt, tos), 8};
    case F::Ttl: return {offsetof(iptc_pkt, ttl), 8};
    case F::TcpFlags: return {offsetof(iptc_pkt, tcp_flags), 8};
    case F::IcmpType: return {offsetof(iptc_pkt, icmp_type), 8};
    case F::IcmpCode: return {offsetof(iptc_pkt, icmp_code), 8};
    case F::Pkttype: return {offsetof(iptc_pkt, pkttype), 8};
    case F::Flags: return {offsetof(iptc_pkt, flags), 8};
    case F::IcmpTypeCode: return {offsetof(iptc_pkt, icmp_type), 16};  // composed, see load
  }
  return {0, 8};
}

uint32_t pack(uint32_t verdict, uint32_t slot) { return verdict | ((slot + 1) << 8); }

class Gen {
 public:
  explicit Gen(llvm::Module& m)
      : m_(m), c_(m.getContext()), b_(c_), i1_(b_.getInt1Ty()), i8_(b_.getInt8Ty()),
        i16_(b_.getInt16Ty()), i32_(b_.getInt32Ty()), i64_(b_.getInt64Ty()),
        ptr_(llvm::PointerType::get(c_, 0)),
        hook_ty_(llvm::FunctionType::get(i32_, {ptr_, ptr_}, false)),
        match_ty_(llvm::FunctionType::get(i32_, {ptr_, ptr_, i32_, i32_}, false)),
        target_ty_(llvm::FunctionType::get(i32_, {ptr_, ptr_, i32_}, false)),
        little_(m.getDataLayout().isLittleEndian()) {}

  llvm::Function* hook(const ir::LoweredHook& h) {
    std::string sym = ir::hook_symbol(h.table, h.hook);
    fns_.assign(h.chains.size(), nullptr);
    for (size_t k = 0; k < h.chains.size(); ++k) {
      auto linkage = k == 0 ? llvm::GlobalValue::ExternalLinkage : llvm::GlobalValue::InternalLinkage;
      std::string name = k == 0 ? sym : sym + "." + h.chains[k].name;
      fns_[k] = llvm::Function::Create(hook_ty_, linkage, name, m_);
      fns_[k]->addFnAttr(llvm::Attribute::NoUnwind);
      fns_[k]->addParamAttr(0, llvm::Attribute::NonNull);
      fns_[k]->addParamAttr(1, llvm::Attribute::NonNull);
    }
    for (size_t k = 0; k < h.chains.size(); ++k) chain(h, k);
    return fns_[0];
  }

  void descriptor(const ir::LoweredRuleset& l, const std::vector<llvm::Function*>& hooks) {
    auto* entry_ty = llvm::StructType::get(c_, {i32_, i32_, ptr_, ptr_});
    std::vector<llvm::Constant*> entries;
    for (size_t i = 0; i < l.hooks.size(); ++i) {
      const auto& h = l.hooks[i];
      llvm::Constant* name = b_.CreateGlobalStringPtr(ir::hook_symbol(h.table, h.hook), "iptc.name",
                                                      0, &m_);
      entries.push_back(llvm::ConstantStruct::get(
          entry_ty, {b_.getInt32(static_cast<uint32_t>(h.table)),
                     b_.getInt32(static_cast<uint32_t>(h.hook)), name, hooks[i]}));
    }
    auto* arr_ty = llvm::ArrayType::get(entry_ty, entries.size());
    auto* arr = new llvm::GlobalVariable(m_, arr_ty, true, llvm::GlobalValue::PrivateLinkage,
                                         llvm::ConstantArray::get(arr_ty, entries), "iptc.hooks");
    auto* desc_ty = llvm::StructType::get(c_, {i32_, i32_, i32_, i32_, ptr_, i64_});
    auto* desc = llvm::ConstantStruct::get(
        desc_ty, {b_.getInt32(IPTC_ABI_VERSION),
                  b_.getInt32(static_cast<uint32_t>(l.slots.slots.size())),
                  b_.getInt32(l.slots.rule_count), b_.getInt32(static_cast<uint32_t>(entries.size())),
                  arr, b_.getInt64(l.fingerprint)});
    new llvm::GlobalVariable(m_, desc_ty, true, llvm::GlobalValue::ExternalLinkage, desc,
                             IPTC_DESCRIPTOR_SYMBOL);
  }

 private:
  llvm::Module& m_;
  llvm::LLVMContext& c_;
  llvm::IRBuilder<> b_;
  llvm::Type *i1_, *i8_, *i16_, *i32_, *i64_;
  llvm::PointerType* ptr_;
  llvm::FunctionType *hook_ty_, *match_ty_, *target_ty_;
  bool little_;
  std::vector<llvm::Function*> fns_;
  // Per function being built.
  llvm::Function* fn_ = nullptr;
  llvm::Value *pkt_ = nullptr, *ctx_ = nullptr;
  llvm::BasicBlock* hotdrop_ = nullptr;

  llvm::Value* at(llvm::Value* base, unsigned off) {
    return off ? b_.CreateConstInBoundsGEP1_64(i8_, base, off) : base;
  }
  llvm::Value* load(llvm::Type* t, llvm::Value* base, unsigned off, unsigned align) {
    return b_.CreateAlignedLoad(t, at(base, off), llvm::MaybeAlign(align));
  }
  llvm::Type* int_ty(unsigned bits) { return bits == 32 ? i32_ : bits == 16 ? i16_ : i8_; }

  llvm::Value* field(ir::Field f) {
    if (f == ir::Field::IcmpTypeCode) {
      llvm::Value* t = b_.CreateZExt(load(i8_, pkt_, offsetof(iptc_pkt, icmp_type), 1), i32_);
      llvm::Value* c = b_.CreateZExt(load(i8_, pkt_, offsetof(iptc_pkt, icmp_code), 1), i32_);
      return b_.CreateOr(b_.CreateShl(t, 8), c);
    }
    FieldInfo fi = field_info(f);
    llvm::Value* v = load(int_ty(fi.bits), pkt_, fi.offset, fi.bits / 8);
    return fi.bits == 32 ? v : b_.CreateZExt(v, i32_);
  }

  /// lo <= v <= hi on i32 values (false when lo > hi).
  llvm::Value* in_range(llvm::Value* v, uint32_t lo, uint32_t hi) {
    if (lo > hi) return b_.getFalse();
    if (lo == hi) return b_.CreateICmpEQ(v, b_.getInt32(lo));
    if (lo == 0) return b_.CreateICmpULE(v, b_.getInt32(hi));
    return b_.CreateICmpULE(b_.CreateSub(v, b_.getInt32(lo)), b_.getInt32(hi - lo));
  }

  llvm::Value* field_test(const ir::FieldTest& t) {
    llvm::Value* v = field(t.field);
    unsigned bits = t.field == ir::Field::IcmpTypeCode ? 16 : field_info(t.field).bits;
    uint32_t full = bits == 32 ? ~0u : (1u << bits) - 1;
    if ((t.mask & full) != full) v = b_.CreateAnd(v, b_.getInt32(t.mask & full));
    llvm::Value* r = in_range(v, t.lo, t.hi);
    return t.invert ? b_.CreateNot(r) : r;
  }

  /// Packs bytes [0, n) of `bytes` into the two little- or big-endian words of a 16-byte
  /// name, with the matching compare masks.
  void pack_words(const uint8_t* bytes, size_t n, size_t total, uint64_t w[2], uint64_t mk[2]) {
    w[0] = w[1] = mk[0] = mk[1] = 0;
    for (size_t i = 0; i < total; ++i) {
      size_t word = i / 8, byte = i % 8;
      unsigned shift = little_ ? 8 * byte : 8 * (7 - byte);
      if (i < n) {
        w[word] |= uint64_t{bytes[i]} << shift;
        mk[word] |= uint64_t{0xff} << shift;
      }
    }
  }

  llvm::Value* iface_test(const ir::IfaceTest& t) {
    if (t.len == 0) return t.invert ? b_.getFalse() : b_.getTrue();
    uint64_t w[2], mk[2];
    pack_words(reinterpret_cast<const uint8_t*>(t.name.data()), t.len, 16, w, mk);
    unsigned off = t.out ? offsetof(iptc_pkt, out) : offsetof(iptc_pkt, in);
    llvm::Value* eq = b_.getTrue();
    for (int k = 0; k < 2; ++k) {
      if (!mk[k]) continue;
      llvm::Value* word = load(i64_, pkt_, off + 8 * k, 4);
      if (mk[k] != ~uint64_t{0}) word = b_.CreateAnd(word, b_.getInt64(mk[k]));
      eq = b_.CreateAnd(eq, b_.CreateICmpEQ(word, b_.getInt64(w[k])));
    }
    return t.invert ? b_.CreateNot(eq) : eq;
  }

  llvm::Value* mac_test(const ir::MacTest& t) {
    uint64_t w[2], mk[2];
    pack_words(t.addr.data(), 6, 8, w, mk);
    llvm::Value* word = b_.CreateAnd(load(i64_, pkt_, offsetof(iptc_pkt, mac), 4), b_.getInt64(mk[0]));
    llvm::Value* eq = b_.CreateICmpEQ(word, b_.getInt64(w[0]));
    return t.invert ? b_.CreateNot(eq) : eq;
  }

  llvm::Value* port_list(const ir::PortListTest& t) {
    using D = ir::PortListTest::Dir;
    llvm::Value* any = b_.getFalse();
    llvm::Value* sp = t.dir != D::Destination ? field(ir::Field::Sport) : nullptr;
    llvm::Value* dp = t.dir != D::Source ? field(ir::Field::Dport) : nullptr;
    for (const auto& r : t.ranges) {
      if (dp) any = b_.CreateOr(any, in_range(dp, r.lo, r.hi));
      if (sp) any = b_.CreateOr(any, in_range(sp, r.lo, r.hi));
    }
    return t.invert ? b_.CreateNot(any) : any;
  }

  llvm::BasicBlock* block(const char* name) { return llvm::BasicBlock::Create(c_, name, fn_); }

  /// Emits one criterion in the current block; continues in a new block when it passes.
  void criterion(const ir::Criterion& cr, uint32_t slot, llvm::BasicBlock* next_rule) {
    llvm::BasicBlock* pass = block("pass");
    if (const auto* s = std::get_if<ir::SlowMatch>(&cr)) {
      llvm::Value* cb = load(ptr_, ctx_, offsetof(iptc_ctx, match), 8);
      llvm::Value* r = b_.CreateCall(match_ty_, cb, {ctx_, pkt_, b_.getInt32(slot), b_.getInt32(s->match_index)});
      llvm::SwitchInst* sw = b_.CreateSwitch(r, next_rule, 2);
      sw->addCase(b_.getInt32(IPTC_MATCH_YES), pass);
      sw->addCase(b_.getInt32(IPTC_MATCH_HOTDROP), hotdrop_);
    } else {
      llvm::Value* ok = nullptr;
      ir::OnFail on_fail = ir::OnFail::Skip;
      if (const auto* f = std::get_if<ir::FieldTest>(&cr)) {
        ok = field_test(*f);
        on_fail = f->on_fail;
      } else if (const auto* i = std::get_if<ir::IfaceTest>(&cr)) {
        ok = iface_test(*i);
      } else if (const auto* mt = std::get_if<ir::MacTest>(&cr)) {
        // No MAC header: no match, inverted or not.
        llvm::Value* flags = field(ir::Field::Flags);
        llvm::Value* has = b_.CreateICmpNE(b_.CreateAnd(flags, b_.getInt32(IPTC_PKT_HAS_MAC)), b_.getInt32(0));
        llvm::BasicBlock* cmp = block("mac");
        b_.CreateCondBr(has, cmp, next_rule);
        b_.SetInsertPoint(cmp);
        ok = mac_test(*mt);
      } else if (const auto* p = std::get_if<ir::PortListTest>(&cr)) {
        ok = port_list(*p);
      }
      b_.CreateCondBr(ok, pass, on_fail == ir::OnFail::Hotdrop ? hotdrop_ : next_rule);
    }
    b_.SetInsertPoint(pass);
  }

  void count(uint32_t slot) {
    llvm::Value* shard = load(ptr_, ctx_, offsetof(iptc_ctx, counters), 8);
    llvm::Value* c = at(shard, slot * sizeof(iptc_counter));
    llvm::Value* pk = b_.CreateAlignedLoad(i64_, c, llvm::MaybeAlign(8));
    b_.CreateAlignedStore(b_.CreateAdd(pk, b_.getInt64(1)), c, llvm::MaybeAlign(8));
    llvm::Value* bp = at(shard, slot * sizeof(iptc_counter) + 8);
    llvm::Value* by = b_.CreateAlignedLoad(i64_, bp, llvm::MaybeAlign(8));
    llvm::Value* len = b_.CreateZExt(field(ir::Field::Len), i64_);
    b_.CreateAlignedStore(b_.CreateAdd(by, len), bp, llvm::MaybeAlign(8));
  }

  void trace(uint32_t slot) {
    llvm::Value* len_p = at(ctx_, offsetof(iptc_ctx, matched_len));
    llvm::Value* len = b_.CreateAlignedLoad(i32_, len_p, llvm::MaybeAlign(4));
    llvm::Value* cap = load(i32_, ctx_, offsetof(iptc_ctx, matched_cap), 4);
    llvm::BasicBlock* store = block("trace");
    llvm::BasicBlock* done = block("traced");
    b_.CreateCondBr(b_.CreateICmpULT(len, cap), store, done);
    b_.SetInsertPoint(store);
    llvm::Value* buf = load(ptr_, ctx_, offsetof(iptc_ctx, matched), 8);
    llvm::Value* dst = b_.CreateInBoundsGEP(i32_, buf, b_.CreateZExt(len, i64_));
    b_.CreateAlignedStore(b_.getInt32(slot), dst, llvm::MaybeAlign(4));
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
    b_.CreateAlignedStore(b_.CreateAdd(len, b_.getInt32(1)), len_p, llvm::MaybeAlign(4));
  }

  void chain(const ir::LoweredHook& h, size_t k) {
    const ir::LoweredChain& ch = h.chains[k];
    if (ch.rules.size() <= kSegmentRules) {
      body(fns_[k], ch, 0, ch.rules.size(), false);
      return;
    }
    // A long chain: segments of kSegmentRules rules, each a function of its own that LLVM
    // must not inline back (O2 and instruction selection grow faster than linearly in a
    // function's size; 8,000 rules in one function take minutes, in segments seconds).
    std::string base = fns_[k]->getName().str();
    std::vector<llvm::Function*> segs;
    for (size_t from = 0; from < ch.rules.size(); from += kSegmentRules) {
      auto* f = llvm::Function::Create(hook_ty_, llvm::GlobalValue::InternalLinkage,
                                       base + ".seg" + std::to_string(segs.size()), m_);
      f->addFnAttr(llvm::Attribute::NoUnwind);
      f->addFnAttr(llvm::Attribute::NoInline);
      body(f, ch, from, std::min(ch.rules.size(), from + kSegmentRules), true);
      segs.push_back(f);
    }
    begin(fns_[k]);
    llvm::BasicBlock* entry = block("entry");
    llvm::BasicBlock* end = chain_end(ch);
    b_.SetInsertPoint(entry);
    for (llvm::Function* f : segs) {
      llvm::Value* r = b_.CreateCall(hook_ty_, f, {pkt_, ctx_});
      llvm::BasicBlock* next = block("segment");
      llvm::BasicBlock* decided = block("decided");
      llvm::SwitchInst* sw = b_.CreateSwitch(r, decided, 2);
      sw->addCase(b_.getInt32(kNext), next);
      // RETURN inside a segment: the policy of a built-in chain, else return to the caller.
      sw->addCase(b_.getInt32(kReturn), end);
      b_.SetInsertPoint(decided);
      b_.CreateRet(r);
      b_.SetInsertPoint(next);
    }
    b_.CreateBr(end);
  }

  void begin(llvm::Function* f) {
    fn_ = f;
    pkt_ = fn_->getArg(0);
    ctx_ = fn_->getArg(1);
    pkt_->setName("pkt");
    ctx_->setName("ctx");
  }

  /// The end of a chain: the policy of a built-in chain (counted), else RETURN.
  llvm::BasicBlock* chain_end(const ir::LoweredChain& ch) {
    llvm::BasicBlock* end = block("end");
    auto ip = b_.saveIP();
    b_.SetInsertPoint(end);
    if (ch.builtin) {
      count(ch.policy_slot);
      uint32_t v = ch.policy == ir::Policy::Accept ? IPTC_ACCEPT : IPTC_DROP;
      b_.CreateRet(b_.getInt32(pack(v, ch.policy_slot)));
    } else {
      b_.CreateRet(b_.getInt32(kReturn));
    }
    b_.restoreIP(ip);
    return end;
  }

  /// Rules [from, to) of a chain as the body of `f`: the whole chain, or one segment (which
  /// returns kNext at its end and kReturn for RETURN, whatever the chain).
  void body(llvm::Function* f, const ir::LoweredChain& ch, size_t from, size_t to, bool segment) {
    begin(f);
    llvm::BasicBlock* entry = block("entry");
    hotdrop_ = block("hotdrop");
    llvm::BasicBlock* end;
    if (segment) {
      end = block("end");
      b_.SetInsertPoint(end);
      b_.CreateRet(b_.getInt32(kNext));
    } else {
      end = chain_end(ch);
    }
    std::vector<llvm::BasicBlock*> rules;
    for (size_t i = from; i < to; ++i) rules.push_back(block("rule"));
    rules.push_back(end);
    b_.SetInsertPoint(entry);
    b_.CreateBr(rules[0]);
    b_.SetInsertPoint(hotdrop_);
    b_.CreateRet(b_.getInt32(IPTC_HOTDROP));
    bool builtin = ch.builtin && !segment;
    for (size_t i = from; i < to; ++i) {
      const ir::LoweredRule& r = ch.rules[i];
      llvm::BasicBlock* next = rules[i - from + 1];
      b_.SetInsertPoint(rules[i - from]);
      for (const auto& cr : r.criteria) criterion(cr, r.slot, next);
      count(r.slot);
      trace(r.slot);
      action(builtin, r, next, end);
    }
  }

  /// `builtin`: the rules run in the built-in chain's own function (RETURN is its policy).
  void action(bool builtin, const ir::LoweredRule& r, llvm::BasicBlock* next, llvm::BasicBlock* end) {
    const ir::Action& a = r.action;
    switch (a.kind) {
      case ir::ActionKind::Continue: b_.CreateBr(next); return;
      case ir::ActionKind::Accept: b_.CreateRet(b_.getInt32(pack(IPTC_ACCEPT, r.slot))); return;
      case ir::ActionKind::Drop: b_.CreateRet(b_.getInt32(pack(IPTC_DROP, r.slot))); return;
      case ir::ActionKind::Queue: b_.CreateRet(b_.getInt32(pack(IPTC_QUEUE, r.slot))); return;
      case ir::ActionKind::Return:
        if (builtin) b_.CreateBr(end);
        else b_.CreateRet(b_.getInt32(kReturn));
        return;
      case ir::ActionKind::Jump:
      case ir::ActionKind::Goto: {
        llvm::Value* res = b_.CreateCall(hook_ty_, fns_[a.chain], {pkt_, ctx_});
        llvm::Value* returned = b_.CreateICmpEQ(res, b_.getInt32(kReturn));
        llvm::BasicBlock* decided = block("decided");
        llvm::BasicBlock* after = next;
        if (a.kind == ir::ActionKind::Goto) {
          // The goto's callee replaced our frame: its RETURN returns from us.
          if (builtin) {
            after = end;
          } else {
            b_.CreateRet(res);
            decided->eraseFromParent();
            return;
          }
        }
        b_.CreateCondBr(returned, after, decided);
        b_.SetInsertPoint(decided);
        b_.CreateRet(res);
        return;
      }
      case ir::ActionKind::SetMark: {
        llvm::Value* p = at(pkt_, offsetof(iptc_pkt, mark));
        llvm::Value* m = b_.CreateAlignedLoad(i32_, p, llvm::MaybeAlign(4));
        m = b_.CreateXor(b_.CreateAnd(m, b_.getInt32(~a.mask)), b_.getInt32(a.value));
        b_.CreateAlignedStore(m, p, llvm::MaybeAlign(4));
        b_.CreateBr(next);
        return;
      }
      case ir::ActionKind::SlowTarget: {
        llvm::Value* cb = load(ptr_, ctx_, offsetof(iptc_ctx, target), 8);
        llvm::Value* v = b_.CreateCall(target_ty_, cb, {ctx_, pkt_, b_.getInt32(r.slot)});
        llvm::BasicBlock* decided = block("decided");
        b_.CreateCondBr(b_.CreateICmpEQ(v, b_.getInt32(IPTC_CONTINUE)), next, decided);
        b_.SetInsertPoint(decided);
        b_.CreateRet(b_.CreateOr(v, b_.getInt32((r.slot + 1) << 8)));
        return;
      }
    }
  }
};

}  // namespace

void generate(const ir::LoweredRuleset& l, llvm::Module& m) {
  Gen g(m);
  std::vector<llvm::Function*> hooks;
  for (const auto& h : l.hooks) hooks.push_back(g.hook(h));
  g.descriptor(l, hooks);
}

}  // namespace iptc::backend::detail
