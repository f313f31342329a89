// Stress: >= 32 threads churning (create, use, exit) against >= 8 columns
// that are created and destroyed concurrently. Run under the asan and tsan
// presets in CI; the assertions check handler accounting (TLS-ONCE).
#include "engine/tls/thread_local_ptr.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <random>
#include <shared_mutex>
#include <thread>
#include <vector>

namespace {

using tlsm::tls::ThreadLocalColumn;
using tlsm::tls::UnrefHandler;

// Every value is a heap int; the handler frees it and counts.
std::atomic<long> g_live_values{0};
std::atomic<long> g_handled{0};

void FreeValue(void* v, void*) {
  delete static_cast<int*>(v);
  g_live_values.fetch_sub(1);
  g_handled.fetch_add(1);
}

int* NewValue(int x) {
  g_live_values.fetch_add(1);
  return new int(x);
}

constexpr int kColumns = 8;
constexpr int kWorkers = 32;

TEST(ThreadLocalPtrStress, ThreadChurnAgainstColumnChurn) {
  // Column k lives in cols[k]; a writer lock replaces it, readers use it.
  std::shared_mutex col_mu[kColumns];
  std::unique_ptr<ThreadLocalColumn> cols[kColumns];
  for (auto& c : cols) c = std::make_unique<ThreadLocalColumn>(UnrefHandler{&FreeValue, nullptr});

  std::atomic<bool> stop{false};
  std::atomic<long> thread_runs{0};
  auto worker = [&](unsigned seed) {
    std::mt19937 rng(seed);
    while (!stop.load()) {
      std::thread t([&, s = rng()] {
        std::mt19937 r(s);
        for (int i = 0; i < 64; ++i) {
          int k = r() % kColumns;
          std::shared_lock<std::shared_mutex> l(col_mu[k]);
          ThreadLocalColumn& c = *cols[k];
          switch (r() % 5) {
            case 0: c.Reset(NewValue(i)); break;
            case 1: {
              void* old = c.Swap(NewValue(i));
              c.WaitForFolds();  // a Fold may still be visiting `old`
              if (old) FreeValue(old, nullptr);
              break;
            }
            case 2: {
              void* cur = c.Get();
              int* fresh = NewValue(i);
              if (!c.CompareAndSwap(cur, fresh)) {
                FreeValue(fresh, nullptr);  // never published
              } else if (cur) {
                c.WaitForFolds();
                FreeValue(cur, nullptr);
              }
              break;
            }
            case 3: {
              std::vector<void*> out;
              c.Scrape(&out, nullptr);
              for (void* v : out) FreeValue(v, nullptr);
              break;
            }
            case 4: {
              long sum = 0;
              c.Fold([](void* v, void* a) { *static_cast<long*>(a) += *static_cast<int*>(v); }, &sum);
              break;
            }
          }
        }
        // Exit with values left in slots: the teardown must free them.
      });
      t.join();
      thread_runs.fetch_add(1);
    }
  };
  std::vector<std::thread> workers;
  for (int i = 0; i < kWorkers; ++i) workers.emplace_back(worker, 1000 + i);

  std::mt19937 rng(7);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  int reclaims = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    int k = rng() % kColumns;
    std::unique_lock<std::shared_mutex> l(col_mu[k]);
    cols[k] = std::make_unique<ThreadLocalColumn>(UnrefHandler{&FreeValue, nullptr});
    ++reclaims;
    l.unlock();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  stop = true;
  for (auto& w : workers) w.join();
  for (auto& c : cols) c.reset();

  EXPECT_EQ(g_live_values.load(), 0) << "values leaked or freed twice";
  EXPECT_GT(thread_runs.load(), kWorkers);
  EXPECT_GT(reclaims, 10);
  RecordProperty("thread_runs", std::to_string(thread_runs.load()));
}

}  // namespace
