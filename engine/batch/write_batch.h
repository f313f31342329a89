// engine/batch/write_batch.h — a write batch: an ordered list of Put/Delete
// operations, encoded into one contiguous buffer.
//
//   WriteBatch b;                       // standalone (owned by its creator)
//   b.Put(cf, "k", "v"); b.Delete(cf, "x");
//   for (const WriteOp& op : b) { ... }  // in insertion order
//   b.ByteSize(); b.Count(); b.Clear();
//
// Batches that come from a BatchCache (engine/batch/batch_cache.h) record the
// cache that allocated them (origin) and an owner state, so the cache can
// check BATCH-OWN / BATCH-ISO and reject a double Release ("MISUSE").
//
// Encoding of one op: [type u8][cf u32][key length u32][key]
//                     ([value length u32][value] for a Put only).
// Capacity() is the buffer's reserved size: what a cache keeps alive when it
// retains the batch (Clear() keeps the buffer).
//
// Threads: a batch has exactly one owner at a time (a caller, a thread cache,
// a shard). It is plain data: ownership hand-offs (through a cache's mutex or
// a thread slot) order the accesses. The buffer lives in a sync::Cell so the
// model build reports two threads touching one batch as a data race.
// Views returned by iteration point into the buffer: valid until the next
// Put/Delete/Clear.
#pragma once

#include "engine/sync/sync.h"

TLSM_BEGIN
namespace batch {

enum class OpType : std::uint8_t { kPut = 1, kDelete = 2 };

struct WriteOp {
  OpType type = OpType::kPut;
  std::uint32_t cf = 0;
  std::string_view key;
  std::string_view value;  // empty for kDelete
};

// Who owns a batch right now (debug ownership tracking, BATCH-OWN).
enum class BatchState : std::uint8_t {
  kHeld = 0,          // a caller holds it (also every standalone batch)
  kThreadCached = 1,  // in a thread cache of its origin
  kShardCached = 2,   // in a shard of its origin
};

class WriteBatch {
 public:
  WriteBatch() = default;
  WriteBatch(const WriteBatch&) = delete;
  WriteBatch& operator=(const WriteBatch&) = delete;

  // Put/Delete grow the buffer once per op (to the encoded size, or more by
  // std::string's geometric growth) and then write the op in place; key and
  // value must not point into this batch's own buffer.
  void Put(std::uint32_t cf, std::string_view key, std::string_view value) {
    CheckHeld();
    rep_.WithMut([&](Rep& r) {
      char* p = Extend(r.data, kHeaderBytes + key.size() + 4 + value.size());
      p = EncodeHeader(p, OpType::kPut, cf, key);
      p = EncodeU32(p, static_cast<std::uint32_t>(value.size()));
      Copy(p, value);
      ++r.count;
    });
  }
  void Delete(std::uint32_t cf, std::string_view key) {
    CheckHeld();
    rep_.WithMut([&](Rep& r) {
      EncodeHeader(Extend(r.data, kHeaderBytes + key.size()), OpType::kDelete, cf, key);
      ++r.count;
    });
  }
  // Drops every op; keeps the buffer (its Capacity()).
  void Clear() {
    rep_.WithMut([](Rep& r) {
      r.data.clear();
      r.count = 0;
    });
  }
  // Encoded size of the ops in bytes (0 when empty).
  std::size_t ByteSize() const {
    return rep_.With([](const Rep& r) { return r.data.size(); });
  }
  // Number of ops.
  std::size_t Count() const {
    return rep_.With([](const Rep& r) { return r.count; });
  }
  // Names the batch and its fields in the model's history ("batch#2",
  // "batch#2.rep", "batch#2.state"; sync::Name). Nothing in production.
  void NameInHistory(unsigned n) const {
    sync::Name(*this, "batch#%u", n);
    sync::Name(rep_, "batch#%u.rep", n);
    sync::Name(state_, "batch#%u.state", n);
  }
  // Bytes reserved by the buffer: the memory a retained batch keeps alive.
  std::size_t Capacity() const {
    return rep_.With([](const Rep& r) { return r.data.capacity(); });
  }
  // Reserves at least n bytes (a caller that knows the batch will be big).
  void Reserve(std::size_t n) {
    rep_.WithMut([&](Rep& r) { r.data.reserve(n); });
  }

