// properties/tls/thread_local_ptr_prop.cc — a rapidcheck stateful model of the
// thread-local matrix (engine/tls), run on real threads.
//
// What it does
//   rapidcheck generates a sequence of commands over up to kThreads simulated
//   threads and kColumns column slots: create/destroy a column, start/end a
//   thread, and per thread Get, Reset, Swap, CompareAndSwap, plus Scrape and
//   Fold (run on the test thread or on a worker). Every simulated thread is a
//   real std::thread with a one-slot command queue; the test thread hands it
//   one command and waits until it has finished, so the execution is a
//   sequential (but genuinely multi-threaded) history. After every command the
//   system is compared with the pure Model:
//     - every (thread, column) slot, read by that thread's Get   TLS-OWN, TLS-INIT
//     - the handler calls of every value, and on which thread    TLS-ONCE
//       they ran (exactly once for values left at thread exit or
//       reclaim or replaced by Reset; never for Swap/CAS/Scrape)
//     - every handler call carries its own column's tag          TLS-ISO
//     - column ids (free list, LIFO) and GetMatrixStats()       NO-LEAK
//     - Swap/CAS/Scrape results and Fold's visited values         TLS-OWN
//   Values are small integers cast to void*: (column uid << 20) | sequence,
//   so each handler can check that it only sees its own column's values.
//   Some columns get a *forwarding* handler: at thread exit it stores the
//   value into a per-case sink column with Reset, i.e. a handler that uses
//   the matrix (and refills the exiting row) during the thread's teardown;
//   the sink's handler must then see each forwarded value exactly once, in a
//   later teardown round on the same thread.
//
// Reproducing a failure: the failure message names the invariant id and the
// shrunk command sequence; rapidcheck also prints an RC_PARAMS="reproduce=..."
// line that replays exactly that case. Knobs: RC_PARAMS="max_success=1000",
// "seed=42", "max_size=..." (sequences of up to 10 + 0.4 * max_size commands).
#include "engine/tls/thread_local_ptr.h"
#include "properties/common/command_gen.h"
#include "properties/common/worker.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using tlsm::tls::GetMatrixStats;
using tlsm::tls::MatrixStats;
using tlsm::tls::ThreadLocalColumn;
using tlsm::tls::UnrefHandler;

constexpr int kThreads = 3;  // simulated threads (workers) alive at once
constexpr int kColumns = 4;  // column slots alive at once
constexpr int kTestThread = -1;  // "on" value: run on the test thread
constexpr int kTestThreadLabel = 0;

using Value = std::uintptr_t;
constexpr int kSeqBits = 20;
Value MakeValue(std::uint32_t uid, std::uint32_t seq) {
  return (Value{uid} << kSeqBits) | (seq & ((1u << kSeqBits) - 1));
}
std::uint32_t UidOf(Value v) { return static_cast<std::uint32_t>(v >> kSeqBits); }
void* P(Value v) { return reinterpret_cast<void*>(v); }
Value V(const void* p) { return reinterpret_cast<Value>(p); }

std::string ShowValue(Value v) {
  if (v == 0) return "null";
  std::ostringstream os;
  os << "u" << UidOf(v) << "." << (v & ((1u << kSeqBits) - 1));
  return os.str();
}

// Which simulated thread is running: 0 = test thread, else a worker's label.
// Read by handlers, including those that run during the thread's teardown
// (a constant-initialised thread_local int stays readable there).
thread_local int t_label = kTestThreadLabel;
// Set by a worker when it leaves its loop: its row teardown is what runs next.
thread_local bool t_exiting = false;

// ---------------------------------------------------------------------------
// The pure model.

enum class HandlerKind { kCounting, kNone, kForwarding };

struct ColumnModel {
  std::uint32_t uid;  // unique per created column (per case)
  std::uint32_t id;   // predicted matrix id
  HandlerKind kind;
  bool has_handler() const { return kind != HandlerKind::kNone; }
};

