// model/tls/thread_local_ptr_model.cc — Relacy scenarios of the matrix.
#include "engine/tls/thread_local_ptr.h"
#include "model/harness/gate.h"
#include "model/harness/relacy_runner.h"
#include "model/tls/tracked_value.h"

namespace tlsm::model {
namespace {

using tlsm::sync::Atomic;
using tlsm::sync::Order;
using tlsm::tls::ThreadLocalColumn;
using tlsm::tls::UnrefHandler;

// (1) Thread exit racing column reclaim — TLS-ONCE, TLS-EXIT.
// Threads 0 and 1 store values (thread 0 also re-stores the same pointer,
// which must not run the handler), announce that they are done with the
// column, and exit; thread 2 waits for the announcements and reclaims the
// column while the exits run, then frees the handler's context at once: no
// handler may run after the destructor returned. Every value must be
// handled exactly once.
struct ExitVsReclaim : ModelTest<ExitVsReclaim, 3> {
  static constexpr int kTag = 1;
  HandlerContext* ctx = nullptr;
  ThreadLocalColumn* column = nullptr;
  TrackedValue* values[2] = {};
  Gate* done_using = nullptr;

  void Setup() {
    ctx = tlsm::sync::New<HandlerContext>(kTag);
    column = tlsm::sync::New<ThreadLocalColumn>(UnrefHandler{&ContextCountingHandler, ctx});
    for (auto& v : values) v = tlsm::sync::New<TrackedValue>(kTag);
    done_using = tlsm::sync::New<Gate>();
  }
  void Body(unsigned t) {
    if (t < 2) {
      column->Reset(values[t]);
      if (t == 0) column->Reset(values[t]);  // same pointer: no handler
      done_using->Pass();
      return;  // the harness runs this thread's row teardown now
    }
    done_using->Wait(2);
    tlsm::sync::Delete(column);
    column = nullptr;
    tlsm::sync::Delete(ctx);  // the column is gone: so are its handlers
    ctx = nullptr;
  }
  void Check() {
    for (auto* v : values) {
      TLSM_INVARIANT(v->handled.Load(Order::kAcquire) == 1, "TLS-ONCE",
                     "a value left in a slot was not handled exactly once");
    }
  }
  void Teardown() {
    for (auto* v : values) tlsm::sync::Delete(v);
    tlsm::sync::Delete(done_using);
  }
};

TLSM_MODEL_SCENARIO(ExitVsReclaim, "tls.exit_vs_reclaim",
                    (std::vector<std::string>{"TLS-ONCE", "TLS-EXIT"}),
                    "two threads exit while a third reclaims their column", "TLS-EXIT")

// (2) Id reuse after reclaim while other threads are alive — TLS-INIT,
// TLS-ISO. Threads 0 and 1 store into column A (thread 0 also into C) and
// wait; thread 2 reclaims A and creates B, which reuses A's id. The waiting
// threads must read null from B, still read their own value from C, and every
// handler must see only its own column's values.
struct IdReuse : ModelTest<IdReuse, 3> {
  int tag_a = 1, tag_b = 2, tag_c = 3;
  ThreadLocalColumn* a = nullptr;
  ThreadLocalColumn* c = nullptr;
  Atomic<ThreadLocalColumn*>* b = nullptr;  // published by thread 2
  TrackedValue* va[2] = {};
  TrackedValue* vb[2] = {};
  TrackedValue* vc = nullptr;
  Gate* stored = nullptr;
  Gate* reused = nullptr;  // the reclaimed id is reused in column b
  std::uint32_t a_id = 0;

