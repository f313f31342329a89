// tests/db/peer_bugs_test.cc — the bug classes RocksDB hit in its
// thread-local / SuperVersion code, each reproduced in shape against this
// engine with the correct outcome asserted (docs/invariants.md,
// "Peers' bug classes"). A deadlock shows as the ctest TIMEOUT; no test
// asserts on timing.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/db/db.h"
#include "engine/tls/thread_local_ptr.h"
#include "engine/version/super_version.h"

namespace {

using tlsm::db::ColumnFamily;
using tlsm::db::DB;
using tlsm::db::Status;
using tlsm::version::LiveSuperVersions;

// RocksDB #3510: Flush held the DB mutex while scraping the thread-local
// SuperVersions (taking the registry lock), while an exiting thread's
// handler, called under the registry lock, wanted the DB mutex. Here
// handlers run after the registry lock is released (TLS-ONCE contract), so
// flushes racing continuously exiting readers complete. On the buggy lock
// order this loop deadlocks (the test times out).
TEST(PeerBugs, RocksDB3510_FlushVsThreadExitDeadlock) {
  const std::int64_t live_before = LiveSuperVersions();
  {
    DB db("p3510");
    ColumnFamily cf = db.DefaultColumnFamily();
    ASSERT_TRUE(db.Put(cf, "k", "v").ok());
    std::thread flusher([&] {
      for (int i = 0; i < 300; ++i) ASSERT_TRUE(db.Flush(cf).ok());
    });
    for (int round = 0; round < 50; ++round) {
      std::vector<std::thread> readers;
      for (int t = 0; t < 4; ++t) {
        readers.emplace_back([&] {
          std::string v;
          ASSERT_TRUE(db.Get(cf, "k", &v).ok());  // caches a SuperVersion, then exits
          EXPECT_EQ(v, "v");
        });
      }
      for (auto& r : readers) r.join();
    }
    flusher.join();
  }
  EXPECT_EQ(LiveSuperVersions(), live_before);
}

// RocksDB #578: a thread exited after the DB that owned its cached values
// was deleted; the handler dereferenced the freed DB. Here Close() scrapes
// every cached SuperVersion and the column is reclaimed, so the later exit
// finds nothing of the dead DB (asan would report a use after free).
TEST(PeerBugs, RocksDB578_ThreadExitAfterDbDeleted) {
  const std::int64_t live_before = LiveSuperVersions();
  const std::size_t columns_before = tlsm::tls::GetMatrixStats().live_columns;
  std::mutex m;
  std::condition_variable cv;
  bool cached = false, db_gone = false;
  std::thread reader;
  {
    auto db = std::make_unique<DB>("p578");
    ColumnFamily cf = db->DefaultColumnFamily();
    ASSERT_TRUE(db->Put(cf, "k", "v").ok());
    reader = std::thread([&] {
      std::string v;
      EXPECT_TRUE(db->Get(cf, "k", &v).ok());
      std::unique_lock<std::mutex> l(m);
      cached = true;
      cv.notify_all();
      cv.wait(l, [&] { return db_gone; });
    });  // exits after the DB is destroyed
    std::unique_lock<std::mutex> l(m);
    cv.wait(l, [&] { return cached; });
    l.unlock();
    cf = ColumnFamily();
    db.reset();
  }
  {
    std::lock_guard<std::mutex> l(m);
    db_gone = true;
  }
  cv.notify_all();
  reader.join();
  EXPECT_EQ(LiveSuperVersions(), live_before);
  EXPECT_EQ(tlsm::tls::GetMatrixStats().live_columns, columns_before);
}

// RocksDB #1552: merging per-thread statistics across threads (a Fold under
// the registry lock) versus thread exit (which also needs that lock, and
// whose handler takes the stats mutex). Here PerfTotals folds while
// threads record and exit; no lock-order inversion means it completes, and
// after every writer joined the totals count every put exactly once.
TEST(PeerBugs, RocksDB1552_StatsMergeVsThreadExitLockOrder) {
  tlsm::db::Options o;
  o.perf_aggregate = true;
  DB db("p1552", o);
  ColumnFamily cf = db.DefaultColumnFamily();
  constexpr int kThreads = 8, kPuts = 50;
  std::thread merger([&] {
    for (int i = 0; i < 200; ++i) (void)db.PerfTotals();
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kPuts; ++i) {
        ASSERT_TRUE(db.Put(cf, "k" + std::to_string(t), std::to_string(i)).ok());
      }
    });
  }
  for (auto& w : writers) w.join();
  merger.join();
  const tlsm::perf::PerfSnapshot s = db.PerfTotals();
  EXPECT_EQ(s.Get(tlsm::perf::Counter::kPuts), static_cast<std::uint64_t>(kThreads * kPuts));
}

