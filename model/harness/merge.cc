// model/harness/merge.cc — `tlsm merge`: the shards' files into one report.
#include "model/harness/merge.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>

#include "model/harness/report_json.h"

namespace tlsm::harness {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct ShardFile {
  fs::path path;
  json summary;
  std::vector<Row> rows;
  unsigned index = 0, count = 1;
};

Row RowOf(const json& j);

// A scenario name as tlsm registers them: it becomes part of a file name.
bool PlainName(const std::string& s) {
  if (s.empty() || s.size() > 200 || s[0] == '.') return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

json ReadJson(const fs::path& p) {
  std::ifstream in(p);
  if (!in) throw MergeError(MergeError::kRefused, "cannot read " + p.string());
  try {
    return json::parse(in);
  } catch (const std::exception& e) {
    throw MergeError(MergeError::kRefused, p.string() + " is not JSON: " + e.what());
  }
}

// The summaries directly in `dir`; shard index and count from the file name
// (summary.json: shard 0 of 1), checked against the rows' own.
std::vector<ShardFile> SummariesIn(const fs::path& dir) {
  if (!fs::is_directory(dir)) {
    throw MergeError(MergeError::kRefused, dir.string() + " is not a directory");
  }
  static const std::regex name(R"(summary(\.shard-([0-9]+)-of-([0-9]+))?\.json)");
  std::vector<ShardFile> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::smatch m;
    const std::string file = e.path().filename().string();
    if (!std::regex_match(file, m, name)) continue;
    ShardFile f;
    f.path = e.path();
    f.summary = ReadJson(f.path);
    if (m[1].matched) {
      f.index = static_cast<unsigned>(std::stoul(m[2]));
      f.count = static_cast<unsigned>(std::stoul(m[3]));
    }
    if (!f.summary.is_object() || !f.summary.contains("build_id") ||
        !f.summary["build_id"].is_string() || !f.summary.contains("rows") ||
        !f.summary["rows"].is_array() || !f.summary.contains("options") ||
        !f.summary["options"].is_object()) {
      throw MergeError(MergeError::kRefused,
                       f.path.string() + " is not a tlsm check summary (of this version)");
    }
    try {
      for (const auto& r : f.summary["rows"]) f.rows.push_back(RowOf(r));
      f.summary.value("mutant", "");
    } catch (const json::exception& e) {
      throw MergeError(MergeError::kRefused, f.path.string() + " is a malformed summary: " + e.what());
    }
    for (const Row& r : f.rows) {
      if (!PlainName(r.scenario)) {
        throw MergeError(MergeError::kRefused,
                         f.path.string() + " names a scenario that is not a plain name");
      }
      if (r.shard_index != f.index || r.shard_count != f.count) {
        throw MergeError(MergeError::kRefused, f.path.string() + ": its rows say shard " +
                                                   std::to_string(r.shard_index) + "/" +
                                                   std::to_string(r.shard_count) +
                                                   ", its name another");
      }
    }
    out.push_back(std::move(f));
  }
  return out;
}

// The first differing member of two options objects ("" = equal).
std::string FirstDifference(const json& a, const json& b) {
  for (const auto& [k, v] : a.items()) {
    if (!b.contains(k)) return k;
    if (b[k] != v) return k + " (" + v.dump() + " vs " + b[k].dump() + ")";
  }
  for (const auto& [k, v] : b.items()) {
    if (!a.contains(k)) return k;
  }
  return "";
}

// Typed fields of a summary row; a missing or mistyped one is a
// json::type_error (the caller names the file).
std::uint64_t U64(const json& j, const char* key, std::optional<std::uint64_t> dflt = {}) {
  if (!j.contains(key) && dflt) return *dflt;
  const json& v = j.at(key);
  if (!v.is_number_unsigned()) {
    throw json::type_error::create(302, std::string(key) + " must be a non-negative integer", &v);
  }
  return v.get<std::uint64_t>();
}
unsigned U32(const json& j, const char* key, unsigned dflt) {
  const std::uint64_t v = U64(j, key, dflt);
  if (v > 0xffffffffu) throw json::type_error::create(302, std::string(key) + " is too large", &j);
  return static_cast<unsigned>(v);
}
double Seconds(const json& j, const char* key) {
  const json& v = j.at(key);
  if (!v.is_number() || !(v.get<double>() >= 0) || v.get<double>() > 1e12) {
    throw json::type_error::create(302, std::string(key) + " must be seconds", &v);
  }
  return v.get<double>();
}

Row RowOf(const json& j) {
  Row r;
  r.scenario = j.at("scenario").get<std::string>();
  r.search = j.at("search").get<std::string>();
  r.executions = U64(j, "executions");
  r.seconds = Seconds(j, "seconds");
  r.cpu_seconds = Seconds(j, "cpu_seconds");
  r.result = j.at("result").get<std::string>();
  r.verdict = VerdictFromName(j.at("verdict").get<std::string>());
  r.shard_index = U32(j, "shard_index", 0);
  r.shard_count = U32(j, "shard_count", 1);
  r.tree = j.contains("scheduler");
  if (r.tree) {
    r.scheduler = j.at("scheduler").get<std::string>();
    r.address_reuse = j.at("address_reuse").get<bool>();
    r.reduction = j.at("reduction").get<std::string>();
    r.sleep_blocked = U64(j, "sleep_blocked");
  } else {
    r.first_execution = U64(j, "first_execution", 0);
    r.depth = U32(j, "depth", 0);
    r.schedule_length = U64(j, "schedule_length", 0);
  }
  if (j.contains("split")) {
    const json& s = j["split"];
    r.split_depth = U32(s, "depth", 0);
    r.prefix.count = U64(s, "prefixes");
    r.prefix.own = U64(s, "own_prefixes");
    r.prefix.skeletons = U64(s, "skeletons");
    r.prefix.sum = U64(s, "prefix_sum");
    r.prefix.own_sum = U64(s, "own_prefix_sum");
  }
  return r;
}

// "sampled (12 executions, cap hit)" -> "cap hit"; "" when there is no reason.
std::string SampledWhy(const std::string& result) {
  const std::size_t comma = result.find(", ");
  if (comma == std::string::npos || result.back() != ')') return "";
  return result.substr(comma + 2, result.size() - comma - 3);
}

// "shard complete (K=2)" -> "K=2".
std::string CompleteWhat(const std::string& result) {
  const std::size_t open = result.find('(');
  if (open == std::string::npos || result.back() != ')') return "";
  return result.substr(open + 1, result.size() - open - 2);
}

bool EmptyShard(const Row& r) {
  return r.verdict == Verdict::kSkipped && r.result.find("empty shard") != std::string::npos;
}

FailureReport FailureFromJson(const json& j, const ShardFile& f, const std::string& scenario,
                              const fs::path& p);

// The failure a shard reported for `scenario`, as the merge shows it.
FailureReport FailureOf(const ShardFile& f, const std::string& scenario) {
  const std::string suffix =
      f.count == 1 ? "" : ".shard-" + std::to_string(f.index) + "-of-" + std::to_string(f.count);
  const fs::path p = f.path.parent_path() / (scenario + ".failure" + suffix + ".json");
  if (!fs::exists(p)) {
    throw MergeError(MergeError::kIncomplete,
                     f.path.string() + " reports a bug in " + scenario + " but " + p.string() +
                         " is missing");
  }
  const json j = ReadJson(p);
  try {
    return FailureFromJson(j, f, scenario, p);
  } catch (const json::exception& e) {
    throw MergeError(MergeError::kRefused, p.string() + " is a malformed failure artifact: " + e.what());
  }
}

FailureReport FailureFromJson(const json& j, const ShardFile& f, const std::string& scenario,
                              const fs::path& p) {
  if (!j.is_object()) throw MergeError(MergeError::kRefused, p.string() + " is not a failure artifact");
  FailureReport r;
  r.scenario = scenario;
  r.invariant = j.value("invariant", "");
  r.message = j.value("message", "");
  r.execution = U64(j, "execution", 0);
  r.state = j.value("state", "");
  r.build = {j.value("build_id", ""), j.value("mutant", "")};
  r.token = j.value("token", "");
  r.replay_command = j.value("replay_command", "");
  r.preemptions = U32(j, "preemptions", 0);
  r.history = HistoryFromJson(j.value("history", json::array()));
  r.history.failing_step = j.contains("failing_step") && j["failing_step"].is_number_integer() &&
                                   j["failing_step"].get<long long>() >= -1 &&
                                   j["failing_step"].get<long long>() < (1 << 30)
                               ? static_cast<int>(j["failing_step"].get<long long>())
                               : -1;
  r.artifact = p.string();
  if (j.contains("minimal") && j["minimal"].contains("token")) {
    // Shown as the shard showed it: its minimal counterexample.
    const json& m = j["minimal"];
    r.token = m.value("token", r.token);
    r.replay_command = m.value("replay_command", r.replay_command);
    r.preemptions = U32(m, "preemptions", r.preemptions);
    r.history = HistoryFromJson(m.value("history", json::array()));
  }
  r.where = "shard " + std::to_string(f.index) + "/" + std::to_string(f.count);
  return r;
}

// Merges one search's rows of every shard (in shard order).
Row MergeRows(const std::vector<const Row*>& parts) {
  Row m = *parts.front();
  m.executions = m.cpu_seconds = m.seconds = 0;
  m.sleep_blocked = 0;
  m.shard = "merged " + std::to_string(parts.size());
  m.shard_index = 0;
  m.shard_count = 1;
  m.hashed_executions = m.distinct_schedules = m.singleton_schedules = 0;  // not mergeable
  m.prefix.own = m.prefix.own_sum = m.prefix.skeletons = 0;
  const Row* error = nullptr;
  const Row* bug = nullptr;
  const Row* skipped_after_bug = nullptr;
  const Row* sampled = nullptr;
  bool prefixes_agree = true;
  for (const Row* r : parts) {
    m.executions += r->executions;
    m.cpu_seconds += r->cpu_seconds;
    m.seconds = std::max(m.seconds, r->seconds);
    m.sleep_blocked += r->sleep_blocked;
    m.prefix.own += r->prefix.own;
    m.prefix.own_sum += r->prefix.own_sum;
    m.prefix.skeletons += r->prefix.skeletons;
    if (r->prefix.count != m.prefix.count || r->prefix.sum != m.prefix.sum) prefixes_agree = false;
    if (r->verdict == Verdict::kError && !error) error = r;
    if (r->verdict == Verdict::kBug && !bug) bug = r;
    if (r->verdict == Verdict::kSampled && !sampled) sampled = r;
    if (r->verdict == Verdict::kSkipped && !EmptyShard(*r) && !skipped_after_bug) {
      skipped_after_bug = r;
    }
  }
  if (error) {
    m.verdict = Verdict::kError;
    m.result = error->result;
  } else if (bug) {
    m.verdict = Verdict::kBug;
    m.result = bug->result;
  } else if (skipped_after_bug) {
    m.verdict = Verdict::kSkipped;
    m.result = skipped_after_bug->result;
  } else if (sampled) {
    MarkSampled(SampledWhy(sampled->result), &m);
  } else if (m.tree) {
    const bool split = m.split_depth != 0;
    if (split && (!prefixes_agree || m.prefix.own != m.prefix.count ||
                  m.prefix.own_sum != m.prefix.sum)) {
      m.verdict = Verdict::kError;
      m.result = "ERROR (shards disagree on the prefixes: " + std::to_string(m.prefix.own) +
                 " owned of " + std::to_string(m.prefix.count) + ")";
    } else if (!split && parts.size() > 1) {
      m.verdict = Verdict::kError;
      m.result = "ERROR (tree shards without a split)";
    } else {
      const std::string what = CompleteWhat(parts.front()->result);
      m.verdict = Verdict::kVerified;
      m.result = what.rfind("K=", 0) == 0 ? "verified (" + what + ", complete)"
                                          : "verified (" + what + ")";
      if (parts.size() == 1) m.result = parts.front()->result;
    }
  } else {
    // Sampling search, every shard empty: nothing ran.
    m.verdict = Verdict::kSkipped;
    m.result = parts.front()->result;
  }
  return m;
}

}  // namespace

