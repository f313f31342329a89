// engine/sync/mutant.h — bug injection (the teeth of the checks), chosen at
// run time.
//
// Engine code guards each injected bug with a plain branch:
//   if (sync::MutantIs(sync::Mutant::tls_reclaim_without_lock)) { ... }
// In a production build (TLSM_RUNTIME_MUTANTS 0, engine/sync/build.h)
// MutantIs is a constexpr `false`: every mutant branch folds away and the
// code that remains is the correct one. In the model build (and the
// production flavour built with -DTLSM_RUNTIME_MUTANTS=ON) MutantIs reads
// the process-wide selection: a plain global, written once before any
// execution and never again, so reading it is no modelled operation (no
// scheduling point, no Relacy event) and forked children inherit it.
//
// The catalogue is engine/sync/mutants.def; this header is its only parser
// (`tlsm mutants --json` prints it for CMake, scripts and docs).
#pragma once

#include "engine/sync/sync.h"

TLSM_BEGIN
namespace sync {

enum class Mutant : int {
  kNone = 0,
#define TLSM_MUTANT_DEF(num, name, inv, scenarios, desc) name = num,
#include "engine/sync/mutants.def"
#undef TLSM_MUTANT_DEF
};

struct MutantInfo {
  Mutant id;
  const char* name;
  const char* invariant;
  const char* scenarios;  // space-separated scenarios that must catch it (its twins)
  const char* description;
};

inline constexpr MutantInfo kMutants[] = {
#define TLSM_MUTANT_DEF(num, name, inv, scenarios, desc) \
  {Mutant::name, #name, inv, scenarios, desc},
#include "engine/sync/mutants.def"
#undef TLSM_MUTANT_DEF
};

// The catalogue entry named `name`, or nullptr.
constexpr const MutantInfo* FindMutant(std::string_view name) {
  for (const MutantInfo& m : kMutants)
    if (name == m.name) return &m;
  return nullptr;
}

// The catalogue entry of `m`, or nullptr for Mutant::kNone.
constexpr const MutantInfo* FindMutant(Mutant m) {
  for (const MutantInfo& i : kMutants)
    if (i.id == m) return &i;
  return nullptr;
}

#if TLSM_RUNTIME_MUTANTS
namespace detail {
// The selected mutant (kNone: the correct engine). Written only by
// SelectMutant, before any engine use; read by every MutantIs.
extern Mutant g_selected_mutant;
}  // namespace detail

inline bool MutantIs(Mutant m) { return detail::g_selected_mutant == m; }

// Selects the mutant this process (and every child it forks) runs.
// REQUIRES: no engine object exists and no execution has started yet (a
// switch mid-run would mix two engines in one history). The production
// flavour selects at startup from the environment variable TLSM_MUTANT
// (a catalogue name; an unknown one exits 2 before main).
void SelectMutant(Mutant m);
inline Mutant SelectedMutant() { return detail::g_selected_mutant; }
#else
constexpr bool MutantIs(Mutant) { return false; }
constexpr Mutant SelectedMutant() { return Mutant::kNone; }
#endif

}  // namespace sync
TLSM_END
