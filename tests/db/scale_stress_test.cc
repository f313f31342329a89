// Scale stress (issue 18, "Stress at scale, nothing lost"): 8 DBs x 4 CFs,
// about 64 live worker threads that are created and exit continuously (each
// does a random number of ops, then exits), and a chaos thread that drops and
// re-creates CFs and closes and reopens DBs under that load.
//
// Ops: Put, Delete, Write(batch), Get (own keys and other workers' keys), Pin
// (with reads through the pin) and Flush; some DBs auto-flush, one has no
// BatchCache, some keep perf totals.
//
// What is checked, and why it is exact:
//  - Keys are owned: worker w writes only "w<w>.<j>", with values
//    "<key>=<n>" where n increases per key across the worker's life. A CF
//    incarnation (one CreateColumnFamily) has a process-unique id, so the
//    owner knows exactly what each of its keys holds in each incarnation it
//    touched: every acknowledged write (Status ok) is read back with its
//    value, a deleted or never-written key is NotFound, and a failed Write
//    changed nothing (Write is all-or-nothing). That holds until the CF is
//    dropped or its DB closed, after which every call on that incarnation
//    fails with Dropped/Closed (never ok again: the states are terminal).
//  - Other workers' keys: a value read is well-formed, for that key, no newer
//    than the owner ever attempted (nobody else wrote it), and per reader and
//    incarnation never older than the last one that reader saw.
//  - Pins: a pin reads exactly the owner's expected values at pin time, and
//    still does after the owner writes and flushes those keys again; the
//    pinned SuperVersion's version never goes backwards per incarnation.
//  - Races with Close/Drop return Dropped/Closed, never another error.
//  - At the end every live-object counter is back to its start: SuperVersions,
//    matrix rows and columns, per-thread PerfContexts, batches held by
//    callers and thread caches, slots in use.
//
// Duration: TLSM_STRESS_SECONDS (default 5). No timing assertions: the
// counts it asserts on are tiny minimums that any run reaches.
#include "engine/db/db.h"
#include "engine/perf/perf_context.h"
#include "engine/tls/thread_local_ptr.h"
#include "engine/version/super_version.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

using tlsm::db::ColumnFamily;
using tlsm::db::DB;
using tlsm::db::Options;
using tlsm::db::PinnedView;
using tlsm::db::Status;
using tlsm::db::WriteBatch;

constexpr int kDbs = 8;
constexpr int kCfs = 4;
constexpr int kLiveWorkers = 64;
constexpr int kKeysPerWorker = 4;
constexpr std::uint64_t kMaxWorkers = 1u << 16;  // the spawner stops here

int StressSeconds() {
  const char* e = std::getenv("TLSM_STRESS_SECONDS");
  const int s = e != nullptr ? std::atoi(e) : 0;
  return s > 0 ? s : 5;
}

std::string Key(std::uint64_t worker, int j) {
  return "w" + std::to_string(worker) + "." + std::to_string(j);
}

// Failures from worker threads: the first few are reported, all are counted.
std::atomic<int> g_failures{0};
#define STRESS_FAIL(msg)                                                        \
  do {                                                                          \
    if (g_failures.fetch_add(1) < 20) ADD_FAILURE() << msg; /* NOLINT */        \
  } while (0)

struct Counts {
  std::atomic<std::uint64_t> threads{0}, puts{0}, deletes{0}, writes{0}, gets{0},
      cross_gets{0}, pins{0}, pin_reads{0}, flushes{0}, installs{0}, dropped{0}, closed{0},
      cf_drops{0}, cf_creates{0}, db_closes{0}, db_opens{0};
};

// One CF incarnation as a worker sees it. Members in this order so the
// handle goes before the DB reference.
struct View {
  std::shared_ptr<DB> db;
  ColumnFamily cf;
  std::uint64_t inc = 0;
};

