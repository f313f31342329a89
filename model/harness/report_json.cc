// model/harness/report_json.cc — the JSON reporter.
#include "model/harness/report_json.h"

#include <algorithm>

namespace tlsm::harness {

using nlohmann::json;

json RowJson(const Row& r) {
  json j = {{"scenario", r.scenario}, {"search", r.search},   {"executions", r.executions},
            {"seconds", r.seconds},   {"cpu_seconds", r.cpu_seconds}, {"result", r.result},
            {"verdict", VerdictName(r.verdict)}, {"bug", r.verdict == Verdict::kBug},
            {"error", r.verdict == Verdict::kError},
            {"shard", r.shard}, {"shard_index", r.shard_index},
            {"shard_count", r.shard_count}};
  if (!r.tree) {
    j["first_execution"] = r.first_execution;
    if (r.depth != 0) j["depth"] = r.depth;
    if (r.schedule_length != 0) j["schedule_length"] = r.schedule_length;
    // Coverage of the passing executions (none when a bug stopped the search).
    if (r.hashed_executions != 0) {
      j["coverage"] = {
          {"executions", r.hashed_executions},
          {"distinct_schedules", r.distinct_schedules},
          {"seen_once", r.singleton_schedules},
          {"unseen_estimate", static_cast<double>(r.singleton_schedules) /
                                  static_cast<double>(r.hashed_executions)}};
    }
  } else {
    j["scheduler"] = r.scheduler;
    j["address_reuse"] = r.address_reuse;
    j["reduction"] = r.reduction;
    j["sleep_blocked"] = r.sleep_blocked;
  }
  if (r.split_depth != 0) {
    j["split"] = {{"depth", r.split_depth},       {"prefixes", r.prefix.count},
                  {"own_prefixes", r.prefix.own}, {"skeletons", r.prefix.skeletons},
                  {"prefix_sum", r.prefix.sum},   {"own_prefix_sum", r.prefix.own_sum}};
  }
  return j;
}

json HistoryJson(const tlsm::cli::History& h) {
  json ev = json::array();
  for (std::size_t i = 0; i < h.events.size(); ++i) {
    const tlsm::cli::Event& e = h.events[i];
    json j = {{"step", e.step},
              {"thread", e.thread},
              {"kind", tlsm::cli::EventKindName(h, i)},
              {"seam", e.kind == tlsm::cli::EventKind::kSeam},
              {"event", e.what},
              {"function", e.where},
              {"file", e.file},
              {"line", e.line}};
    if (const std::string obj = tlsm::cli::EventObject(e); !obj.empty()) j["object"] = obj;
    if (const std::string call = tlsm::cli::MarkerCall(e); !call.empty()) {
      j["call"] = call;
      if (e.kind == tlsm::cli::EventKind::kReturn) j["result"] = tlsm::cli::MarkerResult(e);
    }
    ev.push_back(std::move(j));
  }
  return ev;
}

json FailureJson(const FailureReport& f) {
  json j = {{"tlsm_failure", 1},
            {"scenario", f.scenario},
            {"search", f.token_value.search},
            {"bound", f.token_value.bound},
            {"execution", f.execution},
            {"executions_run", f.executions_run},
            {"invariant", f.invariant},
            {"message", f.message},
            {"relacy_result", f.history.result},
            {"state", f.state},
            {"build_id", f.build.id},
            {"mutant", f.build.mutant},
            {"token", f.token},
            {"replay_command", f.replay_command},
            {"failing_step", f.history.failing_step},
            {"preemptions", f.preemptions},
            {"history", HistoryJson(f.history)},
            {"history_text", tlsm::cli::RenderHistory(f.history)}};
  if (!f.detail.empty()) j["detail"] = f.detail;
  if (f.minimal) {
    const MinimalReport& m = *f.minimal;
    if (m.found) {
      j["minimal"] = {{"bound", m.bound},
                      {"preemptions", m.preemptions},
                      {"proven_minimal", m.proven},
                      {"token", m.token},
                      {"replay_command", m.replay_command},
                      {"state", m.state},
                      {"history", HistoryJson(m.history)},
                      {"history_text", tlsm::cli::RenderHistory(m.history)}};
    } else {
      j["minimal"] = {{"note", m.note}};
    }
  }
  if (!f.harness_error.empty()) j["harness_error"] = f.harness_error;
  return j;
}

json ScenarioResultJson(const ScenarioReport& rep, const BuildIdentity& build) {
  json rows = json::array();
  for (const auto& r : rep.rows) rows.push_back(RowJson(r));
  return {{"scenario", rep.scenario}, {"bug", rep.bug}, {"harness_error", rep.error},
          {"build_id", build.id}, {"rows", rows}};
}

tlsm::cli::History HistoryFromJson(const json& events) {
  tlsm::cli::History h;
  for (const auto& e : events) {
    tlsm::cli::Event ev;
    // Steps and threads as the artifact wrote them; anything else reads as 0.
    auto small = [&](const char* key) -> unsigned {
      if (!e.contains(key) || !e[key].is_number_unsigned()) return 0;
      const std::uint64_t v = e[key].get<std::uint64_t>();
      return v > 1000000 ? 0 : static_cast<unsigned>(v);
    };
    ev.step = small("step");
    ev.thread = small("thread");
    ev.what = e.value("event", "");
    ev.where = e.value("function", "");
    ev.file = e.value("file", "");
    ev.line = small("line");
    // The marker and seam kinds, which the readable views need.
    using tlsm::cli::EventKind;
    const std::string kind =
        e.contains("kind") && e["kind"].is_string() ? e["kind"].get<std::string>() : "";
    const bool seam = e.contains("seam") && e["seam"].is_boolean() && e["seam"].get<bool>();
    if (kind == "api_call") ev.kind = EventKind::kCall;
    else if (kind == "api_result") ev.kind = EventKind::kReturn;
    else if (kind == "name") ev.kind = EventKind::kName;
    else if (seam) ev.kind = EventKind::kSeam;
    h.threads = std::max(h.threads, ev.thread + 1);
    h.events.push_back(std::move(ev));
  }
  return h;
}

json SummaryJson(const std::vector<Row>& rows, const std::vector<std::string>& bugs,
                 const std::vector<std::string>& harness_errors, const BuildIdentity& build,
                 const json& options, unsigned shard_index, unsigned shard_count) {
  json jrows = json::array();
  for (const auto& r : rows) jrows.push_back(RowJson(r));
  return {{"build_id", build.id},         {"mutant", build.mutant},
          {"options", options},           {"shard_index", shard_index},
          {"shard_count", shard_count},   {"rows", jrows},
          {"bugs", bugs},                 {"harness_errors", harness_errors}};
}

}  // namespace tlsm::harness
