// bench/tls/thread_local_ptr_bench.cc — the matrix's per-thread operations
// against the baselines, at 1 and 2 threads.
//
//   Get/*       ThreadLocalPtr::Get vs a raw thread_local pointer, the same
//               fast path hand-written with std (std_twin), boost::thread_specific_ptr
//   SwapCas/*   Swap(sentinel) + CompareAndSwap(sentinel -> old), the
//               SuperVersion acquire/release pattern, vs the same pair on a
//               thread_local std::atomic, vs "two atomic RMWs on a private
//               cache line" (the limit), vs boost release()+reset()
//   Reset/*     Reset to a new value (runs the handler on the old one) vs a
//               raw thread_local pointer + handler call, vs boost reset()
//
// Ratios against the baselines of the same run: ci/bench_ratios.py, e.g.
//   thread_local_ptr_bench --benchmark_format=json --benchmark_repetitions=5
//     --benchmark_report_aggregates_only=true > out.json    (one line)
//   python3 ci/bench_ratios.py out.json
// Benchmark code, not engine code: it names std primitives directly.
#include <benchmark/benchmark.h>

#include <atomic>
#include <boost/thread/tss.hpp>
#include <cstdint>

#include "bench/tls/fast_path_probe.h"
#include "engine/tls/thread_local_ptr.h"