// The published DBs and CF handles. A reopened DB is a new DB object; the old
// one is destroyed when the last worker holding it lets go (so no thread is
// inside its methods then, as ~DB requires).
class World {
 public:
  void Open(int d) {
    Options o;
    if (d % 2 == 1) o.memtable_max_entries = 32;  // auto-flush
    if (d % 4 == 2) o.perf_aggregate = true;
    if (d == 5) o.use_batch_cache = false;
    auto db = std::make_shared<DB>("scale" + std::to_string(d), o);
    ColumnFamily cfs[kCfs];
    for (int c = 0; c < kCfs; ++c) {
      Status s = db->CreateColumnFamily(CfName(c), &cfs[c]);
      if (!s.ok()) STRESS_FAIL("create on a fresh DB: " << s.ToString());
    }
    std::lock_guard<std::mutex> l(mu_);
    slots_[d].db = db;
    for (int c = 0; c < kCfs; ++c) {
      slots_[d].cfs[c] = cfs[c];
      slots_[d].incs[c] = ++next_inc_;
    }
  }
  // Publishes a re-created CF unless the DB was replaced meanwhile.
  void Publish(int d, const std::shared_ptr<DB>& db, int c, ColumnFamily cf) {
    std::lock_guard<std::mutex> l(mu_);
    if (slots_[d].db != db) return;
    slots_[d].cfs[c] = std::move(cf);
    slots_[d].incs[c] = ++next_inc_;
  }
  View Pick(int d, int c) {
    std::lock_guard<std::mutex> l(mu_);
    return View{slots_[d].db, slots_[d].cfs[c], slots_[d].incs[c]};
  }
  // Every CF of one DB, consistently (for a batch across CFs).
  std::vector<View> PickDb(int d) {
    std::lock_guard<std::mutex> l(mu_);
    std::vector<View> v;
    for (int c = 0; c < kCfs; ++c) v.push_back(View{slots_[d].db, slots_[d].cfs[c], slots_[d].incs[c]});
    return v;
  }
  std::shared_ptr<DB> Db(int d) {
    std::lock_guard<std::mutex> l(mu_);
    return slots_[d].db;
  }
  void Clear() {
    std::lock_guard<std::mutex> l(mu_);
    for (auto& s : slots_) {
      for (auto& cf : s.cfs) cf = ColumnFamily();
      s.db.reset();
    }
  }
  static std::string CfName(int c) { return "c" + std::to_string(c); }

 private:
  struct Slot {
    std::shared_ptr<DB> db;
    ColumnFamily cfs[kCfs];
    std::uint64_t incs[kCfs] = {};
  };
  std::mutex mu_;
  Slot slots_[kDbs];
  std::uint64_t next_inc_ = 0;
};

struct Shared {
  World world;
  Counts counts;
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> next_worker{0};
  // attempted[w * kKeysPerWorker + j]: the newest counter worker w wrote (or
  // tried to write) to key j; stored before the write (release).
  std::vector<std::atomic<std::uint64_t>> attempted =
      std::vector<std::atomic<std::uint64_t>>(kMaxWorkers * kKeysPerWorker);
};

std::uint64_t ParseCounter(const std::string& v, const std::string& key, bool* ok) {
  *ok = v.size() > key.size() + 1 && v.compare(0, key.size(), key) == 0 && v[key.size()] == '=';
  if (!*ok) return 0;
  return std::stoull(v.substr(key.size() + 1));
}

class Worker {
 public:
  Worker(Shared* sh, std::uint64_t id, std::uint64_t seed) : sh_(sh), id_(id), rng_(seed) {}

  void Run() {
    sh_->counts.threads.fetch_add(1, std::memory_order_relaxed);
    const int ops = 20 + static_cast<int>(rng_() % 400);
    for (int i = 0; i < ops && !sh_->stop.load(std::memory_order_relaxed); ++i) Step();
    // Installs this thread caused (explicit and automatic flushes).
    sh_->counts.installs.fetch_add(
        tlsm::perf::GetPerfContext()->Get(tlsm::perf::Counter::kFlushes),
        std::memory_order_relaxed);
  }

 private:
  struct Inc {  // what this worker knows about one CF incarnation
    bool dead = false;  // a call on it returned Dropped/Closed
    std::optional<std::string> val[kKeysPerWorker];
    std::uint64_t last_pin_version = 0;
  };

  int R(int n) { return static_cast<int>(rng_() % static_cast<std::uint64_t>(n)); }

  std::string NextValue(int j) {
    const std::uint64_t n = ++counter_[j];
    sh_->attempted[id_ * kKeysPerWorker + static_cast<std::uint64_t>(j)].store(
        n, std::memory_order_release);
    return Key(id_, j) + "=" + std::to_string(n);
  }

  // A non-ok status of a call on one incarnation: must be Dropped/Closed.
  void Failed(const Status& s, Inc* m, const char* op) {
    if (s.IsDropped()) {
      sh_->counts.dropped.fetch_add(1, std::memory_order_relaxed);
    } else if (s.IsClosed()) {
      sh_->counts.closed.fetch_add(1, std::memory_order_relaxed);
    } else {
      STRESS_FAIL(op << " racing drop/close: " << s.ToString());
      return;
    }
    if (m != nullptr) m->dead = true;
  }
  void Succeeded(const Inc& m, const char* op) {
    if (m.dead) STRESS_FAIL(op << " succeeded on a dropped/closed column family");
  }

