// Unit tests of the thread-local matrix (production build).
#include "engine/tls/thread_local_ptr.h"

#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <chrono>
#include <thread>
#include <vector>

namespace {

using tlsm::tls::GetMatrixStats;
using tlsm::tls::ThreadLocalColumn;
using tlsm::tls::ThreadLocalPtr;
using tlsm::tls::UnrefHandler;

// Counts handler calls per value; values are small integers cast to pointers.
struct Counter {
  std::atomic<int> calls{0};
  std::mutex mu;
  std::vector<std::uintptr_t> seen;
  static void Fn(void* v, void* arg) {
    auto* c = static_cast<Counter*>(arg);
    c->calls.fetch_add(1);
    std::lock_guard<std::mutex> l(c->mu);
    c->seen.push_back(reinterpret_cast<std::uintptr_t>(v));
  }
  UnrefHandler Handler() { return {&Fn, this}; }
};

void* P(std::uintptr_t v) { return reinterpret_cast<void*>(v); }

template <class F>
void OnThread(F&& f) {
  std::thread t(std::forward<F>(f));
  t.join();
}

TEST(ThreadLocalPtr, FreshColumnReadsNull) {
  ThreadLocalColumn c;
  EXPECT_EQ(c.Get(), nullptr);
  OnThread([&] { EXPECT_EQ(c.Get(), nullptr); });
}

TEST(ThreadLocalPtr, GetReturnsWhatThisThreadStored) {  // TLS-OWN
  ThreadLocalColumn c;
  c.Reset(P(1));
  OnThread([&] {
    EXPECT_EQ(c.Get(), nullptr);
    c.Reset(P(2));
    EXPECT_EQ(c.Get(), P(2));
  });
  EXPECT_EQ(c.Get(), P(1));
  c.Reset(nullptr);
}

TEST(ThreadLocalPtr, ResetRunsHandlerOnReplacedValueOnly) {  // TLS-ONCE
  Counter k;
  ThreadLocalColumn c(k.Handler());
  c.Reset(P(1));
  EXPECT_EQ(k.calls, 0);
  c.Reset(P(1));  // same pointer: nothing replaced
  EXPECT_EQ(k.calls, 0);
  c.Reset(P(2));
  EXPECT_EQ(k.calls, 1);
  EXPECT_EQ(k.seen.back(), 1u);
  c.Reset(nullptr);
  EXPECT_EQ(k.calls, 2);
  EXPECT_EQ(k.seen.back(), 2u);
}

TEST(ThreadLocalPtr, SwapAndCasValuesBelongToCaller) {  // TLS-ONCE
  Counter k;
  {
    ThreadLocalColumn c(k.Handler());
    EXPECT_EQ(c.Swap(P(1)), nullptr);
    EXPECT_EQ(c.Swap(P(2)), P(1));
    void* expected = P(9);
    EXPECT_FALSE(c.CompareAndSwap(expected, P(3)));
    EXPECT_EQ(expected, P(2));
    EXPECT_TRUE(c.CompareAndSwap(expected, P(3)));
    EXPECT_EQ(c.Get(), P(3));
    EXPECT_EQ(k.calls, 0);
  }
  // Reclaim ran the handler once, on the value still in the slot.
  EXPECT_EQ(k.calls, 1);
  EXPECT_EQ(k.seen.back(), 3u);
}

TEST(ThreadLocalPtr, HandlerRunsOnceAtThreadExit) {  // TLS-ONCE
  Counter k;
  ThreadLocalColumn c(k.Handler());
  OnThread([&] { c.Reset(P(7)); });
  EXPECT_EQ(k.calls, 1);
  EXPECT_EQ(k.seen.back(), 7u);
  OnThread([&] { c.Reset(P(8)); c.Swap(nullptr); });  // taken out: no call
  EXPECT_EQ(k.calls, 1);
}

TEST(ThreadLocalPtr, ScrapeReplacesNonNullSlotsOnly) {
  ThreadLocalColumn c;
  std::barrier sync(3);
  std::atomic<bool> done{false};
  void* seen[2] = {};
  std::vector<std::thread> ts;
  for (int i = 0; i < 2; ++i) {
    ts.emplace_back([&, i] {
      if (i == 0) c.Reset(P(10));
      sync.arrive_and_wait();  // stored
      sync.arrive_and_wait();  // scraped
      seen[i] = c.Get();
      c.Swap(nullptr);
    });
  }
  sync.arrive_and_wait();
  std::vector<void*> out;
  c.Scrape(&out, P(99));
  sync.arrive_and_wait();
  for (auto& t : ts) t.join();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0], P(10));
  EXPECT_EQ(seen[0], P(99));
  EXPECT_EQ(seen[1], nullptr);  // a thread that cached nothing stays null
  (void)done;
}

