// main.cc — the DB host and its SuperVersion cache through the public API.
// Exits 0 when every read saw what was written, 1 otherwise (prints why).
#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "engine/db/db.h"

namespace {

std::atomic<int> failures{0};  // bumped by every thread
void Expect(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "FAIL: %s\n", what);
    ++failures;
  }
}

}  // namespace

int main() {
  using tlsm::db::ColumnFamily;
  using tlsm::db::DB;
  DB db("example");
  ColumnFamily users;
  Expect(db.CreateColumnFamily("users", &users).ok(), "CreateColumnFamily");

  // Four writers, each its own keys; each reads its keys back through its
  // thread's cached SuperVersion, across a flush (a new SuperVersion).
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&db, &users, t] {
      for (int i = 0; i < 100; ++i) {
        const std::string key = "k" + std::to_string(t) + "." + std::to_string(i);
        Expect(db.Put(users, key, "v" + std::to_string(i)).ok(), "Put");
        if (i == 50) Expect(db.Flush(users).ok(), "Flush");
        std::string value;
        Expect(db.Get(users, key, &value).ok() && value == "v" + std::to_string(i),
               "Get after Put");
      }
    });
  }
  for (auto& th : threads) th.join();

  tlsm::db::PinnedView pin;
  Expect(db.Pin(users, &pin).ok(), "Pin");
  std::string value;
  Expect(pin.Get("k3.99", &value).ok() && value == "v99", "pinned Get");
  pin.Release();

  tlsm::db::CfInfo info;
  Expect(db.Describe(users, &info).ok(), "Describe");
  Expect(info.cache.installs >= 4, "a SuperVersion installed per flush");
  std::printf("cf %s: version %llu, %zu entries in the memtable, %llu installs, %llu misses\n",
              info.name.c_str(), static_cast<unsigned long long>(info.version),
              info.mem_entries, static_cast<unsigned long long>(info.cache.installs),
              static_cast<unsigned long long>(info.cache.misses));
  Expect(db.Close().ok(), "Close");
  std::printf(failures == 0 ? "db_host_example: ok\n" : "db_host_example: %d failures\n",
              failures.load());
  return failures == 0 ? 0 : 1;
}
