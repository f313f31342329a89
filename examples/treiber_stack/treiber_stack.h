// treiber_stack.h — a Treiber stack of ints on the seam (tlsm::sync), so the
// same text compiles against std atomics or, in the model build, Relacy's.
// Push and Pop may be called from any thread. Popped nodes belong to the
// caller; the stack reclaims nothing (no ABA while a node is never reused).
// Memory ordering: Push publishes a node with a release CAS on top_; Pop
// reads top_ with acquire, so node->value and node->next written before the
// push are visible to the popper.
#pragma once

#include "engine/sync/sync.h"

namespace example {

struct Node {
  int value = 0;
  Node* next = nullptr;  // written by the pusher before publication; read-only after
};

class TreiberStack {
 public:
  void Push(Node* n) {
    Node* top = top_.Load(tlsm::sync::Order::kRelaxed);  // a stale guess: the CAS checks it
    do {
      n->next = top;
    } while (!top_.CompareExchange(top, n, tlsm::sync::Order::kAcqRel));
  }
  // Returns the popped node or nullptr when empty.
  Node* Pop() {
    Node* top = top_.Load(tlsm::sync::Order::kAcquire);
    while (top != nullptr &&
           !top_.CompareExchange(top, top->next, tlsm::sync::Order::kAcqRel)) {
    }
    return top;
  }
  // The broken twin: reads top_ and stores its successor without a CAS, so
  // two concurrent pops can both take the same node (a lost update).
  Node* PopBroken() {
    Node* top = top_.Load(tlsm::sync::Order::kAcquire);
    if (top != nullptr) top_.Store(top->next, tlsm::sync::Order::kRelease);
    return top;
  }

 private:
  tlsm::sync::Atomic<Node*> top_{nullptr};  // written by Push/Pop CAS
};

}  // namespace example