struct ThreadModel {
  int label;
  bool has_row = false;                  // a write (Reset/Swap/CAS) made a row
  std::map<std::uint32_t, Value> slots;  // column uid -> non-null value
};

using HandlerCalls = std::map<std::pair<Value, int>, int>;  // (value, label) -> calls

struct Model {
  std::array<std::optional<ColumnModel>, kColumns> cols;
  std::array<std::optional<ThreadModel>, kThreads> threads;
  HandlerCalls handled;                 // expected handler calls
  HandlerCalls sink_handled;            // expected calls of the sink's handler
  std::vector<std::uint32_t> free_ids;  // back() is reused next
  std::uint32_t id_space = 0;
  std::size_t base_rows = 0;
  std::size_t base_live = 0;
  std::uint32_t next_uid = 1;
  std::uint32_t next_seq = 1;
  int next_label = 1;

  Value Fresh(std::uint32_t uid, int k = 0) const { return MakeValue(uid, next_seq + k); }
  Value Slot(int t, int c) const {
    const auto& s = threads[t]->slots;
    auto it = s.find(cols[c]->uid);
    return it == s.end() ? 0 : it->second;
  }
  void SetSlot(int t, int c, Value v) {
    auto& s = threads[t]->slots;
    if (v == 0) {
      s.erase(cols[c]->uid);
    } else {
      s[cols[c]->uid] = v;
    }
  }
  void Handle(int c, Value v, int label) {
    if (v != 0 && cols[c]->has_handler()) ++handled[{v, label}];
  }
  int LabelOf(int on) const { return on == kTestThread ? kTestThreadLabel : threads[on]->label; }
  std::vector<int> Live(bool threads_not_cols) const {
    std::vector<int> r;
    if (threads_not_cols) {
      for (int t = 0; t < kThreads; ++t)
        if (threads[t]) r.push_back(t);
    } else {
      for (int c = 0; c < kColumns; ++c)
        if (cols[c]) r.push_back(c);
    }
    return r;
  }
  std::vector<int> LiveThreads() const { return Live(true); }
  std::vector<int> LiveColumns() const { return Live(false); }
  std::vector<int> Callers() const {  // the test thread or any live worker
    std::vector<int> r{kTestThread};
    for (int t : LiveThreads()) r.push_back(t);
    return r;
  }
  std::vector<Value> NonNull(int c) const {  // sorted
    std::vector<Value> r;
    for (const auto& t : threads)
      if (t) {
        auto it = t->slots.find(cols[c]->uid);
        if (it != t->slots.end()) r.push_back(it->second);
      }
    std::sort(r.begin(), r.end());
    return r;
  }
};

// ---------------------------------------------------------------------------
// The system under test.

// Records every handler call of one column; flags values of other columns.
struct HandlerContext {
  // uid 0: the sink, which accepts every column's (forwarded) values.
  explicit HandlerContext(std::uint32_t u, ThreadLocalColumn* fwd = nullptr)
      : uid(u), forward_to(fwd) {}
  const std::uint32_t uid;
  ThreadLocalColumn* const forward_to;  // forwarding handler: the sink
  std::mutex mu;
  HandlerCalls calls;
  std::vector<Value> foreign;  // TLS-ISO violations
  std::set<std::pair<Value, int>> forwarded;  // (value, thread) stored into the sink

  static void Fn(void* v, void* arg) {
    auto* self = static_cast<HandlerContext*>(arg);
    bool forward = false;
    {
      std::lock_guard<std::mutex> l(self->mu);
      ++self->calls[{V(v), t_label}];
      if (self->uid != 0 && UidOf(V(v)) != self->uid) self->foreign.push_back(V(v));
      // Forward each value at most once per thread (a Scrape sentinel may
      // sit in several threads' slots): a broken matrix that hands the
      // sink's values back to this handler must fail the property, not loop
      // until the engine's MISUSE abort (which would prevent shrinking).
      forward = self->forward_to != nullptr && t_exiting &&
                self->forwarded.insert({V(v), t_label}).second;
    }
    // During the thread's teardown a forwarding handler stores the value
    // into the sink: the row is refilled and must be collected again.
    if (forward) self->forward_to->Reset(v);
  }
};

