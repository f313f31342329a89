// model/harness/sampling_scheduler.h — the schedulers of sampling searches.
//
// SampledScheduler<N> runs independent executions, execution i seeded with
// i (like Relacy's random_scheduler, whose scheduler template it derives
// from; Relacy is not patched). Each execution is sampled by one Sampler:
//
//   kRandom  every scheduling choice uniform over the runnable threads, with
//            exactly the draws of Relacy's random_scheduler (same generator,
//            same seed, same order), so `random` executions are stock
//            Relacy's.
//   kPct     PCT (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010)
//            with depth d: distinct random thread priorities d..d+N-1, and
//            d-1 change points drawn uniformly from steps 1..L (L: the
//            execution length the strategy learned from a first run); after
//            the step numbered by the i-th change point drawn, the running
//            thread's priority drops to d-i, below every initial one. At every
//            scheduling point the runnable thread of highest priority runs.
//            A thread that yields (Relacy's yield: spin waits,
//            model/harness/spin.h) drops below every thread, so a spin wait
//            cannot starve the thread it waits for.
//   kPos     POS (Yuan, Yang, Gu, CAV 2018): every pending operation has a
//            random priority; the runnable thread whose pending operation
//            has the highest runs. After a step, the priorities of the
//            thread that ran (its next operation is a new one) and of every
//            thread whose pending operation races with the step that ran
//            (tree_scheduler.h's Dependent: same object, one not a read, or
//            an undeclared operation) are drawn again. A yield draws the
//            lowest priority for the yielding thread's next operation.
//   kPortfolio  execution i uses slot i mod 4: random, PCT d=2, PCT d=3, POS.
//
// What the samplers do not decide: Relacy's other choices (which store a
// load reads, a spurious CAS failure, whether a freed address is reused,
// timed and spurious wake-ups) are drawn at random as Relacy's random
// scheduler draws them (kRandom: its own generator; the others: the
// execution's generator). Sampling searches keep Relacy's address coin.
//
// Replay: a failing execution's state is "<i> <sampler> <depth> <L>" (the
// sampler that ran it, never kPortfolio), so a token replays it alone.
//
// Coverage: every completed execution's choice sequence (thread choices and
// Relacy's data choices) is hashed into SearchParams::schedule_hashes.
#pragma once

#include <cstdint>

#include "model/harness/tree_scheduler.h"

