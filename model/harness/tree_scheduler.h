// model/harness/tree_scheduler.h — the harness's own tree-search scheduler.
//
// TreeScheduler<N, kBounded, kAddressReuse> is a depth-first search over
// Relacy's decision tree. It derives from Relacy's tree_search_scheduler
// template (no Relacy code is changed or copied) and keeps its tree format, so
// replay tokens are Relacy states. It differs from Relacy's own tree searches
// in four ways (docs/harness.md, "What a tree search proves"):
//
// 1. No branch on frees. Relacy's tree searches flip a coin at every free
//    ("defer the free, or let the address be reused at once",
//    sched_type_mem_realloc); every free doubles the tree. Under
//    !kAddressReuse every such question is answered "defer" with no tree
//    node, and the seam (engine/sync) keeps every object freed through
//    sync::Delete quarantined — destroyed, poisoned, its address never handed
//    out again — until the execution ends, so a use after free is always
//    visible. What that does not explore is ABA through a recycled address;
//    kAddressReuse (RunConfig::address_reuse) restores the coin.
//
// 2. Sleep sets (Godefroid's partial-order reduction), unless
//    SearchParams::reduction is kNone. The seam declares each thread's next
//    operation (sync::PendingOps: object and kind). After a thread u's
//    subtree at a decision was explored, u "sleeps" in the later siblings'
//    subtrees until some thread runs an operation dependent with u's pending
//    one; a sleeping thread is not chosen, because every execution that runs
//    it there is equivalent (the same Mazurkiewicz trace: only independent
//    operations reordered) to one already explored. Dependent: the same
//    object with at least one write, any kGlobal operation, or any state in
//    which Relacy's yield/timed/spurious bookkeeping is active (it makes the
//    enabled set depend on the schedule, not the program). Plain variable
//    (rl::var) accesses are not part of dependence: two that race are a data
//    race that Relacy's vector clocks report in either order, and ones that
//    do not race are ordered by synchronisation that is itself dependent.
//    Relacy's weak-memory choices (which store a load reads) stay branches of
//    the tree, below the thread choice they belong to.
//    With a preemption bound, plain sleep sets are unsound (Coons, Musuvathi
//    and McKinley, OOPSLA 2013): the equivalent execution may need more
//    preemptions than the bound. Here only the choice that does not preempt
//    (the running thread continues, explored first at every decision) is put
//    to sleep for its siblings: moving that thread's step earlier never adds
//    a preemption, so the equivalent execution is within the bound whenever
//    the pruned one is. Exhaustive searches put every explored sibling to
//    sleep. A state where every enabled thread sleeps ends the execution's
//    search (it still runs to completion on single-choice nodes; reports
//    count such executions as sleep-blocked).
//
// 3. Dynamic partial-order reduction (Flanagan and Godefroid, POPL 2005)
//    under Reduction::kDpor (the default): a decision explores only the
//    threads in its backtrack set — the first choice, plus every thread that
//    a later step races with (dpor.h: the latest earlier dependent step of
//    another thread not ordered before it) — minus the sleeping ones.
//    Backtrack sets live with the tree nodes and survive the re-executions
//    of their prefix. Where Relacy's yield or timed-wait bookkeeping is
//    active, a decision explores every thread. Bounded searches add BPOR's
//    compensation (Coons, Musuvathi and McKinley, OOPSLA 2013): every race
//    also asks for its thread at the decision where the search last switched
//    to the racing step's thread, where switching to it costs no more than
//    that switch did; Relacy offers only choices within the bound.
//
// 4. The running thread's continuation is explored first at every decision
//    (the zero-preemption schedule first); positions then follow Relacy's
//    running-thread order.
//
// kBounded: at most test_params::context_bound preemptions per execution (a
// switch away from a thread that could continue); a switch forced because the
// running thread blocked or finished is free.
#pragma once

#include <cstdint>
#include <cstdio>
#include <sstream>
#include <string>
#include <utility>

#include "model/harness/dpor.h"
#include "model/harness/model_test.h"

