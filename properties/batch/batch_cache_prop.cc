// properties/batch/batch_cache_prop.cc — rapidcheck stateful model of
// BatchCache on real threads.
//
// Commands over kThreads worker threads and kDbs DB slots: open a DB (a
// BatchCache with generated options), close it, start/end a thread, and per
// thread Acquire, Release, Put (small) and Grow (past max_batch_bytes). Each
// worker is a real std::thread fed one command at a time. The pure model
// mirrors the retention policy exactly (which batch each Acquire returns,
// what is spilled, refilled, handed back at thread exit, freed), and after
// every command the system is compared with it:
//   - Acquire returns exactly the batch the model predicts      BATCH-OWN
//   - every batch is the asking DB's (Allocated), held batches
//     are kHeld and cached ones are not                         BATCH-ISO, BATCH-OWN
//   - thread caches, shards, bytes within limits                BATCH-BOUND
//   - Stats(): hits/misses/allocations/frees/releases/spills,
//     cached counts, per-shard sizes, retained bytes            NO-LEAK, BATCH-BOUND
// Reproduce: RC_PARAMS="reproduce=..." as printed; "max_success=N seed=S".
#include "engine/batch/batch_cache.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "properties/common/command_gen.h"
#include "properties/common/worker.h"

namespace {

using tlsm::batch::BatchCache;
using tlsm::batch::BatchCacheOptions;
using tlsm::batch::BatchState;
using tlsm::batch::WriteBatch;
using tlsm::prop::Worker;

constexpr int kThreads = 3;
constexpr int kDbs = 2;
constexpr std::size_t kMaxBytes = 200;  // small puts never reach it, Grow does
constexpr int kMaxSmallPuts = 3;

using BatchId = int;

struct BatchModel {
  int db_uid;
  bool oversize = false;
  int small_puts = 0;
  std::size_t ops = 0;  // ops since the last release
};

struct TcModel {
  std::size_t shard;
  std::vector<BatchId> list;  // oldest first
};

struct DbModel {
  int uid;
  BatchCacheOptions opts;
  std::uint32_t rr = 0;
  std::vector<std::vector<BatchId>> shards;
  std::map<int, TcModel> tcs;  // thread uid -> cache
  std::uint64_t thread_hits = 0, shard_hits = 0, misses = 0, frees = 0, releases = 0,
                spills = 0;
};

struct Held {
  int db;  // slot
  BatchId id;
};

struct ThreadModel {
  int uid;
  std::vector<Held> held;
};

struct Model {
  std::array<std::optional<DbModel>, kDbs> dbs;
  std::array<std::optional<ThreadModel>, kThreads> threads;
  std::map<BatchId, BatchModel> batches;  // alive
  int next_uid = 1;
  BatchId next_batch = 1;

  std::vector<int> Slots(bool want_threads, bool alive) const {
    std::vector<int> r;
    for (int i = 0; i < (want_threads ? kThreads : kDbs); ++i) {
      const bool a = want_threads ? threads[i].has_value() : dbs[i].has_value();
      if (a == alive) r.push_back(i);
    }
    return r;
  }
  bool DbHeld(int d) const {
    for (const auto& t : threads)
      if (t)
        for (const auto& h : t->held)
          if (h.db == d) return true;
    return false;
  }
  void Free(DbModel& db, BatchId id) {
    batches.erase(id);
    ++db.frees;
  }
  // PushToShard: oldest first, up to capacity; the rest freed.
  std::size_t Push(DbModel& db, std::size_t shard, const std::vector<BatchId>& ids) {
    std::size_t pushed = 0;
    for (BatchId id : ids) {
      if (db.shards[shard].size() < db.opts.shard_capacity) {
        db.shards[shard].push_back(id);
        ++pushed;
      } else {
        Free(db, id);
      }
    }
    return pushed;
  }
  TcModel& Ensure(DbModel& db, int thread_uid) {
    auto it = db.tcs.find(thread_uid);
    if (it != db.tcs.end()) return it->second;
    const std::size_t shard = db.rr++ % db.shards.size();
    return db.tcs.emplace(thread_uid, TcModel{shard, {}}).first->second;
  }
};

// ---------------------------------------------------------------------------

[[noreturn]] void Fail(const char* id, const std::string& msg) {
  RC_FAIL(std::string(id) + ": " + msg);
}

struct Sut {
  std::array<std::unique_ptr<Worker>, kThreads> workers;
  std::array<std::unique_ptr<BatchCache>, kDbs> dbs;
  std::map<BatchId, WriteBatch*> ptrs;  // alive batches
  std::map<WriteBatch*, std::pair<int, int>> held;  // batch -> (thread, db)
  ~Sut() {
    // Callers give their batches back first (a held batch at close is misuse),
    // also when a case failed half way.
    for (auto& [b, td] : held) {
      auto [t, d] = td;
      if (workers[t] && dbs[d]) workers[t]->Call([&, b = b] { dbs[d]->Release(b); });
    }
    for (auto& w : workers) w.reset();
    for (auto& d : dbs) d.reset();
  }