namespace tlsm::model {

// splitmix64 (Steele, Lea, Flood, OOPSLA 2014): small, fast, well mixed;
// seeded from the execution index and the sampler so executions are
// independent of each other and of how a search is sliced.
struct SplitMix64 {
  std::uint64_t x = 0;
  std::uint64_t Next() {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n), n > 0 (Lemire's multiply-shift; the bias is < n/2^64).
  std::uint64_t Below(std::uint64_t n) {
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }
};

// The sampler of execution i under `s` (kPortfolio: its slot).
inline Sampler SamplerOf(Sampler s, std::uint64_t i, unsigned* depth) {
  if (s != Sampler::kPortfolio) return s;
  switch (i % 4) {
    case 0: return Sampler::kRandom;
    case 1: *depth = 2; return Sampler::kPct;
    case 2: *depth = 3; return Sampler::kPct;
    default: return Sampler::kPos;
  }
}

template <rl::thread_id_t N>
class SampledScheduler
    : public rl::scheduler<SampledScheduler<N>, rl::scheduler_thread_info, N> {
  static_assert(N <= tlsm::sync::kMaxModelThreads);

 public:
  using base_t = rl::scheduler<SampledScheduler<N>, rl::scheduler_thread_info, N>;
  using thread_info_t = typename base_t::thread_info_t;
  using shared_context_t = typename base_t::shared_context_t;
  struct task_t {};

  SampledScheduler(rl::test_params& params, shared_context_t& ctx, rl::thread_id_t dynamic)
      : base_t(params, ctx, dynamic), search_(static_cast<SearchParams&>(params)) {
    sampler_ = search_.sampler;
    depth_ = search_.pct_depth;
    length_ = search_.schedule_length;
  }

  rl::thread_id_t iteration_begin_impl() {
    depth_now_ = depth_;
    mode_ = replay_ ? sampler_ : SamplerOf(sampler_, this->iter_, &depth_now_);
    steps_ = 0;
    hash_ = 0xcbf29ce484222325ull;
    if (mode_ == Sampler::kRandom) {
      rand_.seed(this->iter_);
    } else {
      rng_.x = this->iter_ * 0x2545f4914f6cdd1dull + static_cast<std::uint64_t>(mode_) * 1000 +
               depth_now_;
      rng_.Next();
      if (mode_ == Sampler::kPct) StartPct();
      if (mode_ == Sampler::kPos) {
        for (rl::thread_id_t t = 0; t != N; ++t) pos_prio_[t] = rng_.Next();
      }
    }
    ran_ = kNone;
    rl::unpark_reason reason;
    return schedule_impl(reason, 0);
  }

  bool iteration_end_impl() {
    if (!this->params_.collect_history) search_.schedule_hashes.push_back(hash_);
    return this->iter_ == this->params_.iteration_count;
  }

  rl::thread_id_t schedule_impl(rl::unpark_reason& reason, unsigned yield) {
    steps_ += 1;
    if (steps_ > search_.max_steps) search_.max_steps = steps_;
    const thread_info_t* cur = this->thread_;
    const bool yielded = yield != 0 && cur != nullptr && cur->state_ == rl::thread_state_running;
    reason = rl::unpark_reason_normal;
    if (const int woken = WakeTimedOrSpurious(reason); woken >= 0) {
      Mix(0x100u + static_cast<unsigned>(woken));
      ran_ = kNone;
      return static_cast<rl::thread_id_t>(woken);
    }
    RL_VERIFY(this->running_threads_count);
    rl::thread_id_t th = 0;
    switch (mode_) {
      case Sampler::kRandom:
        th = this->running_threads[rand_.rand() % this->running_threads_count];
        break;
      case Sampler::kPct:
        if (cur != nullptr) {
          // Change points: the thread that ran step steps_-1 (it may have
          // blocked or ended with it) drops to the change point's priority.
          while (next_change_ < changes_ && change_[next_change_] <= steps_ - 1) {
            pct_prio_[cur->index_] = change_prio_[next_change_];
            ++next_change_;
          }
          if (yielded) pct_prio_[cur->index_] = --lowest_;
        }
        th = Highest(pct_prio_);
        break;
      case Sampler::kPos:
        PosRedraw(cur, yielded);
        th = HighestPos();
        ran_ = th;
        ran_op_ = tlsm::sync::PendingOps::Of(th);
        break;
      case Sampler::kPortfolio:
        RL_VERIFY(false);
    }
    Mix(th);
    return th;
  }

  unsigned rand_impl(unsigned limit, rl::sched_type) {
    const unsigned r = mode_ == Sampler::kRandom ? rand_.rand() % limit
                                                 : static_cast<unsigned>(rng_.Below(limit));
    Mix(0x1000u + r);
    return r;
  }

  rl::iteration_t iteration_count_impl() { return this->params_.iteration_count; }

  // "<sampler> <depth> <L>" after Relacy's "<iteration> ".
  void get_state_impl(std::ostream& ss) {
    ss << static_cast<unsigned>(mode_) << " " << depth_now_ << " " << length_;
  }
  void set_state_impl(std::istream& ss) {
    unsigned mode = 0, depth = 0;
    std::uint64_t length = 0;
    // A state that names no single sampler (forged or damaged) is ignored:
    // the execution runs as the search configured it.
    if (ss >> mode >> depth >> length && mode < static_cast<unsigned>(Sampler::kPortfolio) &&
        depth <= kMaxChanges + 1) {
      sampler_ = static_cast<Sampler>(mode);
      depth_ = depth;
      length_ = length;
      replay_ = true;
    }
  }

  void on_thread_block(rl::thread_id_t, bool) {}

 private:
  static constexpr rl::thread_id_t kNone = static_cast<rl::thread_id_t>(-1);

  void Mix(unsigned v) {
    hash_ ^= v;
    hash_ *= 0x100000001b3ull;  // FNV-1a over the choice sequence
  }

  // Relacy's random scheduler's handling of timed and spurious wake-ups (the
  // same draws in kRandom; the execution's generator otherwise). -1: none.
  int WakeTimedOrSpurious(rl::unpark_reason& reason) {
    const rl::thread_id_t running = this->running_threads_count;
    if (const rl::thread_id_t timed = this->timed_thread_count_) {
      const rl::thread_id_t cnt = running ? timed * 4 : timed;
      const auto idx = static_cast<rl::thread_id_t>(Draw(static_cast<unsigned>(cnt)));
      if (idx < timed) {
        const rl::thread_id_t th = this->timed_threads_[idx]->index_;
        this->unpark_thread(th);
        reason = rl::unpark_reason_timeout;
        return static_cast<int>(th);
      }
    }
    if (const rl::thread_id_t spurious = this->spurious_thread_count_; spurious && running) {
      const auto idx = static_cast<rl::thread_id_t>(Draw(static_cast<unsigned>(spurious * 8)));
      if (idx < spurious) {
        const rl::thread_id_t th = this->spurious_threads_[idx]->index_;
        this->unpark_thread(th);
        reason = rl::unpark_reason_spurious;
        return static_cast<int>(th);
      }
    }
    return -1;
  }
  unsigned Draw(unsigned n) {
    return mode_ == Sampler::kRandom ? rand_.rand() % n : static_cast<unsigned>(rng_.Below(n));
  }

  void StartPct() {
    // Distinct priorities depth..depth+N-1 in random order (Fisher-Yates).
    for (rl::thread_id_t t = 0; t != N; ++t)
      pct_prio_[t] = static_cast<std::int64_t>(depth_now_ + t);
    for (rl::thread_id_t t = N; t > 1; --t) {
      const auto j = static_cast<rl::thread_id_t>(rng_.Below(t));
      std::swap(pct_prio_[t - 1], pct_prio_[j]);
    }
    lowest_ = 0;
    // d-1 distinct change points in 1..L (fewer if L is shorter). The i-th
    // drawn lowers the running thread to depth-1-i; kept sorted by step.
    changes_ = 0;
    next_change_ = 0;
    const unsigned want = depth_now_ > 1 ? depth_now_ - 1 : 0;
    const std::uint64_t l = length_;
    for (unsigned i = 0; i != want && changes_ < l && i < kMaxChanges; ++i) {
      std::uint64_t c = 0;
      bool fresh = false;
      while (!fresh) {
        c = 1 + rng_.Below(l);
        fresh = true;
        for (unsigned k = 0; k != changes_; ++k) fresh = fresh && change_[k] != c;
      }
      unsigned k = changes_++;
      for (; k != 0 && change_[k - 1] > c; --k) {
        change_[k] = change_[k - 1];
        change_prio_[k] = change_prio_[k - 1];
      }
      change_[k] = c;
      change_prio_[k] = static_cast<std::int64_t>(depth_now_) - 1 - static_cast<std::int64_t>(i);
    }
  }

  rl::thread_id_t Highest(const std::int64_t* prio) const {
    rl::thread_id_t best = this->running_threads[0];
    for (rl::thread_id_t i = 1; i != this->running_threads_count; ++i) {
      const rl::thread_id_t t = this->running_threads[i];
      if (prio[t] > prio[best]) best = t;
    }
    return best;
  }

  void PosRedraw(const thread_info_t* cur, bool yielded) {
    if (ran_ == kNone) return;
    for (rl::thread_id_t u = 0; u != N; ++u) {
      if (u == ran_) continue;
      if (Dependent(tlsm::sync::PendingOps::Of(u), ran_op_, false)) pos_prio_[u] = rng_.Next();
    }
    // The thread that ran has a new pending operation.
    pos_prio_[ran_] = rng_.Next();
    if (yielded && cur != nullptr) pos_prio_[cur->index_] = 0;
  }

  rl::thread_id_t HighestPos() const {
    rl::thread_id_t best = this->running_threads[0];
    for (rl::thread_id_t i = 1; i != this->running_threads_count; ++i) {
      const rl::thread_id_t t = this->running_threads[i];
      if (pos_prio_[t] > pos_prio_[best]) best = t;
    }
    return best;
  }

  static constexpr unsigned kMaxChanges = 16;

  SearchParams& search_;
  Sampler sampler_ = Sampler::kRandom;  // the search's sampler (a replay: the execution's)
  unsigned depth_ = 3;                  // PCT depth of the search
  std::uint64_t length_ = 0;            // L: the learned execution length
  bool replay_ = false;                 // state read from a token
  // The running execution.
  Sampler mode_ = Sampler::kRandom;
  unsigned depth_now_ = 3;
  std::uint64_t steps_ = 0;
  std::uint64_t hash_ = 0;
  rl::random_generator rand_;
  SplitMix64 rng_;
  std::int64_t pct_prio_[N] = {};
  std::int64_t lowest_ = 0;
  std::uint64_t change_[kMaxChanges] = {};       // change points, in step order
  std::int64_t change_prio_[kMaxChanges] = {};   // the priority each one gives
  unsigned changes_ = 0, next_change_ = 0;
  std::uint64_t pos_prio_[N] = {};
  rl::thread_id_t ran_ = kNone;
  tlsm::sync::PendingOp ran_op_;
};

}  // namespace tlsm::model