namespace tlsm::model {

// Relacy's test_params plus what the harness's schedulers need. Every
// TreeScheduler run is given one of these (the scheduler casts back).
struct SearchParams : rl::test_params {
  Reduction reduction = Reduction::kDpor;
  bool wrong_independence = false;  // RunConfig::wrong_independence_for_test
  bool skip_bound_compensation = false;  // RunConfig::skip_bound_compensation_for_test
  std::uint64_t sleep_blocked = 0;  // out: executions that reached a state
                                    // where every enabled thread slept
  // Checkpoints (RunConfig has the format).
  Checkpoint checkpoint;
  // Sampling searches (sampling_scheduler.h): the sampler, PCT's depth and L
  // (RunConfig); out: the most scheduling points of an execution and each
  // completed execution's choice-sequence hash.
  Sampler sampler = Sampler::kRandom;
  unsigned pct_depth = 3;
  std::uint64_t schedule_length = 0;
  std::uint64_t max_steps = 0;
  rl::vector<std::uint64_t>::type schedule_hashes;
  // Prefix sharding (tree searches; docs/harness.md, "Sharding"). An
  // execution's prefix is its first split_depth branching decisions (tree
  // nodes with more than one choice; all of them if it has fewer). Prefixes
  // are numbered in depth-first order, the same in every shard, and prefix p
  // belongs to shard p % shard_count. Above the split every choice is
  // explored (sleep sets only: a decision's explored set must not depend on
  // what a subtree found); DPOR and BPOR apply below it, inside one prefix's
  // subtree. A shard runs each prefix it does not own once, on the search's
  // first choices (a skeleton execution: not counted), to reach the next
  // prefix. split_depth 0 and shard_count 1: no split.
  unsigned split_depth = 0;
  unsigned shard_index = 0, shard_count = 1;
  PrefixCounts prefix;  // out (and in, resuming from a checkpoint)
};

inline bool Dependent(const tlsm::sync::PendingOp& a, const tlsm::sync::PendingOp& b,
                      bool wrong_rule) {
  using tlsm::sync::OpKind;
  if (a.kind == OpKind::kStart || b.kind == OpKind::kStart) return false;
  if (a.kind == OpKind::kGlobal || b.kind == OpKind::kGlobal) return true;
  if (a.object != b.object) return false;
  if (a.kind == OpKind::kRead && b.kind == OpKind::kRead) return false;
  if (wrong_rule && a.kind != OpKind::kRead &&
      a.kind != OpKind::kWrite && b.kind != OpKind::kRead && b.kind != OpKind::kWrite) {
    return false;
  }
  return true;
}

template <rl::thread_id_t N, bool kBounded, bool kAddressReuse>
class TreeScheduler
    : public rl::tree_search_scheduler<TreeScheduler<N, kBounded, kAddressReuse>,
                                       rl::context_bound_scheduler_thread_info<N>, N> {
  static_assert(N <= tlsm::sync::kMaxModelThreads);

 public:
  using base_t = rl::tree_search_scheduler<TreeScheduler<N, kBounded, kAddressReuse>,
                                           rl::context_bound_scheduler_thread_info<N>, N>;
  using thread_info_t = typename base_t::thread_info_t;
  using shared_context_t = typename base_t::shared_context_t;

  TreeScheduler(rl::test_params& params, shared_context_t& ctx, rl::thread_id_t dynamic)
      : base_t(params, ctx, dynamic), search_(static_cast<SearchParams&>(params)) {
    // Constructed before Relacy turns its allocator on: std types are fine here.
    if (!search_.checkpoint.path.empty()) {
      tmp_path_ = search_.checkpoint.path + ".tmp";
      CurrentBudget().on_stop = &WriteCheckpointOf;
      CurrentBudget().on_stop_arg = this;
      last_checkpoint_ = NowSeconds();
    }
    std::istringstream in(search_.checkpoint.resume_info);
    std::string word;
    std::size_t n = 0;
    if (in >> word >> n && word == "nodes") {
      resume_nodes_.resize(n);
      for (auto& [b, d] : resume_nodes_) in >> b >> d;
    }
    PrefixCounts& pc = search_.prefix;
    if (in >> word && word == "prefix") {
      in >> next_ordinal_ >> new_prefix_ >> pc.count >> pc.own >> pc.skeletons >> pc.sum >>
          pc.own_sum >> pc.current;
    }
  }
  ~TreeScheduler() {
    if (CurrentBudget().on_stop_arg == this) {
      CurrentBudget().on_stop = nullptr;
      CurrentBudget().on_stop_arg = nullptr;
    }
  }

  rl::thread_id_t iteration_begin_impl() {
    preemptions_left_ = this->params_.context_bound;
    this->stree_depth_ = 0;
    info_.resize(this->stree_.size());
    if (!resume_nodes_.empty()) {
      // First execution of a resumed search: DPOR's sets come from the file.
      for (std::size_t i = 0; i < info_.size() && i < resume_nodes_.size(); ++i) {
        info_[i].backtrack = resume_nodes_[i].first;
        info_[i].done = resume_nodes_[i].second;
      }
      resume_nodes_.clear();
    }
    sleep_ = 0;
    blocked_ = false;
    branches_ = 0;
    boundary_ = kNoDecision;
    foreign_ = false;
    CurrentBudget().execution_sleep_blocked = false;
    decision_ = kNoDecision;
    if (Dpor()) Trace().Reset(N, search_.wrong_independence);
    // No thread has run yet (the test's before() resets them again).
    tlsm::sync::PendingOps::ResetAll();
    const unsigned index = rand_impl(this->running_threads_count, rl::sched_type_sched);
    const rl::thread_id_t th = this->running_threads[index];
    AfterDecision(th);
    return th;
  }

  rl::thread_id_t schedule_impl(rl::unpark_reason& reason, unsigned yield) {
    decision_ = kNoDecision;
    const rl::thread_id_t th = base_t::schedule_impl(reason, yield);
    AfterDecision(th);
    return th;
  }

  bool iteration_end_impl() {
    RL_VERIFY(this->stree_depth_ == this->stree_.size());
    if (Split() && boundary_ == kNoDecision) ReachBoundary(this->stree_.size());  // short execution
    if (foreign_) {
      // A skeleton execution: another shard's; not one of this search's.
      Budget& b = CurrentBudget();
      if (b.current_counted && b.completed != 0) b.completed -= 1;
      search_.prefix.skeletons += 1;
    } else if (blocked_) {
      search_.sleep_blocked += 1;
    }
    if (Dpor() && Trace().Full()) {
      // The race analysis gave up on this execution (too long): explore
      // every choice on its path.
      for (NodeInfo& ni : info_) ni.backtrack = ~Mask{0};
    }
    for (std::size_t i = this->stree_.size(); i != 0; --i) {
      // A skeleton explores nothing below its prefix.
      if (foreign_ && i - 1 >= boundary_) continue;
      auto& n = this->stree_[i - 1];
      NodeInfo& ni = info_[i - 1];
      unsigned next = n.index_ + 1;
      if (ni.thread_choice && Dpor() && !ni.upper) {
        if (ni.closed) continue;
        // The first thread (in position order) that a race asked for, not
        // yet explored here and not asleep.
        next = n.count_;
        for (unsigned q = 0; q != n.count_; ++q) {
          const Mask bit = Mask{1} << ni.thread[q];
          if ((ni.backtrack & bit) && !(ni.done & bit) && !(ni.sleep & bit)) {
            next = q;
            break;
          }
        }
        if (next < n.count_) ni.done |= Mask{1} << ni.thread[next];
      } else if (ni.thread_choice) {
        if (ni.closed) continue;
        while (next < n.count_ && Asleep(ni.sleep, ni.thread[next])) ++next;
      }
      if (next < n.count_) {
        this->stree_.resize(i);
        info_.resize(i);
        n.index_ = next;
        if (Split() && i - 1 < boundary_) new_prefix_ = true;
        if (!search_.checkpoint.path.empty() &&
            NowSeconds() - last_checkpoint_ >= search_.checkpoint.period_s) {
          WriteCheckpoint();
        }
        return false;
      }
    }
    return true;
  }

  // Called at every scheduling point of the running thread t: may the
  // scheduler switch away from it while it could continue?
  bool can_switch(thread_info_t& t) {
    t.sched_count_ += 1;
    return !kBounded || preemptions_left_ != 0;
  }

  // Called when the scheduler switched away from t.
  void on_switch(thread_info_t& t) {
    if (t.state_ == rl::thread_state_running) {
      if (kBounded) preemptions_left_ -= 1;  // a preemption
    } else {
      t.forced_context_switch_count_ += 1;   // t blocked or finished
    }
  }

  // Relacy's progress estimate; our reports count executions instead.
  double iteration_count_approx() { return 1.0; }

  unsigned rand_impl(unsigned limit, rl::sched_type type) {
    // rand() == 0 means "defer": the freed block is not reused at once.
    if (type == rl::sched_type_mem_realloc && !kAddressReuse) return 0;
    const std::size_t d = this->stree_depth_;
    if (info_.size() <= d) info_.resize(d + 1);
    NodeInfo& ni = info_[d];
    if (d == this->stree_.size()) ni = NodeInfo{};  // a new node
    ni.upper = false;
    if (Split() && boundary_ == kNoDecision) {
      if (branches_ == search_.split_depth) {
        ReachBoundary(d);
      } else {
        ni.upper = true;
        if (limit > 1) branches_ += 1;
      }
    }
    if (type == rl::sched_type_sched) return ChooseThread(limit, d, ni);
    if (blocked_ && d == this->stree_.size()) {
      // Below a sleep-blocked state nothing is explored: one choice only.
      this->stree_.push_back({limit, limit - 1, type, 0});
      this->stree_depth_ += 1;
      return limit - 1;
    }
    return base_t::rand_impl(limit, type);
  }

 private:
  using Mask = std::uint32_t;
  static constexpr std::size_t kNoDecision = ~std::size_t{0};

  // Per tree node, recomputed every time an execution passes the node.
  struct NodeInfo {
    bool thread_choice = false;  // a choice of thread (else: a Relacy data choice)
    bool closed = false;         // sleep-blocked: no sibling is explored
    bool continuation = false;   // position 0 is the running thread continuing
    bool upper = false;          // above a split search's prefix boundary
    Mask sleep = 0;              // threads asleep on arrival
    Mask backtrack = 0;          // DPOR: threads to explore here (kept across executions)
    Mask done = 0;               // DPOR: threads explored here (kept across executions)
    std::uint8_t running_index[N] = {};  // position -> index in running_threads
    rl::thread_id_t thread[N] = {};      // position -> thread
  };

  static bool Asleep(Mask sleep, rl::thread_id_t t) { return (sleep >> t) & 1u; }
  bool Reducing() const { return search_.reduction != Reduction::kNone; }
  bool Split() const { return search_.split_depth != 0 || search_.shard_count > 1; }

  // The execution reached its prefix boundary (tree node d is the first
  // below it): number the prefix, and decide whether it is this shard's.
  void ReachBoundary(std::size_t d) {
    boundary_ = d;
    PrefixCounts& pc = search_.prefix;
    if (new_prefix_) {
      new_prefix_ = false;
      pc.current = next_ordinal_++;
      std::uint64_t h = 1469598103934665603ull;  // FNV-1a over (count, index) pairs
      for (std::size_t i = 0; i != d; ++i) {
        h = (h ^ this->stree_[i].count_) * 1099511628211ull;
        h = (h ^ this->stree_[i].index_) * 1099511628211ull;
      }
      pc.count += 1;
      pc.sum += h;
      if (pc.current % search_.shard_count == search_.shard_index) {
        pc.own += 1;
        pc.own_sum += h;
      }
    }
    foreign_ = pc.current % search_.shard_count != search_.shard_index;
  }
  bool Dpor() const { return search_.reduction == Reduction::kDpor; }
  static DporTrace& Trace() {
    static DporTrace trace;  // static storage: no allocation inside the simulation
    return trace;
  }

  unsigned ChooseThread(unsigned limit, std::size_t d, NodeInfo& ni) {
    ni.thread_choice = true;
    ni.sleep = Reducing() ? sleep_ : 0;
    ni.continuation = false;
    // Positions: the running thread's continuation first, then Relacy's order.
    const thread_info_t* cur = this->thread_;
    unsigned pos = 0;
    if (cur != nullptr && cur->state_ == rl::thread_state_running) {
      for (unsigned i = 0; i != limit; ++i) {
        if (this->running_threads[i] == cur->index_) {
          ni.running_index[pos] = static_cast<std::uint8_t>(i);
          ni.thread[pos++] = cur->index_;
          ni.continuation = true;
        }
      }
    }
    for (unsigned i = 0; i != limit; ++i) {
      if (ni.continuation && this->running_threads[i] == cur->index_) continue;
      ni.running_index[pos] = static_cast<std::uint8_t>(i);
      ni.thread[pos++] = this->running_threads[i];
    }
    RL_VERIFY(pos == limit);
    unsigned chosen = 0;
    if (d == this->stree_.size()) {
      while (chosen < limit && Asleep(ni.sleep, ni.thread[chosen])) ++chosen;
      if (chosen == limit || blocked_) {
        // Every enabled thread sleeps: each continuation is equivalent to an
        // execution already explored. Finish this one on single choices.
        blocked_ = true;
        CurrentBudget().execution_sleep_blocked = true;
        ni.closed = true;
        chosen = limit - 1;
      }
      ni.backtrack = Mask{1} << ni.thread[chosen];
      ni.done = ni.backtrack;
      // Relacy's yield and timed-wait bookkeeping enables threads by
      // counting steps: explore every choice where it is active.
      if (ScheduleDependentEnabling()) ni.backtrack = ~Mask{0};
      this->stree_.push_back({limit, chosen, rl::sched_type_sched, 0});
    } else {
      const auto& n = this->stree_[d];
      RL_VERIFY(n.type_ == rl::sched_type_sched);
      RL_VERIFY(n.count_ == limit);
      chosen = n.index_;
    }
    this->stree_depth_ += 1;
    decision_ = d;
    return ni.running_index[chosen];
  }

  // Sleep set of the state after thread th's next step.
  void AfterDecision(rl::thread_id_t th) {
    if (!Reducing()) return;
    Mask next = sleep_;
    if (decision_ == kNoDecision && Asleep(sleep_, th)) {
      // The only thread that may run sleeps (Relacy asked no question: one
      // runnable thread, or no preemption left).
      blocked_ = true;
      CurrentBudget().execution_sleep_blocked = true;
    }
    if (decision_ != kNoDecision) {
      const NodeInfo& ni = info_[decision_];
      const unsigned chosen = this->stree_[decision_].index_;
      next = ni.sleep;
      if (Dpor() && !kBounded && !ni.upper) {
        next |= ni.done;  // every thread already explored here
      } else {
        for (unsigned q = 0; q < chosen; ++q) {
          // Bounded: only the non-preempting continuation may sleep (above).
          if (!kBounded || (q == 0 && ni.continuation)) next |= Mask{1} << ni.thread[q];
        }
      }
    }
    const tlsm::sync::PendingOp step_op = tlsm::sync::PendingOps::Of(th);
    if (Dpor() && !blocked_) {
      const DporTrace::Race race = Trace().OnStep(
          th, step_op, decision_ == kNoDecision ? -1 : static_cast<long>(decision_));
      if (race.step != DporTrace::kNone) {
        BacktrackAtStep(race.step, race.thread);
        // BPOR: running race.thread before the racing step may cost a
        // preemption the bound does not allow; switching to it where the
        // search last switched to the racing step's thread costs no more
        // than that switch did.
        if (kBounded && !search_.skip_bound_compensation) {
          const int start = Trace().RunStart(race.step);
          if (start != race.step) BacktrackAtStep(start, race.thread);
        }
      }
    }
    next &= ~(Mask{1} << th);
    const tlsm::sync::PendingOp& op = step_op;
    if (op.kind == tlsm::sync::OpKind::kGlobal || ScheduleDependentEnabling()) {
      sleep_ = 0;
      return;
    }
    for (rl::thread_id_t u = 0; u != N; ++u) {
      if (Asleep(next, u) &&
          Dependent(tlsm::sync::PendingOps::Of(u), op, search_.wrong_independence)) {
        next &= ~(Mask{1} << u);
      }
    }
    sleep_ = next;
  }

  static void WriteCheckpointOf(void* self) { static_cast<TreeScheduler*>(self)->WriteCheckpoint(); }

  // The position of the search: the tree as advanced to the next execution
  // (written between executions, or from the budget's stop before the next
  // one runs), in Relacy's state format. Plain stdio and no std::string or
  // stream: Relacy's operator new would record allocations made here.
  void WriteCheckpoint() {
    last_checkpoint_ = NowSeconds();
    std::FILE* f = std::fopen(tmp_path_.c_str(), "w");
    if (f == nullptr) return;
    std::fprintf(f, "%s\ncompleted %llu %llu\n0 %zu ", search_.checkpoint.header.c_str(),
                 static_cast<unsigned long long>(search_.checkpoint.resume_completed +
                                                 CurrentBudget().completed),
                 static_cast<unsigned long long>(search_.checkpoint.resume_sleep_blocked +
                                                 search_.sleep_blocked),
                 this->stree_.size());
    for (const auto& n : this->stree_)
      std::fprintf(f, "%u %u %u ", n.count_, n.index_, static_cast<unsigned>(n.type_));
    std::fprintf(f, "\nnodes %zu", info_.size());
    for (const NodeInfo& ni : info_) std::fprintf(f, " %u %u", ni.backtrack, ni.done);
    const PrefixCounts& pc = search_.prefix;
    std::fprintf(f, " prefix %llu %d %llu %llu %llu %llu %llu %llu\n",
                 static_cast<unsigned long long>(next_ordinal_), new_prefix_ ? 1 : 0,
                 static_cast<unsigned long long>(pc.count), static_cast<unsigned long long>(pc.own),
                 static_cast<unsigned long long>(pc.skeletons),
                 static_cast<unsigned long long>(pc.sum), static_cast<unsigned long long>(pc.own_sum),
                 static_cast<unsigned long long>(pc.current));
    const bool ok = std::fflush(f) == 0;
    std::fclose(f);
    if (ok) std::rename(tmp_path_.c_str(), search_.checkpoint.path.c_str());
  }

  // A race asks for thread p where trace step `step` was chosen (nothing if
  // that step was forced: no other thread could run there).
  void BacktrackAtStep(int step, rl::thread_id_t p) {
    const long at = Trace().NodeOfStep(step);
    if (at < 0) return;
    const auto node = static_cast<std::size_t>(at);
    AddBacktrack(info_[node], this->stree_[node].count_, p);
  }

  // A race asks for thread p at a node: p if it could run there, else every
  // thread that could.
  static void AddBacktrack(NodeInfo& ni, unsigned count, rl::thread_id_t p) {
    for (unsigned q = 0; q != count; ++q) {
      if (ni.thread[q] == p) {
        ni.backtrack |= Mask{1} << p;
        return;
      }
    }
    for (unsigned q = 0; q != count; ++q) ni.backtrack |= Mask{1} << ni.thread[q];
  }

  // Relacy's yield priorities and timed/spurious waits enable and disable
  // threads by counting scheduling steps, not by program state.
  bool ScheduleDependentEnabling() const {
    if (this->timed_thread_count_ != 0 || this->spurious_thread_count_ != 0) return true;
    for (rl::thread_id_t i = 0; i != N; ++i)
      if (this->threads_[i].total_yield_priority_ != 0) return true;
    return false;
  }

  SearchParams& search_;
  typename rl::vector<NodeInfo>::type info_;
  unsigned preemptions_left_ = 0;
  Mask sleep_ = 0;
  bool blocked_ = false;
  std::size_t decision_ = kNoDecision;
  // Prefix sharding: branching decisions passed above the boundary, the
  // boundary's tree index, whether the running execution is a skeleton, the
  // next prefix ordinal, and whether the next boundary starts a new prefix.
  unsigned branches_ = 0;
  std::size_t boundary_ = kNoDecision;
  bool foreign_ = false;
  std::uint64_t next_ordinal_ = 0;
  bool new_prefix_ = true;
  double last_checkpoint_ = 0;
  std::string tmp_path_;
  typename rl::vector<std::pair<Mask, Mask>>::type resume_nodes_;
};

}  // namespace tlsm::model
