// model/harness/report_failure.cc — a found failure as a FailureReport.
#include "model/harness/report_failure.h"

#include "model/cli/token.h"

namespace tlsm::harness {

using tlsm::cli::History;
using tlsm::model::RunResult;

std::string ReplayCommand(const std::string& program, const std::string& token) {
  return program + " replay " + token;
}

std::string FailureMessage(const History& h, const std::string& invariant) {
  std::string m = h.result;
  const std::size_t lp = m.find(" (");
  if (lp != std::string::npos && !m.empty() && m.back() == ')') {
    m = m.substr(lp + 2, m.size() - lp - 3);
    if (m.rfind(invariant + ": ", 0) == 0) m = m.substr(invariant.size() + 2);
  }
  return m;
}

std::string WithScenarioDetail(std::string m, const RunResult& r) {
  const std::size_t at = r.message.find("; ");
  if (at != std::string::npos) m += r.message.substr(at);
  return m;
}

FailureReport DescribeFailure(const Failure& f, const SearchOptions& o,
                              const BuildIdentity& build, const std::string& program) {
  const tlsm::model::ScenarioInfo& s = *f.info;
  const SearchStrategy& st = *f.strategy;
  FailureReport rep;
  rep.scenario = s.name;
  rep.threads = s.threads;
  rep.build = build;
  rep.token_value = MakeToken(s, st, f.bound, f.result, f.config, build);
  rep.token = tlsm::cli::EncodeToken(rep.token_value);
  rep.replay_command = ReplayCommand(program, rep.token);
  rep.invariant = f.result.invariant;
  rep.history = tlsm::cli::ParseHistory(f.raw_history, s.threads);
  rep.preemptions = tlsm::cli::CountPreemptions(rep.history);
  rep.message = WithScenarioDetail(FailureMessage(rep.history, f.result.invariant), f.result);
  // Scenarios may append detail to Relacy's verdict ("...; minimal program: ...").
  if (const std::size_t semi = f.result.message.find("; "); semi != std::string::npos) {
    rep.detail = f.result.message.substr(semi + 2);
    while (!rep.detail.empty() && (rep.detail.back() == '\n' || rep.detail.back() == ' '))
      rep.detail.pop_back();
  }
  rep.execution = f.result.failing_execution;
  rep.executions_run = f.result.executions;
  rep.state = f.result.final_state;
  rep.where = st.Name();
  if (!st.IsTree()) {
    rep.where += ", execution " + std::to_string(f.result.failing_execution) + " (seed " +
                 std::to_string(f.result.failing_execution) + ")";
  } else {
    if (st.PreemptionBound(o)) rep.where += " (preemption bound " + std::to_string(f.bound) + ")";
    rep.where += ", execution " + std::to_string(f.result.executions);
  }
  return rep;
}

}  // namespace tlsm::harness