// A worker thread labelled for the handlers, marked while it exits.
class Worker : public tlsm::prop::Worker {
 public:
  explicit Worker(int label)
      : tlsm::prop::Worker([label] { t_label = label; }, [] { t_exiting = true; }) {}
};

[[noreturn]] void Fail(const char* id, const std::string& msg) {
  RC_FAIL(std::string(id) + ": " + msg);
}

struct Sut {
  // Destruction order matters: workers exit first (their teardown runs the
  // handlers), then columns are reclaimed, then the handler contexts go.
  std::vector<std::unique_ptr<HandlerContext>> contexts;  // every column of the case
  HandlerContext sink_ctx{0};
  std::unique_ptr<ThreadLocalColumn> sink;  // target of forwarding handlers
  std::array<std::unique_ptr<ThreadLocalColumn>, kColumns> cols;
  std::array<std::unique_ptr<Worker>, kThreads> workers;
  Model initial;
  std::set<std::uint32_t> ids_used;  // column ids handed out in this case
  std::set<std::string> events;  // coverage, reported as rapidcheck's distribution

  // Puts the matrix's free list into a known order so the model can predict
  // every id: drain it, then give the ids back highest first (so the lowest
  // is reused first).
  Sut() {
    sink = std::make_unique<ThreadLocalColumn>(UnrefHandler{&HandlerContext::Fn, &sink_ctx});
    std::vector<std::unique_ptr<ThreadLocalColumn>> drain;
    while (GetMatrixStats().free_ids > 0) drain.push_back(std::make_unique<ThreadLocalColumn>());
    std::sort(drain.begin(), drain.end(),
              [](const auto& a, const auto& b) { return a->id() > b->id(); });
    for (auto& c : drain) {
      initial.free_ids.push_back(c->id());
      c.reset();
    }
    const MatrixStats s = GetMatrixStats();
    initial.id_space = static_cast<std::uint32_t>(s.id_space);
    initial.base_rows = s.rows;
    initial.base_live = s.live_columns;
  }
  ~Sut() {
    for (auto& w : workers) w.reset();
    for (auto& c : cols) c.reset();
    sink.reset();
  }

  template <class F>
  auto On(int on, F&& f) -> decltype(f()) {
    if (on == kTestThread) return f();
    return workers[on]->Call(std::forward<F>(f));
  }

