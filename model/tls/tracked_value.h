// model/tls/tracked_value.h — values stored in matrix slots by the scenarios.
// Each value remembers its column tag and counts handler calls, so Check()
// can prove TLS-ONCE and TLS-ISO; the scenario owns and frees them.
#pragma once

#include "engine/sync/sync.h"

namespace tlsm::model {

struct TrackedValue {
  explicit TrackedValue(int tag_) : tag(tag_) {}
  const int tag;                              // column the value belongs to
  tlsm::sync::Atomic<int> handled{0};         // handler calls
  tlsm::sync::Atomic<int> taken{0};           // taken out by Swap/CAS/Scrape
  tlsm::sync::Cell<int> payload{0};           // written before publishing
};

// The unref handler of a column whose tag is *static_cast<int*>(arg).
inline void CountingHandler(void* v, void* arg) {
  auto* t = static_cast<TrackedValue*>(v);
  const int column_tag = *static_cast<int*>(arg);
  TLSM_INVARIANT(t->tag == column_tag, "TLS-ISO",
                 "a column's handler received another column's value");
  // acq_rel: Check() reads the count after joining all threads.
  t->handled.FetchAdd(1, tlsm::sync::Order::kAcqRel);
}

// A handler context that lives on the heap, so a handler that runs after its
// owner freed it (after the column's destructor returned) reads poisoned
// memory and Relacy reports it.
struct HandlerContext {
  explicit HandlerContext(int t) : tag(t) {}
  tlsm::sync::Cell<int> tag;
};

inline void ContextCountingHandler(void* v, void* arg) {
  auto* ctx = static_cast<HandlerContext*>(arg);
  int tag = ctx->tag.With([](int t) { return t; });
  CountingHandler(v, &tag);
}

}  // namespace tlsm::model