namespace {

using tlsm::tls::ThreadLocalPtr;

// A handler that does nothing observable but cannot be optimised away.
__attribute__((noinline)) void NoopHandler(int* p) { asm volatile("" : : "r"(p) : "memory"); }
void (*volatile g_handler)(int*) = &NoopHandler;

int g_values[2];
int g_in_use;  // the sentinel of the Swap+CAS pattern

ThreadLocalPtr<int>& Column() {
  static auto* c = new ThreadLocalPtr<int>(&NoopHandler);
  return *c;
}
boost::thread_specific_ptr<int>& Boost() {
  static auto* t = new boost::thread_specific_ptr<int>(&NoopHandler);
  return *t;
}

thread_local int* t_plain = nullptr;
thread_local std::atomic<int*> t_atomic{nullptr};

// ---- Get -------------------------------------------------------------------

void Get_ThreadLocalPtr(benchmark::State& st) {
  auto& c = Column();
  c.Reset(&g_values[0]);
  for (auto _ : st) benchmark::DoNotOptimize(c.Get());
  c.Reset(nullptr);
}

void Get_thread_local(benchmark::State& st) {
  t_plain = &g_values[0];
  for (auto _ : st) benchmark::DoNotOptimize(t_plain);
  t_plain = nullptr;
}

void Get_thread_local_atomic(benchmark::State& st) {
  t_atomic.store(&g_values[0]);
  for (auto _ : st) benchmark::DoNotOptimize(t_atomic.load(std::memory_order_acquire));
  t_atomic.store(nullptr);
}

// The matrix's Get hand-written with std (out of line, like the probe of the
// matrix below), to separate the seam's cost from the call's.
void Get_std_twin_call(benchmark::State& st) {
  std::atomic<void*> slots[8] = {};
  slots[3].store(&g_values[0]);
  TlsmProbeStdInstall(slots, 8);
  for (auto _ : st) benchmark::DoNotOptimize(tlsm_probe_std_get(3));
}

void Get_ThreadLocalPtr_call(benchmark::State& st) {
  auto& c = Column();
  c.Reset(&g_values[0]);
  for (auto _ : st) benchmark::DoNotOptimize(tlsm_probe_matrix_get(&c.column()));
  c.Reset(nullptr);
}

void Get_boost_tsp(benchmark::State& st) {
  auto& t = Boost();
  t.reset(&g_values[0]);
  for (auto _ : st) benchmark::DoNotOptimize(t.get());
  t.release();
}

// ---- Swap + CompareAndSwap ---------------------------------------------------

void SwapCas_ThreadLocalPtr(benchmark::State& st) {
  auto& c = Column();
  c.Reset(&g_values[0]);
  for (auto _ : st) {
    int* v = c.Swap(&g_in_use);
    int* expected = &g_in_use;
    benchmark::DoNotOptimize(c.CompareAndSwap(expected, v));
  }
  c.Reset(nullptr);
}

void SwapCas_thread_local_atomic(benchmark::State& st) {
  t_atomic.store(&g_values[0]);
  for (auto _ : st) {
    int* v = t_atomic.exchange(&g_in_use, std::memory_order_acq_rel);
    int* expected = &g_in_use;
    benchmark::DoNotOptimize(
        t_atomic.compare_exchange_strong(expected, v, std::memory_order_acq_rel,
                                         std::memory_order_acquire));
  }
  t_atomic.store(nullptr);
}

// The limit: the two atomic read-modify-writes alone, on a line nobody shares.
void SwapCas_two_rmw_private_line(benchmark::State& st) {
  struct alignas(64) Line {
    std::atomic<int*> v{&g_values[0]};
    char pad[64 - sizeof(std::atomic<int*>)];
  };
  Line line;
  for (auto _ : st) {
    int* v = line.v.exchange(&g_in_use, std::memory_order_acq_rel);
    int* expected = &g_in_use;
    benchmark::DoNotOptimize(line.v.compare_exchange_strong(
        expected, v, std::memory_order_acq_rel, std::memory_order_acquire));
  }
}

// What an inline fast path would cost: the matrix's Swap and CompareAndSwap
// hand-written with std (row pointer -> bounds check -> RMW), inlined into the
// loop. ThreadLocalColumn::Swap/CompareAndSwap are out of line today.
void SwapCas_std_twin_inline(benchmark::State& st) {
  std::atomic<void*> slots[8] = {};
  slots[3].store(&g_values[0]);
  TlsmProbeStdInstall(slots, 8);
  for (auto _ : st) {
    std::atomic<void*>* slot = TlsmProbeStdSlot(3);
    void* v = slot->exchange(&g_in_use, std::memory_order_acq_rel);
    void* expected = &g_in_use;
    slot = TlsmProbeStdSlot(3);
    benchmark::DoNotOptimize(slot->compare_exchange_strong(
        expected, v, std::memory_order_acq_rel, std::memory_order_acquire));
  }
}

// boost has no swap/CAS: release() + reset(old) is its nearest equivalent.
void SwapCas_boost_tsp(benchmark::State& st) {
  auto& t = Boost();
  t.reset(&g_values[0]);
  for (auto _ : st) {
    int* v = t.release();
    t.reset(v);
    benchmark::DoNotOptimize(v);
  }
  t.release();
}

// ---- Reset (runs the handler on the replaced value) ---------------------------

void Reset_ThreadLocalPtr(benchmark::State& st) {
  auto& c = Column();
  unsigned i = 0;
  for (auto _ : st) c.Reset(&g_values[++i & 1]);
  c.Reset(nullptr);
}

void Reset_thread_local(benchmark::State& st) {
  unsigned i = 0;
  for (auto _ : st) {
    int* p = &g_values[++i & 1];
    int* old = t_plain;
    t_plain = p;
    if (old != nullptr && old != p) g_handler(old);
    benchmark::ClobberMemory();
  }
  t_plain = nullptr;
}

void Reset_thread_local_atomic(benchmark::State& st) {
  unsigned i = 0;
  for (auto _ : st) {
    int* p = &g_values[++i & 1];
    int* old = t_atomic.exchange(p, std::memory_order_acq_rel);
    if (old != nullptr && old != p) g_handler(old);
  }
  t_atomic.store(nullptr);
}

void Reset_boost_tsp(benchmark::State& st) {
  auto& t = Boost();
  unsigned i = 0;
  for (auto _ : st) t.reset(&g_values[++i & 1]);
  t.reset(nullptr);
}

#define TLSM_BENCH(fn, name) BENCHMARK(fn)->Name(name)->Threads(1)->Threads(2)

TLSM_BENCH(Get_ThreadLocalPtr, "Get/ThreadLocalPtr");
TLSM_BENCH(Get_thread_local, "Get/thread_local");
TLSM_BENCH(Get_thread_local_atomic, "Get/thread_local_atomic");
TLSM_BENCH(Get_ThreadLocalPtr_call, "Get/ThreadLocalPtr_call");
TLSM_BENCH(Get_std_twin_call, "Get/std_twin_call");
TLSM_BENCH(Get_boost_tsp, "Get/boost_tsp");
TLSM_BENCH(SwapCas_ThreadLocalPtr, "SwapCas/ThreadLocalPtr");
TLSM_BENCH(SwapCas_thread_local_atomic, "SwapCas/thread_local_atomic");
TLSM_BENCH(SwapCas_two_rmw_private_line, "SwapCas/two_rmw_private_line");
TLSM_BENCH(SwapCas_std_twin_inline, "SwapCas/std_twin_inline");
TLSM_BENCH(SwapCas_boost_tsp, "SwapCas/boost_tsp");
TLSM_BENCH(Reset_ThreadLocalPtr, "Reset/ThreadLocalPtr");
TLSM_BENCH(Reset_thread_local, "Reset/thread_local");
TLSM_BENCH(Reset_thread_local_atomic, "Reset/thread_local_atomic");
TLSM_BENCH(Reset_boost_tsp, "Reset/boost_tsp");

}  // namespace

BENCHMARK_MAIN();