  // The whole observable state against the model, after every command.
  void Check(const Model& m) {
    // Slots: each live thread reads every live column with its own Get.
    for (int t = 0; t < kThreads; ++t) {
      if (!m.threads[t]) continue;
      std::array<Value, kColumns> got{};
      Value in_sink = 0;
      workers[t]->Call([&] {
        for (int c = 0; c < kColumns; ++c)
          if (cols[c]) got[c] = V(cols[c]->Get());
        in_sink = V(sink->Get());
      });
      if (in_sink != 0) {  // only handlers of exiting threads ever store there
        Fail("TLS-OWN", "thread t" + std::to_string(t) + " reads " + ShowValue(in_sink) +
                            " from the sink column, which it never wrote");
      }
      for (int c = 0; c < kColumns; ++c) {
        if (!m.cols[c]) continue;
        const Value want = m.Slot(t, c);
        if (got[c] == want) continue;
        const bool stale = got[c] != 0 && UidOf(got[c]) != m.cols[c]->uid;
        Fail(stale ? "TLS-INIT" : "TLS-OWN",
             "thread t" + std::to_string(t) + " column c" + std::to_string(c) + " (id " +
                 std::to_string(m.cols[c]->id) + ", uid " + std::to_string(m.cols[c]->uid) +
                 "): Get() = " + ShowValue(got[c]) + ", model expects " + ShowValue(want));
      }
    }
    // Handler calls: per (value, thread label), over every column of the case.
    HandlerCalls all;
    for (auto& ctx : contexts) {
      std::lock_guard<std::mutex> l(ctx->mu);
      if (!ctx->foreign.empty()) {
        Fail("TLS-ISO", "handler of column uid " + std::to_string(ctx->uid) + " saw value " +
                            ShowValue(ctx->foreign.front()) + " of another column");
      }
      for (const auto& [k, n] : ctx->calls) all[k] += n;
    }
    {
      std::lock_guard<std::mutex> l(sink_ctx.mu);
      if (sink_ctx.calls != m.sink_handled) {
        std::ostringstream os;
        for (const auto& [k, n] : m.sink_handled) {
          auto it = sink_ctx.calls.find(k);
          const int g = it == sink_ctx.calls.end() ? 0 : it->second;
          if (g != n) os << " value " << ShowValue(k.first) << " on thread label " << k.second << ": " << g << " calls, expected " << n << ";";
        }
        for (const auto& [k, n] : sink_ctx.calls)
          if (!m.sink_handled.count(k))
            os << " value " << ShowValue(k.first) << " on thread label " << k.second << ": " << n << " calls, expected 0;";
        Fail("TLS-ONCE", "values forwarded into the sink column by handlers during thread teardown:" + os.str());
      }
    }
    if (all != m.handled) {
      std::ostringstream os;
      for (const auto& [k, n] : m.handled) {
        auto it = all.find(k);
        const int g = it == all.end() ? 0 : it->second;
        if (g != n)
          os << " value " << ShowValue(k.first) << " on thread label " << k.second << ": " << g
             << " handler calls, expected " << n << ";";
      }
      for (const auto& [k, n] : all)
        if (!m.handled.count(k))
          os << " value " << ShowValue(k.first) << " on thread label " << k.second << ": " << n
             << " handler calls, expected 0;";
      Fail("TLS-ONCE", "handler calls differ from the model:" + os.str());
    }
    // Ids and the matrix's bookkeeping.
    for (int c = 0; c < kColumns; ++c) {
      if (m.cols[c] && cols[c]->id() != m.cols[c]->id) {
        Fail("TLS-INIT", "column c" + std::to_string(c) + " got id " +
                             std::to_string(cols[c]->id()) + ", free list predicts " +
                             std::to_string(m.cols[c]->id));
      }
    }
    const MatrixStats s = GetMatrixStats();
    std::size_t rows = m.base_rows, live = m.base_live;
    for (const auto& t : m.threads) rows += (t && t->has_row) ? 1 : 0;
    for (const auto& c : m.cols) live += c ? 1 : 0;
    if (s.rows != rows || s.live_columns != live || s.free_ids != m.free_ids.size() ||
        s.id_space != m.id_space) {
      std::ostringstream os;
      os << "GetMatrixStats(): rows " << s.rows << "/" << rows << ", live_columns "
         << s.live_columns << "/" << live << ", free_ids " << s.free_ids << "/"
         << m.free_ids.size() << ", id_space " << s.id_space << "/" << m.id_space
         << " (actual/model)";
      Fail("NO-LEAK", os.str());
    }
  }
};

// ---------------------------------------------------------------------------
// Commands. Each one: preconditions on the model, apply (the model's step),
// Exec (the real step plus its own return-value checks); run() then compares
// the whole system with the model's next state.

struct Command : rc::state::Command<Model, Sut> {
  void run(const Model& s0, Sut& sut) const final {
    Exec(s0, sut);
    sut.Check(nextState(s0));
  }
  virtual void Exec(const Model& s0, Sut& sut) const = 0;
};
using CommandPtr = std::shared_ptr<const rc::state::Command<Model, Sut>>;

std::string OnName(int on) { return on == kTestThread ? "main" : "t" + std::to_string(on); }

bool ValidCaller(const Model& m, int on) {
  return on == kTestThread || (on >= 0 && on < kThreads && m.threads[on].has_value());
}

