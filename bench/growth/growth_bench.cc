// How the costs grow (production build; run in Release). Every family is
// measured against a size, with a peer in the same run where one exists;
// ci/plot_growth.py turns the JSON output into the figures of
// docs/benchmarks.md ("How the costs grow").
//
//   Install/<impl>/slots:N     publish a new version while N threads hold the
//                              old one cached: sv_cache (scrape N slots +
//                              heavy barrier), urcu_memb (rcu_assign_pointer +
//                              synchronize_rcu with N registered readers),
//                              mutex_refcount (pointer swap under a mutex)
//   Scrape/matrix/threads:N    ThreadLocalColumn::Scrape over N threads' slots
//   Fold/<impl>/threads:N      sum one counter over N threads: matrix (Fold),
//                              perf_totals (PerfAggregate::Totals),
//                              mutex_registry (a mutex-guarded list walk)
//   Get|Swap/<impl>/columns:N  one slot's Get / Swap with N live columns on the
//                              thread (row grown to N): matrix, boost_tsp
//   Memory/<impl>/columns:N    bytes a new thread allocates to hold a value
//                              in each of N columns (counter bytes_per_thread)
//   DbGet|DbPut/<impl>/threads:T  DB host throughput (items_per_second) at
//                              T = 1, 2, 4, 8 threads (4, 8 oversubscribe
//                              this 2-core machine): sv_cache, no_cache
//                              (mutex + refcount per Get)
#include "engine/db/db.h"
#include "engine/perf/perf_aggregate.h"
#include "engine/tls/thread_local_ptr.h"
#include "engine/version/super_version_cache.h"

#include <benchmark/benchmark.h>
#include <boost/thread/tss.hpp>

#include "bench/common/multithreaded_main.h"

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <list>
#include <malloc.h>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <vector>

#define _LGPL_SOURCE 1
#include <urcu/urcu-memb.h>

// The replacement pair below is matched (malloc/free); GCC, seeing the
// inlined free of a pointer from `new`, would warn at every delete.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"


// Heap bytes a thread holds (Memory/*): each allocation adds its usable size
// to the allocating thread's count, each free subtracts it from the freeing
// thread's. A thread's count is its own footprint while it frees only what
// it allocated (true of a thread filling its matrix row). One thread-local
// add per call, paid by every row of this program alike.
namespace {
thread_local long t_net_bytes = 0;
}  // namespace
void* operator new(std::size_t n) {
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  t_net_bytes += static_cast<long>(malloc_usable_size(p));
  return p;
}
void operator delete(void* p) noexcept {
  if (p == nullptr) return;
  t_net_bytes -= static_cast<long>(malloc_usable_size(p));
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }

