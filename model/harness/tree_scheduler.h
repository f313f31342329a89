// model/harness/tree_scheduler.h — the harness's own tree-search scheduler.
//
// Relacy's tree searches (full_search_scheduler, context_bound_scheduler)
// branch at every free: "defer the free, or let the address be reused at
// once" (sched_type_mem_realloc in relacy/context.hpp). Every free in a
// scenario doubles the tree, so a search at zero preemptions of a scenario
// with 15 frees runs 2^15 times the executions its forced switches need.
//
// TreeScheduler<N, kBounded, kAddressReuse> is the same depth-first search over Relacy's
// decision tree (it derives from Relacy's tree_search_scheduler template; no
// Relacy code is changed or copied), with one policy change: under
// !kAddressReuse it answers every mem_realloc question with
// "defer" and records no decision for it, so the tree branches only on
// thread choices and on Relacy's weak-memory choices (which store a load
// reads, spurious CAS failure), exactly as the stock search does. The seam
// (engine/sync) keeps every object freed through sync::Delete quarantined —
// destroyed and poisoned, its address never handed out again — until the
// execution ends, so a use after free is always visible (an access to a
// destroyed Atomic fails Relacy's signature check; a Cell or LifeMark read
// races the poisoning write).
//
// What quarantine does not explore: a freed address recycled for a new
// object within one execution (ABA through address reuse). The random search
// keeps Relacy's coin (it costs nothing there), and kAddressReuse
// (RunConfig::address_reuse) restores the coin in a tree search for scenarios that need it; reports
// name the policy.
//
// kBounded: at most test_params::context_bound preemptions per execution (a
// switch away from a thread that could continue); a switch forced because the
// running thread blocked or finished is free. This is the rule of Relacy's
// context_bound_scheduler, written here for our derived type.
#pragma once

#include "model/harness/scenario.h"

namespace tlsm_model {

template <rl::thread_id_t N, bool kBounded, bool kAddressReuse>
class TreeScheduler
    : public rl::tree_search_scheduler<TreeScheduler<N, kBounded, kAddressReuse>,
                                       rl::context_bound_scheduler_thread_info<N>, N> {
 public:
  using base_t = rl::tree_search_scheduler<TreeScheduler<N, kBounded, kAddressReuse>,
                                           rl::context_bound_scheduler_thread_info<N>, N>;
  using thread_info_t = typename base_t::thread_info_t;
  using shared_context_t = typename base_t::shared_context_t;

  TreeScheduler(rl::test_params& params, shared_context_t& ctx, rl::thread_id_t dynamic)
      : base_t(params, ctx, dynamic) {}

  rl::thread_id_t iteration_begin_impl() {
    preemptions_left_ = this->params_.context_bound;
    return base_t::iteration_begin_impl();
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
    return base_t::rand_impl(limit, type);
  }

 private:
  unsigned preemptions_left_ = 0;
};

}  // namespace tlsm_model
