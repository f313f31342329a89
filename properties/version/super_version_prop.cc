// rapidcheck stateful model of the DB host and its SuperVersion cache.
//
// Commands over 2–3 DBs x 3 CFs x 2–4 worker threads: put, delete, get, flush,
// pin (acquire-and-hold), read a pin, release a pin, drop CF, create CF, end a
// worker thread (a fresh one replaces it), close DB, reopen DB. Every worker is
// a real std::thread fed commands through a queue; commands run one at a time
// and the system is checked against a pure model after each one:
//   read-your-writes / DB and CF isolation (SV-ISO), held-snapshot
//   consistency, versions never go backwards per thread (SV-FRESH), live
//   SuperVersion counts (SV-ONCE, SV-DROP), no stale slot (SV-STALE).
#include "engine/db/db.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <queue>
#include <thread>

namespace {

using tlsm::db::CfInfo;
using tlsm::db::ColumnFamily;
using tlsm::db::DB;
using tlsm::db::PinnedView;
using tlsm::db::Status;
using tlsm::version::LiveSuperVersions;

constexpr int kCfs = 3;  // "default", "c1", "c2"
std::string CfName(int c) { return c == 0 ? "default" : "c" + std::to_string(c); }

// ---- the pure model ---------------------------------------------------------

struct CfModel {
  bool live = true;
  int gen = 0;  // bumped on re-create
  std::map<std::string, std::string> data;
  bool dirty = false;  // writes since the last flush
  std::uint64_t version = 1;
};

struct PinModel {
  int db = 0, cf = 0, gen = 0, db_gen = 0;
  std::uint64_t version = 0;
  std::map<std::string, std::string> data;
};

struct Model {
  int num_dbs = 2;
  int num_workers = 2;
  std::vector<bool> open;
  std::vector<int> db_gen;  // bumped on reopen
  std::vector<std::vector<CfModel>> cfs;
  std::vector<std::vector<PinModel>> pins;  // per worker
  // Per worker: last pinned version per (db, db_gen, cf, gen).
  std::vector<std::map<std::tuple<int, int, int, int>, std::uint64_t>> last_version;
};

// ---- the system under test --------------------------------------------------

class Worker {
 public:
  Worker() : thread_([this] { Loop(); }) {}
  ~Worker() {
    Run([this] { quit_ = true; });
    thread_.join();
  }
  void Run(std::function<void()> fn) {
    std::unique_lock<std::mutex> l(mu_);
    job_ = std::move(fn);
    done_ = false;
    cv_.notify_all();
    cv_.wait(l, [this] { return done_; });
  }

 private:
  void Loop() {
    while (true) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> l(mu_);
        cv_.wait(l, [this] { return job_ != nullptr; });
        job = std::move(job_);
        job_ = nullptr;
      }
      job();
      std::lock_guard<std::mutex> l(mu_);
      done_ = true;
      cv_.notify_all();
      if (quit_) return;
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::function<void()> job_;
  bool done_ = true;
  bool quit_ = false;
  std::thread thread_;
};

struct Sut {
  std::int64_t base_live = 0;
  std::vector<std::unique_ptr<DB>> dbs;
  std::vector<std::vector<ColumnFamily>> handles;
  std::vector<std::unique_ptr<Worker>> workers;
  // Pins live on their worker's thread (created and released there).
  std::vector<std::vector<std::unique_ptr<PinnedView>>> pins;

  // Also on a failed command: pins are released on their own threads first.
  ~Sut() {
    for (std::size_t w = 0; w < workers.size(); ++w) {
      if (w < pins.size()) workers[w]->Run([&] { pins[w].clear(); });
    }
    workers.clear();
    for (auto& db : dbs) db->Close();
  }

