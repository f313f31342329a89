// engine/db/db.cc — the DB host. See db.h for the contract.
//
// Locks: DB::mu_ (the CF map, closed_) is taken before a CF's write_mu, never
// after. A CF's write_mu serializes its writes, Flush, Install and drop; the
// SuperVersion cache's own mutex is taken inside it. No matrix handler takes
// any of these locks.
//
// Subsystems: the write path encodes into a batch::WriteBatch borrowed from
// the DB's BatchCache (returned after it is applied); perf counters and
// timers go to the calling thread's PerfContext (and the DB aggregate when
// opted in). Both are owned by the DB object and torn down by its destructor
// only, so a Close() racing in-flight calls never touches them.
#include "engine/db/db.h"

#include "engine/sync/mutant.h"

TLSM_BEGIN
namespace db {

using sync::Mutant;
using sync::MutantIs;
using sync::Order;
using version::AcquiredSv;
using version::Lookup;
using version::SuperVersion;

namespace {

struct DbIdCounter {  // a distinct type: ProcessGlobal is per type
  sync::Atomic<std::uint32_t> next{0};
};
std::uint32_t NextDbId() {
  DbIdCounter& c = sync::ProcessGlobal<DbIdCounter>();
  sync::Name(c.next, "db id counter");
  // relaxed: ids only need to be unique.
  return c.next.FetchAdd(1, Order::kRelaxed) + 1;
}


// The DB API calls' markers in the model's history (engine/sync/
// history_marks.h): a call whose result no inner step set shows its Status.
const char* CodeWord(Code c) {
  switch (c) {
    case Code::kOk: return "OK";
    case Code::kNotFound: return "NotFound";
    case Code::kInvalidArgument: return "InvalidArgument";
    case Code::kDropped: return "Dropped";
    case Code::kClosed: return "Closed";
  }
  return "?";
}
Status Ended(sync::ApiCall& call, Status s) {
  if (!call.has_result()) call.Result("%s", CodeWord(s.code()));
  return s;
}
const char* LookupWord(Lookup r) {
  return r == Lookup::kFound ? "found" : r == Lookup::kDeleted ? "deleted" : "not found";
}
}  // namespace

namespace detail {

enum CfState : int { kLive = 0, kDropped = 1, kClosed = 2 };

class CfData {
 public:
  CfData(std::uint32_t db_id, std::uint32_t id, std::string name, std::string db_name,
         const Options& o)
      : db_id(db_id), id(id), name(std::move(name)), db_name(std::move(db_name)),
        options(o), cache(db_id, id) {
    sync::Name(*this, "cf %u (db %u)", id, db_id);
    sync::Name(write_mu, "cf %u (db %u).write_mu", id, db_id);
    sync::Name(last_seq, "cf %u (db %u).last_seq", id, db_id);
    sync::Name(refs_, "cf %u (db %u).refs", id, db_id);
    sync::Name(state_, "cf %u (db %u).state", id, db_id);
    sync::Name(mem_, "cf %u (db %u).mem", id, db_id);
    sync::Name(imm_, "cf %u (db %u).imm", id, db_id);
    sync::Name(next_version_, "cf %u (db %u).next_version", id, db_id);
    // A failure here unwinds the members (the cache reclaims its column);
    // the memtable is ours to free.
    sync::MutexLock l(write_mu);
    version::MemTable* fresh = sync::New<version::MemTable>();
    // try/catch, not UndoOnThrow: a closure is a function of its own to
    // the thread-safety analysis, which would not see write_mu held.
    SuperVersion* sv = nullptr;
    try {
      sv = MakeSvLocked(fresh, {});
    } catch (...) {
      version::UnrefAndMaybeDelete(fresh);
      throw;
    }
    mem_.WithMut([&](version::MemTable*& m) { m = fresh; });
    InstallLocked(sv);
  }
  ~CfData() {
    cache.Shutdown();
    mem_.WithMut([](version::MemTable*& m) {
      version::UnrefAndMaybeDelete(m);
      m = nullptr;
    });
    imm_.WithMut([](std::vector<version::ImmMemTable*>& v) {
      for (auto* t : v) version::UnrefAndMaybeDelete(t);
      v.clear();
    });
  }

  void Ref() { refs_.FetchAdd(1, Order::kRelaxed); }  // relaxed: from an owned ref
  void Unref() {
    // acq_rel: the thread that frees sees every other owner's accesses.
    if (refs_.FetchSub(1, Order::kAcqRel) == 1) sync::Delete(this);
  }

  CfState state() const { return static_cast<CfState>(state_.Load(Order::kAcquire)); }
  Status StateStatus(CfState s) const {
    if (s == kDropped) return Status::Dropped("column family '" + name + "' was dropped");
    return Status::Closed("DB '" + db_name + "' is closed (column family '" + name + "')");
  }