TEST(ThreadLocalPtr, FoldVisitsEveryNonNullValue) {
  ThreadLocalPtr<int> c;
  int values[4] = {1, 2, 3, 4};
  std::barrier sync(5);
  std::vector<std::thread> ts;
  for (int i = 0; i < 4; ++i) {
    ts.emplace_back([&, i] {
      if (i != 3) c.Reset(&values[i]);
      sync.arrive_and_wait();
      sync.arrive_and_wait();
      c.Swap(nullptr);
    });
  }
  sync.arrive_and_wait();
  int sum = 0, count = 0;
  c.Fold([&](int* v) { sum += *v; ++count; });
  sync.arrive_and_wait();
  for (auto& t : ts) t.join();
  EXPECT_EQ(count, 3);
  EXPECT_EQ(sum, 6);
}

TEST(ThreadLocalPtr, ReusedIdReadsNullOnEveryRow) {  // TLS-INIT
  Counter k;
  std::uint32_t old_id;
  std::barrier sync(2);
  std::thread other;
  {
    auto c = std::make_unique<ThreadLocalColumn>(k.Handler());
    old_id = c->id();
    c->Reset(P(1));
    other = std::thread([&] {
      c->Reset(P(2));
      sync.arrive_and_wait();  // stored
      sync.arrive_and_wait();  // column reclaimed and recreated
      sync.arrive_and_wait();  // checked
    });
    sync.arrive_and_wait();
    c.reset();  // reclaim with both rows holding values
  }
  EXPECT_EQ(k.calls, 2);
  Counter k2;
  ThreadLocalColumn fresh(k2.Handler());
  EXPECT_EQ(fresh.id(), old_id);
  EXPECT_EQ(fresh.Get(), nullptr);
  sync.arrive_and_wait();
  sync.arrive_and_wait();
  other.join();
  EXPECT_EQ(k2.calls, 0);  // no stale handler, no stale value
  EXPECT_EQ(k.calls, 2);
}

TEST(ThreadLocalPtr, ReclaimLeavesOtherColumnsIntact) {  // TLS-ISO
  Counter ka, kb;
  ThreadLocalColumn b(kb.Handler());
  {
    ThreadLocalColumn a(ka.Handler());
    a.Reset(P(1));
    b.Reset(P(2));
  }
  EXPECT_EQ(ka.calls, 1);
  EXPECT_EQ(kb.calls, 0);
  EXPECT_EQ(b.Get(), P(2));
  b.Reset(nullptr);
  EXPECT_EQ(kb.seen, std::vector<std::uintptr_t>{2});
}

TEST(ThreadLocalPtr, ManySequentialThreadsLeakNoRowsOrIds) {
  const auto before = GetMatrixStats();
  Counter k;
  for (int i = 0; i < 200; ++i) {
    OnThread([&] {
      ThreadLocalColumn local(k.Handler());
      local.Reset(P(1));
    });
  }
  const auto after = GetMatrixStats();
  EXPECT_EQ(k.calls, 200);
  EXPECT_EQ(after.rows, before.rows);
  EXPECT_EQ(after.live_columns, before.live_columns);
  EXPECT_LE(after.id_space, before.id_space + 1);
}

TEST(ThreadLocalPtr, ManyColumnsGrowTheRow) {
  std::vector<std::unique_ptr<ThreadLocalColumn>> cols;
  for (int i = 0; i < 100; ++i) {
    cols.push_back(std::make_unique<ThreadLocalColumn>());
    cols.back()->Reset(P(i + 1));
  }
  for (int i = 0; i < 100; ++i) EXPECT_EQ(cols[i]->Get(), P(i + 1));
  for (auto& c : cols) c->Reset(nullptr);
}

// Handlers run outside the registry lock: they may use other columns and take
// locks that other threads hold while calling into the matrix.
TEST(ThreadLocalPtr, HandlerMayUseOtherColumnsAtThreadExit) {
  static ThreadLocalColumn* side;
  static std::atomic<int> side_calls;
  side_calls = 0;
  ThreadLocalColumn side_col(UnrefHandler{[](void*, void*) { side_calls++; }, nullptr});
  side = &side_col;
  ThreadLocalColumn main_col(UnrefHandler{
      [](void* v, void*) {
        // During this thread's teardown: store into another column, which the
        // same teardown must then clean up too.
        side->Reset(v);
      },
      nullptr});
  OnThread([&] { main_col.Reset(P(5)); });
  EXPECT_EQ(side_calls, 1);
}

