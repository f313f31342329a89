// model/harness/report_json.h — the JSON reporter: rows, failure artifacts,
// scenario results and the run summary (docs/harness.md, "--results DIR").
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/harness/report.h"

namespace tlsm::harness {

// One row: scenario, search, executions, seconds, cpu_seconds, result,
// verdict, bug, error, shard; sampling rows first_execution; tree rows
// scheduler, address_reuse, reduction, sleep_blocked; shards first_threads.
nlohmann::json RowJson(const Row& r);

// The failure artifact (<scenario>.failure.json): the failing execution,
// its token and history, the minimal counterexample, any harness error.
nlohmann::json FailureJson(const FailureReport& f);

// <scenario>.result.json: the scenario's rows.
nlohmann::json ScenarioResultJson(const ScenarioReport& rep, const BuildIdentity& build);

// summary.json: every row of the run, the scenarios with bugs and with
// harness errors.
nlohmann::json SummaryJson(const std::vector<Row>& rows, const std::vector<std::string>& bugs,
                           const std::vector<std::string>& harness_errors,
                           const BuildIdentity& build);

// A history as JSON events (step, thread, event, function, file, line).
nlohmann::json HistoryJson(const tlsm::cli::History& h);

}  // namespace tlsm::harness
