// model/harness/dpor.h — race detection of dynamic partial-order reduction
// (Flanagan and Godefroid, POPL 2005) over one execution of a tree search.
//
// TreeScheduler reports every step (the thread that ran, the operation it
// declared, the tree node where it was chosen) to DporTrace::OnStep. For each
// step e of thread p, DporTrace finds the latest earlier step e' of another
// thread that is dependent with e and not ordered before e by the steps'
// happens-before (vector clocks over program order and dependence): e' and e
// race, and reversing them may lead somewhere new, so p (or, if p could not
// run there, every thread that could) must be explored at the node where e'
// was chosen. The scheduler adds those threads to that node's backtrack set.
//
// Only the latest race per step is needed (the reversed branch finds the
// earlier ones). Candidates are looked up per object, not by scanning the
// trace: for a write, RMW or lock on o, the last non-read of o and each
// thread's last read of o since; for a read, the last non-read of o; for
// either, each thread's last undeclared (kGlobal) step; for a kGlobal step,
// each other thread's last step. kStart steps race with nothing, nor does
// the execution's first step (it precedes every other). Mutexes: an
// acquisition races with the last acquisition by another thread; a release,
// and an attempt that blocks (the trace tracks the holder), race with
// nothing; an acquisition is ordered after every earlier access.
//
// Fixed-size storage, reset per execution: the scheduler runs inside the
// simulation, where Relacy tracks allocations.
#pragma once

#include <cstdint>

#include "model/harness/scenario.h"

namespace tlsm::model {

class DporTrace {
 public:
  static constexpr unsigned kMaxThreads = tlsm::sync::kMaxModelThreads;
  static constexpr int kNone = -1;
  using Clock = std::uint32_t[kMaxThreads];

  // A race: thread `thread` must be tried at the node where step `step` was
  // chosen (node_of_step).
  struct Race {
    int step = kNone;
    unsigned thread = 0;
  };

  void Reset(unsigned threads, bool wrong_rmw_rule);
  // Records step `node` (tree depth of the choice, or -1 for a forced step)
  // of thread p doing op; returns the latest race with an earlier step.
  Race OnStep(unsigned p, const tlsm::sync::PendingOp& op, long node);
  long NodeOfStep(int step) const { return steps_[step].node; }
  // The first step of the run of consecutive steps of one thread that holds
  // `step`: where the search last switched to that thread (BPOR's
  // conservative backtrack point).
  int RunStart(int step) const {
    while (step > 0 && steps_[step - 1].thread == steps_[step].thread) --step;
    return step;
  }
  bool Full() const { return overflow_; }

 private:
  static constexpr int kMaxSteps = 8192;
  static constexpr int kObjects = 2048;  // power of two

  struct Step {
    unsigned thread;
    std::uint32_t local;  // index of this step within its thread (1-based)
    long node;
  };
  struct ObjectState {
    const void* object;
    int last_write;               // step index, kNone (mutex: last acquisition)
    int holder;                   // mutex: the thread holding it, kNone
    int last_read[kMaxThreads];   // per thread, since last_write
    Clock write_clock;            // clock of last_write
    Clock access_clock;           // join of every access so far
  };

  ObjectState* Object(const void* o);
  bool OrderedBefore(int step, unsigned p) const {
    const Step& s = steps_[step];
    return clocks_[p][s.thread] >= s.local;
  }
  void Consider(int step, unsigned p, int* best) const {
    if (step == kNone || steps_[step].thread == p || OrderedBefore(step, p)) return;
    if (step > *best) *best = step;
  }

  unsigned threads_ = 0;
  bool wrong_rmw_rule_ = false;
  bool overflow_ = false;
  int count_ = 0;
  Step steps_[kMaxSteps];
  Clock clocks_[kMaxThreads];
  Clock all_clock_;                 // join of every step
  Clock global_clock_;              // clock of the last kGlobal step
  int last_step_[kMaxThreads];      // per thread
  int last_global_[kMaxThreads];    // per thread: last kGlobal step
  ObjectState objects_[kObjects];
  int used_[kObjects];
  int used_count_ = 0;
};

}  // namespace tlsm::model