// Zombie CF: a CF dropped while threads still cache its SuperVersion; then
// DB close must not free the dropped CF a second time. Here Drop scrapes
// the cached SuperVersions, later calls on the handle fail with Dropped,
// and Close plus the handle's release free everything once (asan).
TEST(PeerBugs, ZombieColumnFamilyAndDoubleFreeAtClose) {
  const std::int64_t live_before = LiveSuperVersions();
  {
    DB db("pzombie");
    ColumnFamily cf;
    ASSERT_TRUE(db.CreateColumnFamily("z", &cf).ok());
    ASSERT_TRUE(db.Put(cf, "k", "v").ok());
    std::string v;
    ASSERT_TRUE(db.Get(cf, "k", &v).ok());  // this thread caches z's SuperVersion
    std::thread other([&] {
      std::string w;
      EXPECT_TRUE(db.Get(cf, "k", &w).ok());
    });
    other.join();
    ASSERT_TRUE(db.DropColumnFamily("z").ok());
    EXPECT_FALSE(db.Get(cf, "k", &v).ok());  // Dropped, not a stale read
    EXPECT_FALSE(db.Put(cf, "k", "x").ok());
    ASSERT_TRUE(db.Close().ok());
    EXPECT_TRUE(db.Close().ok());  // idempotent: nothing freed twice
  }
  EXPECT_EQ(LiveSuperVersions(), live_before);
}

// Teardown re-entry: a thread_local destructor of the exiting thread uses
// the DB (and so the matrix) after the thread's row began tearing down.
// The contract: teardown repeats until the row stays empty, so the re-entry
// works and leaves nothing cached (counts return to their start).
struct UsesDbAtExit {
  DB* db = nullptr;
  ~UsesDbAtExit() {
    if (db == nullptr) return;
    std::string v;
    EXPECT_TRUE(db->Get(db->DefaultColumnFamily(), "k", &v).ok());
    EXPECT_EQ(v, "v");
  }
};

TEST(PeerBugs, TeardownReentryFromThreadLocalDestructor) {
  const std::int64_t live_before = LiveSuperVersions();
  {
    DB db("preenter");
    ASSERT_TRUE(db.Put(db.DefaultColumnFamily(), "k", "v").ok());
    std::thread t([&] {
      static thread_local UsesDbAtExit at_exit;  // destroyed during thread exit
      at_exit.db = &db;
      std::string v;
      EXPECT_TRUE(db.Get(db.DefaultColumnFamily(), "k", &v).ok());
    });
    t.join();
  }
  EXPECT_EQ(LiveSuperVersions(), live_before);
}

// Process exit: threads still running while exit() destroys the static
// objects. One reader exits *during* static destruction (a static's
// destructor releases it and waits for its thread_local teardown: its row,
// cached SuperVersion and perf block go back while the process-wide state
// is being torn down); another is still inside Get loops *after* static
// destruction finished and is killed by the process end. A DB that outlives
// the statics (heap, never deleted: the usual global-DB shape) stays valid;
// the engine's own process-wide state must too. The child must exit 0.
std::atomic<bool> g_release_reader{false}, g_reader_gone{false}, g_spinner_started{false};

