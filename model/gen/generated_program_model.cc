// model/gen/generated_program_model.cc — generated concurrent programs.
//
// rapidcheck generates small programs (3 threads, up to 5 operations each
// over 2 matrix columns: Reset, Swap, CompareAndSwap, Scrape, Get, Exit) and
// each program is explored under Relacy. A failing program is shrunk by
// rapidcheck to the smallest program that still fails; the report carries
// the program and a replay state "prog:<program>|<relacy state>" that the
// scenario itself decodes, so `tlsm replay` works as for any scenario.
//
// Checked in every execution: TLS-OWN (Get and a failed CAS see only this
// thread's values or the scrape replacement; Scrape returns what is there),
// TLS-ONCE (every published value has exactly one owner at the end: a
// taker, or the handler) and, through the seam, races and leaks.
#include <rapidcheck.h>

#include "engine/tls/thread_local_ptr.h"
#include "model/harness/relacy_runner.h"
#include "model/tls/tracked_value.h"

namespace tlsm::model {
namespace {

using tlsm::sync::Order;
using tlsm::tls::ThreadLocalColumn;
using tlsm::tls::UnrefHandler;

enum class OpKind { kReset, kSwap, kCas, kScrape, kGet, kExit };
constexpr int kGenThreads = 3;
constexpr int kGenColumns = 2;
constexpr int kMaxOps = 5;

struct Op {
  OpKind kind;
  int column;
};

struct Program {
  std::vector<Op> threads[kGenThreads];
};

const char kOpLetters[] = "RWCSGX";  // Reset sWap Cas Scrape Get eXit

// "R0W1|S0|G1X0" — one group per thread, op letter + column digit.
std::string Encode(const Program& p) {
  std::string s;
  for (int t = 0; t < kGenThreads; ++t) {
    if (t) s += '|';
    for (const Op& op : p.threads[t]) {
      s += kOpLetters[static_cast<int>(op.kind)];
      s += static_cast<char>('0' + op.column);
    }
  }
  return s;
}

std::optional<Program> Decode(std::string_view s) {
  Program p;
  int t = 0;
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] == '|') {
      if (++t >= kGenThreads) return std::nullopt;
      ++i;
      continue;
    }
    const char* k = std::strchr(kOpLetters, s[i]);
    if (k == nullptr || *k == '\0' || i + 1 >= s.size()) return std::nullopt;
    const int col = s[i + 1] - '0';
    if (col < 0 || col >= kGenColumns) return std::nullopt;
    if (p.threads[t].size() >= static_cast<std::size_t>(kMaxOps)) return std::nullopt;
    p.threads[t].push_back({static_cast<OpKind>(k - kOpLetters), col});
    i += 2;
  }
  return p;
}

std::string Describe(const Program& p) {
  static const char* names[] = {"Reset", "Swap", "CAS", "Scrape", "Get", "Exit"};
  std::string s;
  for (int t = 0; t < kGenThreads; ++t) {
    s += "  thread " + std::to_string(t) + ":";
    for (const Op& op : p.threads[t])
      s += std::string(" ") + names[static_cast<int>(op.kind)] + "(c" + std::to_string(op.column) + ")";
    s += "\n";
  }
  return s;
}

// The program the next Relacy run explores (set outside the simulation).
Program g_program;

struct ColumnTag {
  int tag;
  TrackedValue* sentinel;  // the Scrape replacement: owned by the scenario
};

void GenHandler(void* v, void* arg) {
  auto* c = static_cast<ColumnTag*>(arg);
  if (v == c->sentinel) return;
  CountingHandler(v, &c->tag);
}

struct GeneratedProgram : ModelTest<GeneratedProgram, kGenThreads> {
  ColumnTag tags[kGenColumns] = {{0, nullptr}, {1, nullptr}};
  ThreadLocalColumn* cols[kGenColumns] = {};
  TrackedValue* values[kGenThreads][kMaxOps] = {};  // one fresh value per op
  bool published[kGenThreads][kMaxOps] = {};        // written by its thread only

