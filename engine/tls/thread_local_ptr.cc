// engine/tls/thread_local_ptr.cc — registry, row life cycle, column reclaim.
#include "engine/tls/thread_local_ptr.h"

#include "engine/sync/mutant.h"

TLSM_BEGIN
namespace tls {
namespace detail {

using sync::MutantIs;
using sync::Mutant;
using sync::Order;

namespace {
struct ColumnInfo {
  UnrefHandler handler;
  bool live = false;
  // Exit handlers of this column collected by a thread teardown and not yet
  // finished; reclaim waits for zero so no handler runs after it returns.
  std::uint32_t in_flight = 0;
};

struct Pending {  // a value collected under the lock, handled after it
  void* value;
  UnrefHandler handler;
  std::uint32_t id;
};

void RunHandlers(const std::vector<Pending>& pending) {
  for (const Pending& p : pending) p.handler.fn(p.value, p.handler.arg);
}

// Values collected under the lock by thread exit and reclaim, which must
// not fail (they run in a pthread key destructor and in ~ThreadLocalColumn):
// fixed storage, no allocation. A walk that finds more than fits stops
// taking and says so (`more`); the caller runs these handlers and walks
// again.
struct PendingChunk {
  static constexpr std::size_t kMax = 32;
  std::array<Pending, kMax> items;
  std::size_t n = 0;
  bool more = false;
  // false (and `more` set) when full: the value stays where it is.
  bool HasRoom() {
    if (n < kMax) return true;
    more = true;
    return false;
  }
  void Add(const Pending& p) { items[n++] = p; }
  void Run() const {
    for (std::size_t i = 0; i < n; ++i) items[i].handler.fn(items[i].value, items[i].handler.arg);
  }
};

// Threads may re-arm their row from handlers during teardown; after this many
// rounds the teardown gives up (a handler that keeps storing is misuse).
constexpr int kMaxTeardownRounds = 8;

// The first slot array of a row. Production: one cache line of slots, so
// most processes never grow a row. Model: every slot is a modelled atomic
// (events to create, poison and free) and scenarios use one or two columns,
// so one slot keeps executions short and every scenario that touches a
// second column exercises row growth (the slot array replaced under the
// registry lock while other threads may walk it).
constexpr std::uint32_t kRowFirstSlots = sync::kModelBuild ? 1 : 8;
}  // namespace

// The registry: the list of rows and the column table.
// Every field is guarded by mu_; see REQUIRES comments.
class Registry {
 public:
  Registry() {
    sync::Name(mu_, "matrix.mu");
    sync::Name(head_, "matrix.rows");
    sync::Name(columns_, "matrix.columns");
    sync::Name(free_ids_, "matrix.free_ids");
    sync::Name(row_count_, "matrix.row_count");
  }
  ~Registry() {
    // Only reached in the model build (production leaks the registry so it
    // outlives static destructors and detached threads).
    TLSM_INVARIANT(head_.With([](Row* h) { return h == nullptr; }), "NO-LEAK",
                   "matrix destroyed while a thread row is still linked");
  }

  std::uint32_t CreateColumn(UnrefHandler h);
  void ReclaimColumn(std::uint32_t id, bool* reclaiming_flag);
  // The calling thread's row; a new one is created with room for column
  // `id`, so a thread's first access takes the registry lock once.
  Row* EnsureRow(std::uint32_t id);
  sync::Atomic<void*>& EnsureSlot(Row* row, std::uint32_t id);
  void Scrape(std::uint32_t id, std::vector<void*>* out, void* replacement);
  void Fold(std::uint32_t id, FoldFn fn, void* arg);
  MatrixStats Stats();
  // A grace period: every Fold running when this is called has finished.
  void WaitForFolds() {
    LockChecked();
    mu_.Unlock();
  }

  static void TeardownRow(void* row);
  // Marks exit handlers collected by CollectRowLocked as finished.
  void FinishHandlers(const PendingChunk& done);
  void FinishHandlersLocked(const PendingChunk& done) TLSM_REQUIRES(mu_);
  // Injected (tls_exit_clears_slots_late): clears the slots of values whose
  // handlers ran (unless the handler stored another value there).
  void ClearHandledSlotsLocked(Row* row, const PendingChunk& done) TLSM_REQUIRES(mu_);

