// engine/tls/thread_local_ptr.h — the thread-local matrix.
//
//                  column 0 (DB a)   column 1 (DB a, CF 1)   column 2 (DB b)
//   thread row 1   slot              slot                    slot
//   thread row 2   slot              slot                    slot
//   thread row 3   slot              slot                    slot
//
// A row is created lazily the first time a thread writes any column, linked
// into the registry, and torn down when the thread exits. A column is one
// ThreadLocalColumn (untyped) or ThreadLocalPtr<T> (typed); its id comes from
// a free list and is returned when the column is destroyed ("reclaimed").
//
// Who may call what
//   Get, Reset, Swap, CompareAndSwap: any thread, on its own slot. Get, Swap
//     and CompareAndSwap on an existing slot take no lock and allocate
//     nothing; the first write of a column on a thread may allocate.
//   Scrape, Fold: any thread; they visit every row under the registry lock.
//   The destructor (reclaim): one thread, when no other thread uses the
//     column any more (the owner of the column guarantees that).
//
// Handler rule (TLS-ONCE): the unref handler runs exactly once for every
// non-null value still in a slot when its thread exits or its column is
// reclaimed, and for the value Reset replaces (unless Reset stores the same
// pointer). Values taken out by Swap, CompareAndSwap or Scrape belong to the
// caller. Handlers run after the registry lock is released, so a handler may
// take other locks and use other columns. A handler that touches its own
// column during reclaim is misuse (debug assertion). Handlers run on the
// exiting thread (thread exit) or on the reclaiming thread (reclaim).
//
// Thread teardown: handlers and the thread's own thread_local destructors may
// use the matrix while the row is being torn down; the teardown repeats until
// the row stays empty. Use after teardown creates a fresh row that is torn
// down again (pthread key semantics).
//
// Allocation failure: the constructor (a new id), a thread's first write of
// a column (its row, or a larger slot array: Reset, Swap, CompareAndSwap)
// and Scrape may throw std::bad_alloc; then nothing changed (Scrape takes
// room for one value per row before touching a slot; the typed
// ThreadLocalPtr::Scrape copies into `out` afterwards and may lose the
// scraped values if that copy fails). Get, Fold, WaitForFolds, the
// destructor (reclaim) and thread teardown never allocate: they collect
// values in fixed-size chunks on the stack (a column being reclaimed stays
// live until its last chunk, so thread exits in between handle their own
// values, exactly once).
//
// Memory ordering: every write into a slot (Swap, CompareAndSwap, Scrape) is
// acq_rel, Reset's is seq_cst (see folded_), and Get is acquire, so whatever a thread wrote before
// publishing a pointer in a slot is visible to whoever takes it out, on any
// thread. Fold's visitor runs under the registry lock and sees values with
// acquire order. Fold visits values without owning them: values leave a
// slot by thread exit or reclaim only under the lock, Reset waits for Folds
// before it runs the handler, and WaitForFolds() gives the same guarantee to
// callers that free values taken by Swap/CompareAndSwap.
#pragma once

#include "engine/sync/mutant.h"
#include "engine/sync/sync.h"

TLSM_BEGIN
namespace tls {

// Called with a value leaving a slot by thread exit, reclaim or Reset.
using UnrefFn = void (*)(void* value, void* arg);
struct UnrefHandler {
  UnrefFn fn = nullptr;
  void* arg = nullptr;
};

// A visitor for Fold; runs under the registry lock, so it must not call into
// the matrix (debug assertion: "MISUSE").
using FoldFn = void (*)(void* value, void* arg);

namespace detail {

class Registry;

// One thread's row of slots. Owned by its thread.
struct SlotArray {
  sync::Atomic<void*>* slots = nullptr;
  std::uint32_t capacity = 0;
};

struct Row {
  explicit Row(Registry* r) : registry(r) {}
  Registry* const registry;
  // Written by the owning thread under the registry lock (growth); read by
  // the owner without a lock and by other threads only under the lock.
  sync::Cell<SlotArray> slots;
  // Under the registry lock.
  sync::Cell<Row*> prev{nullptr};
  sync::Cell<Row*> next{nullptr};
};

inline Row* CurrentRow() { return static_cast<Row*>(sync::ThreadRow::Get()); }

}  // namespace detail

// Counts of the matrix's own bookkeeping, for tests and leak checks.
struct MatrixStats {
  std::size_t rows = 0;          // rows linked (threads with a live row)
  std::size_t live_columns = 0;  // columns constructed and not reclaimed
  std::size_t free_ids = 0;      // ids waiting for reuse
  std::size_t id_space = 0;      // highest id ever handed out + 1
};
MatrixStats GetMatrixStats();

class ThreadLocalColumn {
 public:
  explicit ThreadLocalColumn(UnrefHandler handler = {});
  ~ThreadLocalColumn();
  ThreadLocalColumn(const ThreadLocalColumn&) = delete;
  ThreadLocalColumn& operator=(const ThreadLocalColumn&) = delete;

  // The calling thread's value, or nullptr.
  void* Get() const {
    CheckUsable();
    return GetById(id_);
  }
  // Get of the column with id `id` (a live column's id()), for an owner that
  // keeps the id next to its other hot fields: one dependent load fewer than
  // through the column. No use-during-reclaim check: the caller's own
  // lifecycle check (e.g. "used after Close") stands in for it.
  static void* GetById(std::uint32_t id) {
    // acquire: pairs with the acq_rel write that stored the value. A slot
    // beyond this thread's slot array (or no row yet) has never been set.
    const sync::ThreadRow::Slots s = sync::ThreadRow::GetSlots();
    return id < s.count ? SlotAt(s, id).Load(sync::Order::kAcquire) : nullptr;
  }

