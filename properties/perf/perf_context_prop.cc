// properties/perf/perf_context_prop.cc — rapidcheck stateful model of
// PerfContext levels and PerfAggregate sums on real threads.
//
// Commands over kThreads worker threads and kAggs aggregate slots: start/end
// a thread, set its level, count a counter (optionally into an aggregate),
// run a timer scope, reset its context, create/destroy an aggregate. After
// every command, with everything quiescent:
//   - every live thread's context equals the model: counters move only for
//     the thread that counted, and only when its level reaches the gate;
//     timers likewise                                      PERF-LOCAL, PERF-LEVEL
//   - every aggregate's Totals() equals the sum of the gated contributions
//     of every thread that recorded into it, including exited ones, and
//     LiveThreads() the number of live contributors          PERF-SUM
// Reproduce: RC_PARAMS="reproduce=..." as printed; "max_success=N seed=S".
#include "engine/perf/perf_aggregate.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <array>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>

#include "properties/common/command_gen.h"
#include "properties/common/worker.h"

namespace {

using namespace tlsm::perf;
using tlsm::prop::Worker;

constexpr int kThreads = 3;
constexpr int kAggs = 2;

struct Counts {
  std::array<std::uint64_t, kNumCounters> c{};
  std::array<std::uint64_t, kNumTimers> t{};
};

struct ThreadModel {
  int uid = 0;
  PerfLevel level = PerfLevel::kCounts;
  Counts counts;
  std::array<bool, kNumCounters> gated_c{};  // an event was gated away
  std::array<bool, kNumTimers> gated_t{};
};

struct AggModel {
  Counts totals;
  std::set<int> contributors;  // live thread uids with a block
};

struct Model {
  std::array<std::optional<ThreadModel>, kThreads> threads;
  std::array<std::optional<AggModel>, kAggs> aggs;
  int next_uid = 1;
  std::vector<int> Slots(bool want_threads, bool alive) const {
    std::vector<int> r;
    for (int i = 0; i < (want_threads ? kThreads : kAggs); ++i) {
      const bool a = want_threads ? threads[i].has_value() : aggs[i].has_value();
      if (a == alive) r.push_back(i);
    }
    return r;
  }
};

// The documented gates (docs/perf_context.md), independent of the engine's
// table so a wrong gate in the engine shows up as PERF-LEVEL.
PerfLevel ModelGate(bool timer, std::size_t which) {
  if (timer) return PerfLevel::kTimings;
  switch (static_cast<Counter>(which)) {
    case Counter::kSvCacheHits:
    case Counter::kSvCacheMisses:
    case Counter::kSvInvalidations:
    case Counter::kBatchCacheHits:
    case Counter::kBatchCacheMisses:
      return PerfLevel::kDetailedCounts;
    default:
      return PerfLevel::kCounts;
  }
}

[[noreturn]] void Fail(const char* id, const std::string& msg) {
  RC_FAIL(std::string(id) + ": " + msg);
}

struct Sut {
  std::array<std::unique_ptr<Worker>, kThreads> workers;
  std::array<std::unique_ptr<PerfAggregate>, kAggs> aggs;
  ~Sut() {
    for (auto& w : workers) w.reset();
    for (auto& a : aggs) a.reset();
  }
  void Check(const Model& m) {
    for (int t = 0; t < kThreads; ++t) {
      if (!m.threads[t]) continue;
      const ThreadModel& tm = *m.threads[t];
      auto [snap, level] = workers[t]->Call([] {
        return std::make_pair(GetPerfContext()->Snapshot(), GetPerfLevel());
      });
      if (level != tm.level) Fail("PERF-LOCAL", "thread t" + std::to_string(t) + " level changed");
      for (std::size_t i = 0; i < kNumCounters; ++i) {
        if (snap.counters[i] == tm.counts.c[i]) continue;
        Fail(tm.gated_c[i] ? "PERF-LEVEL" : "PERF-LOCAL",
             "thread t" + std::to_string(t) + " " + CounterName(static_cast<Counter>(i)) + " = " +
                 std::to_string(snap.counters[i]) + ", model " + std::to_string(tm.counts.c[i]) +
                 " (level " + LevelName(tm.level) + ")");
      }
      for (std::size_t i = 0; i < kNumTimers; ++i) {
        if (snap.timer_count[i] == tm.counts.t[i]) continue;
        Fail(tm.gated_t[i] ? "PERF-LEVEL" : "PERF-LOCAL",
             "thread t" + std::to_string(t) + " " + TimerName(static_cast<Timer>(i)) + " ran " +
                 std::to_string(snap.timer_count[i]) + " times, model " +
                 std::to_string(tm.counts.t[i]));
      }
    }
    for (int a = 0; a < kAggs; ++a) {
      if (!m.aggs[a]) continue;
      const auto s = aggs[a]->Totals();
      for (std::size_t i = 0; i < kNumCounters; ++i)
        if (s.counters[i] != m.aggs[a]->totals.c[i])
          Fail("PERF-SUM", "aggregate a" + std::to_string(a) + " " +
                               CounterName(static_cast<Counter>(i)) + " = " +
                               std::to_string(s.counters[i]) + ", model " +
                               std::to_string(m.aggs[a]->totals.c[i]));
      for (std::size_t i = 0; i < kNumTimers; ++i)
        if (s.timer_count[i] != m.aggs[a]->totals.t[i])
          Fail("PERF-SUM", "aggregate a" + std::to_string(a) + " timer " +
                               TimerName(static_cast<Timer>(i)) + " count differs");
      if (aggs[a]->LiveThreads() != m.aggs[a]->contributors.size())
        Fail("PERF-SUM", "aggregate a" + std::to_string(a) + " live blocks " +
                             std::to_string(aggs[a]->LiveThreads()) + ", model " +
                             std::to_string(m.aggs[a]->contributors.size()));
    }
  }
};

struct Command : rc::state::Command<Model, Sut> {
  void run(const Model& s0, Sut& sut) const final {
    Exec(s0, sut);
    sut.Check(nextState(s0));
  }
  virtual void Exec(const Model& s0, Sut& sut) const = 0;
};
using CommandPtr = std::shared_ptr<const rc::state::Command<Model, Sut>>;

struct StartThread : Command {
  int t;
  explicit StartThread(const Model& m) : t(*rc::gen::elementOf(m.Slots(true, false))) {}
  void checkPreconditions(const Model& m) const override { RC_PRE(!m.threads[t]); }
  void apply(Model& m) const override {
    ThreadModel tm;
    tm.uid = m.next_uid++;
    m.threads[t] = tm;
  }
  void Exec(const Model&, Sut& sut) const override { sut.workers[t] = std::make_unique<Worker>(); }
  void show(std::ostream& os) const override { os << "StartThread(t" << t << ")"; }
};

struct EndThread : Command {
  int t;
  explicit EndThread(const Model& m) : t(*rc::gen::elementOf(m.Slots(true, true))) {}
  void checkPreconditions(const Model& m) const override { RC_PRE(m.threads[t].has_value()); }
  void apply(Model& m) const override {
    for (auto& a : m.aggs)
      if (a) a->contributors.erase(m.threads[t]->uid);  // retired: totals stay
    m.threads[t].reset();
  }
  void Exec(const Model&, Sut& sut) const override { sut.workers[t].reset(); }
  void show(std::ostream& os) const override { os << "EndThread(t" << t << ")"; }
};

struct CreateAgg : Command {
  int a;
  explicit CreateAgg(const Model& m) : a(*rc::gen::elementOf(m.Slots(false, false))) {}
  void checkPreconditions(const Model& m) const override { RC_PRE(!m.aggs[a]); }
  void apply(Model& m) const override { m.aggs[a] = AggModel{}; }
  void Exec(const Model&, Sut& sut) const override { sut.aggs[a] = std::make_unique<PerfAggregate>(); }
  void show(std::ostream& os) const override { os << "CreateAgg(a" << a << ")"; }
};

struct DestroyAgg : Command {
  int a;
  explicit DestroyAgg(const Model& m) : a(*rc::gen::elementOf(m.Slots(false, true))) {}
  void checkPreconditions(const Model& m) const override { RC_PRE(m.aggs[a].has_value()); }
  void apply(Model& m) const override { m.aggs[a].reset(); }
  void Exec(const Model&, Sut& sut) const override { sut.aggs[a].reset(); }
  void show(std::ostream& os) const override { os << "DestroyAgg(a" << a << ")"; }
};

struct SetLevel : Command {
  int t;
  PerfLevel level;
  explicit SetLevel(const Model& m)
      : t(*rc::gen::elementOf(m.Slots(true, true))),
        level(static_cast<PerfLevel>(*rc::gen::inRange(0, 4))) {}
  void checkPreconditions(const Model& m) const override { RC_PRE(m.threads[t].has_value()); }
  void apply(Model& m) const override { m.threads[t]->level = level; }
  void Exec(const Model&, Sut& sut) const override {
    sut.workers[t]->Call([&] { SetPerfLevel(level); });
  }
  void show(std::ostream& os) const override {
    os << "SetLevel(t" << t << ", " << LevelName(level) << ")";
  }
};

struct Reset : Command {
  int t;
  explicit Reset(const Model& m) : t(*rc::gen::elementOf(m.Slots(true, true))) {}
  void checkPreconditions(const Model& m) const override { RC_PRE(m.threads[t].has_value()); }
  void apply(Model& m) const override {
    m.threads[t]->counts = Counts{};
    m.threads[t]->gated_c = {};
    m.threads[t]->gated_t = {};
  }
  void Exec(const Model&, Sut& sut) const override {
    sut.workers[t]->Call([] { GetPerfContext()->Reset(); });
  }
  void show(std::ostream& os) const override { os << "Reset(t" << t << ")"; }
};

// Count a counter or run a timer scope, optionally into an aggregate.
struct Record : Command {
  int t;
  int agg;  // -1: none
  bool timer;
  std::size_t which;
  std::uint64_t n;
  explicit Record(const Model& m)
      : t(*rc::gen::elementOf(m.Slots(true, true))),
        agg(*rc::gen::inRange(-1, kAggs)),
        timer(*rc::gen::weightedOneOf<bool>({{3, rc::gen::just(false)}, {1, rc::gen::just(true)}})),
        which(*rc::gen::inRange<std::size_t>(0, timer ? kNumTimers : kNumCounters)),
        n(*rc::gen::inRange<std::uint64_t>(1, 5)) {}
  void checkPreconditions(const Model& m) const override {
    RC_PRE(m.threads[t].has_value() && (agg < 0 || m.aggs[agg].has_value()));
  }
  void apply(Model& m) const override {
    ThreadModel& tm = *m.threads[t];
    const PerfLevel gate = ModelGate(timer, which);
    if (tm.level < gate) {
      (timer ? tm.gated_t[which] : tm.gated_c[which]) = true;
      return;
    }
    const std::uint64_t add = timer ? 1 : n;
    (timer ? tm.counts.t[which] : tm.counts.c[which]) += add;
    if (agg >= 0) {
      AggModel& a = *m.aggs[agg];
      (timer ? a.totals.t[which] : a.totals.c[which]) += add;
      a.contributors.insert(tm.uid);
    }
  }
  void Exec(const Model&, Sut& sut) const override {
    PerfAggregate* a = agg >= 0 ? sut.aggs[agg].get() : nullptr;
    sut.workers[t]->Call([&] {
      if (timer) {
        PerfTimer scope(static_cast<Timer>(which), a);
      } else if (a != nullptr) {
        PerfCount(static_cast<Counter>(which), n, a);
      } else {
        PerfCount(static_cast<Counter>(which), n);
      }
    });
  }
  void show(std::ostream& os) const override {
    os << "Record(t" << t << ", "
       << (timer ? TimerName(static_cast<Timer>(which)) : CounterName(static_cast<Counter>(which)))
       << (timer ? "" : " x" + std::to_string(n));
    if (agg >= 0) os << ", a" << agg;
    os << ")";
  }
};

rc::Gen<CommandPtr> GenCommand(const Model& model) {
  auto m = std::make_shared<const Model>(model);
  return rc::gen::weightedOneOf<CommandPtr>({
      {2, tlsm::prop::MakeCommand<StartThread>(m)},
      {1, tlsm::prop::MakeCommand<EndThread>(m)},
      {2, tlsm::prop::MakeCommand<CreateAgg>(m)},
      {1, tlsm::prop::MakeCommand<DestroyAgg>(m)},
      {2, tlsm::prop::MakeCommand<SetLevel>(m)},
      {1, tlsm::prop::MakeCommand<Reset>(m)},
      {8, tlsm::prop::MakeCommand<Record>(m)},
  });
}

// ctest runs it with RC_PARAMS="max_success=200" (properties/perf/CMakeLists.txt).
RC_GTEST_PROP(PerfContextProperty, PerfMatchesModel, ()) {
  Sut sut;
  Model initial;
  const auto commands = *rc::gen::withSize([&](int size) {
    return rc::gen::resize(20 + size / 2, rc::state::gen::commands(initial, &GenCommand));
  });
  rc::state::runAll(commands, initial, sut);
}

}  // namespace