MergeResult MergeShards(const std::vector<fs::path>& dirs) {
  if (dirs.empty()) throw MergeError(MergeError::kRefused, "no directories given");
  std::vector<ShardFile> files;
  for (const fs::path& d : dirs) {
    std::vector<ShardFile> in = SummariesIn(d);
    if (in.empty()) {
      throw MergeError(MergeError::kIncomplete, d.string() + " holds no tlsm summary file");
    }
    for (ShardFile& f : in) files.push_back(std::move(f));
  }
  const ShardFile& first = files.front();
  MergeResult out;
  out.build = {first.summary.at("build_id"), first.summary.value("mutant", "")};
  out.options = first.summary.at("options");
  out.shard_count = first.count;
  for (const ShardFile& f : files) {
    const BuildIdentity b{f.summary.at("build_id"), f.summary.value("mutant", "")};
    if (b.id != out.build.id || b.mutant != out.build.mutant) {
      throw MergeError(MergeError::kRefused,
                       "shards from different builds: " + first.path.string() + " is build " +
                           out.build.id + " (" + (out.build.mutant.empty() ? "correct engine" : "mutant " + out.build.mutant) +
                           "), " + f.path.string() + " is build " + b.id + " (" +
                           (b.mutant.empty() ? "correct engine" : "mutant " + b.mutant) + ")");
    }
    const std::string diff = FirstDifference(out.options, f.summary.at("options"));
    if (!diff.empty()) {
      throw MergeError(MergeError::kRefused, "shards of different searches: " +
                                                 first.path.string() + " and " + f.path.string() +
                                                 " differ in " + diff);
    }
    if (f.count != out.shard_count) {
      throw MergeError(MergeError::kRefused,
                       "shards of different splits: " + first.path.string() + " is one of " +
                           std::to_string(out.shard_count) + ", " + f.path.string() + " one of " +
                           std::to_string(f.count));
    }
  }
  // Each shard exactly once.
  std::map<unsigned, const ShardFile*> by_index;
  std::vector<std::string> duplicated, missing;
  for (const ShardFile& f : files) {
    auto [it, fresh] = by_index.emplace(f.index, &f);
    if (!fresh) {
      duplicated.push_back(std::to_string(f.index) + " (" + it->second->path.string() + ", " +
                           f.path.string() + ")");
    }
  }
  for (unsigned i = 0; i < out.shard_count; ++i) {
    if (!by_index.count(i)) missing.push_back(std::to_string(i));
  }
  if (!duplicated.empty() || !missing.empty()) {
    std::string what;
    if (!missing.empty()) {
      what += "missing shard" + std::string(missing.size() == 1 ? " " : "s ");
      for (std::size_t i = 0; i < missing.size() && i < 20; ++i) what += (i ? ", " : "") + missing[i];
      if (missing.size() > 20) what += ", ... (" + std::to_string(missing.size()) + " in all)";
      what += " of 0.." + std::to_string(out.shard_count - 1);
    }
    if (!duplicated.empty()) {
      if (!what.empty()) what += "; ";
      what += "shard given twice: ";
      for (std::size_t i = 0; i < duplicated.size(); ++i) what += (i ? "; " : "") + duplicated[i];
    }
    throw MergeError(MergeError::kIncomplete, what);
  }
  // The same rows (scenario, search) in every shard, in shard 0's order.
  std::vector<std::vector<Row>> rows;  // [shard][row]
  for (const auto& [i, f] : by_index) rows.push_back(f->rows);
  for (std::size_t s = 1; s < rows.size(); ++s) {
    bool same = rows[s].size() == rows[0].size();
    for (std::size_t k = 0; same && k < rows[0].size(); ++k) {
      same = rows[s][k].scenario == rows[0][k].scenario && rows[s][k].search == rows[0][k].search;
    }
    if (!same) {
      throw MergeError(MergeError::kRefused, "shard " + std::to_string(s) +
                                                 " ran other searches than shard 0 (" +
                                                 by_index[static_cast<unsigned>(s)]->path.string() + ")");
    }
  }
  std::map<std::string, std::size_t> report_of;
  for (std::size_t k = 0; k < rows[0].size(); ++k) {
    std::vector<const Row*> parts;
    for (const auto& shard : rows) parts.push_back(&shard[k]);
    const Row merged = MergeRows(parts);
    out.rows.push_back(merged);
    auto [it, fresh] = report_of.emplace(merged.scenario, out.reports.size());
    if (fresh) {
      out.reports.emplace_back();
      out.reports.back().scenario = merged.scenario;
    }
    ScenarioReport& rep = out.reports[it->second];
    rep.rows.push_back(merged);
    if (merged.verdict == Verdict::kError) {
      rep.harness_error = true;
      if (rep.error.empty()) rep.error = merged.result;
    }
    if (merged.verdict == Verdict::kBug && !rep.bug) {
      rep.bug = true;
      // The failure with the fewest preemptions among the shards that found one.
      for (std::size_t s = 0; s < rows.size(); ++s) {
        if (rows[s][k].verdict != Verdict::kBug) continue;
        FailureReport f = FailureOf(*by_index[static_cast<unsigned>(s)], merged.scenario);
        if (!rep.failure || f.preemptions < rep.failure->preemptions) rep.failure = std::move(f);
      }
      rep.rows.back().result = "BUG " + rep.failure->invariant;
      out.rows.back().result = rep.rows.back().result;
    }
  }
  for (const ScenarioReport& rep : out.reports) {
    if (rep.bug) out.bugs.push_back(rep.scenario);
    if (rep.harness_error) out.errors.push_back(rep.scenario);
  }
  return out;
}

}  // namespace tlsm::harness