  // Stores p; runs the handler on the replaced value unless it is null or p.
  void Reset(void* p);
  // Stores p, returns the old value (which then belongs to the caller).
  void* Swap(void* p) {
    // Fast path inline: the slot is within this thread's slot array (kept
    // in its own thread-local words: one load, no row walk); no lock.
    CheckUsable();
    if (sync::MutantIs(sync::Mutant::tls_swap_relaxed)) return SwapRelaxedMutant(p);
    const sync::ThreadRow::Slots s = sync::ThreadRow::GetSlots();
    if (id_ < s.count) [[likely]] return SlotAt(s, id_).Exchange(p, sync::Order::kAcqRel);
    return SlotForWrite().Exchange(p, sync::Order::kAcqRel);
  }
  // If the slot holds `expected`, stores `desired` and returns true;
  // otherwise returns false and sets `expected` to the current value.
  bool CompareAndSwap(void*& expected, void* desired) {
    CheckUsable();
    if (sync::MutantIs(sync::Mutant::tls_swap_relaxed)) {
      return CompareAndSwapRelaxedMutant(expected, desired);
    }
    const sync::ThreadRow::Slots s = sync::ThreadRow::GetSlots();
    if (id_ < s.count) [[likely]]
      return SlotAt(s, id_).CompareExchange(expected, desired, sync::Order::kAcqRel);
    return SlotForWrite().CompareExchange(expected, desired, sync::Order::kAcqRel);
  }
  // Writes `replacement` into every slot that holds a non-null value and
  // appends the old values to `out` (they belong to the caller). Null slots
  // stay null.
  void Scrape(std::vector<void*>* out, void* replacement);
  // Calls fn(value, arg) for every non-null value, under the registry lock.
  // Fold marks the column "folded": from then on Reset runs the handler on
  // a replaced value only after every Fold that may still visit it is done.
  void Fold(FoldFn fn, void* arg) const;
  // Returns once no Fold that started before the call is still running (a
  // grace period). A caller that took a value out with Swap or
  // CompareAndSwap from a folded column calls it before freeing the value.
  // Values taken by Scrape need no grace period (Scrape holds the lock).
  void WaitForFolds() const;

  std::uint32_t id() const { return id_; }

 private:
  sync::Atomic<void*>& SlotForWrite();
  // Injected (tls_swap_relaxed): Swap and CompareAndSwap publish relaxed.
  void* SwapRelaxedMutant(void* p);
  bool CompareAndSwapRelaxedMutant(void*& expected, void* desired);
  // Injected (tls_reset_checks_folds_first): Reset with its two steps swapped.
  void ResetChecksFoldsFirstMutant(void* p);
  // Slot `id` of the calling thread's slot array, which the owner keeps in
  // its own thread-local words (a copy of row->slots; no lock, no row walk).
  // REQUIRES: id < s.count.
  static sync::Atomic<void*>& SlotAt(const sync::ThreadRow::Slots& s, std::uint32_t id) {
    return static_cast<sync::Atomic<void*>*>(s.base)[id];
  }
  void CheckUsable() const {
    TLSM_INVARIANT(!reclaiming_, "MISUSE",
                   "a column was used by its own handler during reclaim");
  }

  detail::Registry& registry_;
  const UnrefHandler handler_;
  const std::uint32_t id_;
  // Set (seq_cst) by Fold before it visits, read (seq_cst) by Reset after
  // its exchange: if Reset reads false, no Fold can have seen the old value
  // (Dekker: the store, the visit's load, the exchange and this load are
  // all in the single seq_cst order).
  mutable sync::Atomic<bool> folded_{false};
  bool reclaiming_ = false;  // set by the destructor; debug checks only
};

// A typed column. `Handler` is called as handler(T*) — see the handler rule.
template <class T>
class ThreadLocalPtr {
 public:
  using Handler = void (*)(T*);

  ThreadLocalPtr() : column_(UnrefHandler{}) {}
  explicit ThreadLocalPtr(Handler h)
      : column_(UnrefHandler{h == nullptr ? nullptr : &Thunk,
                             reinterpret_cast<void*>(h)}) {}
  ThreadLocalPtr(UnrefFn fn, void* arg) : column_(UnrefHandler{fn, arg}) {}

  T* Get() const { return static_cast<T*>(column_.Get()); }
  void Reset(T* p) { column_.Reset(p); }
  T* Swap(T* p) { return static_cast<T*>(column_.Swap(p)); }
  bool CompareAndSwap(T*& expected, T* desired) {
    void* e = expected;
    const bool ok = column_.CompareAndSwap(e, desired);
    expected = static_cast<T*>(e);
    return ok;
  }
  void Scrape(std::vector<T*>* out, T* replacement) {
    std::vector<void*> raw;
    column_.Scrape(&raw, replacement);
    for (void* v : raw) out->push_back(static_cast<T*>(v));
  }
  // fn(T*) is called for every non-null value, under the registry lock.
  template <class F>
  void Fold(F&& fn) const {
    auto* f = &fn;
    column_.Fold(
        [](void* v, void* a) {
          (*static_cast<std::remove_reference_t<F>*>(a))(static_cast<T*>(v));
        },
        const_cast<void*>(static_cast<const void*>(f)));
  }
  std::uint32_t id() const { return column_.id(); }
  ThreadLocalColumn& column() { return column_; }

 private:
  static void Thunk(void* v, void* arg) {
    reinterpret_cast<Handler>(arg)(static_cast<T*>(v));
  }
  ThreadLocalColumn column_;
};

}  // namespace tls
TLSM_END