  void Setup() {
    for (int c = 0; c < kGenColumns; ++c) {
      tags[c].sentinel = tlsm::sync::New<TrackedValue>(c);
      cols[c] = tlsm::sync::New<ThreadLocalColumn>(UnrefHandler{&GenHandler, &tags[c]});
    }
    for (int t = 0; t < kGenThreads; ++t)
      for (int i = 0; i < kMaxOps; ++i)
        if (i < static_cast<int>(g_program.threads[t].size()))
          values[t][i] = tlsm::sync::New<TrackedValue>(g_program.threads[t][i].column);
  }

  static void Take(TrackedValue* v) { v->taken.FetchAdd(1, Order::kAcqRel); }

  void TakeAndRead(TrackedValue* v, int col) {
    if (v == nullptr || v == tags[col].sentinel) return;
    const int payload = v->payload.With([](int p) { return p; });
    TLSM_INVARIANT(payload == 1, "TLS-OWN", "a taken value's contents were not published");
    Take(v);
  }

  void Body(unsigned t) {
    const auto& ops = g_program.threads[t];
    for (int i = 0; i < static_cast<int>(ops.size()); ++i) {
      const int c = ops[i].column;
      ThreadLocalColumn& col = *cols[c];
      TrackedValue* fresh = values[t][i];
      switch (ops[i].kind) {
        case OpKind::kReset:
          fresh->payload.WithMut([](int& p) { p = 1; });
          published[t][i] = true;
          col.Reset(fresh);
          break;
        case OpKind::kSwap: {
          fresh->payload.WithMut([](int& p) { p = 1; });
          published[t][i] = true;
          TakeAndRead(static_cast<TrackedValue*>(col.Swap(fresh)), c);
          break;
        }
        case OpKind::kCas: {
          fresh->payload.WithMut([](int& p) { p = 1; });
          published[t][i] = true;
          void* expected = col.Get();
          void* seen = expected;
          if (col.CompareAndSwap(expected, fresh)) {
            TakeAndRead(static_cast<TrackedValue*>(seen), c);
          } else {
            TLSM_INVARIANT(expected == tags[c].sentinel, "TLS-OWN",
                           "a failed CAS saw a value neither stored nor scraped in");
            Take(fresh);  // never published: the caller keeps it
          }
          break;
        }
        case OpKind::kScrape: {
          std::vector<void*> out;
          col.Scrape(&out, tags[c].sentinel);
          for (void* v : out) TakeAndRead(static_cast<TrackedValue*>(v), c);
          break;
        }
        case OpKind::kGet: {
          void* v = col.Get();
          bool ok = v == nullptr || v == tags[c].sentinel;
          for (int j = 0; j < i; ++j)
            ok = ok || (v == values[t][j] && ops[j].column == c);
          TLSM_INVARIANT(ok, "TLS-OWN", "Get returned a value this thread never stored");
          break;
        }
        case OpKind::kExit:
          return;  // the harness runs the row teardown
      }
    }
  }

  void Check() {
    for (int t = 0; t < kGenThreads; ++t)
      for (int i = 0; i < kMaxOps; ++i) {
        if (!published[t][i]) continue;
        TrackedValue* v = values[t][i];
        const int owners = v->taken.Load(Order::kAcquire) + v->handled.Load(Order::kAcquire);
        TLSM_INVARIANT(owners == 1, "TLS-ONCE",
                       "a value was lost or had two owners at the end of the program");
      }
  }

  void Teardown() {
    for (auto* c : cols) tlsm::sync::Delete(c);
    for (auto& tc : tags) tlsm::sync::Delete(tc.sentinel);
    for (auto& row : values)
      for (auto* v : row) tlsm::sync::Delete(v);
  }
};

Program FromThreads(const std::vector<std::vector<std::pair<int, int>>>& raw) {
  Program p;
  for (int t = 0; t < kGenThreads && t < static_cast<int>(raw.size()); ++t)
    for (const auto& [k, c] : raw[t])
      p.threads[t].push_back({static_cast<OpKind>(k), c});
  return p;
}

rc::Gen<Program> GenProgram() {
  auto op = rc::gen::pair(rc::gen::inRange(0, 6), rc::gen::inRange(0, kGenColumns));
  auto thread = rc::gen::container<std::vector<std::pair<int, int>>>(op);
  // The sized container generator grows with the test size: cap it.
  auto capped = rc::gen::map(thread, [](std::vector<std::pair<int, int>> v) {
    if (v.size() > static_cast<std::size_t>(kMaxOps)) v.resize(kMaxOps);
    return v;
  });
  return rc::gen::map(
      rc::gen::container<std::vector<std::vector<std::pair<int, int>>>>(kGenThreads, capped),
      &FromThreads);
}