 private:
  void LockChecked(sync::Loc loc = sync::Loc::current()) TLSM_ACQUIRE(mu_) {
    TLSM_INVARIANT(!mu_.HeldByMe(), "MISUSE",
                   "matrix re-entered from a Fold visitor (registry lock held)");
    mu_.Lock(loc);
  }
  void LinkRowLocked(Row* r) TLSM_REQUIRES(mu_);
  void UnlinkRowLocked(Row* r) TLSM_REQUIRES(mu_);
  // Takes non-null values of live columns out of `row`, as many as fit.
  void CollectRowLocked(Row* row, PendingChunk* out) TLSM_REQUIRES(mu_);
  template <class F>
  void ForEachRowLocked(F&& f) TLSM_REQUIRES(mu_);
  // Reclaim's first half: marks column `id` dead and takes its values out
  // of every row, under the lock; returns them with the column's handler.
  std::vector<Pending> TakeColumn(std::uint32_t id);
  // Reclaim without allocation (the correct build): takes the column's
  // values a chunk at a time and runs their handlers; the column stays live
  // (thread exits handle their own values) until a walk under the lock
  // finds no more than fit, which kills it in the same lock section.
  void TakeAndHandleColumnInChunks(std::uint32_t id, bool* reclaiming_flag);
  // Mutant only: walks the rows without the lock (the bug it injects).
  std::vector<Pending> TakeColumnWithoutLockMutant(std::uint32_t id)
      TLSM_NO_THREAD_SAFETY_ANALYSIS;
  // Marks column `id` dead (thread exits skip it); returns its handler.
  UnrefHandler KillColumnLocked(std::uint32_t id) TLSM_REQUIRES(mu_);
  // Takes row r's value of column `id` into *out (if non-null and handled).
  // REQUIRES: mu_ held. Not annotated: row walks call it from a lambda,
  // which the analysis does not see into.
  void TakeSlotLocked(Row* r, std::uint32_t id, UnrefHandler handler,
                      std::vector<Pending>* out);

  sync::Mutex mu_;
  sync::Cell<Row*> head_ TLSM_GUARDED_BY(mu_){nullptr};
  sync::Cell<std::vector<ColumnInfo>> columns_ TLSM_GUARDED_BY(mu_);
  sync::Cell<std::vector<std::uint32_t>> free_ids_ TLSM_GUARDED_BY(mu_);
  sync::Cell<std::size_t> row_count_ TLSM_GUARDED_BY(mu_){std::size_t{0}};
};

namespace {
Registry& TheRegistry() { return sync::ProcessGlobal<Registry>(); }

// Scoped registry lock for this file only: adopts the lock LockChecked took.
class TLSM_SCOPED_CAPABILITY LockGuard {
 public:
  explicit LockGuard(sync::Mutex& mu) TLSM_REQUIRES(mu) : mu_(mu) {}
  ~LockGuard() TLSM_RELEASE() { mu_.Unlock(); }