struct CreateColumn : Command {
  int c;
  HandlerKind kind;
  explicit CreateColumn(const Model& m) {
    std::vector<int> free;
    for (int i = 0; i < kColumns; ++i)
      if (!m.cols[i]) free.push_back(i);
    c = *rc::gen::elementOf(free);
    kind = *rc::gen::weightedOneOf<HandlerKind>({{3, rc::gen::just(HandlerKind::kCounting)},
                                                 {1, rc::gen::just(HandlerKind::kNone)},
                                                 {2, rc::gen::just(HandlerKind::kForwarding)}});
  }
  void checkPreconditions(const Model& m) const override { RC_PRE(!m.cols[c]); }
  void apply(Model& m) const override {
    std::uint32_t id;
    if (m.free_ids.empty()) {
      id = m.id_space++;
    } else {
      id = m.free_ids.back();
      m.free_ids.pop_back();
    }
    m.cols[c] = ColumnModel{m.next_uid++, id, kind};
  }
  void Exec(const Model& m, Sut& sut) const override {
    const std::uint32_t id = m.free_ids.empty() ? m.id_space : m.free_ids.back();
    if (!sut.ids_used.insert(id).second) sut.events.insert("id reused within the case");
    auto ctx = std::make_unique<HandlerContext>(
        m.next_uid, kind == HandlerKind::kForwarding ? sut.sink.get() : nullptr);
    UnrefHandler h = kind != HandlerKind::kNone ? UnrefHandler{&HandlerContext::Fn, ctx.get()}
                                               : UnrefHandler{};
    sut.contexts.push_back(std::move(ctx));
    sut.cols[c] = std::make_unique<ThreadLocalColumn>(h);
  }
  void show(std::ostream& os) const override {
    os << "CreateColumn(c" << c
       << (kind == HandlerKind::kNone ? ", no handler"
           : kind == HandlerKind::kForwarding ? ", forwarding handler" : "")
       << ")";
  }
};

struct DestroyColumn : Command {
  int c, on;
  explicit DestroyColumn(const Model& m)
      : c(*rc::gen::elementOf(m.LiveColumns())), on(*rc::gen::elementOf(m.Callers())) {}
  void checkPreconditions(const Model& m) const override {
    RC_PRE(m.cols[c].has_value() && ValidCaller(m, on));
  }
  void apply(Model& m) const override {
    // Reclaim: every value left in the column is handled once, on the
    // reclaiming thread, and every slot of the id reads null afterwards.
    for (int t = 0; t < kThreads; ++t) {
      if (!m.threads[t]) continue;
      m.Handle(c, m.Slot(t, c), m.LabelOf(on));
      m.SetSlot(t, c, 0);
    }
    m.free_ids.push_back(m.cols[c]->id);
    m.cols[c].reset();
  }
  void Exec(const Model& m, Sut& sut) const override {
    if (!m.NonNull(c).empty()) sut.events.insert("reclaim with values");
    sut.On(on, [&] { sut.cols[c].reset(); });
  }
  void show(std::ostream& os) const override {
    os << "DestroyColumn(c" << c << ", on " << OnName(on) << ")";
  }
};

struct StartThread : Command {
  int t;
  explicit StartThread(const Model& m) {
    std::vector<int> free;
    for (int i = 0; i < kThreads; ++i)
      if (!m.threads[i]) free.push_back(i);
    t = *rc::gen::elementOf(free);
  }
  void checkPreconditions(const Model& m) const override { RC_PRE(!m.threads[t]); }
  void apply(Model& m) const override { m.threads[t] = ThreadModel{m.next_label++, false, {}}; }
  void Exec(const Model& m, Sut& sut) const override {
    sut.workers[t] = std::make_unique<Worker>(m.next_label);
  }
  void show(std::ostream& os) const override { os << "StartThread(t" << t << ")"; }
};