  // Marks the CF dropped/closed and releases every cached SuperVersion.
  void Drop(CfState s) {
    sync::MutexLock l(write_mu);
    if (state_.Load(Order::kRelaxed) != kLive) return;  // relaxed: under write_mu
    state_.Store(s, Order::kRelease);
    if (MutantIs(Mutant::db_close_frees_held_sv)) {
      if (s == kClosed) {
        // Injected: Close treats the current SuperVersion as its own and
        // frees it whatever other references a call or a pin still holds.
        SuperVersion* cur = cache.RefCurrent();
        cache.Shutdown();
        if (cur != nullptr) {
          while (!version::ReleaseSuperVersion(cur)) {
          }
        }
        return;
      }
    }
    cache.Shutdown();
  }

  // State live.
  void ApplyLocked(std::string_view key, const std::string_view* value)
      TLSM_REQUIRES(write_mu) {
    TLSM_INVARIANT(write_mu.HeldByMe(), "MISUSE", "REQUIRES: CF write mutex held");
    const std::uint64_t seq = last_seq.Load(Order::kRelaxed) + 1;  // relaxed: writer
    std::string v;
    if (value != nullptr) v.assign(value->data(), value->size());
    if (MutantIs(Mutant::db_write_memtable_own_lock_section)) {
      // Injected: the sequence number and the memtable are taken in a lock
      // section of their own and the entry is appended in another, so
      // another writer of this CF may reuse the number, or seal and free the
      // memtable (its auto-flush), in between.
      version::MemTable* m = mem_.With([](version::MemTable* p) { return p; });
      write_mu.Unlock();
      write_mu.Lock();
      m->Add(seq, key, value ? &v : nullptr);
      last_seq.Store(seq, Order::kRelease);
      return;
    }
    mem_.With([&](version::MemTable* m) { m->Add(seq, key, value ? &v : nullptr); });
    // release: a reader that sees seq also sees the entry (it was published
    // first, and its SuperVersion reached the reader through the cache).
    last_seq.Store(seq, Order::kRelease);
  }

  // The two halves of ApplyLocked for a write that applies whole or not at
  // all (DB::WriteImpl): Prepare may throw std::bad_alloc and changes
  // nothing; Commit allocates nothing. seq: last_seq + 1, + 1 for each entry
  // prepared before it for this CF in the same write.
  static version::MemTable::Node* PrepareLocked(std::uint64_t seq, std::string_view key,
                                                const std::string_view* value) {
    std::string v;
    if (value != nullptr) v.assign(value->data(), value->size());
    return version::MemTable::Prepare(seq, key, value ? &v : nullptr);
  }
  void CommitLocked(version::MemTable::Node* n, std::uint64_t seq) TLSM_REQUIRES(write_mu) {
    TLSM_INVARIANT(write_mu.HeldByMe(), "MISUSE", "REQUIRES: CF write mutex held");
    mem_.With([&](version::MemTable* m) { m->Commit(n); });
    // release: as in ApplyLocked.
    last_seq.Store(seq, Order::kRelease);
  }

  // A failed automatic flush (std::bad_alloc) is not the write's failure:
  // the write is applied, the memtable stays active and the next write or
  // Flush seals it.
  bool MaybeAutoFlushLocked() TLSM_REQUIRES(write_mu) {
    try {
      return MaybeAutoFlushOrThrowLocked();
    } catch (const std::bad_alloc&) {
      return false;
    }
  }
  bool MaybeAutoFlushOrThrowLocked() TLSM_REQUIRES(write_mu) {
    if (options.memtable_max_entries == 0) return false;
    if (mem_.With([](version::MemTable* m) { return m->Count(); }) >=
        options.memtable_max_entries) {
      return FlushLocked();
    }
    return false;
  }

  // Seals the active memtable, installs a new SV. Returns false when there
  // was nothing to seal. Strong guarantee: everything it needs is allocated
  // first; a std::bad_alloc leaves the CF as it was.
  bool FlushLocked() TLSM_REQUIRES(write_mu) {
    TLSM_INVARIANT(write_mu.HeldByMe(), "MISUSE", "REQUIRES: CF write mutex held");
    version::MemTable* old = mem_.With([](version::MemTable* m) { return m; });
    if (old->Count() == 0) return false;  // nothing to seal
    using version::ImmMemTable;
    std::vector<ImmMemTable*> cur = imm_.With([](const std::vector<ImmMemTable*>& x) { return x; });
    // Tables made here (not yet shared): freed if a later step fails.
    ImmMemTable* sealed = nullptr;
    ImmMemTable* merged_table = nullptr;
    version::MemTable* fresh = nullptr;
    std::vector<ImmMemTable*> next;
    SuperVersion* sv = nullptr;
    try {  // not UndoOnThrow: the analysis would not see write_mu in a closure
      sealed = sync::New<ImmMemTable>(old->Snapshot());
      sealed->NameInHistory("sealed memtable", 0, db_id, id);  // numbered by MakeSvLocked
      next.reserve(cur.size() + 1);
      next.push_back(sealed);
      next.insert(next.end(), cur.begin(), cur.end());
      if (next.size() > std::max<std::size_t>(1, options.max_immutable_memtables)) {
        std::map<std::string, version::Entry, std::less<>> merged;
        for (auto* t : next) t->MergeOlderInto(&merged);  // newest first
        merged_table = sync::New<ImmMemTable>(std::move(merged));
        next.assign(1, merged_table);
      }
      fresh = sync::New<version::MemTable>();
      sv = MakeSvLocked(fresh, next, sealed, merged_table);
    } catch (...) {
      version::UnrefAndMaybeDelete(fresh);
      version::UnrefAndMaybeDelete(merged_table);
      version::UnrefAndMaybeDelete(sealed);
      throw;
    }
    // Commit: nothing below allocates.
    if (merged_table != nullptr) {
      version::UnrefAndMaybeDelete(sealed);  // merged into merged_table
      for (auto* t : cur) version::UnrefAndMaybeDelete(t);
    }
    imm_.WithMut([&](std::vector<ImmMemTable*>& v) { v.swap(next); });
    version::UnrefAndMaybeDelete(old);  // our reference; SVs keep theirs
    mem_.WithMut([&](version::MemTable*& m) { m = fresh; });
    InstallLocked(sv);
    sync::ApiResult(merged_table != nullptr ? "sealed, merged into %p, installed %p"
                                            : "sealed into %p, installed %p",
                    static_cast<const void*>(merged_table != nullptr ? merged_table : sealed),
                    static_cast<const void*>(sv));
    return true;
  }