  static std::unique_ptr<DB> OpenDb(int d, std::vector<ColumnFamily>* hs) {
    auto db = std::make_unique<DB>("db" + std::to_string(d));
    hs->assign(kCfs, ColumnFamily());
    (*hs)[0] = db->DefaultColumnFamily();
    for (int c = 1; c < kCfs; ++c) {
      Status s = db->CreateColumnFamily(CfName(c), &(*hs)[c]);
      RC_ASSERT(s.ok());
    }
    return db;
  }
};

using Cmd = rc::state::Command<Model, Sut>;

std::string Key() { return *rc::gen::element<std::string>("a", "b", "c"); }

// Status a handle call must return on (d, c) in the model, or OK.
tlsm::db::Code ExpectedState(const Model& m, int d, int c) {
  if (!m.open[d]) return tlsm::db::Code::kClosed;
  if (!m.cfs[d][c].live) return tlsm::db::Code::kDropped;
  return tlsm::db::Code::kOk;
}

// A command a worker runs on (DB d, CF c). Draws w, d, then c from
// `first_cf` up (CF 0 is the default CF, never dropped or created) and folds
// w and d into the model's worker and DB counts.
struct OnCf : Cmd {
  int w = *rc::gen::inRange(0, 4), d = *rc::gen::inRange(0, 3), c;
  OnCf(const Model& m, int first_cf) : c(*rc::gen::inRange(first_cf, kCfs)) {
    w %= m.num_workers;
    d %= m.num_dbs;
  }
  void checkPreconditions(const Model& m) const override {
    RC_PRE(w < m.num_workers && d < m.num_dbs);
  }
};

struct Put : OnCf {
  std::string key = Key(), value = *rc::gen::element<std::string>("1", "2", "3", "44");
  bool del = *rc::gen::inRange(0, 5) == 0;
  explicit Put(const Model& m) : OnCf(m, 0) {}
  void apply(Model& m) const override {
    if (ExpectedState(m, d, c) != tlsm::db::Code::kOk) return;
    auto& cf = m.cfs[d][c];
    if (del) {
      cf.data.erase(key);
    } else {
      cf.data[key] = value;
    }
    cf.dirty = true;
  }
  void run(const Model& m, Sut& s) const override {
    Status st;
    s.workers[w]->Run([&] {
      st = del ? s.dbs[d]->Delete(s.handles[d][c], key)
               : s.dbs[d]->Put(s.handles[d][c], key, value);
    });
    RC_ASSERT(st.code() == ExpectedState(m, d, c));
  }
  void show(std::ostream& os) const override {
    os << "w" << w << (del ? " Delete(db" : " Put(db") << d << "," << CfName(c) << "," << key
       << (del ? "" : "=" + value) << ")";
  }
};

struct Get : OnCf {
  std::string key = Key();
  explicit Get(const Model& m) : OnCf(m, 0) {}
  void run(const Model& m, Sut& s) const override {
    Status st;
    std::string v;
    s.workers[w]->Run([&] { st = s.dbs[d]->Get(s.handles[d][c], key, &v); });
    const auto exp = ExpectedState(m, d, c);
    if (exp != tlsm::db::Code::kOk) {
      RC_ASSERT(st.code() == exp);
      return;
    }
    const auto& data = m.cfs[d][c].data;
    auto it = data.find(key);
    if (it == data.end()) {
      RC_ASSERT(st.IsNotFound());
    } else {
      RC_ASSERT(st.ok());
      RC_ASSERT(v == it->second);  // read-your-writes, SV-ISO
    }
  }
  void show(std::ostream& os) const override {
    os << "w" << w << " Get(db" << d << "," << CfName(c) << "," << key << ")";
  }
};

struct Flush : OnCf {
  explicit Flush(const Model& m) : OnCf(m, 0) {}
  void apply(Model& m) const override {
    if (ExpectedState(m, d, c) != tlsm::db::Code::kOk) return;
    auto& cf = m.cfs[d][c];
    if (cf.dirty) ++cf.version;
    cf.dirty = false;
  }
  void run(const Model& m, Sut& s) const override {
    Status st;
    s.workers[w]->Run([&] { st = s.dbs[d]->Flush(s.handles[d][c]); });
    RC_ASSERT(st.code() == ExpectedState(m, d, c));
  }
  void show(std::ostream& os) const override {
    os << "w" << w << " Flush(db" << d << "," << CfName(c) << ")";
  }
};

struct PinCmd : OnCf {  // acquire-and-hold
  explicit PinCmd(const Model& m) : OnCf(m, 0) {
    RC_PRE(m.pins[w].size() < 3u);
  }
  void checkPreconditions(const Model& m) const override {
    OnCf::checkPreconditions(m);
    RC_PRE(m.pins[w].size() < 3u);
  }
  void apply(Model& m) const override {
    if (ExpectedState(m, d, c) != tlsm::db::Code::kOk) return;
    const auto& cf = m.cfs[d][c];
    m.pins[w].push_back(PinModel{d, c, cf.gen, m.db_gen[d], cf.version, cf.data});
    m.last_version[w][{d, m.db_gen[d], c, cf.gen}] = cf.version;
  }
  void run(const Model& m, Sut& s) const override {
    Status st;
    auto pin = std::make_unique<PinnedView>();
    s.workers[w]->Run([&] { st = s.dbs[d]->Pin(s.handles[d][c], pin.get()); });
    PinnedView* p = pin.get();
    if (st.ok()) s.pins[w].push_back(std::move(pin));  // before any assertion
    RC_ASSERT(st.code() == ExpectedState(m, d, c));
    if (!st.ok()) return;
    const auto& cf = m.cfs[d][c];
    RC_ASSERT(p->version() == cf.version);
    auto it = m.last_version[w].find({d, m.db_gen[d], c, cf.gen});
    if (it != m.last_version[w].end()) RC_ASSERT(p->version() >= it->second);  // SV-FRESH
    RC_ASSERT(p->db_id() == s.dbs[d]->id());                                     // SV-ISO
    RC_ASSERT(p->cf_id() == s.handles[d][c].id());
  }
  void show(std::ostream& os) const override {
    os << "w" << w << " Pin(db" << d << "," << CfName(c) << ")";
  }
};

struct ReadPin : Cmd {
  int w = *rc::gen::inRange(0, 4), i = *rc::gen::inRange(0, 3);
  std::string key = Key();
  explicit ReadPin(const Model& m) {
    w %= m.num_workers;
    RC_PRE(!m.pins[w].empty());
    i %= static_cast<int>(m.pins[w].size());
  }
  void checkPreconditions(const Model& m) const override {
    RC_PRE(w < m.num_workers && i < static_cast<int>(m.pins[w].size()));
  }
  void run(const Model& m, Sut& s) const override {
    const PinModel& p = m.pins[w][i];
    Status st;
    std::string v;
    s.workers[w]->Run([&] { st = s.pins[w][i]->Get(key, &v); });
    auto it = p.data.find(key);
    if (it == p.data.end()) {
      RC_ASSERT(st.IsNotFound());
    } else {
      RC_ASSERT(st.ok());
      RC_ASSERT(v == it->second);  // held-snapshot consistency
    }
  }
  void show(std::ostream& os) const override {
    os << "w" << w << " ReadPin(" << i << "," << key << ")";
  }
};

struct Release : Cmd {
  int w = *rc::gen::inRange(0, 4), i = *rc::gen::inRange(0, 3);
  explicit Release(const Model& m) {
    w %= m.num_workers;
    RC_PRE(!m.pins[w].empty());
    i %= static_cast<int>(m.pins[w].size());
  }
  void checkPreconditions(const Model& m) const override {
    RC_PRE(w < m.num_workers && i < static_cast<int>(m.pins[w].size()));
  }
  void apply(Model& m) const override { m.pins[w].erase(m.pins[w].begin() + i); }
  void run(const Model&, Sut& s) const override {
    s.workers[w]->Run([&] { s.pins[w][i]->Release(); });
    s.pins[w].erase(s.pins[w].begin() + i);
  }
  void show(std::ostream& os) const override { os << "w" << w << " Release(" << i << ")"; }
};

struct DropCf : OnCf {
  explicit DropCf(const Model& m) : OnCf(m, 1) {}
  void apply(Model& m) const override {
    if (m.open[d]) m.cfs[d][c].live = false;
  }
  void run(const Model& m, Sut& s) const override {
    Status st;
    s.workers[w]->Run([&] { st = s.dbs[d]->DropColumnFamily(CfName(c)); });
    if (!m.open[d]) {
      RC_ASSERT(st.IsClosed());
    } else if (!m.cfs[d][c].live) {
      RC_ASSERT(st.IsInvalidArgument());  // unknown CF
    } else {
      RC_ASSERT(st.ok());
    }
  }
  void show(std::ostream& os) const override {
    os << "w" << w << " DropCf(db" << d << "," << CfName(c) << ")";
  }
};

struct CreateCf : OnCf {
  explicit CreateCf(const Model& m) : OnCf(m, 1) {}
  void apply(Model& m) const override {
    if (!m.open[d] || m.cfs[d][c].live) return;
    auto& cf = m.cfs[d][c];
    cf = CfModel{true, cf.gen + 1, {}, false, 1};
  }
  void run(const Model& m, Sut& s) const override {
    Status st;
    ColumnFamily h;
    s.workers[w]->Run([&] { st = s.dbs[d]->CreateColumnFamily(CfName(c), &h); });
    if (!m.open[d]) {
      RC_ASSERT(st.IsClosed());
    } else if (m.cfs[d][c].live) {
      RC_ASSERT(st.IsInvalidArgument());  // exists
    } else {
      RC_ASSERT(st.ok());
      s.handles[d][c] = h;
    }
  }
  void show(std::ostream& os) const override {
    os << "w" << w << " CreateCf(db" << d << "," << CfName(c) << ")";
  }
};

struct EndThread : Cmd {  // the worker's thread exits; a fresh one replaces it
  int w = *rc::gen::inRange(0, 4);
  explicit EndThread(const Model& m) { w %= m.num_workers; }
  void checkPreconditions(const Model& m) const override { RC_PRE(w < m.num_workers); }
  void apply(Model& m) const override {
    m.pins[w].clear();
    m.last_version[w].clear();
  }
  void run(const Model&, Sut& s) const override {
    s.workers[w]->Run([&] { s.pins[w].clear(); });  // pins go on their thread
    s.workers[w] = std::make_unique<Worker>();
  }
  void show(std::ostream& os) const override { os << "w" << w << " EndThread"; }
};

struct CloseDb : Cmd {
  int w = *rc::gen::inRange(0, 4), d = *rc::gen::inRange(0, 3);
  explicit CloseDb(const Model& m) {
    w %= m.num_workers;
    d %= m.num_dbs;
  }
  void checkPreconditions(const Model& m) const override {
    RC_PRE(w < m.num_workers && d < m.num_dbs);
  }
  void apply(Model& m) const override { m.open[d] = false; }
  void run(const Model&, Sut& s) const override {
    Status st;
    s.workers[w]->Run([&] { st = s.dbs[d]->Close(); });
    RC_ASSERT(st.ok());
  }
  void show(std::ostream& os) const override { os << "w" << w << " CloseDb(db" << d << ")"; }
};

struct ReopenDb : Cmd {  // a fresh, empty DB in the closed one's place
  int d = *rc::gen::inRange(0, 3);
  explicit ReopenDb(const Model& m) {
    d %= m.num_dbs;
    RC_PRE(!m.open[d]);
  }
  void checkPreconditions(const Model& m) const override {
    RC_PRE(d < m.num_dbs && !m.open[d]);
  }
  void apply(Model& m) const override {
    m.open[d] = true;
    ++m.db_gen[d];
    for (auto& cf : m.cfs[d]) cf = CfModel{true, cf.gen + 1, {}, false, 1};
  }
  void run(const Model&, Sut& s) const override {
    s.dbs[d] = Sut::OpenDb(d, &s.handles[d]);  // old handles stay with pins
  }
  void show(std::ostream& os) const override { os << "ReopenDb(db" << d << ")"; }
};

// The quiescent checks after every command.
void CheckQuiescent(const Model& m, Sut& s) {
  // Live SuperVersions: one current per live CF of an open DB, plus every
  // distinct pinned SuperVersion that is not (any longer) a current one.
  std::set<std::tuple<int, int, int, int, std::uint64_t>> extra;
  for (const auto& ps : m.pins) {
    for (const auto& p : ps) {
      const auto& cf = m.cfs[p.db][p.cf];
      const bool current = m.open[p.db] && p.db_gen == m.db_gen[p.db] && cf.live &&
                           cf.gen == p.gen && cf.version == p.version;
      if (!current) extra.insert({p.db, p.db_gen, p.cf, p.gen, p.version});
    }
  }
  std::int64_t expected = static_cast<std::int64_t>(extra.size());
  for (int d = 0; d < m.num_dbs; ++d) {
    if (!m.open[d]) continue;
    for (const auto& cf : m.cfs[d]) expected += cf.live ? 1 : 0;
  }
  RC_ASSERT(LiveSuperVersions() - s.base_live == expected);  // SV-ONCE, SV-DROP
  for (int d = 0; d < m.num_dbs; ++d) {
    if (!m.open[d]) continue;
    for (int c = 0; c < kCfs; ++c) {
      if (!m.cfs[d][c].live) continue;
      CfInfo info;
      RC_ASSERT(s.dbs[d]->Describe(s.handles[d][c], &info).ok());
      RC_ASSERT(info.slots.stale == 0);  // SV-STALE
      RC_ASSERT(info.version == m.cfs[d][c].version);
    }
  }
}

// Wraps every command with the quiescent checks.
template <class C>
struct Checked : C {
  explicit Checked(const Model& m) : C(m) {}
  void run(const Model& m, Sut& s) const override {
    C::run(m, s);
    Model next = m;
    C::apply(next);
    CheckQuiescent(next, s);
  }
};

RC_GTEST_PROP(SuperVersionProperty, DbHostMatchesModel, ()) {
  const int num_dbs = *rc::gen::inRange(2, 4);
  const int num_workers = *rc::gen::inRange(2, 5);
  Model m;
  m.num_dbs = num_dbs;
  m.num_workers = num_workers;
  m.open.assign(num_dbs, true);
  m.db_gen.assign(num_dbs, 0);
  m.cfs.assign(num_dbs, std::vector<CfModel>(kCfs));
  m.pins.assign(num_workers, {});
  m.last_version.assign(num_workers, {});
  const auto base = LiveSuperVersions();
  {
    Sut s;
    s.base_live = base;
    s.handles.resize(num_dbs);
    for (int d = 0; d < num_dbs; ++d) s.dbs.push_back(Sut::OpenDb(d, &s.handles[d]));
    for (int w = 0; w < num_workers; ++w) s.workers.push_back(std::make_unique<Worker>());
    s.pins.resize(num_workers);
    rc::state::check(
        m, s,
        rc::state::gen::execOneOfWithArgs<Checked<Put>, Checked<Put>, Checked<Get>,
                                          Checked<Get>, Checked<Flush>, Checked<PinCmd>,
                                          Checked<ReadPin>, Checked<Release>, Checked<DropCf>,
                                          Checked<CreateCf>, Checked<EndThread>,
                                          Checked<CloseDb>, Checked<ReopenDb>>());
  }
  RC_ASSERT(LiveSuperVersions() == base);  // NO-LEAK
}

}  // namespace
