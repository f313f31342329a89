// matrix_only.cc — per-thread counters on the thread-local matrix alone.
// Each thread keeps its own counter in one column; a thread's exit hands the
// counter to the column's unref handler, which folds it into a total.
// Exits 0 when the total is exactly what the threads counted, 1 otherwise.
#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

#include "engine/tls/thread_local_ptr.h"

namespace {

std::atomic<long> folded{0};  // totals of exited threads

void FoldOnExit(long* counter) {
  folded += *counter;
  delete counter;
}

}  // namespace

int main() {
  constexpr int kThreads = 8, kPerThread = 10000;
  tlsm::tls::ThreadLocalPtr<long> counters(&FoldOnExit);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&counters] {
      for (int i = 0; i < kPerThread; ++i) {
        long* c = counters.Get();
        if (c == nullptr) counters.Reset(c = new long(0));
        ++*c;
      }
    });
  }
  for (auto& th : threads) th.join();
  const long want = long{kThreads} * kPerThread;
  std::printf("matrix_only: %ld counted by %d threads, %ld folded at thread exit\n", want,
              kThreads, folded.load());
  return folded.load() == want ? 0 : 1;
}
