// engine/perf/perf_context.cc — per-thread contexts, dumps, the aggregate.
#include "engine/perf/perf_context.h"

#include "engine/perf/perf_aggregate.h"
#include "engine/sync/mutant.h"

TLSM_BEGIN
namespace perf {

using sync::Mutant;
using sync::MutantIs;
using sync::Order;

namespace detail {

struct SharedContext {  // the perf_shared_context mutant's one context
  PerfContext ctx;
};

struct LiveContextCount {  // a distinct type: ProcessGlobal is per type
  sync::Statistic<std::int64_t> n{0};
};
sync::Statistic<std::int64_t>& LiveContexts() {
  return sync::ProcessGlobal<LiveContextCount>().n;
}

void DestroyContext(void* ctx, void*) {
  sync::Delete(static_cast<PerfContext*>(ctx));
  LiveContexts().Sub(1);
}

PerfContext* CreateContext() {
  if (MutantIs(Mutant::perf_shared_context)) {
    // Injected: every thread gets the same process-wide context.
    return &sync::ProcessGlobal<SharedContext>().ctx;
  }
  // The slot first (its row may allocate), so that once the context exists
  // nothing can fail: a failed allocation leaves nothing behind.
  ContextSlots().Reset(nullptr);
  PerfContext* c = sync::New<PerfContext>();
  c->NameInHistory(sync::HistoryThread());
  LiveContexts().Add(1);
  // The slot was null (GetPerfContext checked): no handler runs here, and
  // the slot exists: Reset allocates nothing.
  ContextSlots().Reset(c);
  return c;
}

// The aggregate's shared state: retired totals, refcounted. References: the
// PerfAggregate object, and one per live block.
struct AggregateCore {
  sync::Atomic<std::int64_t> refs{1};
  sync::Mutex mu;
  sync::Cell<PerfSnapshot> retired TLSM_GUARDED_BY(mu);
  sync::Cell<std::size_t> live TLSM_GUARDED_BY(mu){std::size_t{0}};  // blocks alive

