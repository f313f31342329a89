// engine/sync/mutant.cc — the process-wide mutant selection (mutant.h).
#include "engine/sync/mutant.h"

TLSM_BEGIN
namespace sync {

#if TLSM_RUNTIME_MUTANTS
namespace detail {
Mutant g_selected_mutant = Mutant::kNone;
}  // namespace detail

void SelectMutant(Mutant m) { detail::g_selected_mutant = m; }

#if !TLSM_MODEL
namespace {
// The production flavour with runtime mutants (tests against a mutant):
// TLSM_MUTANT=<name> selects it before main, so every test binary of the
// flavour runs it without a flag of its own. The model build selects with
// `tlsm check --mutant NAME` instead and ignores the variable.
__attribute__((constructor)) void SelectMutantFromEnvironment() {
  const char* name = std::getenv("TLSM_MUTANT");
  if (name == nullptr || *name == '\0') return;
  const MutantInfo* m = FindMutant(std::string_view(name));
  if (m == nullptr) {
    std::fprintf(stderr, "TLSM_MUTANT=%s: no such mutant in engine/sync/mutants.def\n", name);
    std::_Exit(2);
  }
  SelectMutant(m->id);
  std::fprintf(stderr, "tlsm engine: running mutant %s (TLSM_MUTANT)\n", m->name);
}
}  // namespace
#endif
#endif

}  // namespace sync
TLSM_END