  // A new SuperVersion over `m` and `imm` (the next version number),
  // holding a reference on each; may throw std::bad_alloc, and then takes
  // no reference and numbers nothing. Names in the model's history: `m` (a
  // fresh memtable) "memtable#<the version>", `sealed` (made by Flush from
  // the memtable of the version before) "sealed memtable#<that version>",
  // `merged` "merged memtable#<the version>".
  SuperVersion* MakeSvLocked(version::MemTable* m, const std::vector<version::ImmMemTable*>& imm,
                             const version::ImmMemTable* sealed = nullptr,
                             const version::ImmMemTable* merged = nullptr)
      TLSM_REQUIRES(write_mu) {
    const std::uint64_t v = next_version_.With([](std::uint64_t n) { return n + 1; });
    auto* sv = sync::New<SuperVersion>(version::SuperVersionMeta{v, db_id, id}, m,
                                       std::vector<version::ImmMemTable*>(imm));
    next_version_.WithMut([](std::uint64_t& n) { ++n; });
    m->NameInHistory(v, db_id, id);
    if (sealed != nullptr) sealed->NameInHistory("sealed memtable", v - 1, db_id, id);
    if (merged != nullptr) merged->NameInHistory("merged memtable", v, db_id, id);
    m->Ref();
    for (auto* t : imm) t->Ref();
    return sv;
  }

  // Installs `sv` (made by MakeSvLocked); allocates nothing.
  void InstallLocked(SuperVersion* sv) TLSM_REQUIRES(write_mu) {
    if (MutantIs(Mutant::db_flush_installs_unlocked)) {
      // Injected: the version is numbered under write_mu but installed with
      // the mutex dropped, so two flushing writers may install out of order.
      write_mu.Unlock();
      cache.Install(sv);
      write_mu.Lock();
      return;
    }
    cache.Install(sv);
  }

  std::size_t ImmCountLocked() const TLSM_REQUIRES(write_mu) {
    return imm_.With([](const auto& v) { return v.size(); });
  }
  std::size_t MemCountLocked() const TLSM_REQUIRES(write_mu) {
    return mem_.With([](version::MemTable* m) { return m->Count(); });
  }

  const std::uint32_t db_id;
  const std::uint32_t id;
  const std::string name;
  const std::string db_name;
  const Options options;
  sync::Mutex write_mu;  // serializes writes, flush, install, drop
  sync::Atomic<std::uint64_t> last_seq{0};  // written under write_mu
  version::SuperVersionCache cache;