  // The cache that allocated this batch (an opaque id), or nullptr for a
  // standalone batch.
  const void* origin() const { return origin_; }
  // The owner state (debug builds track it; release builds report kHeld).
  BatchState state() const {
    return static_cast<BatchState>(state_.Load(sync::Order::kRelaxed));
  }

  // Forward iteration over the ops, in insertion order.
  class Iterator {
   public:
    using value_type = WriteOp;
    using difference_type = std::ptrdiff_t;
    Iterator() = default;
    const WriteOp& operator*() const { return op_; }
    const WriteOp* operator->() const { return &op_; }
    Iterator& operator++() {
      pos_ = next_;
      Decode();
      return *this;
    }
    Iterator operator++(int) {
      Iterator t = *this;
      ++*this;
      return t;
    }
    bool operator==(const Iterator& o) const { return pos_ == o.pos_; }
    bool operator!=(const Iterator& o) const { return pos_ != o.pos_; }

   private:
    friend class WriteBatch;
    Iterator(std::string_view data, std::size_t pos) : data_(data), pos_(pos) { Decode(); }
    void Decode() {
      if (pos_ >= data_.size()) {
        pos_ = next_ = data_.size();
        return;
      }
      std::size_t p = pos_;
      op_.type = static_cast<OpType>(data_[p]);
      p += 1;
      op_.cf = ReadU32(p);
      p += 4;
      const std::uint32_t klen = ReadU32(p);
      p += 4;
      op_.key = data_.substr(p, klen);
      p += klen;
      op_.value = {};
      if (op_.type == OpType::kPut) {
        const std::uint32_t vlen = ReadU32(p);
        p += 4;
        op_.value = data_.substr(p, vlen);
        p += vlen;
      }
      next_ = p;
    }
    std::uint32_t ReadU32(std::size_t p) const {
      std::uint32_t v;
      std::memcpy(&v, data_.data() + p, 4);
      return v;
    }
    std::string_view data_;
    std::size_t pos_ = 0;
    std::size_t next_ = 0;
    WriteOp op_;
  };
  Iterator begin() const { return Iterator(View(), 0); }
  Iterator end() const {
    std::string_view v = View();
    return Iterator(v, v.size());
  }
  // Calls f(const WriteOp&) for every op in order.
  template <class F>
  void ForEach(F&& f) const {
    for (const WriteOp& op : *this) f(op);
  }

 private:
  friend class BatchCache;
  friend struct BatchAccess;

  struct Rep {
    std::string data;
    std::size_t count = 0;
  };

  struct Origin {  // only BatchCache can name it
    const void* cache;
  };

 public:
  // Used by BatchCache (through sync::New) to stamp the allocating cache.
  explicit WriteBatch(Origin o) : origin_(o.cache) {}

 private:

  std::string_view View() const {
    return rep_.With([](const Rep& r) { return std::string_view(r.data); });
  }
  static constexpr std::size_t kHeaderBytes = 1 + 4 + 4;  // type, cf, key length
  // Makes room for n more bytes at the end of s; returns where they start.
  static char* Extend(std::string& s, std::size_t n) {
    const std::size_t old = s.size();
    s.resize(old + n);
    return s.data() + old;
  }
  static char* EncodeU32(char* p, std::uint32_t v) {
    std::memcpy(p, &v, 4);
    return p + 4;
  }
  static char* Copy(char* p, std::string_view v) {
    if (!v.empty()) std::memcpy(p, v.data(), v.size());
    return p + v.size();
  }
  static char* EncodeHeader(char* p, OpType t, std::uint32_t cf, std::string_view key) {
    *p++ = static_cast<char>(t);
    p = EncodeU32(p, cf);
    p = EncodeU32(p, static_cast<std::uint32_t>(key.size()));
    return Copy(p, key);
  }
  void CheckHeld() const {
    TLSM_INVARIANT(state() == BatchState::kHeld, "MISUSE",
                   "a write batch was modified after it was released to its cache");
  }

  // Written by the owner; the debug ownership checks read and swap it.
  sync::Cell<Rep> rep_;
  // Set once at allocation, read by the origin checks (BATCH-ISO).
  const void* const origin_ = nullptr;
  // BatchState; changed only by the owner (relaxed: ownership hand-offs
  // through a mutex or a thread slot order it). Debug tracking only.
  sync::Atomic<std::uint8_t> state_{static_cast<std::uint8_t>(BatchState::kHeld)};
};

}  // namespace batch
TLSM_END