struct EndThread : Command {
  int t;
  explicit EndThread(const Model& m) : t(*rc::gen::elementOf(m.LiveThreads())) {}
  void checkPreconditions(const Model& m) const override { RC_PRE(m.threads[t].has_value()); }
  void apply(Model& m) const override {
    // Thread exit: every value left in the row is handled once, on the
    // exiting thread.
    // A forwarding handler's value goes on to the sink, whose handler sees it
    // once, in a later teardown round on the same thread.
    const int label = m.threads[t]->label;
    for (int c = 0; c < kColumns; ++c) {
      if (!m.cols[c]) continue;
      const Value v = m.Slot(t, c);
      m.Handle(c, v, label);
      if (v != 0 && m.cols[c]->kind == HandlerKind::kForwarding) ++m.sink_handled[{v, label}];
    }
    m.threads[t].reset();
  }
  void Exec(const Model& m, Sut& sut) const override {
    if (!m.threads[t]->slots.empty()) sut.events.insert("thread exit with values");
    for (int c = 0; c < kColumns; ++c)
      if (m.cols[c] && m.cols[c]->kind == HandlerKind::kForwarding && m.Slot(t, c) != 0)
        sut.events.insert("exit handler refilled the row");
    sut.workers[t].reset();
  }
  void show(std::ostream& os) const override { os << "EndThread(t" << t << ")"; }
};

// Base for the per-thread operations on (thread t, column c).
struct SlotCommand : Command {
  int t, c;
  explicit SlotCommand(const Model& m)
      : t(*rc::gen::elementOf(m.LiveThreads())), c(*rc::gen::elementOf(m.LiveColumns())) {}
  void checkPreconditions(const Model& m) const override {
    RC_PRE(m.threads[t].has_value() && m.cols[c].has_value());
  }
  std::string Where() const { return "t" + std::to_string(t) + ", c" + std::to_string(c); }
};

struct Get : SlotCommand {
  using SlotCommand::SlotCommand;
  void apply(Model&) const override {}
  void Exec(const Model& m, Sut& sut) const override {
    const Value got = sut.workers[t]->Call([&] { return V(sut.cols[c]->Get()); });
    if (got != m.Slot(t, c))
      Fail("TLS-OWN", "Get(" + Where() + ") = " + ShowValue(got) + ", model " + ShowValue(m.Slot(t, c)));
  }
  void show(std::ostream& os) const override { os << "Get(" << Where() << ")"; }
};

struct Reset : SlotCommand {
  enum Kind { kFresh, kNull, kSame } kind;
  explicit Reset(const Model& m)
      : SlotCommand(m),
        kind(*rc::gen::weightedOneOf<Kind>({{4, rc::gen::just(kFresh)},
                                           {1, rc::gen::just(kNull)},
                                           {1, rc::gen::just(kSame)}})) {}
  Value New(const Model& m) const {
    return kind == kFresh ? m.Fresh(m.cols[c]->uid) : kind == kNull ? 0 : m.Slot(t, c);
  }
  void apply(Model& m) const override {
    const Value old = m.Slot(t, c), p = New(m);
    m.threads[t]->has_row = true;
    if (old != p) m.Handle(c, old, m.threads[t]->label);  // Reset(p) over p: no call
    m.SetSlot(t, c, p);
    ++m.next_seq;
  }
  void Exec(const Model& m, Sut& sut) const override {
    const Value p = New(m);
    sut.workers[t]->Call([&] { sut.cols[c]->Reset(P(p)); });
  }
  void show(std::ostream& os) const override {
    os << "Reset(" << Where() << ", " << (kind == kFresh ? "fresh" : kind == kNull ? "null" : "same")
       << ")";
  }
};