 private:
  sync::Atomic<int> refs_{1};
  sync::Atomic<int> state_{kLive};                        // written under write_mu
  sync::Cell<version::MemTable*> mem_ TLSM_GUARDED_BY(write_mu){nullptr};  // +1 ref
  sync::Cell<std::vector<version::ImmMemTable*>> imm_ TLSM_GUARDED_BY(write_mu);  // +1 ref each
  sync::Cell<std::uint64_t> next_version_ TLSM_GUARDED_BY(write_mu){std::uint64_t{0}};
};

}  // namespace detail

using detail::CfData;

// ---- ColumnFamily ----------------------------------------------------------

ColumnFamily::ColumnFamily(CfData* cf) : cf_(cf) {
  if (cf_ != nullptr) cf_->Ref();
}
ColumnFamily::ColumnFamily(const ColumnFamily& o) : cf_(o.cf_) {
  if (cf_ != nullptr) cf_->Ref();
}
ColumnFamily::~ColumnFamily() {
  if (cf_ != nullptr) cf_->Unref();
}
const std::string& ColumnFamily::name() const { return cf_->name; }
std::uint32_t ColumnFamily::id() const { return cf_->id; }
std::uint32_t ColumnFamily::db_id() const { return cf_->db_id; }

// ---- PinnedView ------------------------------------------------------------

PinnedView::PinnedView(PinnedView&& o) noexcept
    : cf_(o.cf_), a_(o.a_), snapshot_(o.snapshot_), thread_(o.thread_) {
  o.cf_ = nullptr;
  o.a_ = AcquiredSv{};
}

PinnedView& PinnedView::operator=(PinnedView&& o) noexcept {
  if (this != &o) {
    Release();
    cf_ = o.cf_;
    a_ = o.a_;
    snapshot_ = o.snapshot_;
    thread_ = o.thread_;
    o.cf_ = nullptr;
    o.a_ = AcquiredSv{};
  }
  return *this;
}

Status PinnedView::Get(std::string_view key, std::string* value) const {
  if (!valid()) return Status::InvalidArgument("PinnedView is empty");
  switch (a_.sv->Get(key, snapshot_, value)) {
    case Lookup::kFound: return Status::OK();
    default: return Status::NotFound(std::string(key));
  }
}

std::uint64_t PinnedView::version() const { return valid() ? a_.sv->version() : 0; }
std::uint32_t PinnedView::db_id() const { return valid() ? a_.sv->db_id() : 0; }
std::uint32_t PinnedView::cf_id() const { return valid() ? a_.sv->cf_id() : 0; }

void PinnedView::Release() {
  if (cf_ == nullptr) return;
  sync::ApiCall call("PinnedView::Release");
  call.Result("%p", static_cast<const void*>(a_.sv));
  TLSM_INVARIANT(thread_ == sync::CurrentThreadToken(), "MISUSE",
                 "a PinnedView was released on another thread than the one that pinned it");
  cf_->cache.Return(a_);
  a_ = AcquiredSv{};
  cf_->Unref();
  cf_ = nullptr;
}

// ---- DB --------------------------------------------------------------------

namespace {
perf::PerfAggregate* MakeAggregate(const Options& o) {
  return o.perf_aggregate ? sync::New<perf::PerfAggregate>() : nullptr;
}
batch::BatchCache* MakeBatchCache(const Options& o, perf::PerfAggregate* agg) {
  if (!o.use_batch_cache) return nullptr;
  batch::BatchCacheOptions bo = o.batch_cache;
  bo.perf_aggregate = agg;
  // The aggregate was made first; a failure here frees it (the DB
  // constructor does not finish, so its destructor does not run).
  return sync::UndoOnThrow([&] { return sync::New<batch::BatchCache>(bo); },
                           [&] {
                             if (agg != nullptr) sync::Delete(agg);
                           });
}
}  // namespace

DB::DB(std::string name, Options options)
    : id_(NextDbId()),
      name_(std::move(name)),
      options_(options),
      perf_agg_(MakeAggregate(options_)),
      batches_(MakeBatchCache(options_, perf_agg_)) {
  sync::ApiCall call("DB::Open");
  call.Result("db %u", id_);
  sync::Name(mu_, "db %u.mu", id_);
  sync::Name(cfs_, "db %u.cfs", id_);
  sync::Name(next_cf_id_, "db %u.next_cf_id", id_);
  sync::Name(closed_, "db %u.closed", id_);
  // CreateColumnFamily links nothing when it throws; the subsystems go.
  sync::UndoOnThrow([&] { (void)CreateColumnFamily(kDefaultColumnFamily); },
                    [&] {
                      if (batches_ != nullptr) {
                        batches_->Close();
                        sync::Delete(batches_);
                      }
                      if (perf_agg_ != nullptr) sync::Delete(perf_agg_);
                    });
}

DB::~DB() {
  Close();
  if (batches_ != nullptr) {
    batches_->Close();
    sync::Delete(batches_);
  }
  if (perf_agg_ != nullptr) sync::Delete(perf_agg_);
}

perf::PerfSnapshot DB::PerfTotals() const {
  return perf_agg_ != nullptr ? perf_agg_->Totals() : perf::PerfSnapshot{};
}

batch::BatchCacheStats DB::BatchStats() const {
  return batches_ != nullptr ? batches_->Stats() : batch::BatchCacheStats{};
}

bool DB::closed() const { return closed_.Load(Order::kAcquire); }

Status DB::ClosedStatus() const { return Status::Closed("DB '" + name_ + "' is closed"); }

Status DB::CloseImpl() {
  std::map<std::string, CfData*, std::less<>> cfs;
  if (MutantIs(Mutant::db_close_marks_closed_late)) {
    // Injected: the map is taken in one lock section and the DB marked
    // closed in another; a CF created in between lands in the emptied map
    // and no Close ever drops it.
    {
      sync::MutexLock l(mu_);
      if (closed_.Load(Order::kRelaxed)) return Status::OK();  // relaxed: under mu_
      cfs_.WithMut([&](auto& m) { cfs.swap(m); });
    }
    {
      sync::MutexLock l(mu_);
      closed_.Store(true, Order::kRelease);
    }
    for (auto& [n, cf] : cfs) {
      cf->Drop(detail::kClosed);
      cf->Unref();
    }
    return Status::OK();
  }
  {
    sync::MutexLock l(mu_);
    if (closed_.Load(Order::kRelaxed)) return Status::OK();  // relaxed: under mu_
    closed_.Store(true, Order::kRelease);
    cfs_.WithMut([&](auto& m) { cfs.swap(m); });
  }
  // Outside mu_: each drop takes that CF's write mutex (waits for a writer
  // inside it, never for readers).
  for (auto& [n, cf] : cfs) {
    cf->Drop(detail::kClosed);
    cf->Unref();
  }
  return Status::OK();
}

Status DB::CreateColumnFamilyImpl(std::string_view name, ColumnFamily* out) {
  if (name.empty()) return Status::InvalidArgument("empty column family name");
  CfData* cf = nullptr;
  if (MutantIs(Mutant::db_create_checks_closed_unlocked)) {
    // Injected: the closed check runs before the DB mutex, so a Close that
    // takes the CF map in between misses the CF created next.
    if (closed_.Load(Order::kAcquire)) return ClosedStatus();
  }
  {
    sync::MutexLock l(mu_);
    if (!MutantIs(Mutant::db_create_checks_closed_unlocked) &&
        closed_.Load(Order::kRelaxed)) {  // relaxed: under mu_
      return ClosedStatus();
    }
    const bool exists = cfs_.With([&](const auto& m) { return m.count(name) != 0; });
    if (exists) {
      return Status::InvalidArgument("column family '" + std::string(name) +
                                     "' already exists in DB '" + name_ + "'");
    }
    const std::uint32_t cf_id = next_cf_id_.WithMut([](std::uint32_t& n) { return n++; });
    cf = sync::New<CfData>(id_, cf_id, std::string(name), name_, options_);
    sync::ApiResult("cf %u", cf_id);
    // Linked or gone: a map that cannot take it frees the new CF.
    try {  // not UndoOnThrow: the analysis would not see mu_ in a closure
      cfs_.WithMut([&](auto& m) { m.emplace(std::string(name), cf); });
    } catch (...) {
      cf->Unref();
      throw;
    }
    if (out != nullptr) *out = ColumnFamily(cf);
  }
  return Status::OK();
}

Status DB::DropColumnFamilyImpl(std::string_view name) {
  CfData* cf = nullptr;
  if (MutantIs(Mutant::db_drop_erases_in_second_section)) {
    // Injected: the CF is looked up in one lock section and erased in
    // another. A Close in between takes the map with the CF still in it,
    // and both Close and this drop release the map's reference.
    {
      sync::MutexLock l(mu_);
      if (closed_.Load(Order::kRelaxed)) return ClosedStatus();  // relaxed: under mu_
      if (name == kDefaultColumnFamily) {
        return Status::InvalidArgument("the default column family cannot be dropped");
      }
      cfs_.With([&](const auto& m) {
        auto it = m.find(name);
        if (it != m.end()) cf = it->second;
      });
    }
    if (cf == nullptr) return Status::InvalidArgument("unknown column family");
    {
      sync::MutexLock l(mu_);
      cfs_.WithMut([&](auto& m) {
        auto it = m.find(name);
        if (it != m.end()) m.erase(it);
      });
    }
    cf->Drop(detail::kDropped);
    cf->Unref();
    return Status::OK();
  }
  {
    sync::MutexLock l(mu_);
    if (closed_.Load(Order::kRelaxed)) return ClosedStatus();  // relaxed: under mu_
    if (name == kDefaultColumnFamily) {
      return Status::InvalidArgument("the default column family cannot be dropped");
    }
    cfs_.WithMut([&](auto& m) {
      auto it = m.find(name);
      if (it == m.end()) return;
      cf = it->second;
      m.erase(it);
    });
  }
  if (cf == nullptr) {
    return Status::InvalidArgument("unknown column family '" + std::string(name) +
                                   "' in DB '" + name_ + "'");
  }
  cf->Drop(detail::kDropped);
  cf->Unref();
  return Status::OK();
}

Status DB::GetColumnFamily(std::string_view name, ColumnFamily* out) const {
  sync::MutexLock l(mu_);
  if (closed_.Load(Order::kRelaxed)) return ClosedStatus();  // relaxed: under mu_
  CfData* cf = cfs_.With([&](const auto& m) -> CfData* {
    auto it = m.find(name);
    return it == m.end() ? nullptr : it->second;
  });
  if (cf == nullptr) {
    return Status::InvalidArgument("unknown column family '" + std::string(name) +
                                   "' in DB '" + name_ + "'");
  }
  *out = ColumnFamily(cf);
  return Status::OK();
}

ColumnFamily DB::DefaultColumnFamily() const {
  ColumnFamily cf;
  Status s = GetColumnFamily(kDefaultColumnFamily, &cf);
  (void)s;
  return cf;
}

std::vector<std::string> DB::ListColumnFamilies() const {
  sync::MutexLock l(mu_);
  std::vector<std::string> out;
  cfs_.With([&](const auto& m) {
    for (const auto& [n, cf] : m) out.push_back(n);
  });
  return out;
}

Status DB::Check(const ColumnFamily& cf) const {
  if (!cf.valid()) return Status::InvalidArgument("invalid column family handle");
  if (cf.data()->db_id != id_) {
    return Status::InvalidArgument("column family '" + cf.name() +
                                   "' belongs to another DB than '" + name_ + "'");
  }
  if (closed_.Load(Order::kAcquire)) return ClosedStatus();
  return Status::OK();
}

namespace {
// Borrows a batch from the DB's cache (or uses a standalone one) for one call.
class BorrowedBatch {
 public:
  explicit BorrowedBatch(batch::BatchCache* cache)
      : cache_(cache), b_(cache != nullptr ? cache->Acquire() : &own_) {}
  ~BorrowedBatch() {
    if (cache_ != nullptr) cache_->Release(b_);
  }
  BorrowedBatch(const BorrowedBatch&) = delete;
  BorrowedBatch& operator=(const BorrowedBatch&) = delete;
  batch::WriteBatch* operator->() { return b_; }
  const batch::WriteBatch& operator*() const { return *b_; }