struct ReleasesReaderAtExit {
  ~ReleasesReaderAtExit() {
    g_release_reader = true;
    for (int i = 0; i < 20000 && !g_reader_gone; ++i) {
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    if (!g_reader_gone) std::_Exit(7);  // its teardown did not finish within 2 s
  }
};

struct SignalsThreadGone {  // constructed first on the thread: destroyed last
  ~SignalsThreadGone() { g_reader_gone = true; }
};

[[noreturn]] void ExitWithReadersAlive() {
  static ReleasesReaderAtExit release;  // destroyed during exit()
  DB* db = new DB("process_exit");  // the global DB: never deleted
  const ColumnFamily cf = db->DefaultColumnFamily();
  if (!db->Put(cf, "k", "v").ok()) std::_Exit(3);
  std::atomic<bool> cached{false};
  std::thread([db, cf, &cached] {
    static thread_local SignalsThreadGone gone;
    std::string v;
    if (!db->Get(cf, "k", &v).ok() || v != "v") std::_Exit(4);  // caches a SuperVersion
    cached = true;
    while (!g_release_reader) std::this_thread::yield();
  }).detach();
  std::thread([db, cf] {
    std::string v;
    g_spinner_started = true;
    for (;;) {
      if (!db->Get(cf, "k", &v).ok()) std::_Exit(5);
    }
  }).detach();
  while (!cached || !g_spinner_started) std::this_thread::yield();
  std::exit(g_reader_gone ? 6 : 0);
}

TEST(PeerBugsDeathTest, ThreadsExitingDuringAndAfterStaticDestruction) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(ExitWithReadersAlive(), ::testing::ExitedWithCode(0), "");
}

// RocksDB #6146: the last reader's cleanup of an old SuperVersion (and its
// large memtables) ran on the read path, so one Get paid for freeing. This
// design does the same: the reader that drops the last reference frees the
// SuperVersion and the memtables only it held (documented, not avoided).
// The check: with a pin holding a large old SuperVersion across flushes,
// releasing the pin on the read path frees exactly those SuperVersions;
// the worst Get latency while a writer flushes large memtables is printed
// for the reader (no timing assertion).
TEST(PeerBugs, RocksDB6146_LastReaderFreesOldSuperVersion) {
  const std::int64_t live_before = LiveSuperVersions();
  DB db("p6146");
  ColumnFamily cf = db.DefaultColumnFamily();
  for (int i = 0; i < 20000; ++i) ASSERT_TRUE(db.Put(cf, "k" + std::to_string(i), "v").ok());
  tlsm::db::PinnedView pin;
  ASSERT_TRUE(db.Pin(cf, &pin).ok());
  const std::int64_t with_pin = LiveSuperVersions();
  ASSERT_TRUE(db.Flush(cf).ok());  // the pinned SuperVersion is no longer current
  EXPECT_EQ(LiveSuperVersions(), with_pin + 1);  // current + the pinned old one
  std::string v;
  ASSERT_TRUE(pin.Get("k7", &v).ok());
  pin.Release();  // the last reference: freed here, on the reader's thread
  EXPECT_EQ(LiveSuperVersions(), with_pin);
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int r = 0; r < 20; ++r) {
      for (int i = 0; i < 2000; ++i) ASSERT_TRUE(db.Put(cf, "w" + std::to_string(i), "x").ok());
      ASSERT_TRUE(db.Flush(cf).ok());
    }
    stop.store(true);
  });
  std::chrono::nanoseconds worst{0};
  std::uint64_t reads = 0;
  while (!stop.load()) {
    const auto t0 = std::chrono::steady_clock::now();
    ASSERT_TRUE(db.Get(cf, "k1", &v).ok());
    worst = std::max(worst, std::chrono::steady_clock::now() - t0);
    ++reads;
  }
  writer.join();
  std::printf("RocksDB6146: %llu reads, worst Get %lld us while 20 flushes freed memtables\n",
              static_cast<unsigned long long>(reads),
              static_cast<long long>(std::chrono::duration_cast<std::chrono::microseconds>(worst).count()));
  ASSERT_TRUE(db.Close().ok());
  cf = ColumnFamily();
  EXPECT_EQ(LiveSuperVersions(), live_before);
}

}  // namespace