  void Setup() {
    a = tlsm::sync::New<ThreadLocalColumn>(UnrefHandler{&CountingHandler, &tag_a});
    c = tlsm::sync::New<ThreadLocalColumn>(UnrefHandler{&CountingHandler, &tag_c});
    a_id = a->id();
    b = tlsm::sync::New<Atomic<ThreadLocalColumn*>>(nullptr);
    for (auto& v : va) v = tlsm::sync::New<TrackedValue>(tag_a);
    for (auto& v : vb) v = tlsm::sync::New<TrackedValue>(tag_b);
    vc = tlsm::sync::New<TrackedValue>(tag_c);
    stored = tlsm::sync::New<Gate>();
    reused = tlsm::sync::New<Gate>();
  }
  void Body(unsigned t) {
    if (t < 2) {
      a->Reset(va[t]);
      if (t == 0) c->Reset(vc);
      stored->Pass();
      reused->Wait();  // blocks (no polling): the tree does not branch per poll
      ThreadLocalColumn* fresh = b->Load(Order::kAcquire);
      TLSM_INVARIANT(fresh->Get() == nullptr, "TLS-INIT",
                     "a column with a reused id read a stale value");
      if (t == 0) {
        TLSM_INVARIANT(c->Get() == vc, "TLS-ISO",
                       "reclaiming one column changed another column's slot");
      }
      fresh->Reset(vb[t]);
      return;
    }
    stored->Wait(2);
    tlsm::sync::Delete(a);
    a = nullptr;
    auto* fresh = tlsm::sync::New<ThreadLocalColumn>(UnrefHandler{&CountingHandler, &tag_b});
    TLSM_INVARIANT(fresh->id() == a_id, "TLS-INIT", "scenario expected the id to be reused");
    b->Store(fresh, Order::kRelease);
    reused->Pass(2);
  }
  void Check() {
    for (auto* v : va) {
      TLSM_INVARIANT(v->handled.Load(Order::kAcquire) == 1, "TLS-ONCE",
                     "a value left in a reclaimed column was not handled exactly once");
    }
    for (auto* v : vb) {
      TLSM_INVARIANT(v->handled.Load(Order::kAcquire) == 1, "TLS-ONCE",
                     "a value left at thread exit was not handled exactly once");
    }
    TLSM_INVARIANT(vc->handled.Load(Order::kAcquire) == 1, "TLS-ISO",
                   "a value of an untouched column was not handled exactly once");
  }
  void Teardown() {
    tlsm::sync::Delete(b->Load(Order::kAcquire));
    tlsm::sync::Delete(c);
    tlsm::sync::Delete(b);
    for (auto* v : va) tlsm::sync::Delete(v);
    for (auto* v : vb) tlsm::sync::Delete(v);
    tlsm::sync::Delete(vc);
    tlsm::sync::Delete(stored);
    tlsm::sync::Delete(reused);
  }
};

TLSM_MODEL_SCENARIO(IdReuse, "tls.id_reuse",
                    (std::vector<std::string>{"TLS-INIT", "TLS-ISO", "TLS-ONCE"}),
                    "a column is reclaimed and its id reused while its threads live",
                    "TLS-INIT")

// (3) Scrape racing the owner's Swap and CompareAndSwap — TLS-OWN, no lost
// value. The owner publishes v1, then swaps in v2 and compare-and-swaps v2
// for v3 while another thread scrapes the column to r. Every value must end
// up with exactly one owner: the owner (Swap/CAS), the scraper, or the
// handler at thread exit. The scraper reads each value's payload, so a value
// published without release order is reported as a data race.
struct ScrapeVsSwap : ModelTest<ScrapeVsSwap, 2> {
  int tag = 1;
  ThreadLocalColumn* x = nullptr;
  TrackedValue* v[3] = {};
  TrackedValue* r = nullptr;
  Gate* stored = nullptr;
  Gate* scraped = nullptr;

