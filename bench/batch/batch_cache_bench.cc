// BatchCache: acquire + Put + release, against new/delete of the same batch
// and against a single-mutex pool; for reference a stack batch (the DB's
// no-cache path), the reuse floor (no pool at all) and the thread-cache
// design's floor (a bare thread_local stack); and the pair without content
// (AcquireReleaseEmpty). 1 and 2 threads. Names <op>/<impl> for
// ci/bench_ratios.py (baselines AcquireRelease=new_delete,
// AcquireReleaseEmpty=new_delete). docs/benchmarks.md.
#include "engine/batch/batch_cache.h"

#include <benchmark/benchmark.h>

#include "bench/common/multithreaded_main.h"

#include <mutex>
#include <thread>
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

// What DB::Write does with use_batch_cache = false: a batch on the stack, so
// only its buffer is allocated and freed. For reference; not the baseline.
void BM_StackBatch(benchmark::State& state) {
  for (auto _ : state) {
    WriteBatch b;
    Fill(&b);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_StackBatch)->Name("AcquireRelease/stack_batch")->Threads(1)->Threads(2);

// The floor of any pool: one batch per thread, reused with no pool at all
// (the same Put, then the Clear a release does). Not a design, a bound.
void BM_ReuseFloor(benchmark::State& state) {
  WriteBatch b;
  for (auto _ : state) {
    Fill(&b);
    b.Clear();
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_ReuseFloor)->Name("AcquireRelease/reuse_floor")->Threads(1)->Threads(2);

// The floor of the thread-cache design: a hand-written thread_local stack of
// batches (no matrix lookup, no counters, no perf gate, no bounds or origin
// checks), the same Put, then the Clear a release does and the push. What a
// "batch at the cost of a stack pop and push" costs on this machine.
struct TlsStack {
  WriteBatch* batches[8] = {};
  std::size_t n = 0;
  TlsStack() { batches[n++] = new WriteBatch(); }
  WriteBatch* Pop() { return n != 0 ? batches[--n] : new WriteBatch(); }
  void Push(WriteBatch* b) {
    b->Clear();
    if (n < 8) {
      batches[n++] = b;
    } else {
      delete b;
    }
  }
};
thread_local TlsStack tls_stack;

void BM_TlsStack(benchmark::State& state) {
  for (auto _ : state) {
    WriteBatch* b = tls_stack.Pop();
    Fill(b);
    tls_stack.Push(b);
  }
}
BENCHMARK(BM_TlsStack)->Name("AcquireRelease/tls_stack_floor")->Threads(1)->Threads(2);

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

// The pair alone, no content: Acquire + Release of an empty batch against
// new + delete of an empty one (no buffer: std::string's inline storage).
// What the cache itself costs, without the Put both sides pay.
void BM_BatchCacheEmpty(benchmark::State& state) {
  BatchCache& c = Cache();
  for (auto _ : state) {
    WriteBatch* b = c.Acquire();
    benchmark::DoNotOptimize(b);
    c.Release(b);
  }
}
BENCHMARK(BM_BatchCacheEmpty)->Name("AcquireReleaseEmpty/BatchCache")->Threads(1)->Threads(2);

void BM_NewDeleteEmpty(benchmark::State& state) {
  for (auto _ : state) {
    auto* b = new WriteBatch();
    benchmark::DoNotOptimize(b);
    delete b;
  }
}
BENCHMARK(BM_NewDeleteEmpty)->Name("AcquireReleaseEmpty/new_delete")->Threads(1)->Threads(2);

void BM_TlsStackEmpty(benchmark::State& state) {
  for (auto _ : state) {
    WriteBatch* b = tls_stack.Pop();
    benchmark::DoNotOptimize(b);
    tls_stack.Push(b);
  }
}
BENCHMARK(BM_TlsStackEmpty)->Name("AcquireReleaseEmpty/tls_stack_floor")->Threads(1)->Threads(2);

// Every row runs in a multi-threaded process (see the header).
int main(int argc, char** argv) { return RunBenchmarksInMultiThreadedProcess(argc, argv); }