  void Ref() {
    // relaxed: the caller already holds a reference.
    refs.FetchAdd(1, Order::kRelaxed);
  }
  void Unref() {
    // acq_rel: the last owner must see every other owner's writes.
    if (refs.FetchSub(1, Order::kAcqRel) == 1) sync::Delete(this);
  }
};

// Names the core in the model's history ("perf aggregate#1.mu", ...; the
// number counts aggregates per execution). Runs before the core is shared:
// it takes the fields' addresses for their names and touches no guarded
// state, so no lock.
AggregateCore* NamedCore(AggregateCore* c) TLSM_NO_THREAD_SAFETY_ANALYSIS {
  static const char kAggregates = 0;  // HistorySerial's scope
  const unsigned n = sync::HistorySerial(&kAggregates);
  sync::Name(*c, "perf aggregate#%u", n);
  sync::Name(c->refs, "perf aggregate#%u.refs", n);
  sync::Name(c->mu, "perf aggregate#%u.mu", n);
  sync::Name(c->retired, "perf aggregate#%u.retired", n);
  sync::Name(c->live, "perf aggregate#%u.live", n);
  return c;
}

namespace {
// Column handler: a thread exited (or the aggregate was destroyed) with a
// block in its slot: fold it into the retired totals, free it.
void RetireBlock(void* v, void* arg) {
  // Marked: the fold of an exiting thread's block (or a reclaimed one's).
  sync::ApiCall call("PerfAggregate retire block");
  auto* block = static_cast<PerfBlock*>(v);
  auto* core = static_cast<AggregateCore*>(arg);
  PerfSnapshot s;
  block->AddTo(&s);
  {
    core->mu.Lock();
    if (!MutantIs(Mutant::perf_sum_drops_exited)) {
      core->retired.WithMut([&](PerfSnapshot& r) { r += s; });
    }
    core->live.WithMut([](std::size_t& n) { --n; });
    core->mu.Unlock();
  }
  sync::Delete(block);
  core->Unref();
}
}  // namespace

}  // namespace detail

std::int64_t LivePerfContexts() { return detail::LiveContexts().Read(); }

void WarmUp() {
  (void)detail::ContextSlots();
  if (MutantIs(Mutant::perf_shared_context)) {
    (void)sync::ProcessGlobal<detail::SharedContext>();
  }
}

const char* CounterName(Counter c) {
  static const char* const kNames[kNumCounters] = {
      "gets",          "puts",          "deletes",          "writes",
      "write_bytes",   "flushes",       "sv_cache_hits",    "sv_cache_misses",
      "sv_invalidations", "batch_cache_hits", "batch_cache_misses"};
  return kNames[static_cast<std::size_t>(c)];
}

const char* TimerName(Timer t) {
  static const char* const kNames[kNumTimers] = {"get_nanos", "write_nanos", "flush_nanos",
                                                 "batch_acquire_nanos"};
  return kNames[static_cast<std::size_t>(t)];
}

const char* LevelName(PerfLevel l) {
  switch (l) {
    case PerfLevel::kDisabled: return "disabled";
    case PerfLevel::kCounts: return "counts";
    case PerfLevel::kDetailedCounts: return "detailed_counts";
    case PerfLevel::kTimings: return "timings";
  }
  return "?";
}

PerfSnapshot& PerfSnapshot::operator+=(const PerfSnapshot& o) {
  for (std::size_t i = 0; i < kNumCounters; ++i) counters[i] += o.counters[i];
  for (std::size_t i = 0; i < kNumTimers; ++i) {
    timer_nanos[i] += o.timer_nanos[i];
    timer_count[i] += o.timer_count[i];
  }
  return *this;
}

bool PerfSnapshot::operator==(const PerfSnapshot& o) const {
  for (std::size_t i = 0; i < kNumCounters; ++i)
    if (counters[i] != o.counters[i]) return false;
  for (std::size_t i = 0; i < kNumTimers; ++i)
    if (timer_nanos[i] != o.timer_nanos[i] || timer_count[i] != o.timer_count[i]) return false;
  return true;
}

std::string PerfSnapshot::ToString(bool exclude_zero) const {
  std::string out;
  auto add = [&](const std::string& item) {
    if (!out.empty()) out += ", ";
    out += item;
  };
  for (std::size_t i = 0; i < kNumCounters; ++i) {
    if (exclude_zero && counters[i] == 0) continue;
    add(std::string(CounterName(static_cast<Counter>(i))) + " = " +
        std::to_string(counters[i]));
  }
  for (std::size_t i = 0; i < kNumTimers; ++i) {
    if (exclude_zero && timer_count[i] == 0) continue;
    add(std::string(TimerName(static_cast<Timer>(i))) + " = " +
        std::to_string(timer_nanos[i]) + " (" + std::to_string(timer_count[i]) + " scopes)");
  }
  return out;
}

std::string PerfSnapshot::ToJson() const {
  // Keys are fixed identifiers and values are integers: no escaping needed.
  std::string out = "{\"counters\":{";
  for (std::size_t i = 0; i < kNumCounters; ++i) {
    if (i) out += ",";
    out += "\"";
    out += CounterName(static_cast<Counter>(i));
    out += "\":" + std::to_string(counters[i]);
  }
  out += "},\"timers\":{";
  for (std::size_t i = 0; i < kNumTimers; ++i) {
    if (i) out += ",";
    out += "\"";
    out += TimerName(static_cast<Timer>(i));
    out += "\":{\"nanos\":" + std::to_string(timer_nanos[i]) +
           ",\"count\":" + std::to_string(timer_count[i]) + "}";
  }
  out += "}}";
  return out;
}

void PerfBlock::Clear() {
  for (auto& a : counters) a.Store(0, Order::kRelaxed);
  for (auto& a : timer_nanos) a.Store(0, Order::kRelaxed);
  for (auto& a : timer_count) a.Store(0, Order::kRelaxed);
}

void PerfBlock::AddTo(PerfSnapshot* out) const {
  // relaxed: the owner is the only writer; a reader takes any recent value
  // (Fold and the exit hand-off order them when it matters).
  for (std::size_t i = 0; i < kNumCounters; ++i)
    out->counters[i] += counters[i].Load(Order::kRelaxed);
  for (std::size_t i = 0; i < kNumTimers; ++i) {
    out->timer_nanos[i] += timer_nanos[i].Load(Order::kRelaxed);
    out->timer_count[i] += timer_count[i].Load(Order::kRelaxed);
  }
}

void PerfBlock::NameInHistory(const char* owner, unsigned thread) const {
  sync::Name(*this, "%s[T%u]", owner, thread);
  for (std::size_t i = 0; i < kNumCounters; ++i) {
    sync::Name(counters[i], "%s[T%u].%s", owner, thread, CounterName(static_cast<Counter>(i)));
  }
  for (std::size_t i = 0; i < kNumTimers; ++i) {
    const char* t = TimerName(static_cast<Timer>(i));
    sync::Name(timer_nanos[i], "%s[T%u].%s.nanos", owner, thread, t);
    sync::Name(timer_count[i], "%s[T%u].%s.count", owner, thread, t);
  }
}

void PerfContext::NameInHistory(unsigned thread) const {
  sync::Name(*this, "perf context[T%u]", thread);
  block_.NameInHistory("perf context", thread);
  sync::Name(level_, "perf context[T%u].level", thread);
}

PerfSnapshot PerfContext::Snapshot() const {
  sync::ApiCall call("PerfContext::Snapshot");
  PerfSnapshot s;
  block_.AddTo(&s);
  return s;
}

std::string PerfContext::ToString(bool exclude_zero) const {
  return std::string("level = ") + LevelName(level()) + "; " + Snapshot().ToString(exclude_zero);
}

std::string PerfContext::ToJson() const {
  std::string s = Snapshot().ToJson();
  // {"level":"counts", ...the snapshot's members...}
  return std::string("{\"level\":\"") + LevelName(level()) + "\"," + s.substr(1);
}

void PerfCount(Counter c, std::uint64_t n, PerfAggregate* agg) {
  PerfContext* ctx = GetPerfContext();
  if (!ctx->Enabled(c)) return;
  ctx->block().Add(c, n);
  if (agg != nullptr) agg->Add(c, n);
}

void PerfTimer::Stop() {
  if (!running_) return;
  running_ = false;
  const std::uint64_t elapsed = NowNanos() - start_;
  ctx_->block().AddTime(timer_, elapsed);
  if (agg_ != nullptr) agg_->AddTime(timer_, elapsed);
}

// ---- PerfAggregate ----

PerfAggregate::PerfAggregate()
    : core_(detail::NamedCore(sync::New<detail::AggregateCore>())),
      column_(sync::UndoOnThrow(
          [&] {
            return sync::New<tls::ThreadLocalColumn>(
                tls::UnrefHandler{&detail::RetireBlock, core_});
          },
          [&] { core_->Unref(); })) {
  // PerfCount with an aggregate uses the context column too. A failure
  // here undoes the constructor (the destructor does not run).
  sync::UndoOnThrow([] { WarmUp(); },
                    [&] {
                      sync::Delete(column_);
                      core_->Unref();
                    });
}

PerfAggregate::~PerfAggregate() {
  // Reclaim: live blocks are retired by the handler on this thread; blocks
  // of threads exiting right now are retired by them (they hold a core ref).
  sync::Delete(column_);
  core_->Unref();
}

PerfBlock* PerfAggregate::CreateBlock() {
  column_->Reset(nullptr);  // the slot first: after New nothing can fail
  auto* b = sync::New<PerfBlock>();
  b->NameInHistory("perf aggregate block", sync::HistoryThread());
  core_->Ref();  // the block's reference, dropped by RetireBlock
  core_->mu.Lock();
  core_->live.WithMut([](std::size_t& n) { ++n; });
  core_->mu.Unlock();
  column_->Reset(b);  // the slot was null: no handler
  return b;
}

PerfSnapshot PerfAggregate::Totals() const {
  sync::ApiCall call("PerfAggregate::Totals");
  PerfSnapshot s;
  // core mu held across the Fold and the retired read, so a thread exiting
  // meanwhile is counted at most once: its handler (which takes mu) retires
  // the block either before (the Fold no longer sees it) or after us (the
  // Fold saw it). Lock order: core mu, then the registry lock; handlers run
  // without the registry lock, and the visitor takes no lock.
  if (MutantIs(Mutant::perf_totals_without_mutex)) {
    // Injected: the Fold runs without core mu and the retired totals are
    // read in a lock section of their own, so a thread exiting in between
    // is counted live and again as retired.
    column_->Fold(
        [](void* v, void* a) {
          static_cast<PerfBlock*>(v)->AddTo(static_cast<PerfSnapshot*>(a));
        },
        &s);
    s += Retired();
    return s;
  }
  core_->mu.Lock();
  column_->Fold(
      [](void* v, void* a) {
        static_cast<PerfBlock*>(v)->AddTo(static_cast<PerfSnapshot*>(a));
      },
      &s);
  s += core_->retired.With([](const PerfSnapshot& x) { return x; });
  core_->mu.Unlock();
  return s;
}

PerfSnapshot PerfAggregate::Retired() const {
  sync::ApiCall call("PerfAggregate::Retired");
  core_->mu.Lock();
  PerfSnapshot r = core_->retired.With([](const PerfSnapshot& x) { return x; });
  core_->mu.Unlock();
  return r;
}

std::size_t PerfAggregate::LiveThreads() const {
  core_->mu.Lock();
  std::size_t n = core_->live.With([](std::size_t x) { return x; });
  core_->mu.Unlock();
  return n;
}

}  // namespace perf
TLSM_END