  // Checks a Get of own key j in m (status s, value v).
  void CheckOwnRead(const Status& s, const std::string& v, const Inc& m, int j,
                    const char* what) {
    if (s.ok()) {
      if (!m.val[j]) {
        STRESS_FAIL(what << " " << Key(id_, j) << ": found '" << v << "', expected NotFound");
      } else if (v != *m.val[j]) {
        STRESS_FAIL(what << " " << Key(id_, j) << ": '" << v << "', expected '" << *m.val[j]
                         << "' (lost or stale write)");
      }
    } else if (s.IsNotFound()) {
      if (m.val[j]) {
        STRESS_FAIL(what << " " << Key(id_, j) << ": NotFound, expected '" << *m.val[j]
                         << "' (acknowledged write lost)");
      }
    }
  }

  void Put(const View& v, Inc& m) {
    const int j = R(kKeysPerWorker);
    const std::string val = NextValue(j);
    Status s = v.db->Put(v.cf, Key(id_, j), val);
    sh_->counts.puts.fetch_add(1, std::memory_order_relaxed);
    if (s.ok()) {
      Succeeded(m, "Put");
      m.val[j] = val;
    } else {
      Failed(s, &m, "Put");
    }
  }

  void Delete(const View& v, Inc& m) {
    const int j = R(kKeysPerWorker);
    Status s = v.db->Delete(v.cf, Key(id_, j));
    sh_->counts.deletes.fetch_add(1, std::memory_order_relaxed);
    if (s.ok()) {
      Succeeded(m, "Delete");
      m.val[j].reset();
    } else {
      Failed(s, &m, "Delete");
    }
  }

  void Batch(int d) {
    std::vector<View> views = sh_->world.PickDb(d);
    struct Planned {
      int c, j;
      std::optional<std::string> value;
    };
    std::vector<Planned> plan;
    WriteBatch b;
    const int n = 2 + R(4);
    for (int i = 0; i < n; ++i) {
      const int c = R(kCfs), j = R(kKeysPerWorker);
      if (R(4) == 0) {
        b.Delete(views[c].cf, Key(id_, j));
        plan.push_back({c, j, std::nullopt});
      } else {
        std::string val = NextValue(j);
        b.Put(views[c].cf, Key(id_, j), val);
        plan.push_back({c, j, std::move(val)});
      }
    }
    Status s = views[0].db->Write(b);
    sh_->counts.writes.fetch_add(1, std::memory_order_relaxed);
    if (s.ok()) {
      for (const Planned& p : plan) {
        Inc& m = model_[views[p.c].inc];
        Succeeded(m, "Write");
        m.val[p.j] = p.value;  // in batch order: the last op on a key wins
      }
    } else {
      // All or nothing: no expectation changes. Which CF failed is not
      // known, so none is marked dead.
      Failed(s, nullptr, "Write");
    }
  }

  void Get(const View& v, Inc& m) {
    const int j = R(kKeysPerWorker);
    std::string val;
    Status s = v.db->Get(v.cf, Key(id_, j), &val);
    sh_->counts.gets.fetch_add(1, std::memory_order_relaxed);
    if (s.ok() || s.IsNotFound()) {
      Succeeded(m, "Get");
      CheckOwnRead(s, val, m, j, "Get");
    } else {
      Failed(s, &m, "Get");
    }
  }

  // Reads another worker's key (it may be alive, gone or never started).
  void CrossGet(const View& v, Inc& m) {
    const std::uint64_t workers = sh_->next_worker.load(std::memory_order_relaxed);
    const std::uint64_t other = rng_() % workers;
    const int j = R(kKeysPerWorker);
    const std::string key = Key(other, j);
    std::string val;
    Status s = v.db->Get(v.cf, key, &val);
    sh_->counts.cross_gets.fetch_add(1, std::memory_order_relaxed);
    if (s.IsNotFound()) return;
    if (!s.ok()) return Failed(s, &m, "Get (other's key)");
    Succeeded(m, "Get (other's key)");
    bool ok = false;
    const std::uint64_t n = ParseCounter(val, key, &ok);
    // acquire: pairs with the owner's release before its write.
    const std::uint64_t max =
        sh_->attempted[other * kKeysPerWorker + static_cast<std::uint64_t>(j)].load(
            std::memory_order_acquire);
    if (!ok || n == 0 || n > max) {
      STRESS_FAIL("read of " << key << ": '" << val << "' nobody wrote (attempted " << max << ")");
      return;
    }
    std::uint64_t& last = cross_last_[{v.inc, other * kKeysPerWorker + static_cast<std::uint64_t>(j)}];
    if (n < last) STRESS_FAIL("read of " << key << " went backwards: " << n << " after " << last);
    last = n;
  }

