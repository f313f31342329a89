// engine/db/db.h — a small in-memory DB host for the TLS subsystems.
//
// Several DB instances per process; each has named column families (CFs).
// Writes (Put, Delete, Write) append to the CF's active memtable under the
// CF's write mutex; Get reads through the CF's SuperVersion cache (one matrix
// column per (DB, CF), see engine/version/super_version_cache.h); Flush seals
// the active memtable into the immutable list and installs a new SuperVersion.
//
// Handles: a ColumnFamily is a refcounted handle. Calls with a handle take no
// DB-wide lock; calls by name look the CF up under the DB mutex first.
//
// Close and concurrent calls: Close() does not wait. It marks the DB closed,
// then drops every CF (marks it closed, invalidates every thread's cached
// SuperVersion, releases the current one). A call that starts after Close
// began fails with Status::Closed ("use during close"). A call already past
// its entry check finishes on the SuperVersion it holds (refcounts keep it,
// and its memtables, alive) and its reference is freed when it returns.
// Memory of a CF goes when the last handle, pin or in-flight call lets go.
// The DB object itself must outlive every call made through it (ordinary
// C++ lifetime: do not destroy it while another thread is inside a method).
// Dropping a CF behaves the same way for that CF (Status::Dropped).
//
// Snapshot reads: Get reads the newest data; Pin() holds a SuperVersion and a
// sequence number, and reads through it see exactly the data at Pin time.
// A PinnedView must be released on the thread that created it (it holds that
// thread's slot); while it is held, Gets on that thread take the nested path
// (a plain reference) — correct, a little slower.
//
// Atomicity: Write(batch) applies each CF's part atomically with respect to
// other writers and Flush of that CF (all involved CF write mutexes are held,
// in CF-id order); a Get may observe one CF's part before another's.
//
// Allocation failure (tests/db/alloc_failure_test.cc sweeps every point):
// Status never reports it. A call that runs out of memory throws
// std::bad_alloc and has had no effect, so it can be retried: the DB
// constructor frees what it made; CreateColumnFamily links nothing;
// Put/Delete/Write apply the whole write or nothing (every entry is made
// before any is linked); Flush seals nothing; Get/Pin/Describe change
// nothing but the calling thread's caches (made on its first call). Two
// failures are absorbed instead of reported: an automatic flush
// (Options::memtable_max_entries) that cannot allocate leaves the write
// applied and the memtable active (the next write or Flush seals it), and a
// batch the write path cannot return to its BatchCache is freed. These never
// fail: Close, DropColumnFamily once the CF is unlinked, handle and pin
// release, ~DB, and thread exit (matrix handlers allocate nothing). No lock
// is held after a throw.
//
// Subsystems: the write path borrows its encoded batch from the DB's
// BatchCache (engine/batch); every call records into the calling thread's
// PerfContext (engine/perf): gets, puts, deletes, writes, write bytes,
// flushes, SV cache hits / misses / invalidations, and get/write/flush
// timers — and, with Options::perf_aggregate, into the DB's totals.
#pragma once

#include "engine/batch/batch_cache.h"
#include "engine/db/status.h"
#include "engine/perf/perf_aggregate.h"
#include "engine/perf/perf_context.h"
#include "engine/sync/sync.h"
#include "engine/version/super_version_cache.h"

TLSM_BEGIN
namespace db {

struct Options {
  // Flush automatically when the active memtable reaches this many entries
  // (0: only explicit Flush).
  std::size_t memtable_max_entries = 0;
  // More immutable memtables than this are merged into one at Flush.
  std::size_t max_immutable_memtables = 4;
  // false: Get takes a reference under the CF mutex every time (the baseline
  // the SuperVersion cache is measured against).
  bool use_sv_cache = true;
  // Write path: Put/Delete/Write encode into a batch borrowed from the DB's
  // BatchCache (engine/batch); false: a fresh batch per call.
  bool use_batch_cache = true;
  batch::BatchCacheOptions batch_cache;
  // Opt-in per-DB perf totals across threads (engine/perf PerfAggregate).
  // Per-thread PerfContext counters are always recorded (gated by the
  // thread's perf level).
  bool perf_aggregate = false;
};

namespace detail {
class CfData;
}

// A handle on a column family; cheap to copy. Keeps the CF's memory alive
// (not the CF itself: a dropped CF's handle makes calls fail with Dropped).
class ColumnFamily {
 public:
  ColumnFamily() = default;
  ColumnFamily(const ColumnFamily& o);
  ColumnFamily(ColumnFamily&& o) noexcept : cf_(o.cf_) { o.cf_ = nullptr; }
  ColumnFamily& operator=(ColumnFamily o) noexcept {
    std::swap(cf_, o.cf_);
    return *this;
  }
  ~ColumnFamily();

  bool valid() const { return cf_ != nullptr; }
  const std::string& name() const;
  std::uint32_t id() const;
  std::uint32_t db_id() const;
  detail::CfData* data() const { return cf_; }

 private:
  friend class DB;
  explicit ColumnFamily(detail::CfData* cf);  // adds a reference
  detail::CfData* cf_ = nullptr;
};

class WriteBatch {
 public:
  struct Op {
    ColumnFamily cf;
    std::string key;
    std::optional<std::string> value;  // nullopt: delete
  };
  void Put(const ColumnFamily& cf, std::string_view key, std::string_view value) {
    ops_.push_back(Op{cf, std::string(key), std::string(value)});
  }
  void Delete(const ColumnFamily& cf, std::string_view key) {
    ops_.push_back(Op{cf, std::string(key), std::nullopt});
  }
  void Clear() { ops_.clear(); }
  std::size_t Count() const { return ops_.size(); }
  const std::vector<Op>& ops() const { return ops_; }

