// model/harness/report_failure.h — a found failure as a FailureReport.
#pragma once

#include <string>

#include "model/cli/history.h"
#include "model/harness/report.h"
#include "model/harness/strategy.h"

namespace tlsm::harness {

// Everything the report says about the failing execution itself: token,
// replay command, normalised history, message, where the search found it.
// The minimal counterexample, artifact paths and harness error are the
// campaign's to fill in. `program` starts the replay command.
FailureReport DescribeFailure(const Failure& f, const SearchOptions& o,
                              const BuildIdentity& build, const std::string& program);

// "<program> replay <token>".
std::string ReplayCommand(const std::string& program, const std::string& token);

// The failure's message from Relacy's verdict line:
// "USER ASSERT FAILED (SV-SAFE: msg)" -> "msg"; "DATA RACE (data race detected)" -> that.
std::string FailureMessage(const tlsm::cli::History& h, const std::string& invariant);

// Scenario families (gen.*) append what they found to the run's message
// after "; " (e.g. the shrunk program); keeps it in the report's message.
std::string WithScenarioDetail(std::string m, const tlsm::model::RunResult& r);

}  // namespace tlsm::harness