  void Pin(const View& v, Inc& m) {
    PinnedView pin;
    Status s = v.db->Pin(v.cf, &pin);
    sh_->counts.pins.fetch_add(1, std::memory_order_relaxed);
    if (!s.ok()) return Failed(s, &m, "Pin");
    Succeeded(m, "Pin");
    if (pin.db_id() != v.cf.db_id() || pin.cf_id() != v.cf.id()) {
      STRESS_FAIL("pin of another (DB, CF)");
    }
    if (pin.version() < m.last_pin_version) {
      STRESS_FAIL("pinned version went backwards: " << pin.version() << " after "
                                                    << m.last_pin_version);
    }
    m.last_pin_version = pin.version();
    Inc at_pin = m;  // the snapshot the pin must show
    auto read_all = [&](const char* what) {
      for (int j = 0; j < kKeysPerWorker; ++j) {
        std::string val;
        Status ps = pin.Get(Key(id_, j), &val);
        sh_->counts.pin_reads.fetch_add(1, std::memory_order_relaxed);
        if (!ps.ok() && !ps.IsNotFound()) STRESS_FAIL(what << ": " << ps.ToString());
        CheckOwnRead(ps, val, at_pin, j, what);
      }
    };
    read_all("pin read");
    // Later writes (and a flush) must not show through the pin.
    const int n = 1 + R(3);
    for (int i = 0; i < n; ++i) Put(v, m);
    if (R(2) == 0) Flush(v, m);
    read_all("pin read after writes");
    pin.Release();
  }

  void Flush(const View& v, Inc& m) {
    Status s = v.db->Flush(v.cf);
    sh_->counts.flushes.fetch_add(1, std::memory_order_relaxed);
    if (s.ok()) {
      Succeeded(m, "Flush");
    } else {
      Failed(s, &m, "Flush");
    }
  }

  void Step() {
    const int d = R(kDbs);
    const int r = R(100);
    if (r < 10) return Batch(d);
    const View v = sh_->world.Pick(d, R(kCfs));
    Inc& m = model_[v.inc];
    if (r < 35) return Put(v, m);
    if (r < 43) return Delete(v, m);
    if (r < 75) return Get(v, m);
    if (r < 87) return CrossGet(v, m);
    if (r < 95) return Pin(v, m);
    return Flush(v, m);
  }

  Shared* const sh_;
  const std::uint64_t id_;
  std::mt19937_64 rng_;
  std::uint64_t counter_[kKeysPerWorker] = {};
  std::unordered_map<std::uint64_t, Inc> model_;  // by incarnation
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::uint64_t> cross_last_;
};