 private:
  std::vector<Op> ops_;
};

// A held SuperVersion plus a sequence number: a consistent snapshot of one CF.
// Release (or destroy) on the creating thread.
class PinnedView {
 public:
  PinnedView() = default;
  PinnedView(PinnedView&& o) noexcept;
  PinnedView& operator=(PinnedView&& o) noexcept;
  ~PinnedView() { Release(); }
  PinnedView(const PinnedView&) = delete;
  PinnedView& operator=(const PinnedView&) = delete;

  bool valid() const { return a_.sv != nullptr; }
  Status Get(std::string_view key, std::string* value) const;
  std::uint64_t version() const;  // the SuperVersion's version
  std::uint64_t sequence() const { return snapshot_; }
  std::uint32_t db_id() const;
  std::uint32_t cf_id() const;
  void Release();

 private:
  friend class DB;
  detail::CfData* cf_ = nullptr;  // a reference
  version::AcquiredSv a_;
  std::uint64_t snapshot_ = 0;
  std::uintptr_t thread_ = 0;
};

struct CfInfo {
  std::string name;
  std::uint32_t id = 0;
  std::uint64_t version = 0;  // current SuperVersion
  std::uint64_t last_sequence = 0;
  std::size_t mem_entries = 0;
  std::size_t immutable_memtables = 0;
  version::CacheStats cache;
  version::SlotCensus slots;  // at call time (exact only when quiescent)
};

class DB {
 public:
  explicit DB(std::string name, Options options = {});
  ~DB();  // Close()s; REQUIRES: no thread inside a method of this object
  DB(const DB&) = delete;
  DB& operator=(const DB&) = delete;

  std::uint32_t id() const { return id_; }
  const std::string& name() const { return name_; }
  bool closed() const;
  // Idempotent; see the header comment for concurrent calls.
  Status Close();

  Status CreateColumnFamily(std::string_view name, ColumnFamily* out = nullptr);
  Status DropColumnFamily(std::string_view name);
  Status GetColumnFamily(std::string_view name, ColumnFamily* out) const;
  ColumnFamily DefaultColumnFamily() const;  // invalid after Close
  std::vector<std::string> ListColumnFamilies() const;
  static constexpr const char* kDefaultColumnFamily = "default";

  Status Put(const ColumnFamily& cf, std::string_view key, std::string_view value);
  Status Delete(const ColumnFamily& cf, std::string_view key);
  Status Write(const WriteBatch& batch);
  Status Get(const ColumnFamily& cf, std::string_view key, std::string* value);
  Status Flush(const ColumnFamily& cf);
  Status Pin(const ColumnFamily& cf, PinnedView* out);
  Status Describe(const ColumnFamily& cf, CfInfo* out);
  // The DB's perf totals (all threads); empty unless Options::perf_aggregate.
  perf::PerfSnapshot PerfTotals() const;
  batch::BatchCacheStats BatchStats() const;

  // By name: one lookup under the DB mutex, then the handle call.
  Status Put(std::string_view cf, std::string_view key, std::string_view value);
  Status Delete(std::string_view cf, std::string_view key);
  Status Get(std::string_view cf, std::string_view key, std::string* value);
  Status Flush(std::string_view cf);

 private:
  Status Check(const ColumnFamily& cf) const;
  // The public calls' bodies; the public ones mark them for the model's
  // history (sync::ApiCall).
  Status CloseImpl();
  Status CreateColumnFamilyImpl(std::string_view name, ColumnFamily* out);
  Status DropColumnFamilyImpl(std::string_view name);
  Status WriteOpsImpl(const WriteBatch& batch);
  Status GetImpl(const ColumnFamily& cf, std::string_view key, std::string* value);
  Status FlushImpl(const ColumnFamily& cf);
  Status PinImpl(const ColumnFamily& cf, PinnedView* out);
  // Get's read of `handle` through cf's SuperVersion cache (cf is
  // handle.data(); the sv_acquire_wrong_cf mutant passes another CF's).
  Status GetFrom(const ColumnFamily& handle, detail::CfData* cf, std::string_view key,
                 std::string* value);
  Status GetThroughNextCfMutant(const ColumnFamily& handle, std::string_view key,
                                std::string* value);
  Status ClosedStatus() const;
  // Applies an encoded batch to `cfs` (the CFs its ops name, by id).
  Status WriteImpl(const batch::WriteBatch& b, std::vector<detail::CfData*> cfs);
  Status WriteOne(const ColumnFamily& cf, std::string_view key, const std::string_view* value);

  const std::uint32_t id_;
  const std::string name_;
  const Options options_;
  mutable sync::Mutex mu_;
  // Under mu_: every live CF (each entry holds one reference).
  sync::Cell<std::map<std::string, detail::CfData*, std::less<>>> cfs_ TLSM_GUARDED_BY(mu_);
  sync::Cell<std::uint32_t> next_cf_id_ TLSM_GUARDED_BY(mu_){std::uint32_t{0}};
  sync::Atomic<bool> closed_{false};  // written under mu_; read lock-free
  // Owned; created by the constructor, closed and freed by the destructor
  // (no call may be in flight then), so Close() never races their users.
  perf::PerfAggregate* const perf_agg_;  // nullptr unless opted in
  batch::BatchCache* const batches_;     // nullptr unless use_batch_cache
};

}  // namespace db
TLSM_END