  void Sync(const Model& m) {  // forget batches the model freed
    for (auto it = ptrs.begin(); it != ptrs.end();)
      it = m.batches.count(it->first) ? std::next(it) : ptrs.erase(it);
  }

  void Check(const Model& m) {
    for (int d = 0; d < kDbs; ++d) {
      if (!m.dbs[d]) continue;
      const DbModel& db = *m.dbs[d];
      BatchCache& c = *dbs[d];
      const auto s = c.Stats();
      std::size_t tc_count = 0, shard_count = 0, max_tc = 0, bytes = 0;
      for (const auto& [uid, tc] : db.tcs) {
        tc_count += tc.list.size();
        max_tc = std::max(max_tc, tc.list.size());
        for (BatchId id : tc.list) bytes += ptrs.at(id)->Capacity();
      }
      std::vector<std::size_t> shard_sizes;
      for (const auto& sh : db.shards) {
        shard_sizes.push_back(sh.size());
        shard_count += sh.size();
        for (BatchId id : sh) bytes += ptrs.at(id)->Capacity();
      }
      std::ostringstream os;
      os << "db" << d << " stats (actual/model): thread_hits " << s.thread_hits << "/"
         << db.thread_hits << " shard_hits " << s.shard_hits << "/" << db.shard_hits
         << " misses " << s.misses << "/" << db.misses << " frees " << s.frees << "/" << db.frees
         << " releases " << s.releases << "/" << db.releases << " spills " << s.spills << "/"
         << db.spills << " thread_cached " << s.thread_cached << "/" << tc_count
         << " shard_cached " << s.shard_cached << "/" << shard_count << " threads " << s.threads
         << "/" << db.tcs.size() << " bytes " << s.bytes_retained << "/" << bytes;
      if (s.max_thread_cached > db.opts.thread_capacity ||
          s.max_shard_cached > db.opts.shard_capacity ||
          s.bytes_retained > (s.thread_cached + s.shard_cached) * kMaxBytes)
        Fail("BATCH-BOUND", os.str());
      if (s.thread_cached != tc_count || s.shard_cached != shard_count ||
          s.threads != db.tcs.size() || c.ShardSizes() != shard_sizes ||
          s.bytes_retained != bytes || s.max_thread_cached != max_tc)
        Fail("BATCH-OWN", os.str());
      if (s.thread_hits != db.thread_hits || s.shard_hits != db.shard_hits ||
          s.misses != db.misses || s.allocations != db.misses || s.frees != db.frees ||
          s.releases != db.releases || s.spills != db.spills || s.hits != s.thread_hits + s.shard_hits)
        Fail("NO-LEAK", os.str());
      for (const auto& [id, b] : m.batches) {
        if (b.db_uid != db.uid) continue;
        if (!c.Allocated(ptrs.at(id))) Fail("BATCH-ISO", "batch of db" + std::to_string(d) + " not Allocated by it");
      }
      // Owner states are tracked only when debug checks are compiled in.
      if (TLSM_DEBUG_CHECKS)
        for (const auto& [uid, tc] : db.tcs)
          for (BatchId id : tc.list)
            if (ptrs.at(id)->state() == BatchState::kHeld) Fail("BATCH-OWN", "a cached batch is marked held");
    }
    for (int t = 0; t < kThreads; ++t) {
      if (!m.threads[t]) continue;
      for (const Held& h : m.threads[t]->held) {
        WriteBatch* b = ptrs.at(h.id);
        if (TLSM_DEBUG_CHECKS && b->state() != BatchState::kHeld)
          Fail("BATCH-OWN", "a held batch is not marked held");
        if (b->Count() != m.batches.at(h.id).ops)
          Fail("BATCH-OWN", "a held batch's ops changed under its owner");
      }
      // Per-thread views, read on the thread itself.
      for (int d = 0; d < kDbs; ++d) {
        if (!m.dbs[d]) continue;
        auto it = m.dbs[d]->tcs.find(m.threads[t]->uid);
        const std::size_t want = it == m.dbs[d]->tcs.end() ? 0 : it->second.list.size();
        const int want_shard = it == m.dbs[d]->tcs.end() ? -1 : static_cast<int>(it->second.shard);
        auto [got, shard] = workers[t]->Call([&] {
          return std::make_pair(dbs[d]->ThreadCachedCount(), dbs[d]->ThreadShard());
        });
        if (got != want || shard != want_shard)
          Fail("BATCH-OWN", "thread t" + std::to_string(t) + " db" + std::to_string(d) +
                                " thread cache " + std::to_string(got) + " batches on shard " +
                                std::to_string(shard) + ", model " + std::to_string(want) + " on " +
                                std::to_string(want_shard));
      }
    }
  }
};

struct Command : rc::state::Command<Model, Sut> {
  void run(const Model& s0, Sut& sut) const final {
    const Model s1 = nextState(s0);
    Exec(s0, s1, sut);
    sut.Sync(s1);
    sut.Check(s1);
  }
  virtual void Exec(const Model& s0, const Model& s1, Sut& sut) const = 0;
};
using CommandPtr = std::shared_ptr<const rc::state::Command<Model, Sut>>;

struct OpenDb : Command {
  int d;
  BatchCacheOptions o;
  explicit OpenDb(const Model& m) : d(*rc::gen::elementOf(m.Slots(false, false))) {
    o.thread_capacity = *rc::gen::inRange<std::size_t>(0, 5);
    o.thread_target = *rc::gen::inRange<std::size_t>(0, o.thread_capacity + 1);
    o.num_shards = *rc::gen::inRange<std::size_t>(1, 3);
    o.shard_capacity = *rc::gen::inRange<std::size_t>(0, 6);
    o.max_batch_bytes = kMaxBytes;
  }
  void checkPreconditions(const Model& m) const override { RC_PRE(!m.dbs[d]); }
  void apply(Model& m) const override {
    DbModel db{m.next_uid++, o, 0, {}, {}};
    db.shards.resize(o.num_shards);
    m.dbs[d] = db;
  }
  void Exec(const Model&, const Model&, Sut& sut) const override {
    sut.dbs[d] = std::make_unique<BatchCache>(o);
  }
  void show(std::ostream& os) const override {
    os << "OpenDb(db" << d << ", cap " << o.thread_capacity << ", target " << o.thread_target
       << ", shards " << o.num_shards << ", shard_cap " << o.shard_capacity << ")";
  }
};

struct CloseDb : Command {
  int d;
  explicit CloseDb(const Model& m) : d(*rc::gen::elementOf(m.Slots(false, true))) {}
  void checkPreconditions(const Model& m) const override { RC_PRE(m.dbs[d] && !m.DbHeld(d)); }
  void apply(Model& m) const override {
    DbModel& db = *m.dbs[d];
    for (auto& sh : db.shards)
      for (BatchId id : sh) m.Free(db, id);
    for (auto& [uid, tc] : db.tcs)
      for (BatchId id : tc.list) m.Free(db, id);
    m.dbs[d].reset();
  }
  void Exec(const Model& s0, const Model&, Sut& sut) const override {
    sut.dbs[d]->Close();
    const auto s = sut.dbs[d]->Stats();
    if (s.frees != s.allocations || s.thread_cached + s.shard_cached != 0 || s.bytes_retained != 0)
      Fail("NO-LEAK", "after Close: allocations " + std::to_string(s.allocations) + ", frees " +
                          std::to_string(s.frees));
    sut.dbs[d].reset();
  }
  void show(std::ostream& os) const override { os << "CloseDb(db" << d << ")"; }
};

struct StartThread : Command {
  int t;
  explicit StartThread(const Model& m) : t(*rc::gen::elementOf(m.Slots(true, false))) {}
  void checkPreconditions(const Model& m) const override { RC_PRE(!m.threads[t]); }
  void apply(Model& m) const override { m.threads[t] = ThreadModel{m.next_uid++, {}}; }
  void Exec(const Model&, const Model&, Sut& sut) const override {
    sut.workers[t] = std::make_unique<Worker>();
  }
  void show(std::ostream& os) const override { os << "StartThread(t" << t << ")"; }
};

struct EndThread : Command {
  int t;
  explicit EndThread(const Model& m) : t(*rc::gen::elementOf(m.Slots(true, true))) {}
  void checkPreconditions(const Model& m) const override {
    RC_PRE(m.threads[t] && m.threads[t]->held.empty());
  }
  void apply(Model& m) const override {
    const int uid = m.threads[t]->uid;
    for (auto& db : m.dbs) {
      if (!db) continue;
      auto it = db->tcs.find(uid);
      if (it == db->tcs.end()) continue;
      m.Push(*db, it->second.shard, it->second.list);
      db->tcs.erase(it);
    }
    m.threads[t].reset();
  }
  void Exec(const Model&, const Model&, Sut& sut) const override { sut.workers[t].reset(); }
  void show(std::ostream& os) const override { os << "EndThread(t" << t << ")"; }
};

struct Acquire : Command {
  int t, d;
  explicit Acquire(const Model& m)
      : t(*rc::gen::elementOf(m.Slots(true, true))), d(*rc::gen::elementOf(m.Slots(false, true))) {}
  void checkPreconditions(const Model& m) const override {
    RC_PRE(m.threads[t] && m.dbs[d] && m.threads[t]->held.size() < 6);
  }
  static BatchId Predict(Model& m, int t, int d) {
    DbModel& db = *m.dbs[d];
    TcModel& tc = m.Ensure(db, m.threads[t]->uid);
    if (!tc.list.empty()) {
      BatchId id = tc.list.back();
      tc.list.pop_back();
      ++db.thread_hits;
      return id;
    }
    auto& sh = db.shards[tc.shard];
    if (!sh.empty()) {
      const std::size_t k = std::min(std::max<std::size_t>(1, db.opts.thread_target), sh.size());
      std::vector<BatchId> taken(sh.rbegin(), sh.rbegin() + k);
      sh.resize(sh.size() - k);
      for (std::size_t i = taken.size(); i-- > 1;) tc.list.push_back(taken[i]);
      ++db.shard_hits;
      return taken.front();
    }
    ++db.misses;
    const BatchId id = m.next_batch++;
    m.batches[id] = BatchModel{db.uid};
    return id;
  }
  void apply(Model& m) const override {
    const BatchId id = Predict(m, t, d);
    m.threads[t]->held.push_back({d, id});
  }
  void Exec(const Model& s0, const Model& s1, Sut& sut) const override {
    WriteBatch* b = sut.workers[t]->Call([&] { return sut.dbs[d]->Acquire(); });
    sut.held[b] = {t, d};
    const BatchId id = s1.threads[t]->held.back().id;
    if (!sut.dbs[d]->Allocated(b)) Fail("BATCH-ISO", "Acquire returned another DB's batch");
    if (b->Count() != 0) Fail("BATCH-OWN", "Acquire returned a batch that was not cleared");
    auto it = sut.ptrs.find(id);
    if (it == sut.ptrs.end()) {  // the model predicts a fresh allocation
      for (const auto& [other, p] : sut.ptrs)
        if (p == b) Fail("BATCH-OWN", "Acquire allocated... but returned live batch #" + std::to_string(other));
      sut.ptrs[id] = b;
    } else if (it->second != b) {
      Fail("BATCH-OWN", "Acquire returned a different batch than the model's #" + std::to_string(id));
    }
  }
  void show(std::ostream& os) const override { os << "Acquire(t" << t << ", db" << d << ")"; }
};

// Picks one of the thread's held batches.
struct OnHeld : Command {
  int t;
  std::size_t i;
  explicit OnHeld(const Model& m) : t(*rc::gen::elementOf(m.Slots(true, true))) {
    const auto& held = m.threads[t]->held;
    RC_PRE(!held.empty());
    i = *rc::gen::inRange<std::size_t>(0, held.size());
  }
  void checkPreconditions(const Model& m) const override {
    RC_PRE(m.threads[t] && i < m.threads[t]->held.size());
  }
};

struct Release : OnHeld {
  using OnHeld::OnHeld;
  void apply(Model& m) const override {
    const Held h = m.threads[t]->held[i];
    m.threads[t]->held.erase(m.threads[t]->held.begin() + static_cast<std::ptrdiff_t>(i));
    DbModel& db = *m.dbs[h.db];
    TcModel& tc = m.Ensure(db, m.threads[t]->uid);
    ++db.releases;
    BatchModel& b = m.batches.at(h.id);
    b.small_puts = 0;
    b.ops = 0;
    if (b.oversize) {
      m.Free(db, h.id);
      return;
    }
    std::vector<BatchId> spill;
    auto& v = tc.list;
    const std::size_t cap = db.opts.thread_capacity;
    if (v.size() >= cap) {
      const std::size_t n = v.size() - std::min(db.opts.thread_target, v.size());
      spill.assign(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n));
      v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n));
    }
    if (v.size() < cap) {
      v.push_back(h.id);
    } else {
      spill.push_back(h.id);
    }
    db.spills += m.Push(db, tc.shard, spill);
  }
  void Exec(const Model& s0, const Model&, Sut& sut) const override {
    WriteBatch* b = sut.ptrs.at(s0.threads[t]->held[i].id);
    const int d = s0.threads[t]->held[i].db;
    sut.held.erase(b);
    sut.workers[t]->Call([&] { sut.dbs[d]->Release(b); });
  }
  void show(std::ostream& os) const override { os << "Release(t" << t << ", held " << i << ")"; }
};