struct Swap : SlotCommand {
  bool to_null;
  explicit Swap(const Model& m)
      : SlotCommand(m),
        to_null(*rc::gen::weightedOneOf<bool>({{3, rc::gen::just(false)}, {1, rc::gen::just(true)}})) {}
  Value New(const Model& m) const { return to_null ? 0 : m.Fresh(m.cols[c]->uid); }
  void apply(Model& m) const override {
    m.threads[t]->has_row = true;
    m.SetSlot(t, c, New(m));  // the old value now belongs to the caller
    ++m.next_seq;
  }
  void Exec(const Model& m, Sut& sut) const override {
    const Value p = New(m);
    const Value got = sut.workers[t]->Call([&] { return V(sut.cols[c]->Swap(P(p))); });
    if (got != m.Slot(t, c))
      Fail("TLS-OWN", "Swap(" + Where() + ") returned " + ShowValue(got) + ", model " + ShowValue(m.Slot(t, c)));
  }
  void show(std::ostream& os) const override {
    os << "Swap(" << Where() << ", " << (to_null ? "null" : "fresh") << ")";
  }
};

struct CompareAndSwap : SlotCommand {
  enum Expect { kCurrent, kNull, kStale } expect;
  bool to_null;
  explicit CompareAndSwap(const Model& m)
      : SlotCommand(m),
        expect(*rc::gen::weightedOneOf<Expect>({{3, rc::gen::just(kCurrent)},
                                               {1, rc::gen::just(kNull)},
                                               {1, rc::gen::just(kStale)}})),
        to_null(*rc::gen::weightedOneOf<bool>({{3, rc::gen::just(false)}, {1, rc::gen::just(true)}})) {}
  Value Expected(const Model& m) const {
    return expect == kCurrent ? m.Slot(t, c) : expect == kNull ? 0 : m.Fresh(m.cols[c]->uid, 1);
  }
  Value Desired(const Model& m) const { return to_null ? 0 : m.Fresh(m.cols[c]->uid); }
  void apply(Model& m) const override {
    m.threads[t]->has_row = true;  // even a failed CAS makes the row
    if (Expected(m) == m.Slot(t, c)) m.SetSlot(t, c, Desired(m));
    m.next_seq += 2;
  }
  void Exec(const Model& m, Sut& sut) const override {
    const Value cur = m.Slot(t, c);
    const Value want_ok = Expected(m) == cur;
    void* e = P(Expected(m));
    const bool ok = sut.workers[t]->Call(
        [&] { return sut.cols[c]->CompareAndSwap(e, P(Desired(m))); });
    if (ok != static_cast<bool>(want_ok) || V(e) != cur) {
      Fail("TLS-OWN", "CompareAndSwap(" + Where() + ", expected " + ShowValue(Expected(m)) +
                          ") returned " + (ok ? "true" : "false") + " with expected=" + ShowValue(V(e)) +
                          "; model slot " + ShowValue(cur));
    }
  }
  void show(std::ostream& os) const override {
    os << "CompareAndSwap(" << Where() << ", expected "
       << (expect == kCurrent ? "current" : expect == kNull ? "null" : "stale") << ", desired "
       << (to_null ? "null" : "fresh") << ")";
  }
};

struct Scrape : Command {
  int c, on;
  bool to_null;
  explicit Scrape(const Model& m)
      : c(*rc::gen::elementOf(m.LiveColumns())),
        on(*rc::gen::elementOf(m.Callers())),
        to_null(*rc::gen::weightedOneOf<bool>({{3, rc::gen::just(false)}, {1, rc::gen::just(true)}})) {}
  void checkPreconditions(const Model& m) const override {
    RC_PRE(m.cols[c].has_value() && ValidCaller(m, on));
  }
  Value Replacement(const Model& m) const { return to_null ? 0 : m.Fresh(m.cols[c]->uid); }
  void apply(Model& m) const override {
    // Every non-null slot gets the replacement; null slots stay null; the
    // old values belong to the caller (no handler).
    for (int t = 0; t < kThreads; ++t)
      if (m.threads[t] && m.Slot(t, c) != 0) m.SetSlot(t, c, Replacement(m));
    ++m.next_seq;
  }
  void Exec(const Model& m, Sut& sut) const override {
    std::vector<void*> out;
    const Value r = Replacement(m);
    sut.On(on, [&] { sut.cols[c]->Scrape(&out, P(r)); });
    if (!out.empty()) sut.events.insert("scrape took values");
    std::vector<Value> got;
    for (void* v : out) got.push_back(V(v));
    std::sort(got.begin(), got.end());
    if (got != m.NonNull(c)) {
      std::string g, w;
      for (Value v : got) g += " " + ShowValue(v);
      for (Value v : m.NonNull(c)) w += " " + ShowValue(v);
      Fail("TLS-OWN", "Scrape(c" + std::to_string(c) + ") returned {" + g + " }, model {" + w + " }");
    }
  }
  void show(std::ostream& os) const override {
    os << "Scrape(c" << c << ", on " << OnName(on) << ", " << (to_null ? "null" : "sentinel") << ")";
  }
};

