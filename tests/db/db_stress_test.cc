// Stress: 16+ reader threads against installs in a tight loop, CF drops and
// re-creates, and DB close while the readers are still running.
#include "engine/db/db.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <thread>

namespace {

using tlsm::db::ColumnFamily;
using tlsm::db::DB;
using tlsm::db::PinnedView;
using tlsm::db::Status;
using tlsm::version::LiveSuperVersions;

constexpr int kReaders = 16;
constexpr int kCfs = 3;

struct Shared {
  std::mutex mu;
  ColumnFamily cfs[2][kCfs];  // [db][cf]; replaced on re-create
};

long Parse(const std::string& v) { return std::stol(v.substr(1)); }

TEST(DBStress, ReadersVsInstallsDropsAndClose) {
  const auto base = LiveSuperVersions();
  {
    DB dbs[2] = {DB("s0"), DB("s1")};
    Shared sh;
    for (int d = 0; d < 2; ++d) {
      for (int c = 0; c < kCfs; ++c) {
        ASSERT_TRUE(dbs[d].CreateColumnFamily("c" + std::to_string(c), &sh.cfs[d][c]).ok());
      }
    }
    std::atomic<bool> stop{false};
    std::atomic<long> reads{0}, hits_ok{0};
    std::vector<std::thread> threads;
    for (int r = 0; r < kReaders; ++r) {
      threads.emplace_back([&, r] {
        std::mt19937 rng(r);
        // Last value seen per (db, cf id): versions never go backwards.
        std::map<std::pair<int, std::uint32_t>, long> last;
        while (!stop.load(std::memory_order_relaxed)) {
          const int d = rng() % 2, c = rng() % kCfs;
          ColumnFamily cf;
          {
            std::lock_guard<std::mutex> l(sh.mu);
            cf = sh.cfs[d][c];
          }
          std::string v;
          PinnedView pin;
          const bool pinned = rng() % 8 == 0 && dbs[d].Pin(cf, &pin).ok();
          Status s = dbs[d].Get(cf, "k", &v);
          reads.fetch_add(1, std::memory_order_relaxed);
          if (s.ok()) {
            ASSERT_EQ(v[0], static_cast<char>('a' + d * kCfs + c)) << "SV-ISO: " << v;
            long& seen = last[{d, cf.id()}];
            ASSERT_GE(Parse(v), seen) << "SV-FRESH: went backwards";
            seen = Parse(v);
            hits_ok.fetch_add(1, std::memory_order_relaxed);
          } else {
            ASSERT_TRUE(s.IsNotFound() || s.IsDropped() || s.IsClosed()) << s.ToString();
          }
          if (pinned) {
            std::string w;
            Status ps = pin.Get("k", &w);
            ASSERT_TRUE(ps.ok() || ps.IsNotFound()) << ps.ToString();
            pin.Release();
          }
        }
      });
    }
    // Installer: writes and flushes in a tight loop on DB 0 and DB 1.
    std::atomic<bool> stop_writers{false};
    threads.emplace_back([&] {
      long n = 0;
      while (!stop_writers.load(std::memory_order_relaxed)) {
        ++n;
        for (int d = 0; d < 2; ++d) {
          const int c = n % kCfs;
          ColumnFamily cf;
          {
            std::lock_guard<std::mutex> l(sh.mu);
            cf = sh.cfs[d][c];
          }
          std::string v(1, static_cast<char>('a' + d * kCfs + c));
          Status s = dbs[d].Put(cf, "k", v + std::to_string(n));
          ASSERT_TRUE(s.ok() || s.IsDropped() || s.IsClosed()) << s.ToString();
          s = dbs[d].Flush(cf);
          ASSERT_TRUE(s.ok() || s.IsDropped() || s.IsClosed()) << s.ToString();
        }
      }
    });
    // Dropper: drops and re-creates c2 of DB 0.
    threads.emplace_back([&] {
      while (!stop_writers.load(std::memory_order_relaxed)) {
        Status s = dbs[0].DropColumnFamily("c2");
        ASSERT_TRUE(s.ok() || s.IsClosed()) << s.ToString();
        ColumnFamily fresh;
        s = dbs[0].CreateColumnFamily("c2", &fresh);
        ASSERT_TRUE(s.ok() || s.IsClosed()) << s.ToString();
        if (s.ok()) {
          std::lock_guard<std::mutex> l(sh.mu);
          sh.cfs[0][2] = fresh;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    // Close DB 1 while readers and the installer are running.
    ASSERT_TRUE(dbs[1].Close().ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stop_writers = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_TRUE(dbs[0].Close().ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    stop = true;
    for (auto& t : threads) t.join();
    EXPECT_GT(reads.load(), 1000);
    EXPECT_GT(hits_ok.load(), 100);
    // Closed DBs: only what the handles in `sh` keep is gone too.
    EXPECT_EQ(LiveSuperVersions(), base) << "SV-DROP: a cached SuperVersion survived close";
  }
  EXPECT_EQ(LiveSuperVersions(), base);
}

}  // namespace