namespace {

using tlsm::version::ImmMemTable;
using tlsm::version::MemTable;
using tlsm::version::SuperVersion;
using tlsm::version::SuperVersionCache;
using tlsm::version::SuperVersionMeta;

// N parked threads that run a task on request, all of them, and report back.
class ParkedThreads {
 public:
  explicit ParkedThreads(int n) {
    for (int i = 0; i < n; ++i) threads_.emplace_back([this] { Loop(); });
  }
  ~ParkedThreads() {
    {
      std::lock_guard<std::mutex> l(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  // Runs `task` once on every parked thread; returns when all ran it.
  void RunOnAll(std::function<void()> task) {
    std::unique_lock<std::mutex> l(mu_);
    task_ = std::move(task);
    ++round_;
    done_ = 0;
    cv_.notify_all();
    cv_.wait(l, [&] { return done_ == threads_.size(); });
  }

 private:
  void Loop() {
    std::uint64_t seen = 0;
    std::unique_lock<std::mutex> l(mu_);
    for (;;) {
      cv_.wait(l, [&] { return stop_ || round_ != seen; });
      if (stop_) return;
      seen = round_;
      auto task = task_;
      l.unlock();
      task();
      l.lock();
      ++done_;
      cv_.notify_all();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::function<void()> task_;
  std::uint64_t round_ = 0;
  std::size_t done_ = 0;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

SuperVersion* NewVersion(std::uint64_t n) {
  return new SuperVersion(SuperVersionMeta{n, 9, 9}, new MemTable(), std::vector<ImmMemTable*>{});
}

// The sizes of each family (appended to a BENCHMARK(...)->Name(...) chain).
#define TLSM_GROWTH_THREADS(arg) \
  ArgName(arg)->Arg(1)->Arg(2)->Arg(4)->Arg(8)->Arg(16)->Arg(32)->Arg(64)->UseRealTime()

void BM_InstallSvCache(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  SuperVersionCache cache(9, 9);
  std::uint64_t version = 1;
  cache.Install(NewVersion(version));
  ParkedThreads parked(n);
  for (auto _ : state) {
    state.PauseTiming();
    parked.RunOnAll([&] { cache.Return(cache.Acquire()); });  // each caches the current one
    SuperVersion* next = NewVersion(++version);
    state.ResumeTiming();
    cache.Install(next);
  }
}
// Every iteration re-arms the N threads untimed (PauseTiming): a fixed count
// keeps the run short.
BENCHMARK(BM_InstallSvCache)->Name("Install/sv_cache")
    ->TLSM_GROWTH_THREADS("slots")->Iterations(2000);

struct RcuVersion {
  std::uint64_t n = 0;
};
void BM_InstallUrcu(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  RcuVersion* root = new RcuVersion{1};
  ParkedThreads parked(n);
  parked.RunOnAll([] { urcu_memb_register_thread(); });
  parked.RunOnAll([&] {  // each reads the current version once (a reader's cache warm)
    urcu_memb_read_lock();
    benchmark::DoNotOptimize(rcu_dereference(root)->n);
    urcu_memb_read_unlock();
  });
  for (auto _ : state) {
    RcuVersion* next = new RcuVersion{root->n + 1};
    RcuVersion* old = root;
    rcu_assign_pointer(root, next);
    urcu_memb_synchronize_rcu();
    delete old;
  }
  parked.RunOnAll([] { urcu_memb_unregister_thread(); });
  delete root;
}
BENCHMARK(BM_InstallUrcu)->Name("Install/urcu_memb")
    ->TLSM_GROWTH_THREADS("slots");

struct RefVersion {
  std::atomic<int> refs{1};
};
void BM_InstallMutexRefcount(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  std::mutex mu;
  RefVersion* current = new RefVersion();
  ParkedThreads parked(n);  // readers take a reference per read: nothing cached to invalidate
  for (auto _ : state) {
    auto* next = new RefVersion();
    RefVersion* old;
    {
      std::lock_guard<std::mutex> l(mu);
      old = current;
      current = next;
    }
    if (old->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete old;
  }
  delete current;
}
BENCHMARK(BM_InstallMutexRefcount)->Name("Install/mutex_refcount")
    ->TLSM_GROWTH_THREADS("slots");

int g_values[64];

void BM_ScrapeMatrix(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  tlsm::tls::ThreadLocalPtr<int> column;
  ParkedThreads parked(n);
  std::vector<int*> out;
  out.reserve(static_cast<std::size_t>(n));
  for (auto _ : state) {
    state.PauseTiming();
    std::atomic<int> next{0};
    parked.RunOnAll([&] { column.Reset(&g_values[next.fetch_add(1)]); });
    out.clear();
    state.ResumeTiming();
    column.Scrape(&out, nullptr);
    benchmark::DoNotOptimize(out.data());
  }
  parked.RunOnAll([&] { column.Reset(nullptr); });
}
BENCHMARK(BM_ScrapeMatrix)->Name("Scrape/matrix")
    ->TLSM_GROWTH_THREADS("threads")->Iterations(2000);

void BM_FoldMatrix(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  tlsm::tls::ThreadLocalPtr<int> column;
  ParkedThreads parked(n);
  std::atomic<int> next{0};
  parked.RunOnAll([&] { column.Reset(&g_values[next.fetch_add(1)]); });
  for (auto _ : state) {
    long sum = 0;
    column.Fold([&](int* v) { sum += *v; });
    benchmark::DoNotOptimize(sum);
  }
  parked.RunOnAll([&] { column.Reset(nullptr); });
}
BENCHMARK(BM_FoldMatrix)->Name("Fold/matrix")
    ->TLSM_GROWTH_THREADS("threads");

void BM_FoldPerfTotals(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  auto agg = std::make_unique<tlsm::perf::PerfAggregate>();
  ParkedThreads parked(n);
  parked.RunOnAll([&] { agg->Add(tlsm::perf::Counter::kGets); });
  for (auto _ : state) {
    auto totals = agg->Totals();
    benchmark::DoNotOptimize(totals);
  }
  parked.RunOnAll([&] {});  // the threads keep their blocks until they exit
}
BENCHMARK(BM_FoldPerfTotals)->Name("Fold/perf_totals")
    ->TLSM_GROWTH_THREADS("threads");

// The classic alternative: each thread registers a counter in a list under a
// mutex; a fold walks the list under the same mutex.
void BM_FoldMutexRegistry(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  std::mutex mu;
  std::list<std::atomic<std::uint64_t>> counters;
  ParkedThreads parked(n);
  parked.RunOnAll([&] {
    std::lock_guard<std::mutex> l(mu);
    counters.emplace_back(1);
  });
  for (auto _ : state) {
    std::uint64_t sum = 0;
    {
      std::lock_guard<std::mutex> l(mu);
      for (const auto& c : counters) sum += c.load(std::memory_order_relaxed);
    }
    benchmark::DoNotOptimize(sum);
  }
}
BENCHMARK(BM_FoldMutexRegistry)->Name("Fold/mutex_registry")
    ->TLSM_GROWTH_THREADS("threads");

#define TLSM_GROWTH_COLUMNS ArgName("columns")->Arg(1)->Arg(10)->Arg(100)->Arg(300)->Arg(1000)

// Get and Swap of the last of N columns, each holding a value on this
// thread (so the row has grown to N slots).
template <bool swap>
void BM_MatrixColumns(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<std::unique_ptr<tlsm::tls::ThreadLocalPtr<int>>> cols;
  for (std::size_t i = 0; i < n; ++i) {
    cols.push_back(std::make_unique<tlsm::tls::ThreadLocalPtr<int>>());
    cols.back()->Reset(&g_values[i % 64]);
  }
  tlsm::tls::ThreadLocalPtr<int>& last = *cols.back();
  int* v = &g_values[0];
  for (auto _ : state) {
    if constexpr (swap) {
      v = last.Swap(v);
    } else {
      v = last.Get();
    }
    benchmark::DoNotOptimize(v);
  }
  for (auto& c : cols) c->Reset(nullptr);
}
BENCHMARK(BM_MatrixColumns<false>)->Name("Get/matrix")->TLSM_GROWTH_COLUMNS;
BENCHMARK(BM_MatrixColumns<true>)->Name("Swap/matrix")->TLSM_GROWTH_COLUMNS;

void NoCleanup(int*) {}

template <bool swap>
void BM_BoostColumns(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<std::unique_ptr<boost::thread_specific_ptr<int>>> cols;
  for (std::size_t i = 0; i < n; ++i) {
    cols.push_back(std::make_unique<boost::thread_specific_ptr<int>>(&NoCleanup));
    cols.back()->reset(&g_values[i % 64]);
  }
  boost::thread_specific_ptr<int>& last = *cols.back();
  int* v = &g_values[0];
  for (auto _ : state) {
    if constexpr (swap) {
      int* old = last.release();
      last.reset(v);
      v = old;
    } else {
      v = last.get();
    }
    benchmark::DoNotOptimize(v);
  }
  for (auto& c : cols) c->reset();
}
BENCHMARK(BM_BoostColumns<false>)->Name("Get/boost_tsp")->TLSM_GROWTH_COLUMNS;
BENCHMARK(BM_BoostColumns<true>)->Name("Swap/boost_tsp")->TLSM_GROWTH_COLUMNS;

// A fresh thread stores a value in each of N existing columns; the heap
// bytes it then holds are its per-thread memory for N columns.
template <class MakeColumns>
void MeasureThreadBytes(benchmark::State& state, MakeColumns make) {
  const auto n = static_cast<std::size_t>(state.range(0));
  auto touch_all = make(n);
  long bytes = 0;
  for (auto _ : state) {
    std::thread([&] {
      const long before = t_net_bytes;
      touch_all();
      bytes = t_net_bytes - before;
    }).join();
  }
  state.counters["bytes_per_thread"] = static_cast<double>(bytes);
}

void BM_MemoryMatrix(benchmark::State& state) {
  std::vector<std::unique_ptr<tlsm::tls::ThreadLocalPtr<int>>> cols;
  MeasureThreadBytes(state, [&](std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      cols.push_back(std::make_unique<tlsm::tls::ThreadLocalPtr<int>>());
    }
    return [&] {
      for (auto& c : cols) c->Reset(&g_values[0]);
    };
  });
}
BENCHMARK(BM_MemoryMatrix)->Name("Memory/matrix")->TLSM_GROWTH_COLUMNS->Iterations(3);

void BM_MemoryBoost(benchmark::State& state) {
  std::vector<std::unique_ptr<boost::thread_specific_ptr<int>>> cols;
  MeasureThreadBytes(state, [&](std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      cols.push_back(std::make_unique<boost::thread_specific_ptr<int>>(&NoCleanup));
    }
    return [&] {
      for (auto& c : cols) c->reset(&g_values[0]);
    };
  });
}
BENCHMARK(BM_MemoryBoost)->Name("Memory/boost_tsp")->TLSM_GROWTH_COLUMNS->Iterations(3);

tlsm::db::DB& GrowthDb(bool cache) {
  static tlsm::db::DB* dbs[2] = {nullptr, nullptr};
  static std::once_flag once[2];
  std::call_once(once[cache], [&] {
    tlsm::db::Options o;
    o.use_sv_cache = cache;
    o.memtable_max_entries = 4096;  // Puts flush now and then: installs under load
    dbs[cache] = new tlsm::db::DB(cache ? "growth_cache" : "growth_nocache", o);
    auto cf = dbs[cache]->DefaultColumnFamily();
    for (int i = 0; i < 64; ++i) {
      (void)dbs[cache]->Put(cf, "key" + std::to_string(i), "value" + std::to_string(i));
    }
    (void)dbs[cache]->Flush(cf);
    (void)dbs[cache]->Put(cf, "hot", "v");  // Gets read the active memtable's one entry
  });
  return *dbs[cache];
}

template <bool cache, bool put>
void BM_DbOp(benchmark::State& state) {
  tlsm::db::DB& db = GrowthDb(cache);
  const tlsm::db::ColumnFamily cf = db.DefaultColumnFamily();
  tlsm::perf::SetPerfLevel(tlsm::perf::PerfLevel::kDisabled);
  std::string v;
  const std::string key = "key" + std::to_string(state.thread_index() % 64);
  for (auto _ : state) {
    auto s = put ? db.Put(cf, key, "value") : db.Get(cf, "hot", &v);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}
#define TLSM_DB_THREADS Threads(1)->Threads(2)->Threads(4)->Threads(8)->UseRealTime()
void BM_DbGetCache(benchmark::State& s) { BM_DbOp<true, false>(s); }
void BM_DbGetNoCache(benchmark::State& s) { BM_DbOp<false, false>(s); }
void BM_DbPutCache(benchmark::State& s) { BM_DbOp<true, true>(s); }
void BM_DbPutNoCache(benchmark::State& s) { BM_DbOp<false, true>(s); }
BENCHMARK(BM_DbGetCache)->Name("DbGet/sv_cache")->TLSM_DB_THREADS;
BENCHMARK(BM_DbGetNoCache)->Name("DbGet/no_cache")->TLSM_DB_THREADS;
BENCHMARK(BM_DbPutCache)->Name("DbPut/sv_cache")->TLSM_DB_THREADS;
BENCHMARK(BM_DbPutNoCache)->Name("DbPut/no_cache")->TLSM_DB_THREADS;

}  // namespace

int main(int argc, char** argv) { return RunBenchmarksInMultiThreadedProcess(argc, argv); }