struct Fold : Command {
  int c, on;
  explicit Fold(const Model& m)
      : c(*rc::gen::elementOf(m.LiveColumns())), on(*rc::gen::elementOf(m.Callers())) {}
  void checkPreconditions(const Model& m) const override {
    RC_PRE(m.cols[c].has_value() && ValidCaller(m, on));
  }
  void apply(Model&) const override {}
  void Exec(const Model& m, Sut& sut) const override {
    std::vector<Value> got;
    sut.On(on, [&] {
      sut.cols[c]->Fold([](void* v, void* a) { static_cast<std::vector<Value>*>(a)->push_back(V(v)); },
                        &got);
    });
    std::sort(got.begin(), got.end());
    if (got != m.NonNull(c)) {
      std::string g, w;
      for (Value v : got) g += " " + ShowValue(v);
      for (Value v : m.NonNull(c)) w += " " + ShowValue(v);
      Fail("TLS-OWN", "Fold(c" + std::to_string(c) + ") visited {" + g + " }, model {" + w + " }");
    }
  }
  void show(std::ostream& os) const override {
    os << "Fold(c" << c << ", on " << OnName(on) << ")";
  }
};

rc::Gen<CommandPtr> GenCommand(const Model& model) {
  auto m = std::make_shared<const Model>(model);
  return rc::gen::weightedOneOf<CommandPtr>({
      {3, tlsm::prop::MakeCommand<CreateColumn>(m)},
      {2, tlsm::prop::MakeCommand<DestroyColumn>(m)},
      {3, tlsm::prop::MakeCommand<StartThread>(m)},
      {2, tlsm::prop::MakeCommand<EndThread>(m)},
      {2, tlsm::prop::MakeCommand<Get>(m)},
      {6, tlsm::prop::MakeCommand<Reset>(m)},
      {4, tlsm::prop::MakeCommand<Swap>(m)},
      {4, tlsm::prop::MakeCommand<CompareAndSwap>(m)},
      {2, tlsm::prop::MakeCommand<Scrape>(m)},
      {2, tlsm::prop::MakeCommand<Fold>(m)},
  });
}

// ctest runs it with RC_PARAMS="max_success=200" (properties/tls/CMakeLists.txt).
RC_GTEST_PROP(ThreadLocalMatrixProperty, MatrixMatchesModel, ()) {
  Sut sut;
  const Model initial = sut.initial;
  // Sequences of up to 10 + 0.4 * size commands: ~50 at the default max_size
  // of 100, and never only trivial ones.
  const auto commands = *rc::gen::withSize([&](int size) {
    return rc::gen::resize(10 + size * 2 / 5, rc::state::gen::commands(initial, &GenCommand));
  });
  rc::state::runAll(commands, initial, sut);
  RC_CLASSIFY(commands.size() >= 25, ">= 25 commands");
  for (const char* e : {"id reused within the case", "reclaim with values",
                        "thread exit with values", "exit handler refilled the row",
                        "scrape took values"})
    RC_CLASSIFY(sut.events.count(e) != 0, e);
}

}  // namespace