 private:
  batch::BatchCache* const cache_;
  batch::WriteBatch own_;
  batch::WriteBatch* const b_;
};
}  // namespace

Status DB::WriteOne(const ColumnFamily& cf, std::string_view key, const std::string_view* value) {
  Status s = Check(cf);
  if (!s.ok()) return s;
  BorrowedBatch b(batches_);
  if (value != nullptr) {
    b->Put(cf.id(), key, *value);
  } else {
    b->Delete(cf.id(), key);
  }
  return WriteImpl(*b, {cf.data()});
}

Status DB::Put(const ColumnFamily& cf, std::string_view key, std::string_view value) {
  sync::ApiCall call("DB::Put");
  return Ended(call, WriteOne(cf, key, &value));
}

Status DB::Delete(const ColumnFamily& cf, std::string_view key) {
  sync::ApiCall call("DB::Delete");
  return Ended(call, WriteOne(cf, key, nullptr));
}

Status DB::WriteOpsImpl(const WriteBatch& batch) {
  std::vector<CfData*> cfs;
  for (const auto& op : batch.ops()) {
    Status s = Check(op.cf);
    if (!s.ok()) return s;
    if (std::find(cfs.begin(), cfs.end(), op.cf.data()) == cfs.end()) {
      cfs.push_back(op.cf.data());
    }
  }
  if (cfs.empty()) return Status::OK();
  BorrowedBatch b(batches_);
  for (const auto& op : batch.ops()) {
    if (op.value) {
      b->Put(op.cf.id(), op.key, *op.value);
    } else {
      b->Delete(op.cf.id(), op.key);
    }
  }
  return WriteImpl(*b, std::move(cfs));
}

// Outside the thread-safety analysis: it locks a run-time set of CF write
// mutexes (in id order), which the analysis cannot follow; ApplyLocked and
// FlushLocked check the mutex at run time (HeldByMe).
Status DB::WriteImpl(const batch::WriteBatch& b, std::vector<CfData*> cfs)
    TLSM_NO_THREAD_SAFETY_ANALYSIS {
  perf::PerfTimer timer(perf::Timer::kWriteNanos, perf_agg_);
  // Lock every involved CF in id order (ids are unique within a DB).
  std::sort(cfs.begin(), cfs.end(), [](CfData* x, CfData* y) { return x->id < y->id; });
  // Unlocks in reverse order on every way out (a std::bad_alloc included).
  struct Unlocker {
    std::vector<CfData*>& cfs;
    std::size_t locked = 0;
    ~Unlocker() {
      while (locked > 0) cfs[--locked]->write_mu.Unlock();
    }
  } unlock{cfs};
  for (CfData* cf : cfs) {
    cf->write_mu.Lock();
    ++unlock.locked;
  }
  Status result;
  for (CfData* cf : cfs) {
    const auto st = cf->state();
    if (st != detail::kLive) {
      result = cf->StateStatus(st);
      break;
    }
  }
  std::uint64_t puts = 0, deletes = 0, flushes = 0;
  if (result.ok() && !MutantIs(Mutant::db_write_memtable_own_lock_section)) {
    // All or nothing: every entry is made first (a std::bad_alloc frees the
    // ones made and leaves every CF as it was), then linked.
    struct Prepared {
      CfData* cf;
      version::MemTable::Node* node;
      std::uint64_t seq;
    };
    std::vector<Prepared> prepared;
    sync::UndoOnThrow(
        [&] {
          prepared.reserve(b.Count());
          std::vector<std::uint64_t> next_seq;  // per entry of cfs
          next_seq.reserve(cfs.size());
          // relaxed: last_seq is written only under write_mu, which we hold.
          for (CfData* c : cfs) next_seq.push_back(c->last_seq.Load(Order::kRelaxed));
          for (const batch::WriteOp& op : b) {
            std::size_t i = 0;
            while (i < cfs.size() && cfs[i]->id != op.cf) ++i;
            TLSM_INVARIANT(i < cfs.size(), "MISUSE", "a batch op names a column family not locked");
            const std::uint64_t seq = ++next_seq[i];
            const bool put = op.type == batch::OpType::kPut;
            const std::string_view value = op.value;
            prepared.push_back({cfs[i], CfData::PrepareLocked(seq, op.key, put ? &value : nullptr),
                                seq});
            ++(put ? puts : deletes);
          }
        },
        [&] {
          for (const Prepared& p : prepared) version::MemTable::Discard(p.node);
        });
    for (const Prepared& p : prepared) p.cf->CommitLocked(p.node, p.seq);
    for (CfData* cf : cfs) flushes += cf->MaybeAutoFlushLocked() ? 1 : 0;
    if (!prepared.empty()) {
      sync::ApiResult(flushes != 0 ? "OK, seq %llu, flushed" : "OK, seq %llu",
                      static_cast<unsigned long long>(prepared.back().seq));
    }
  } else if (result.ok()) {
    for (const batch::WriteOp& op : b) {
      CfData* cf = nullptr;
      for (CfData* c : cfs)
        if (c->id == op.cf) cf = c;
      TLSM_INVARIANT(cf != nullptr, "MISUSE", "a batch op names a column family not locked");
      if (op.type == batch::OpType::kPut) {
        cf->ApplyLocked(op.key, &op.value);
        ++puts;
      } else {
        cf->ApplyLocked(op.key, nullptr);
        ++deletes;
      }
    }
    for (CfData* cf : cfs) flushes += cf->MaybeAutoFlushLocked() ? 1 : 0;
  }
  while (unlock.locked > 0) cfs[--unlock.locked]->write_mu.Unlock();
  if (result.ok()) {
    perf::PerfCount(perf::Counter::kWrites, 1, perf_agg_);
    perf::PerfCount(perf::Counter::kWriteBytes, b.ByteSize(), perf_agg_);
    if (puts != 0) perf::PerfCount(perf::Counter::kPuts, puts, perf_agg_);
    if (deletes != 0) perf::PerfCount(perf::Counter::kDeletes, deletes, perf_agg_);
    if (flushes != 0) perf::PerfCount(perf::Counter::kFlushes, flushes, perf_agg_);
  }
  return result;
}

Status DB::GetImpl(const ColumnFamily& handle, std::string_view key, std::string* value) {
  Status s = Check(handle);
  if (!s.ok()) return s;
  if (MutantIs(Mutant::sv_acquire_wrong_cf)) return GetThroughNextCfMutant(handle, key, value);
  return GetFrom(handle, handle.data(), key, value);
}

Status DB::GetThroughNextCfMutant(const ColumnFamily& handle, std::string_view key,
                                  std::string* value) {
  // Injected (sv_acquire_wrong_cf): read through the next CF's cache (if
  // there is one); `next` keeps that CF alive for the read.
  ColumnFamily next;
  {
    sync::MutexLock l(mu_);
    cfs_.With([&](const auto& m) {
      for (const auto& [n, c] : m)
        if (c != handle.data() && c->id == handle.data()->id + 1) next = ColumnFamily(c);
    });
  }
  return GetFrom(handle, next.valid() ? next.data() : handle.data(), key, value);
}

Status DB::GetFrom(const ColumnFamily& handle, CfData* cf, std::string_view key,
                   std::string* value) {
  perf::PerfTimer timer(perf::Timer::kGetNanos, perf_agg_);
  // One context lookup for the counters of this call.
  perf::PerfContext* const ctx = perf::GetPerfContext();
  auto count = [&](perf::Counter c) {
    if (perf_agg_ != nullptr) {
      perf::PerfCount(c, 1, perf_agg_);
    } else {
      ctx->Add(c, 1);
    }
  };
  count(perf::Counter::kGets);
  version::SuperVersionCache& cache = cf->cache;
  AcquiredSv a;
  // Injected (db_get_snapshot_before_acquire): the snapshot is taken before
  // the SuperVersion. A write and its flush in between leave the read on a
  // SuperVersion whose sealed table kept only the newer entry of the key:
  // older than the snapshot's, it finds nothing.
  const std::uint64_t early_snapshot = MutantIs(Mutant::db_get_snapshot_before_acquire)
                                           ? cf->last_seq.Load(Order::kAcquire)
                                           : 0;
  if (cf->options.use_sv_cache) {
    a = cache.Acquire();
    count(a.hit ? perf::Counter::kSvCacheHits : perf::Counter::kSvCacheMisses);
    if (a.invalidated) count(perf::Counter::kSvInvalidations);
  } else {
    a = AcquiredSv{cache.RefCurrent(), /*cached=*/false, /*hit=*/false};
  }
  if (!a) {
    const auto st = cf->state();
    return cf->StateStatus(st == detail::kLive ? detail::kDropped : st);
  }
  TLSM_INVARIANT(a.sv->db_id() == handle.db_id() && a.sv->cf_id() == handle.id(), "SV-ISO",
                 "Get acquired a SuperVersion of another (DB, CF)");
  // acquire: after the SuperVersion, so the snapshot covers every entry the
  // SuperVersion's sealed tables hold.
  const std::uint64_t snapshot = MutantIs(Mutant::db_get_snapshot_before_acquire)
                                     ? early_snapshot
                                     : cf->last_seq.Load(Order::kAcquire);
  const Lookup r = a.sv->Get(key, snapshot, value);
  sync::ApiResult("%s at seq %llu in %p (%s)", LookupWord(r),
                  static_cast<unsigned long long>(snapshot), static_cast<const void*>(a.sv),
                  !cf->options.use_sv_cache ? "no cache" : a.hit ? "cache hit" : "cache miss");
  if (cf->options.use_sv_cache) {
    cache.Return(a);
  } else {
    version::ReleaseSuperVersion(a.sv);
  }
  if (r == Lookup::kFound) return Status::OK();
  return Status::NotFound("key '" + std::string(key) + "' in column family '" +
                          handle.name() + "'");
}

Status DB::FlushImpl(const ColumnFamily& handle) {
  Status s = Check(handle);
  if (!s.ok()) return s;
  CfData* cf = handle.data();
  sync::MutexLock l(cf->write_mu);
  const auto st = cf->state();
  if (st != detail::kLive) return cf->StateStatus(st);
  perf::PerfTimer timer(perf::Timer::kFlushNanos, perf_agg_);
  if (cf->FlushLocked()) perf::PerfCount(perf::Counter::kFlushes, 1, perf_agg_);
  return Status::OK();
}

Status DB::PinImpl(const ColumnFamily& handle, PinnedView* out) {
  Status s = Check(handle);
  if (!s.ok()) return s;
  CfData* cf = handle.data();
  // Injected (db_pin_snapshot_before_acquire): the pin's snapshot is taken
  // before its SuperVersion (as db_get_snapshot_before_acquire does for Get).
  const std::uint64_t early_snapshot = MutantIs(Mutant::db_pin_snapshot_before_acquire)
                                           ? cf->last_seq.Load(Order::kAcquire)
                                           : 0;
  AcquiredSv a = cf->cache.Acquire();
  if (!a) {
    const auto st = cf->state();
    return cf->StateStatus(st == detail::kLive ? detail::kDropped : st);
  }
  PinnedView v;
  cf->Ref();
  v.cf_ = cf;
  v.a_ = a;
  v.snapshot_ = MutantIs(Mutant::db_pin_snapshot_before_acquire)
                    ? early_snapshot
                    : cf->last_seq.Load(Order::kAcquire);  // acquire: as in Get
  v.thread_ = sync::CurrentThreadToken();
  sync::ApiResult("%p at seq %llu", static_cast<const void*>(a.sv),
                  static_cast<unsigned long long>(v.snapshot_));
  *out = std::move(v);
  return Status::OK();
}

Status DB::Describe(const ColumnFamily& handle, CfInfo* out) {
  Status s = Check(handle);
  if (!s.ok()) return s;
  CfData* cf = handle.data();
  sync::MutexLock l(cf->write_mu);
  out->name = cf->name;
  out->id = cf->id;
  out->version = cf->cache.CurrentVersion();
  out->last_sequence = cf->last_seq.Load(Order::kRelaxed);  // relaxed: under write_mu
  out->mem_entries = cf->MemCountLocked();
  out->immutable_memtables = cf->ImmCountLocked();
  out->cache = cf->cache.Stats();
  out->slots = cf->cache.Census();
  return Status::OK();
}

namespace {
template <class F>
Status WithCf(const DB& db, std::string_view name, F&& f) {
  ColumnFamily cf;
  Status s = db.GetColumnFamily(name, &cf);
  if (!s.ok()) return s;
  return f(cf);
}
}  // namespace

Status DB::Put(std::string_view cf, std::string_view key, std::string_view value) {
  return WithCf(*this, cf, [&](const ColumnFamily& h) { return Put(h, key, value); });
}
Status DB::Delete(std::string_view cf, std::string_view key) {
  return WithCf(*this, cf, [&](const ColumnFamily& h) { return Delete(h, key); });
}
Status DB::Get(std::string_view cf, std::string_view key, std::string* value) {
  return WithCf(*this, cf, [&](const ColumnFamily& h) { return Get(h, key, value); });
}
Status DB::Flush(std::string_view cf) {
  return WithCf(*this, cf, [&](const ColumnFamily& h) { return Flush(h); });
}

// ---- the API calls, marked for the model's history --------------------------

Status DB::Close() {
  sync::ApiCall call("DB::Close");
  return Ended(call, CloseImpl());
}
Status DB::CreateColumnFamily(std::string_view name, ColumnFamily* out) {
  sync::ApiCall call("DB::CreateColumnFamily");
  return Ended(call, CreateColumnFamilyImpl(name, out));
}
Status DB::DropColumnFamily(std::string_view name) {
  sync::ApiCall call("DB::DropColumnFamily");
  return Ended(call, DropColumnFamilyImpl(name));
}
Status DB::Write(const WriteBatch& batch) {
  sync::ApiCall call("DB::Write");
  return Ended(call, WriteOpsImpl(batch));
}
Status DB::Get(const ColumnFamily& handle, std::string_view key, std::string* value) {
  sync::ApiCall call("DB::Get");
  return Ended(call, GetImpl(handle, key, value));
}
Status DB::Flush(const ColumnFamily& handle) {
  sync::ApiCall call("DB::Flush");
  return Ended(call, FlushImpl(handle));
}
Status DB::Pin(const ColumnFamily& handle, PinnedView* out) {
  sync::ApiCall call("DB::Pin");
  return Ended(call, PinImpl(handle, out));
}

}  // namespace db
TLSM_END
