// model/harness/relacy_runner.h — runs one scenario type under Relacy.
// Internal to model/: scenario files use TLSM_MODEL_SCENARIO only.
#pragma once

#include <fstream>

#include "model/harness/model_test.h"

namespace tlsm_model {

// Maps Relacy's verdict to an invariant id; user assertions carry their own.
std::string InvariantForResult(rl::test_result_e r, const std::string& memory_invariant);

// Fills the parts of RunResult that do not depend on the test type.
void FinishResult(const rl::test_params& p, const ScenarioInfo& info,
                  double started, RunResult* out);

void PrepareParams(const RunConfig& cfg, unsigned threads, rl::test_params* p);

template <class Test>
RunResult RunRelacy(const RunConfig& cfg, const ScenarioInfo& info) {
  rl::test_params p;
  PrepareParams(cfg, Test::kThreads, &p);
  // Relacy must not write to an ostringstream (see README): use files.
  std::ofstream out(cfg.history_path.empty() ? "/dev/null" : cfg.history_path,
                    std::ios::trunc);
  std::ofstream progress("/dev/null");
  p.output_stream = &out;
  p.progress_stream = &progress;
  const double started = NowSeconds();
  rl::simulate<Test>(p);
  out.flush();
  RunResult r;
  FinishResult(p, info, started, &r);
  return r;
}

}  // namespace tlsm_model

// Registers a scenario type; use it in the namespace that declares Type.
// `invariants` is a parenthesised std::vector<std::string>{...}.
#define TLSM_MODEL_SCENARIO(Type, name, invariants, description, memory_inv) \
  ::tlsm_model::RunResult Run_##Type(const ::tlsm_model::RunConfig& cfg) {   \
    return ::tlsm_model::RunRelacy<Type>(cfg, *::tlsm_model::FindScenario(name)); \
  }                                                                          \
  const ::tlsm_model::Registrar registrar_##Type{::tlsm_model::ScenarioInfo{ \
      name, invariants, description, memory_inv, Type::kThreads, &Run_##Type}};