  void Setup() {
    scraped = tlsm::sync::New<Gate>();
    x = tlsm::sync::New<ThreadLocalColumn>(UnrefHandler{&CountingHandler, &tag});
    for (auto& p : v) p = tlsm::sync::New<TrackedValue>(tag);
    r = tlsm::sync::New<TrackedValue>(tag);
    stored = tlsm::sync::New<Gate>();
  }
  static void Take(TrackedValue* t) { t->taken.FetchAdd(1, Order::kAcqRel); }
  void Body(unsigned t) {
    if (t == 0) {
      v[0]->payload.WithMut([](int& p) { p = 1; });
      x->Reset(v[0]);
      stored->Pass();
      v[1]->payload.WithMut([](int& p) { p = 2; });
      auto* got = static_cast<TrackedValue*>(x->Swap(v[1]));
      TLSM_INVARIANT(got == v[0] || got == r, "TLS-OWN",
                     "Swap returned a value this thread never stored");
      Take(got);
      v[2]->payload.WithMut([](int& p) { p = 3; });
      void* expected = v[1];
      if (x->CompareAndSwap(expected, v[2])) {
        Take(v[1]);
      } else {
        TLSM_INVARIANT(expected == r, "TLS-OWN",
                       "a failed CAS saw a value neither stored nor scraped in");
        Take(v[2]);  // never published: still the owner's
      }
      // Stay alive (row linked, slot non-null) until the scrape is done.
      scraped->Wait();
      return;
    }
    stored->Wait();
    std::vector<void*> out;
    x->Scrape(&out, r);
    // The owner's slot is never null after its first Reset.
    TLSM_INVARIANT(out.size() == 1, "TLS-OWN", "Scrape missed a non-null slot");
    for (void* p : out) {
      auto* tv = static_cast<TrackedValue*>(p);
      const int payload = tv->payload.With([](int q) { return q; });
      TLSM_INVARIANT(payload >= 1 && payload <= 3, "TLS-OWN",
                     "a scraped value's contents were not published");
      Take(tv);
    }
    scraped->Pass();
  }
  void Check() {
    for (auto* p : {v[0], v[1], v[2], r}) {
      const int owners = p->taken.Load(Order::kAcquire) + p->handled.Load(Order::kAcquire);
      TLSM_INVARIANT(owners == 1, "TLS-OWN",
                     "a value was lost or had two owners after Scrape raced Swap/CAS");
    }
  }
  void Teardown() {
    tlsm::sync::Delete(x);
    for (auto* p : v) tlsm::sync::Delete(p);
    tlsm::sync::Delete(r);
    tlsm::sync::Delete(stored);
    tlsm::sync::Delete(scraped);
  }
};

TLSM_MODEL_SCENARIO(ScrapeVsSwap, "tls.scrape_vs_swap",
                    (std::vector<std::string>{"TLS-OWN", "TLS-ONCE"}),
                    "Scrape races the owner's Swap and CompareAndSwap", "TLS-OWN")

// (4) Fold racing the owner's Reset — TLS-ONCE, no use after free. The
// handler frees each value it receives, so a Fold that still visits a value
// Reset replaced would read freed (poisoned) memory: Reset must wait for
// Folds before it runs the handler.
void FreeingHandler(void* v, void*) { tlsm::sync::Delete(static_cast<TrackedValue*>(v)); }

struct FoldVsReset : ModelTest<FoldVsReset, 2> {
  ThreadLocalColumn* x = nullptr;
  Gate* stored = nullptr;
  Atomic<int>* sum = nullptr;

  void Setup() {
    x = tlsm::sync::New<ThreadLocalColumn>(UnrefHandler{&FreeingHandler, nullptr});
    stored = tlsm::sync::New<Gate>();
    sum = tlsm::sync::New<Atomic<int>>(0);
  }
  void Body(unsigned t) {
    if (t == 0) {
      auto* v1 = tlsm::sync::New<TrackedValue>(1);
      v1->payload.WithMut([](int& p) { p = 1; });
      x->Reset(v1);
      stored->Pass();
      auto* v2 = tlsm::sync::New<TrackedValue>(1);
      v2->payload.WithMut([](int& p) { p = 2; });
      x->Reset(v2);  // frees v1 through the handler
      return;        // exit frees v2 through the handler
    }
    stored->Wait();
    x->Fold(
        [](void* v, void* arg) {
          const int p = static_cast<TrackedValue*>(v)->payload.With([](int q) { return q; });
          static_cast<Atomic<int>*>(arg)->FetchAdd(p, Order::kRelaxed);
        },
        sum);
  }
  void Check() {
    const int s = sum->Load(Order::kAcquire);
    TLSM_INVARIANT(s == 0 || s == 1 || s == 2, "TLS-OWN",
                   "Fold visited a value the owner never published");
  }
  void Teardown() {
    tlsm::sync::Delete(x);
    tlsm::sync::Delete(stored);
    tlsm::sync::Delete(sum);
  }
};

TLSM_MODEL_SCENARIO(FoldVsReset, "tls.fold_vs_reset",
                    (std::vector<std::string>{"TLS-ONCE", "TLS-OWN", "NO-LEAK"}),
                    "Fold visits a column while its owner Resets (the handler frees)",
                    "TLS-ONCE")

}  // namespace
}  // namespace tlsm::model
