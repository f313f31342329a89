// model/harness/spin.h — waiting inside a simulated thread.
#pragma once

#include "model/harness/scenario.h"

namespace tlsm::model {

// Yields to the scheduler until pred() holds. Relacy treats the yield as a
// spin, so a wait that can never end is reported as a livelock.
template <class Pred>
void SpinUntil(Pred&& pred) {
  while (!pred()) rl::yield(1, rl::debug_info("SpinUntil", __FILE__, __LINE__));
}

}  // namespace tlsm::model
