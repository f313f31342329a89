// stack_model.cc — scenarios for treiber_stack.h. Two threads each push one
// node and pop one; after both, the two pops and what is left hold each of
// the three values (one pushed in Setup) exactly once (STACK-ONCE).
#include "treiber_stack.h"
#include "model/harness/relacy_runner.h"

namespace {

template <bool kBroken>
struct PushPop : tlsm::model::ModelTest<PushPop<kBroken>, 2> {
  example::TreiberStack* stack = nullptr;
  example::Node* nodes[3] = {};
  tlsm::sync::Atomic<example::Node*> popped[2];  // written by thread t only

  void Setup() {
    stack = tlsm::sync::New<example::TreiberStack>();
    for (int i = 0; i < 3; ++i) {
      nodes[i] = tlsm::sync::New<example::Node>();
      nodes[i]->value = i;
    }
    stack->Push(nodes[2]);
  }
  void Body(unsigned t) {
    stack->Push(nodes[t]);
    popped[t].Store(kBroken ? stack->PopBroken() : stack->Pop(), tlsm::sync::Order::kSeqCst);
  }
  void Check() {
    int seen[3] = {0, 0, 0};
    for (auto& p : popped) {
      example::Node* n = p.Load(tlsm::sync::Order::kSeqCst);
      TLSM_INVARIANT(n != nullptr, "STACK-ONCE", "a pop found the stack empty");
      if (n) ++seen[n->value];
    }
    while (example::Node* n = stack->Pop()) ++seen[n->value];
    for (int c : seen) TLSM_INVARIANT(c == 1, "STACK-ONCE", "a value was popped twice or lost");
  }
  void Teardown() {
    for (auto* n : nodes) tlsm::sync::Delete(n);
    tlsm::sync::Delete(stack);
  }
};

using StackPushPop = PushPop<false>;
using StackPushPopBroken = PushPop<true>;
TLSM_MODEL_SCENARIO(StackPushPop, "stack.push_pop", (std::vector<std::string>{"STACK-ONCE"}),
                    "two threads push one node and pop one each", "STACK-ONCE")
TLSM_MODEL_SCENARIO(StackPushPopBroken, "stack.push_pop_broken",
                    (std::vector<std::string>{"STACK-ONCE"}),
                    "the twin: pop without CAS loses an update (must fail)", "STACK-ONCE")

}  // namespace
