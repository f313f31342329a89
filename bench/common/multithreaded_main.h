// bench/common/multithreaded_main.h — a benchmark main() for programs whose
// baselines depend on glibc's single-threaded shortcuts.
//
// glibc (2.36 here) takes a std::mutex with plain stores, no lock prefix, and
// skips atomics on malloc's arena paths while the process has never had a
// second thread (__libc_single_threaded). A DB process always has one, and
// so has a benchmark program once a threads:2 row ran, so a threads:1 result
// would otherwise depend on --benchmark_filter and on the order of a
// randomly interleaved run. Starting (and joining) one thread first makes
// every row measure the multi-threaded process.
#pragma once

#include <benchmark/benchmark.h>

#include <thread>

inline int RunBenchmarksInMultiThreadedProcess(int argc, char** argv) {
  std::thread([] {}).join();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