// rapidcheck prints "Using configuration: ..." when its configuration is
// first read; tlsm owns the output, so read it once with stderr muted.
void SilenceRapidcheckBanner() {
  static const bool done = [] {
    std::streambuf* saved = std::cerr.rdbuf(nullptr);
    std::streambuf* saved_out = std::cout.rdbuf(nullptr);
    (void)rc::detail::configuration();
    std::cerr.rdbuf(saved);
    std::cout.rdbuf(saved_out);
    return true;
  }();
  (void)done;
}

RunResult RunProgram(const Program& p, RunConfig cfg) {
  g_program = p;
  return RunRelacy<GeneratedProgram>(cfg, *FindScenario("gen.tls_programs"));
}

RunResult RunGenerated(const RunConfig& cfg) {
  // Replay: "prog:<program>|<relacy state>".
  if (!cfg.initial_state.empty()) {
    const std::string& st = cfg.initial_state;
    const auto bar = st.find('#');
    std::optional<Program> p;
    if (st.rfind("prog:", 0) == 0 && bar != std::string::npos)
      p = Decode(std::string_view(st).substr(5, bar - 5));
    if (!p) throw std::invalid_argument("gen.tls_programs: malformed replay state");
    RunConfig c = cfg;
    c.initial_state = st.substr(bar + 1);
    RunResult r = RunProgram(*p, c);
    if (r.failed) r.message += "; program:\n" + Describe(*p);
    r.final_state = "prog:" + Encode(*p) + "#" + r.final_state;
    return r;
  }

  const double started = NowSeconds();
  // Each program gets a slice of the execution budget.
  constexpr std::uint64_t kPerProgram = 300;
  RunConfig per = cfg;
  per.executions = kPerProgram;
  per.first_execution = 0;
  per.time_budget_s = 0;
  std::uint64_t executions = 0;
  std::uint64_t max_steps = 0;               // sampling: PCT's L, over every program
  std::vector<std::uint64_t> hashes;         // sampling: coverage, over every program
  bool failed_once = false;
  Program last_failing;
  RunResult last_fail;

  SilenceRapidcheckBanner();
  rc::detail::TestParams params;
  params.seed = cfg.first_execution;
  params.maxSuccess = static_cast<int>(std::max<std::uint64_t>(1, cfg.executions / kPerProgram));
  params.maxSize = 100;
  const auto result = rc::detail::checkTestable(
      [&](void) {
        const Program p = *GenProgram();
        RunResult r = RunProgram(p, per);
        executions += r.executions;
        max_steps = std::max(max_steps, r.max_steps);
        hashes.insert(hashes.end(), r.schedule_hashes.begin(), r.schedule_hashes.end());
        if (r.failed) {
          failed_once = true;
          last_failing = p;  // shrinking ends on the smallest failing program
          last_fail = r;
        }
        RC_ASSERT(!r.failed);
      },
      rc::detail::TestMetadata{}, params);
  (void)result;

  RunResult out;
  if (failed_once) {
    // Re-run the minimal program once more so the history file is its own.
    out = RunProgram(last_failing, per);
    if (!out.failed) out = last_fail;  // keep the recorded failure
    out.message += "; minimal program:\n" + Describe(last_failing);
    out.final_state = "prog:" + Encode(last_failing) + "#" + out.final_state;
  }
  out.executions = executions;
  out.max_steps = std::max(out.max_steps, max_steps);
  out.schedule_hashes = std::move(hashes);
  out.seconds = NowSeconds() - started;
  return out;
}

const Registrar gen_registrar{ScenarioInfo{
    "gen.tls_programs",
    {"TLS-OWN", "TLS-ONCE"},
    "rapidcheck-generated 3-thread programs over 2 columns, each explored under Relacy, "
    "shrunk to the smallest failing program",
    "TLS-OWN",
    kGenThreads,
    &RunGenerated}};

}  // namespace
}  // namespace tlsm::model
