// PerfContext counter increment against a plain thread_local increment and
// a shared atomic counter; plus the aggregate, a disabled counter and a
// timer scope. 1 and 2 threads. Names <op>/<impl> for ci/bench_ratios.py
// (baseline Count=thread_local). See docs/benchmarks.md.
#include "engine/perf/perf_aggregate.h"

#include <benchmark/benchmark.h>

#include <atomic>

namespace {

using namespace tlsm::perf;

void BM_PerfCount(benchmark::State& state) {
  SetPerfLevel(PerfLevel::kCounts);
  for (auto _ : state) {
    PerfCount(Counter::kGets);
    benchmark::ClobberMemory();  // as the thread_local row: one store per iteration
  }
  benchmark::DoNotOptimize(GetPerfContext()->Get(Counter::kGets));
}
BENCHMARK(BM_PerfCount)->Name("Count/PerfContext")->Threads(1)->Threads(2);

thread_local std::uint64_t t_counter = 0;
void BM_ThreadLocalIncrement(benchmark::State& state) {
  for (auto _ : state) {
    ++t_counter;
    benchmark::ClobberMemory();  // keep one store per iteration, like PerfCount
  }
  benchmark::DoNotOptimize(t_counter);
}
BENCHMARK(BM_ThreadLocalIncrement)->Name("Count/thread_local")->Threads(1)->Threads(2);

std::atomic<std::uint64_t> g_shared{0};
void BM_SharedAtomic(benchmark::State& state) {
  for (auto _ : state) g_shared.fetch_add(1, std::memory_order_relaxed);
}
BENCHMARK(BM_SharedAtomic)->Name("Count/shared_atomic")->Threads(1)->Threads(2);

void BM_PerfCountDisabled(benchmark::State& state) {
  SetPerfLevel(PerfLevel::kDisabled);
  for (auto _ : state) {
    PerfCount(Counter::kGets);
    benchmark::ClobberMemory();
  }
  SetPerfLevel(PerfLevel::kCounts);
}
BENCHMARK(BM_PerfCountDisabled)->Name("Count/PerfContext_disabled")->Threads(1)->Threads(2);

void BM_PerfCountWithAggregate(benchmark::State& state) {
  static PerfAggregate* agg = new PerfAggregate();
  SetPerfLevel(PerfLevel::kCounts);
  for (auto _ : state) {
    PerfCount(Counter::kGets, 1, agg);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_PerfCountWithAggregate)->Name("Count/PerfContext_and_aggregate")->Threads(1)->Threads(2);

void BM_PerfTimerScope(benchmark::State& state) {
  SetPerfLevel(PerfLevel::kTimings);
  for (auto _ : state) {
    PerfTimer t(Timer::kGetNanos);
  }
  SetPerfLevel(PerfLevel::kCounts);
}
BENCHMARK(BM_PerfTimerScope)->Name("Timer/PerfTimer")->Threads(1)->Threads(2);

}  // namespace

BENCHMARK_MAIN();
