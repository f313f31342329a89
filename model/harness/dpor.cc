// model/harness/dpor.cc — see dpor.h.
#include "model/harness/dpor.h"

#include <algorithm>

namespace tlsm::model {

namespace {

void Join(DporTrace::Clock& into, const DporTrace::Clock& from, unsigned n) {
  for (unsigned i = 0; i != n; ++i) into[i] = std::max(into[i], from[i]);
}

bool IsRead(tlsm::sync::OpKind k) { return k == tlsm::sync::OpKind::kRead; }

}  // namespace

void DporTrace::Reset(unsigned threads, bool wrong_rmw_rule) {
  threads_ = threads;
  wrong_rmw_rule_ = wrong_rmw_rule;
  overflow_ = false;
  count_ = 0;
  for (unsigned t = 0; t != kMaxThreads; ++t) {
    std::fill(std::begin(clocks_[t]), std::end(clocks_[t]), 0u);
    last_step_[t] = kNone;
    last_global_[t] = kNone;
  }
  std::fill(std::begin(all_clock_), std::end(all_clock_), 0u);
  std::fill(std::begin(global_clock_), std::end(global_clock_), 0u);
  for (int i = 0; i != used_count_; ++i) objects_[used_[i]].object = nullptr;
  used_count_ = 0;
}

DporTrace::ObjectState* DporTrace::Object(const void* o) {
  std::uintptr_t h = reinterpret_cast<std::uintptr_t>(o);
  h ^= h >> 17;
  h *= 0x9E3779B97F4A7C15ull;
  for (std::size_t probe = 0; probe != kObjects; ++probe) {
    const std::size_t i = (h + probe) & (kObjects - 1);
    ObjectState& s = objects_[i];
    if (s.object == o) return &s;
    if (s.object == nullptr) {
      s.object = o;
      s.last_write = kNone;
      s.holder = kNone;
      std::fill(std::begin(s.last_read), std::end(s.last_read), kNone);
      std::fill(std::begin(s.write_clock), std::end(s.write_clock), 0u);
      std::fill(std::begin(s.access_clock), std::end(s.access_clock), 0u);
      used_[used_count_++] = static_cast<int>(i);
      return &s;
    }
  }
  return nullptr;
}

DporTrace::Race DporTrace::OnStep(unsigned p, const tlsm::sync::PendingOp& op, long node) {
  using tlsm::sync::OpKind;
  Race race;
  if (overflow_ || count_ == kMaxSteps) {
    overflow_ = true;  // the scheduler stops reducing this execution
    return race;
  }
  const unsigned n = threads_;
  int best = kNone;
  Clock& c = clocks_[p];
  if (count_ == 0) {
    // The execution's first step (it runs the test's Setup before any other
    // thread starts) precedes every other step in every execution: ordered
    // before all of them, it races with none.
    steps_[count_++] = Step{p, 1, node};
    c[p] = 1;
    for (unsigned q = 0; q != n; ++q) Join(clocks_[q], c, n);
    Join(all_clock_, c, n);
    last_step_[p] = 0;
    return race;
  }
  if (op.kind == OpKind::kStart) {
    // A thread's first step runs its own code up to its first scheduling
    // point: it touches no shared object and races with nothing.
    const int index = count_++;
    c[p] += 1;
    steps_[index] = Step{p, c[p], node};
    Join(all_clock_, c, n);
    last_step_[p] = index;
    return race;
  }
  // Every step is dependent with the last undeclared one.
  for (unsigned q = 0; q != n; ++q) Consider(last_global_[q], p, &best);
  ObjectState* obj = nullptr;
  if (op.kind == OpKind::kGlobal) {
    for (unsigned q = 0; q != n; ++q) Consider(last_step_[q], p, &best);
    Join(c, all_clock_, n);
  } else {
    obj = Object(op.object);
    if (obj == nullptr) {
      overflow_ = true;
      return race;
    }
  }
  if (op.kind == OpKind::kLock && obj->holder != kNone && obj->holder != static_cast<int>(p)) {
    // An attempt that blocks (another thread holds the mutex) changes no
    // shared state: it is ordered in its thread only and races with nothing.
    // The acquisition that follows the holder's unlock is a step of its own.
    obj = nullptr;
  } else if (op.kind == OpKind::kLock || op.kind == OpKind::kUnlock) {
    // Acquisitions of one mutex race with each other; a release races with
    // nothing (no other thread's acquisition can run while it holds the
    // mutex, so the two are never both enabled). Every acquisition is
    // ordered after every earlier access (releases included).
    if (op.kind == OpKind::kLock && !wrong_rmw_rule_) Consider(obj->last_write, p, &best);
    if (op.kind == OpKind::kLock) Join(c, obj->access_clock, n);
  } else if (op.kind != OpKind::kGlobal) {
    const bool read = IsRead(op.kind);
    // The deliberately wrong rule of the differential check's twin: RMWs
    // and lock operations of one object commute (they do not).
    const bool skip_writes = wrong_rmw_rule_ && !read && op.kind != OpKind::kWrite;
    if (!skip_writes) Consider(obj->last_write, p, &best);
    if (!read) {
      for (unsigned q = 0; q != n; ++q) Consider(obj->last_read[q], p, &best);
      if (!skip_writes) Join(c, obj->access_clock, n);
    } else {
      Join(c, obj->write_clock, n);
    }
  }
  Join(c, global_clock_, n);
  if (best != kNone) {
    race.step = best;
    race.thread = p;
  }
  // Record the step.
  const int index = count_++;
  c[p] += 1;
  steps_[index] = Step{p, c[p], node};
  Join(all_clock_, c, n);
  last_step_[p] = index;
  if (op.kind == OpKind::kGlobal) {
    last_global_[p] = index;
    std::copy(std::begin(c), std::end(c), std::begin(global_clock_));
  } else if (op.kind == OpKind::kLock || op.kind == OpKind::kUnlock) {
    if (obj != nullptr) {
      Join(obj->access_clock, c, n);
      if (op.kind == OpKind::kLock) {
        obj->last_write = index;  // the last acquisition
        obj->holder = static_cast<int>(p);
      } else {
        obj->holder = kNone;
      }
    }
  } else if (obj != nullptr) {
    Join(obj->access_clock, c, n);
    if (IsRead(op.kind)) {
      obj->last_read[p] = index;
    } else {
      obj->last_write = index;
      std::copy(std::begin(c), std::end(c), std::begin(obj->write_clock));
      std::fill(std::begin(obj->last_read), std::end(obj->last_read), kNone);
    }
  }
  return race;
}

}  // namespace tlsm::model
