// BatchCache: acquire + Put + release, against new/delete of the same batch
// and against a single-mutex pool. 1 and 2 threads. Names <op>/<impl> for
// ci/bench_ratios.py (baseline AcquireRelease=new_delete). docs/benchmarks.md.
#include "engine/batch/batch_cache.h"

#include <benchmark/benchmark.h>

#include <mutex>
#include <vector>

namespace {

using tlsm::batch::BatchCache;
using tlsm::batch::WriteBatch;

void Fill(WriteBatch* b) {
  b->Put(0, "key-0001", "value-0001");
  benchmark::DoNotOptimize(b->ByteSize());
}

BatchCache& Cache() {
  static BatchCache* cache = new BatchCache();  // shared by the bench threads
  return *cache;
}

void BM_BatchCache(benchmark::State& state) {
  BatchCache& c = Cache();
  for (auto _ : state) {
    WriteBatch* b = c.Acquire();
    Fill(b);
    c.Release(b);
  }
}
BENCHMARK(BM_BatchCache)->Name("AcquireRelease/BatchCache")->Threads(1)->Threads(2);

void BM_NewDelete(benchmark::State& state) {
  for (auto _ : state) {
    auto* b = new WriteBatch();
    Fill(b);
    delete b;
  }
}
BENCHMARK(BM_NewDelete)->Name("AcquireRelease/new_delete")->Threads(1)->Threads(2);

// The simple alternative: one pool behind one mutex.
class MutexPool {
 public:
  WriteBatch* Acquire() {
    {
      std::lock_guard<std::mutex> l(mu_);
      if (!free_.empty()) {
        WriteBatch* b = free_.back();
        free_.pop_back();
        return b;
      }
    }
    return new WriteBatch();
  }
  void Release(WriteBatch* b) {
    b->Clear();
    std::lock_guard<std::mutex> l(mu_);
    if (free_.size() < 64) {
      free_.push_back(b);
      return;
    }
    delete b;
  }

 private:
  std::mutex mu_;
  std::vector<WriteBatch*> free_;
};

void BM_MutexPool(benchmark::State& state) {
  static MutexPool* pool = new MutexPool();
  for (auto _ : state) {
    WriteBatch* b = pool->Acquire();
    Fill(b);
    pool->Release(b);
  }
}
BENCHMARK(BM_MutexPool)->Name("AcquireRelease/mutex_pool")->Threads(1)->Threads(2);

}  // namespace

BENCHMARK_MAIN();