 private:
  sync::Mutex& mu_;
};
}  // namespace

template <class F>
void Registry::ForEachRowLocked(F&& f) {
  TLSM_INVARIANT(mu_.HeldByMe(), "MISUSE", "REQUIRES: registry lock held");
  Row* r = head_.With([](Row* h) { return h; });
  if (MutantIs(Mutant::tls_scrape_misses_new_row)) {
    // Injected: the newest row (list head) is skipped by row walks.
    if (r != nullptr) r = r->next.With([](Row* n) { return n; });
  }
  while (r != nullptr) {
    Row* next = r->next.With([](Row* n) { return n; });
    f(r);
    r = next;
  }
}

void Registry::LinkRowLocked(Row* r) {
  TLSM_INVARIANT(mu_.HeldByMe(), "MISUSE", "REQUIRES: registry lock held");
  Row* old_head = head_.With([](Row* h) { return h; });
  r->next.WithMut([&](Row*& n) { n = old_head; });
  r->prev.WithMut([](Row*& p) { p = nullptr; });
  if (old_head != nullptr) old_head->prev.WithMut([&](Row*& p) { p = r; });
  head_.WithMut([&](Row*& h) { h = r; });
  row_count_.WithMut([](std::size_t& n) { ++n; });
}

void Registry::UnlinkRowLocked(Row* r) {
  TLSM_INVARIANT(mu_.HeldByMe(), "MISUSE", "REQUIRES: registry lock held");
  Row* prev = r->prev.With([](Row* p) { return p; });
  Row* next = r->next.With([](Row* n) { return n; });
  if (prev != nullptr) {
    prev->next.WithMut([&](Row*& n) { n = next; });
  } else {
    head_.WithMut([&](Row*& h) { h = next; });
  }
  if (next != nullptr) next->prev.WithMut([&](Row*& p) { p = prev; });
  row_count_.WithMut([](std::size_t& n) { --n; });
}

std::uint32_t Registry::CreateColumn(UnrefHandler h) {
  sync::ApiCall call("column create");
  LockChecked();
  LockGuard g(mu_);
  std::uint32_t id = free_ids_.WithMut([](std::vector<std::uint32_t>& f) {
    if (f.empty()) return std::numeric_limits<std::uint32_t>::max();
    std::uint32_t v = f.back();
    f.pop_back();
    return v;
  });
  columns_.WithMut([&](std::vector<ColumnInfo>& cols) {
    if (id == std::numeric_limits<std::uint32_t>::max()) {
      id = static_cast<std::uint32_t>(cols.size());
      cols.push_back({});
    }
    cols[id] = ColumnInfo{h, true};
  });
  call.Result("col %u", id);
  return id;
}

void Registry::CollectRowLocked(Row* row, PendingChunk* out) {
  TLSM_INVARIANT(mu_.HeldByMe(), "MISUSE", "REQUIRES: registry lock held");
  SlotArray a = row->slots.With([](const SlotArray& s) { return s; });
  columns_.WithMut([&](std::vector<ColumnInfo>& cols) {
    const std::uint32_t n =
        std::min<std::uint32_t>(a.capacity, static_cast<std::uint32_t>(cols.size()));
    for (std::uint32_t id = 0; id < n; ++id) {
      if (!cols[id].live) continue;
      // relaxed peek: a full chunk leaves a value where it is.
      if (a.slots[id].Load(Order::kRelaxed) != nullptr && !out->HasRoom()) break;
      void* v;
      if (MutantIs(Mutant::tls_exit_keeps_values) ||
          MutantIs(Mutant::tls_exit_clears_slots_late)) {
        v = a.slots[id].Load(Order::kAcquire);  // injected: value stays
      } else {
        // acq_rel: takes ownership of whatever the value points to.
        v = a.slots[id].Exchange(nullptr, Order::kAcqRel);
      }
      if (v == nullptr) continue;
      UnrefHandler h = cols[id].handler;
      if (MutantIs(Mutant::tls_handler_wrong_column)) {
        if (id + 1 < cols.size() && cols[id + 1].live) h = cols[id + 1].handler;
      }
      if (h.fn == nullptr) continue;
      if (MutantIs(Mutant::tls_exit_skips_handler)) continue;
      ++cols[id].in_flight;  // until FinishHandlers
      out->Add({v, h, id});
    }
  });
}

UnrefHandler Registry::KillColumnLocked(std::uint32_t id) {
  UnrefHandler handler;
  columns_.WithMut([&](std::vector<ColumnInfo>& cols) {
    handler = cols[id].handler;
    cols[id].live = false;  // thread exits no longer visit this column
  });
  return handler;
}

void Registry::TakeSlotLocked(Row* r, std::uint32_t id, UnrefHandler handler,
                              std::vector<Pending>* out) {
  SlotArray a = r->slots.With([](const SlotArray& s) { return s; });
  if (id >= a.capacity) return;
  void* v;
  if (MutantIs(Mutant::tls_reuse_without_clearing)) {
    v = a.slots[id].Load(Order::kAcquire);  // injected: stale value stays
  } else {
    // acq_rel: takes ownership of the value from the owning thread.
    v = a.slots[id].Exchange(nullptr, Order::kAcqRel);
  }
  if (v != nullptr && handler.fn != nullptr) out->push_back({v, handler, id});
}

std::vector<Pending> Registry::TakeColumn(std::uint32_t id) {
  std::vector<Pending> pending;
  LockChecked();
  LockGuard g(mu_);
  const UnrefHandler handler = KillColumnLocked(id);
  if (MutantIs(Mutant::tls_reclaim_walks_rows_later)) {
    // Injected: the rows are walked in a lock section of their own. A
    // thread that exits in between skips the dead column and frees its
    // row with the value still in it: no handler ever runs for it.
    mu_.Unlock();
    LockChecked();
  }
  if (MutantIs(Mutant::tls_reclaim_frees_id_early)) {
    // Injected: the id is free before the rows are cleared; a column
    // created in the gap below reuses it while old values sit in the slots.
    free_ids_.WithMut([&](std::vector<std::uint32_t>& f) { f.push_back(id); });
    mu_.Unlock();
    LockChecked();
  }
  ForEachRowLocked([&](Row* r) { TakeSlotLocked(r, id, handler, &pending); });
  return pending;
}

std::vector<Pending> Registry::TakeColumnWithoutLockMutant(std::uint32_t id) {
  // Injected (tls_reclaim_without_lock): TakeColumn without the registry
  // lock; the walk races row registration and teardown.
  std::vector<Pending> pending;
  const UnrefHandler handler = KillColumnLocked(id);
  Row* r = head_.With([](Row* h) { return h; });
  while (r != nullptr) {
    Row* next = r->next.With([](Row* n) { return n; });
    TakeSlotLocked(r, id, handler, &pending);
    r = next;
  }
  return pending;
}

void Registry::TakeAndHandleColumnInChunks(std::uint32_t id, bool* reclaiming_flag) {
  for (bool more = true; more;) {
    PendingChunk chunk;
    {
      LockChecked();
      LockGuard g(mu_);
      const UnrefHandler handler =
          columns_.With([&](const std::vector<ColumnInfo>& cols) { return cols[id].handler; });
      ForEachRowLocked([&](Row* r) {
        SlotArray a = r->slots.With([](const SlotArray& s) { return s; });
        if (id >= a.capacity || chunk.more) return;
        // relaxed peek: a full chunk leaves the value for the next walk.
        if (a.slots[id].Load(Order::kRelaxed) == nullptr || !chunk.HasRoom()) return;
        // acq_rel: takes ownership of the value from the owning thread.
        void* v = a.slots[id].Exchange(nullptr, Order::kAcqRel);
        if (v != nullptr && handler.fn != nullptr) chunk.Add({v, handler, id});
      });
      more = chunk.more;
      // The whole column walked in this section: dead now, so no exit
      // visits it (a value an exit took before is in flight; waited for).
      if (!more) (void)KillColumnLocked(id);
    }
    // Handlers run without the lock (they may take locks, use other columns).
    *reclaiming_flag = true;
    chunk.Run();
    *reclaiming_flag = false;
  }
}

void Registry::ReclaimColumn(std::uint32_t id, bool* reclaiming_flag) {
  sync::ApiCall call("column reclaim");
  call.Result("col %u", id);
  if (MutantIs(Mutant::tls_reclaim_without_lock) ||
      MutantIs(Mutant::tls_reclaim_walks_rows_later) ||
      MutantIs(Mutant::tls_reclaim_frees_id_early) ||
      MutantIs(Mutant::tls_reuse_without_clearing)) {
    // The mutants inject their bugs into the one-pass reclaim.
    const std::vector<Pending> pending = MutantIs(Mutant::tls_reclaim_without_lock)
                                             ? TakeColumnWithoutLockMutant(id)
                                             : TakeColumn(id);
    *reclaiming_flag = true;
    RunHandlers(pending);
    *reclaiming_flag = false;
  } else {
    TakeAndHandleColumnInChunks(id, reclaiming_flag);
  }
  // Wait for exit handlers other threads collected before the column died,
  // so none runs after the destructor returns (callers may then free the
  // handler's context). Only then is the id free for reuse.
  for (;;) {
    LockChecked();
    const bool idle = MutantIs(Mutant::tls_reclaim_skips_exit_wait) ||
                      columns_.With([&](const std::vector<ColumnInfo>& cols) {
                        return cols[id].in_flight == 0;
                      });
    if (idle) {
      if (!MutantIs(Mutant::tls_reclaim_frees_id_early)) {
        free_ids_.WithMut([&](std::vector<std::uint32_t>& f) { f.push_back(id); });
      }
      mu_.Unlock();
      return;
    }
    mu_.Unlock();
    sync::Yield();
  }
}

void Registry::FinishHandlers(const PendingChunk& done) {
  if (done.n == 0) return;
  LockChecked();
  LockGuard g(mu_);
  FinishHandlersLocked(done);
}

void Registry::ClearHandledSlotsLocked(Row* row, const PendingChunk& done) {
  TLSM_INVARIANT(mu_.HeldByMe(), "MISUSE", "REQUIRES: registry lock held");
  SlotArray a = row->slots.With([](const SlotArray& s) { return s; });
  for (std::size_t i = 0; i < done.n; ++i) {
    void* v = done.items[i].value;
    (void)a.slots[done.items[i].id].CompareExchange(v, nullptr, Order::kAcqRel);
  }
}

void Registry::FinishHandlersLocked(const PendingChunk& done) {
  TLSM_INVARIANT(mu_.HeldByMe(), "MISUSE", "REQUIRES: registry lock held");
  if (done.n == 0) return;
  columns_.WithMut([&](std::vector<ColumnInfo>& cols) {
    for (std::size_t i = 0; i < done.n; ++i) --cols[done.items[i].id].in_flight;
  });
}

// Names the calling thread's row (when given) and its slots [from, to) in
// the model's history.
void NameRow(const Row* row, const sync::Atomic<void*>* slots, std::uint32_t from,
             std::uint32_t to) {
  const unsigned t = sync::HistoryThread();
  if (row != nullptr) {
    sync::Name(*row, "row[T%u]", t);
    sync::Name(row->slots, "row[T%u].slots", t);
    sync::Name(row->prev, "row[T%u].prev", t);
    sync::Name(row->next, "row[T%u].next", t);
  }
  for (std::uint32_t i = from; i < to; ++i) sync::Name(slots[i], "row[T%u].slot[col %u]", t, i);
}

Row* Registry::EnsureRow(std::uint32_t id) {
  Row* row = CurrentRow();
  if (row != nullptr) return row;
  row = sync::New<Row>(this);
  // The first slot array, before the row is linked: no other thread can
  // see it yet, so it needs no lock (the link below publishes it). Without
  // memory for it the row goes too (nothing was linked).
  const std::uint32_t cap = std::max<std::uint32_t>(kRowFirstSlots, id + 1);
  sync::Atomic<void*>* first = sync::UndoOnThrow(
      [&] { return sync::NewArray<sync::Atomic<void*>>(cap); }, [&] { sync::Delete(row); });
  NameRow(row, first, 0, cap);
  row->slots.WithMut([&](SlotArray& s) { s = SlotArray{first, cap}; });
  {
    LockChecked();
    LockGuard g(mu_);
    LinkRowLocked(row);
  }
  sync::ThreadRow::Set(row, &Registry::TeardownRow);
  return row;
}

sync::Atomic<void*>& Registry::EnsureSlot(Row* row, std::uint32_t id) {
  SlotArray a = row->slots.With([](const SlotArray& s) { return s; });
  // The owner's thread-local copy of its slot array (the fast path's).
  sync::ThreadRow::SetSlots(a.slots, a.capacity);
  if (id < a.capacity) return a.slots[id];
  // Growth: under the lock, because Scrape, Fold and reclaim walk this row's
  // slots from other threads under the lock. Only the owner grows its row.
  std::uint32_t cap = std::max<std::uint32_t>(
      {kRowFirstSlots, a.capacity * 2, id + 1});
  sync::Atomic<void*>* fresh = sync::NewArray<sync::Atomic<void*>>(cap);
  NameRow(nullptr, fresh, 0, cap);
  {
    LockChecked();
    LockGuard g(mu_);
    if (!MutantIs(Mutant::tls_grow_copies_after_publish)) {
      for (std::uint32_t i = 0; i < a.capacity; ++i) {
        // relaxed: the lock orders every writer of these slots but the owner.
        fresh[i].Store(a.slots[i].Load(Order::kRelaxed), Order::kRelaxed);
      }
    }
    row->slots.WithMut([&](SlotArray& s) { s = SlotArray{fresh, cap}; });
  }
  if (MutantIs(Mutant::tls_grow_copies_after_publish)) {
    // Injected: the lock section only swaps the array; the values are
    // copied after it ("only the owner writes its slots"). A Fold, Scrape
    // or reclaim that walks this row in between sees the fresh array still
    // empty and misses the owner's values. seq_cst (std::atomic's default):
    // the window is the interleaving alone (relaxed stores here would also
    // let a later walker read the empty slot, by weak memory).
    for (std::uint32_t i = 0; i < a.capacity; ++i) {
      fresh[i].Store(a.slots[i].Load(Order::kSeqCst), Order::kSeqCst);
    }
  }
  sync::ThreadRow::SetSlots(fresh, cap);
  sync::DeleteArray(a.slots, a.capacity);
  return fresh[id];
}

void Registry::TeardownRow(void* raw) {
  Row* row = static_cast<Row*>(raw);
  Registry* self = row->registry;
  // Handlers may use the matrix, including this row; repeat until it stays
  // empty. The row stays linked (and current) until then.
  // Allocates nothing (PendingChunk): a full chunk is a round that does not
  // count towards kMaxTeardownRounds.
  sync::ApiCall call("thread exit");
  std::size_t handlers = 0;
  PendingChunk finished;  // the previous round's handlers, done
  for (int round = 0;;) {
    PendingChunk pending;
    {
      self->LockChecked();
      LockGuard g(self->mu_);
      // One lock section both ends the previous round (its columns may be
      // reclaimed now) and collects what its handlers left in the row.
      self->FinishHandlersLocked(finished);
      if (MutantIs(Mutant::tls_exit_clears_slots_late)) {
        // Injected: the values collected in the previous round stayed in
        // their slots while their handlers ran ("a handler may still Get
        // its value"); only now are they cleared. A Fold, Scrape or reclaim
        // in between still finds a value its handler already freed.
        self->ClearHandledSlotsLocked(row, finished);
      }
      self->CollectRowLocked(row, &pending);
      if (MutantIs(Mutant::tls_exit_finishes_handlers_early)) {
        // Injected: the collected handlers count as finished in the section
        // that collects them, before they run: a reclaim that waits for
        // them may return (and its caller free the handler's context) while
        // they still run.
        self->FinishHandlersLocked(pending);
      }
      if (pending.n == 0 || round == kMaxTeardownRounds) {
        TLSM_INVARIANT(pending.n == 0, "MISUSE",
                       "unref handlers kept refilling the exiting thread's row");
        self->UnlinkRowLocked(row);
        break;
      }
      if (!pending.more) ++round;
    }
    pending.Run();
    handlers += pending.n;
    call.Result("%zu handlers", handlers);
    if (!MutantIs(Mutant::tls_exit_finishes_handlers_early)) finished = pending;
    if (MutantIs(Mutant::tls_exit_keeps_values)) {
      self->FinishHandlers(finished);
      sync::ThreadRow::Clear();  // injected: row stays linked, values stay
      return;
    }
  }
  sync::ThreadRow::Clear();
  SlotArray a = row->slots.With([](const SlotArray& s) { return s; });
  sync::DeleteArray(a.slots, a.capacity);
  sync::Delete(row);
}

void Registry::Scrape(std::uint32_t id, std::vector<void*>* out, void* replacement) {
  LockChecked();
  LockGuard g(mu_);
  // Strong guarantee: room for one value per row before any slot changes
  // (a std::bad_alloc here leaves every slot as it was).
  out->reserve(out->size() + row_count_.With([](std::size_t n) { return n; }));
  ForEachRowLocked([&](Row* r) {
    SlotArray a = r->slots.With([](const SlotArray& s) { return s; });
    if (id >= a.capacity) return;
    void* v = a.slots[id].Load(Order::kAcquire);
    if (MutantIs(Mutant::tls_scrape_store_not_cas)) {
      // Injected: a plain store replaces the value loaded above; an owner's
      // Swap in the one step between them is overwritten (its value lost,
      // the one it took reported to the scraper too).
      if (v != nullptr) {
        a.slots[id].Store(replacement, Order::kRelease);
        out->push_back(v);
      }
      return;
    }
    // The owner may swap concurrently: retry until the swap lands on the
    // value we report, or the slot turns null.
    while (v != nullptr) {
      // acq_rel: takes ownership of v and publishes replacement.
      if (a.slots[id].CompareExchange(v, replacement, Order::kAcqRel)) {
        out->push_back(v);
        break;
      }
    }
  });
}

void Registry::Fold(std::uint32_t id, FoldFn fn, void* arg) {
  LockChecked();
  LockGuard g(mu_);
  ForEachRowLocked([&](Row* r) {
    SlotArray a = r->slots.With([](const SlotArray& s) { return s; });
    if (id >= a.capacity) return;
    // seq_cst, not just acquire: the Dekker pairing with Reset (folded_
    // store here, slot exchange + folded_ load there) needs this load in
    // the single total order too; an acquire load could still read the
    // value Reset already replaced and freed. Free on x86 (a plain load).
    if (void* v = a.slots[id].Load(Order::kSeqCst)) fn(v, arg);
  });
}

MatrixStats Registry::Stats() {
  LockChecked();
  LockGuard g(mu_);
  MatrixStats s;
  s.rows = row_count_.With([](std::size_t n) { return n; });
  columns_.With([&](const std::vector<ColumnInfo>& cols) {
    s.id_space = cols.size();
    for (const auto& c : cols) s.live_columns += c.live ? 1 : 0;
  });
  s.free_ids = free_ids_.With([](const std::vector<std::uint32_t>& f) { return f.size(); });
  return s;
}

}  // namespace detail

MatrixStats GetMatrixStats() { return detail::TheRegistry().Stats(); }

ThreadLocalColumn::ThreadLocalColumn(UnrefHandler handler)
    : registry_(detail::TheRegistry()), handler_(handler), id_(registry_.CreateColumn(handler)) {
  sync::Name(*this, "column %u", id_);
  sync::Name(folded_, "column %u.folded", id_);
}

ThreadLocalColumn::~ThreadLocalColumn() { registry_.ReclaimColumn(id_, &reclaiming_); }

sync::Atomic<void*>& ThreadLocalColumn::SlotForWrite() {
  CheckUsable();
  return registry_.EnsureSlot(registry_.EnsureRow(id_), id_);
}

using sync::Mutant;
using sync::MutantIs;

// Injected (tls_swap_relaxed): the inline fast paths with relaxed order.
void* ThreadLocalColumn::SwapRelaxedMutant(void* p) {
  const sync::ThreadRow::Slots s = sync::ThreadRow::GetSlots();
  if (id_ < s.count) return SlotAt(s, id_).Exchange(p, sync::Order::kRelaxed);
  return SlotForWrite().Exchange(p, sync::Order::kRelaxed);
}

bool ThreadLocalColumn::CompareAndSwapRelaxedMutant(void*& expected, void* desired) {
  const sync::ThreadRow::Slots s = sync::ThreadRow::GetSlots();
  if (id_ < s.count) return SlotAt(s, id_).CompareExchange(expected, desired, sync::Order::kRelaxed);
  return SlotForWrite().CompareExchange(expected, desired, sync::Order::kRelaxed);
}

void ThreadLocalColumn::ResetChecksFoldsFirstMutant(void* p) {
  // Injected: the fold flag is read before the exchange. A Fold that sets
  // it and loads the old value in the one step between them is not waited
  // for: the handler frees the value while that Fold may still visit it.
  const bool folded = folded_.Load(sync::Order::kSeqCst);
  void* old = SlotForWrite().Exchange(p, sync::Order::kSeqCst);
  if (old != nullptr && old != p && handler_.fn != nullptr) {
    if (folded) registry_.WaitForFolds();
    handler_.fn(old, handler_.arg);
  }
}

void ThreadLocalColumn::Reset(void* p) {
  if (MutantIs(Mutant::tls_reset_checks_folds_first)) return ResetChecksFoldsFirstMutant(p);
  // seq_cst: pairs with Fold's seq_cst store of folded_ (see the header).
  // (Mutant tls_swap_relaxed publishes relaxed.)
  sync::Atomic<void*>& slot = SlotForWrite();
  void* old = MutantIs(Mutant::tls_swap_relaxed) ? slot.Exchange(p, sync::Order::kRelaxed)
                                                 : slot.Exchange(p, sync::Order::kSeqCst);
  const bool same = old == p && !MutantIs(Mutant::tls_reset_same_value_unrefs);
  if (old != nullptr && !same && handler_.fn != nullptr) {
    if (!MutantIs(Mutant::tls_reset_skips_fold_grace) &&
        folded_.Load(sync::Order::kSeqCst)) {
      registry_.WaitForFolds();  // a Fold may still be visiting `old`
    }
    handler_.fn(old, handler_.arg);
  }
}

void ThreadLocalColumn::WaitForFolds() const { registry_.WaitForFolds(); }


void ThreadLocalColumn::Scrape(std::vector<void*>* out, void* replacement) {
  CheckUsable();
  registry_.Scrape(id_, out, replacement);
}

void ThreadLocalColumn::Fold(FoldFn fn, void* arg) const {
  CheckUsable();
  // seq_cst: before the visit's loads; pairs with Reset's load of folded_.
  folded_.Store(true, sync::Order::kSeqCst);
  registry_.Fold(id_, fn, arg);
}

}  // namespace tls
TLSM_END