// Drops and re-creates CFs, closes and reopens DBs, until stop.
void Chaos(Shared* sh) {
  std::mt19937_64 rng(0xC4A05);
  while (!sh->stop.load(std::memory_order_relaxed)) {
    const int d = static_cast<int>(rng() % kDbs);
    std::shared_ptr<DB> db = sh->world.Db(d);
    if (rng() % 6 == 0) {
      Status s = db->Close();
      if (!s.ok()) STRESS_FAIL("Close: " << s.ToString());
      sh->counts.db_closes.fetch_add(1, std::memory_order_relaxed);
      db.reset();
      // Workers keep hitting the closed DB for a moment.
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      sh->world.Open(d);
      sh->counts.db_opens.fetch_add(1, std::memory_order_relaxed);
    } else {
      const int c = static_cast<int>(rng() % kCfs);
      // Only this thread drops, creates and closes: the DB is open.
      Status s = db->DropColumnFamily(World::CfName(c));
      if (!s.ok()) STRESS_FAIL("Drop: " << s.ToString());
      sh->counts.cf_drops.fetch_add(1, std::memory_order_relaxed);
      if (rng() % 2 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
      ColumnFamily fresh;
      s = db->CreateColumnFamily(World::CfName(c), &fresh);
      if (!s.ok()) STRESS_FAIL("re-create: " << s.ToString());
      sh->counts.cf_creates.fetch_add(1, std::memory_order_relaxed);
      sh->world.Publish(d, db, c, std::move(fresh));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

TEST(ScaleStress, ChurningThreadsDbsAndCfsLoseNothing) {
  // The main thread's row and context exist before the baseline is taken.
  (void)tlsm::perf::GetPerfContext();
  const auto base_sv = tlsm::version::LiveSuperVersions();
  const auto base_ctx = tlsm::perf::LivePerfContexts();
  const tlsm::tls::MatrixStats base_m = tlsm::tls::GetMatrixStats();
  const int seconds = StressSeconds();
  {
    auto sh = std::make_unique<Shared>();
    for (int d = 0; d < kDbs; ++d) sh->world.Open(d);
    std::thread chaos(Chaos, sh.get());

    struct Live {
      std::thread t;
      std::shared_ptr<std::atomic<bool>> done;
    };
    std::vector<Live> live;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    std::mt19937_64 seeds(42);
    while (std::chrono::steady_clock::now() < deadline &&
           sh->next_worker.load() < kMaxWorkers) {
      for (auto it = live.begin(); it != live.end();) {
        if (it->done->load(std::memory_order_acquire)) {
          it->t.join();
          it = live.erase(it);
        } else {
          ++it;
        }
      }
      while (live.size() < kLiveWorkers && sh->next_worker.load() < kMaxWorkers) {
        // Taken before the thread starts: cross reads pick ids below
        // next_worker, whose keys may not exist yet (NotFound).
        const std::uint64_t id = sh->next_worker.fetch_add(1);
        auto done = std::make_shared<std::atomic<bool>>(false);
        const std::uint64_t seed = seeds();
        live.push_back(Live{std::thread([&sh, id, seed, done] {
                              Worker(sh.get(), id, seed).Run();
                              done->store(true, std::memory_order_release);
                            }),
                            done});
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    sh->stop = true;
    for (auto& l : live) l.t.join();
    chaos.join();

    const Counts& n = sh->counts;
    std::printf(
        "scale_stress: %d s, threads started %llu, ops: put %llu delete %llu write %llu get %llu "
        "cross-get %llu pin %llu pin-read %llu flush %llu; installs (flushes) %llu; "
        "Dropped %llu Closed %llu; CF drops %llu re-creates %llu; DB closes %llu reopens %llu\n",
        seconds, (unsigned long long)n.threads.load(), (unsigned long long)n.puts.load(),
        (unsigned long long)n.deletes.load(), (unsigned long long)n.writes.load(),
        (unsigned long long)n.gets.load(), (unsigned long long)n.cross_gets.load(),
        (unsigned long long)n.pins.load(), (unsigned long long)n.pin_reads.load(),
        (unsigned long long)n.flushes.load(), (unsigned long long)n.installs.load(),
        (unsigned long long)n.dropped.load(), (unsigned long long)n.closed.load(),
        (unsigned long long)n.cf_drops.load(), (unsigned long long)n.cf_creates.load(),
        (unsigned long long)n.db_closes.load(), (unsigned long long)n.db_opens.load());
    EXPECT_EQ(g_failures.load(), 0);
    // Churn happened: more threads than ever live at once, and every kind of
    // op and chaos event ran.
    EXPECT_GT(n.threads.load(), static_cast<std::uint64_t>(kLiveWorkers));
    EXPECT_GT(n.puts.load(), 0u);
    EXPECT_GT(n.writes.load(), 0u);
    EXPECT_GT(n.pin_reads.load(), 0u);
    EXPECT_GT(n.installs.load(), 0u);
    EXPECT_GT(n.cf_drops.load(), 0u);
    EXPECT_GT(n.db_closes.load(), 0u);

    // Quiescent: no batch held by a caller, no thread cache of an exited
    // thread, no slot left in use.
    for (int d = 0; d < kDbs; ++d) {
      std::shared_ptr<DB> db = sh->world.Db(d);
      const auto bs = db->BatchStats();
      EXPECT_EQ(bs.outstanding(), 0u) << "DB " << d << ": a borrowed batch was not returned";
      EXPECT_EQ(bs.threads, 0u) << "DB " << d << ": a thread cache outlived its thread";
      for (int c = 0; c < kCfs; ++c) {
        tlsm::db::CfInfo info;
        const View v = sh->world.Pick(d, c);
        ASSERT_TRUE(db->Describe(v.cf, &info).ok());
        EXPECT_EQ(info.slots.in_use, 0) << "DB " << d << " CF " << c;
      }
    }
    // Closing and destroying everything frees everything.
    sh->world.Clear();
  }
  EXPECT_EQ(tlsm::version::LiveSuperVersions(), base_sv) << "SuperVersions leaked";
  EXPECT_EQ(tlsm::perf::LivePerfContexts(), base_ctx) << "PerfContexts leaked";
  const tlsm::tls::MatrixStats m = tlsm::tls::GetMatrixStats();
  EXPECT_EQ(m.rows, base_m.rows) << "matrix rows of exited threads remain";
  EXPECT_EQ(m.live_columns, base_m.live_columns) << "matrix columns leaked";
}

}  // namespace
