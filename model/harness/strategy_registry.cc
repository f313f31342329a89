// model/harness/strategy_registry.cc — the registered search strategies.
//
// Registering a strategy: declare its accessor here and add it to the list.
// DefaultStrategies() is what `tlsm check --search all` (the default) runs,
// in order; a scenario stops at its first bug, so cheap sampling comes
// first, and the sampling search is the portfolio.
#include <cstring>

#include "model/harness/strategy.h"

namespace tlsm::harness {

const SearchStrategy& RandomStrategy();      // strategy_random.cc
const SearchStrategy& BoundedStrategy();     // strategy_bounded.cc
const SearchStrategy& ExhaustiveStrategy();  // strategy_exhaustive.cc
const SearchStrategy& PctStrategy();         // strategy_pct.cc
const SearchStrategy& PosStrategy();         // strategy_pos.cc
const SearchStrategy& PortfolioStrategy();   // strategy_portfolio.cc

const std::vector<const SearchStrategy*>& Strategies() {
  static const std::vector<const SearchStrategy*> all = {
      &RandomStrategy(),
      &BoundedStrategy(),
      &ExhaustiveStrategy(),
      &PctStrategy(),
      &PosStrategy(),
      &PortfolioStrategy(),
  };
  return all;
}

const std::vector<const SearchStrategy*>& DefaultStrategies() {
  static const std::vector<const SearchStrategy*> all = {
      &PortfolioStrategy(),
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

}  // namespace tlsm::harness
