// model/harness/report_json.h — the JSON reporter: rows, failure artifacts,
// scenario results and the run summary (docs/harness.md, "--results DIR").
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/harness/report.h"

namespace tlsm::harness {

// One row: scenario, search, executions, seconds, cpu_seconds, result,
// verdict, bug, error, shard (and its index and count); sampling rows
// first_execution; tree rows scheduler, address_reuse, reduction,
// sleep_blocked; split tree searches `split` (depth, prefixes, own_prefixes,
// skeletons, prefix_sum, own_prefix_sum: tree_scheduler.h, PrefixCounts).
nlohmann::json RowJson(const Row& r);

// The failure artifact (<scenario>.failure.json): the failing execution,
// its token and history, the minimal counterexample, any harness error.
nlohmann::json FailureJson(const FailureReport& f);

// <scenario>.result.json: the scenario's rows.
nlohmann::json ScenarioResultJson(const ScenarioReport& rep, const BuildIdentity& build);

// A failure artifact's "history" array back into a History (tlsm merge);
// the marker and seam kinds come from "kind" and "seam".
tlsm::cli::History HistoryFromJson(const nlohmann::json& events);

// summary.json: every row of the run, the scenarios with bugs and with
// harness errors, the search options (`tlsm check` records what decides
// which executions run: tlsm merge refuses shards whose options differ) and
// the shard.
nlohmann::json SummaryJson(const std::vector<Row>& rows, const std::vector<std::string>& bugs,
                           const std::vector<std::string>& harness_errors,
                           const BuildIdentity& build, const nlohmann::json& options,
                           unsigned shard_index, unsigned shard_count);

// A history as JSON events, one object per event: step, thread, kind (one
// of tlsm::cli::EventKindNames(): atomic_load, ..., api_call, api_result,
// failure), seam (a seam internal the readable views hide), event (the
// normalised text), function, file, line; object (the object the event
// accessed, when it names one); call and, for api_result, result (the API
// markers'). docs/harness.md, "JSON events".
nlohmann::json HistoryJson(const tlsm::cli::History& h);

}  // namespace tlsm::harness