TEST(ThreadLocalPtr, HandlerMayTakeALockHeldByAMatrixUser) {
  std::mutex app_mu;
  struct Ctx { std::mutex* mu; std::atomic<int> n{0}; } ctx{&app_mu};
  ThreadLocalColumn c(UnrefHandler{[](void*, void* a) {
                                     auto* x = static_cast<Ctx*>(a);
                                     std::lock_guard<std::mutex> l(*x->mu);
                                     x->n++;
                                   },
                                   &ctx});
  std::atomic<bool> stop{false};
  std::thread user([&] {  // holds app_mu while using the matrix
    ThreadLocalColumn other;
    while (!stop) {
      std::lock_guard<std::mutex> l(app_mu);
      other.Reset(P(1));
      other.Swap(nullptr);
      std::vector<void*> out;
      other.Scrape(&out, nullptr);
    }
  });
  for (int i = 0; i < 200; ++i) OnThread([&] { c.Reset(P(3)); });
  stop = true;
  user.join();
  EXPECT_EQ(ctx.n, 200);
}

TEST(ThreadLocalPtr, ThreadExitAfterColumnReclaim) {  // TLS-EXIT
  Counter k;
  auto c = std::make_unique<ThreadLocalColumn>(k.Handler());
  std::barrier sync(2);
  std::thread t([&] {
    c->Reset(P(4));
    sync.arrive_and_wait();
    sync.arrive_and_wait();  // column gone; then exit
  });
  sync.arrive_and_wait();
  c.reset();
  EXPECT_EQ(k.calls, 1);
  sync.arrive_and_wait();
  t.join();
  EXPECT_EQ(k.calls, 1);
}

// Reclaim waits for exit handlers other threads already started, so the
// owner may free the handler's context as soon as the destructor returns.
TEST(ThreadLocalPtr, NoExitHandlerRunsAfterReclaimReturns) {  // TLS-EXIT
  struct Ctx {
    std::atomic<bool> started{false};
    std::atomic<bool> finished{false};
  } ctx;
  auto* col = new ThreadLocalColumn(UnrefHandler{
      [](void*, void* arg) {
        auto* c = static_cast<Ctx*>(arg);
        c->started = true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));  // a slow handler
        c->finished = true;
      },
      &ctx});
  std::thread t([&] { col->Reset(P(1)); });  // exits at once
  while (!ctx.started) std::this_thread::yield();  // the teardown took the value
  delete col;
  EXPECT_TRUE(ctx.finished) << "the column's destructor returned while its handler ran";
  t.join();
}

TEST(ThreadLocalPtr, ColumnReclaimAfterThreadExit) {  // TLS-EXIT
  Counter k;
  auto c = std::make_unique<ThreadLocalColumn>(k.Handler());
  OnThread([&] { c->Reset(P(4)); });
  EXPECT_EQ(k.calls, 1);
  c.reset();
  EXPECT_EQ(k.calls, 1);
}

#if !defined(NDEBUG)
TEST(ThreadLocalPtrDeathTest, FoldVisitorReenteringTheMatrixIsCaught) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        ThreadLocalPtr<int> c;
        int v = 1;
        c.Reset(&v);
        c.Fold([&](int*) { c.Scrape(nullptr, nullptr); });
      },
      "MISUSE");
}

TEST(ThreadLocalPtrDeathTest, HandlerTouchingItsOwnColumnDuringReclaimIsCaught) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        static ThreadLocalColumn* self;
        auto* c = new ThreadLocalColumn(UnrefHandler{[](void*, void*) { self->Get(); }, nullptr});
        self = c;
        c->Reset(P(1));
        delete c;
      },
      "MISUSE");
}
#endif

// A thread_local object whose destructor uses the matrix during the thread's
// own teardown: defined behaviour, the value is still handled exactly once.
struct UsesMatrixAtExit {
  ThreadLocalColumn* col = nullptr;
  ~UsesMatrixAtExit() {
    if (col) col->Reset(P(11));
  }
};

TEST(ThreadLocalPtr, UseFromThreadLocalDestructorIsSafe) {
  Counter k;
  ThreadLocalColumn c(k.Handler());
  OnThread([&] {
    static thread_local UsesMatrixAtExit user;
    user.col = &c;
  });
  EXPECT_EQ(k.calls, 1);
  EXPECT_EQ(k.seen.back(), 11u);
}

// A thread that outlives its column's owner and exits later does not crash.
TEST(ThreadLocalPtr, DetachedThreadOutlivesColumn) {
  std::atomic<bool> stored{false}, go{false}, done{false};
  {
    ThreadLocalColumn c;
    std::thread([&] {
      c.Reset(P(1));
      stored = true;
      while (!go) std::this_thread::yield();
      done = true;
    }).detach();
    while (!stored) std::this_thread::yield();
  }
  go = true;
  while (!done) std::this_thread::yield();
}

}  // namespace