struct Put : OnHeld {
  bool grow;
  explicit Put(const Model& m) : OnHeld(m), grow(*rc::gen::arbitrary<bool>()) {}
  void checkPreconditions(const Model& m) const override {
    OnHeld::checkPreconditions(m);
    const auto& b = m.batches.at(m.threads[t]->held[i].id);
    RC_PRE(grow || b.small_puts < kMaxSmallPuts);
  }
  void apply(Model& m) const override {
    auto& b = m.batches.at(m.threads[t]->held[i].id);
    ++b.ops;
    if (grow) {
      b.oversize = true;
    } else {
      ++b.small_puts;
    }
  }
  void Exec(const Model& s0, const Model&, Sut& sut) const override {
    WriteBatch* b = sut.ptrs.at(s0.threads[t]->held[i].id);
    sut.workers[t]->Call([&] {
      if (grow) {
        b->Put(1, "big", std::string(4 * kMaxBytes, 'x'));
      } else {
        b->Put(0, "k", "v");
      }
    });
  }
  void show(std::ostream& os) const override {
    os << (grow ? "Grow" : "Put") << "(t" << t << ", held " << i << ")";
  }
};

rc::Gen<CommandPtr> GenCommand(const Model& model) {
  auto m = std::make_shared<const Model>(model);
  return rc::gen::weightedOneOf<CommandPtr>({
      {2, tlsm::prop::MakeCommand<OpenDb>(m)},
      {1, tlsm::prop::MakeCommand<CloseDb>(m)},
      {2, tlsm::prop::MakeCommand<StartThread>(m)},
      {1, tlsm::prop::MakeCommand<EndThread>(m)},
      {8, tlsm::prop::MakeCommand<Acquire>(m)},
      {8, tlsm::prop::MakeCommand<Release>(m)},
      {3, tlsm::prop::MakeCommand<Put>(m)},
  });
}

// ctest runs it with RC_PARAMS="max_success=200" (properties/batch/CMakeLists.txt).
RC_GTEST_PROP(BatchCacheProperty, CacheMatchesModel, ()) {
  Sut sut;
  Model initial;
  const auto commands = *rc::gen::withSize([&](int size) {
    return rc::gen::resize(20 + size, rc::state::gen::commands(initial, &GenCommand));
  });
  rc::state::runAll(commands, initial, sut);
  Model m = initial;
  for (const auto& c : commands) c->apply(m);
  bool shard_hit = false, spill = false, freed = false;
  for (const auto& db : m.dbs) {
    if (!db) continue;
    shard_hit |= db->shard_hits > 0;
    spill |= db->spills > 0;
    freed |= db->frees > 0;
  }
  RC_CLASSIFY(shard_hit, "shard hit");
  RC_CLASSIFY(spill, "spill");
  RC_CLASSIFY(freed, "free");
}

}  // namespace
