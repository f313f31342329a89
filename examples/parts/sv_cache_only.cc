// sv_cache_only.cc — the SuperVersion cache alone: readers on several
// threads acquire the current read view through their cached slot while the
// main thread installs new versions. Exits 0 when no reader ever saw its
// version go backwards and every SuperVersion was freed at the end.
#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

#include "engine/version/super_version_cache.h"

namespace {

using tlsm::version::AcquiredSv;
using tlsm::version::ImmMemTable;
using tlsm::version::LiveSuperVersions;
using tlsm::version::MemTable;
using tlsm::version::SuperVersion;
using tlsm::version::SuperVersionCache;
using tlsm::version::SuperVersionMeta;

SuperVersion* MakeVersion(std::uint64_t v) {
  return tlsm::sync::New<SuperVersion>(SuperVersionMeta{v, 1, 1}, tlsm::sync::New<MemTable>(),
                                       std::vector<ImmMemTable*>{});
}

}  // namespace

int main() {
  constexpr int kReaders = 4, kInstalls = 200;
  const auto live_before = LiveSuperVersions();
  std::atomic<int> backwards{0};
  std::atomic<long> hits{0}, reads{0};
  {
    SuperVersionCache cache(1, 1);
    cache.Install(MakeVersion(1));
    std::atomic<bool> done{false};
    std::vector<std::thread> readers;
    for (int r = 0; r < kReaders; ++r) {
      readers.emplace_back([&] {
        std::uint64_t last = 0;
        while (!done.load(std::memory_order_acquire)) {
          AcquiredSv a = cache.Acquire();
          if (a.sv->version() < last) ++backwards;
          last = a.sv->version();
          hits += a.hit ? 1 : 0;
          ++reads;
          cache.Return(a);
        }
      });
    }
    for (std::uint64_t v = 2; v <= kInstalls; ++v) cache.Install(MakeVersion(v));
    done.store(true, std::memory_order_release);
    for (auto& th : readers) th.join();
  }
  const bool freed = LiveSuperVersions() == live_before;
  std::printf("sv_cache_only: %ld reads (%ld hits) on %d threads across %d installs; "
              "backwards %d; all SuperVersions freed: %s\n",
              reads.load(), hits.load(), kReaders, kInstalls, backwards.load(),
              freed ? "yes" : "no");
  return backwards.load() == 0 && freed ? 0 : 1;
}
