// model/harness/strategy_registry.cc — the registered search strategies.
//
// Registering a strategy: declare its accessor here and add it to the list.
// The list's order is the order `tlsm check --search all` runs them in; a
// scenario stops at its first bug, so cheap sampling comes first.
#include <cstring>

#include "model/harness/strategy.h"

namespace tlsm_harness {

const SearchStrategy& RandomStrategy();      // strategy_random.cc
const SearchStrategy& BoundedStrategy();     // strategy_bounded.cc
const SearchStrategy& ExhaustiveStrategy();  // strategy_exhaustive.cc

const std::vector<const SearchStrategy*>& Strategies() {
  static const std::vector<const SearchStrategy*> all = {
      &RandomStrategy(),
      &BoundedStrategy(),
      &ExhaustiveStrategy(),
  };
  return all;
}

const SearchStrategy* FindStrategy(const std::string& name) {
  for (const SearchStrategy* st : Strategies())
    if (name == st->Name()) return st;
  return nullptr;
}

}  // namespace tlsm_harness
