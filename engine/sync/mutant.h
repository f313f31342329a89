// engine/sync/mutant.h — compile-time bug injection (the teeth of the checks).
//
// Engine .cc files guard each injected bug with
//   if constexpr (sync::MutantIs(sync::Mutant::tls_reclaim_without_lock)) ...
// In a normal build TLSM_MUTANT is 0 and every branch folds away.
#pragma once

#include "engine/sync/build.h"

TLSM_BEGIN
namespace sync {

enum class Mutant : int {
  kNone = 0,
#define TLSM_MUTANT_DEF(num, name, inv, scenarios, desc) name = num,
#include "engine/sync/mutants.def"
#undef TLSM_MUTANT_DEF
};

constexpr bool MutantIs(Mutant m) { return TLSM_MUTANT == static_cast<int>(m); }

struct MutantInfo {
  int number;
  const char* name;
  const char* invariant;
  const char* scenarios;  // space-separated scenarios that must catch it
  const char* description;
};

inline constexpr MutantInfo kMutants[] = {
#define TLSM_MUTANT_DEF(num, name, inv, scenarios, desc) {num, #name, inv, scenarios, desc},
#include "engine/sync/mutants.def"
#undef TLSM_MUTANT_DEF
};

// The mutant compiled into this build, or nullptr.
constexpr const MutantInfo* ActiveMutant() {
  for (const auto& m : kMutants)
    if (m.number == TLSM_MUTANT) return &m;
  return nullptr;
}

}  // namespace sync
TLSM_END
