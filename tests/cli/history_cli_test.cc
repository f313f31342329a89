// tests/cli/history_cli_test.cc — the histories of DB, BatchCache and
// PerfContext mutants read as the engine's API calls on named objects, and
// `tlsm replay/trace --json` gives every event a documented kind.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <sys/wait.h>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct CliRun {
  int rc = -1;
  std::string out;  // stdout (+ stderr unless split)
};

CliRun Tlsm(const std::string& args, bool with_stderr = true) {
  const std::string cmd =
      std::string(TLSM_BIN) + " " + args + (with_stderr ? " 2>&1" : " 2>/dev/null");
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) r.out.append(buf, n);
  const int status = pclose(p);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The minimal failing history of `scenario` under `mutant`, replayed: its
// readable text (from "api calls (" on) and its replay token.
struct MutantHistory {
  std::string text, calls, interleaving, token;
};
MutantHistory ReplayMinimal(const std::string& scenario, const std::string& mutant) {
  const fs::path dir = fs::temp_directory_path() / ("tlsm_history_cli_" + mutant);
  fs::remove_all(dir);
  MutantHistory m;
  const CliRun c = Tlsm("check " + scenario + " --mutant " + mutant +
                        " --no-determinism-check --results " + dir.string());
  EXPECT_EQ(c.rc, 1) << c.out;
  const json a = json::parse(ReadFile(dir / (scenario + ".failure.json")), nullptr, false);
  EXPECT_FALSE(a.is_discarded()) << c.out;
  if (a.is_discarded()) return m;
  m.token = a.contains("minimal") && a["minimal"].contains("token")
                ? a["minimal"]["token"].get<std::string>()
                : a.at("token").get<std::string>();
  const CliRun r = Tlsm("replay " + m.token);
  EXPECT_EQ(r.rc, 1) << r.out;
  const std::size_t p = r.out.find("api calls (");
  m.text = p == std::string::npos ? "" : r.out.substr(p);
  const std::size_t i = m.text.find("\ninterleaving (");
  m.calls = m.text.substr(0, i);
  const std::size_t t0 = m.text.find("\nthread 0:");
  m.interleaving = i == std::string::npos ? "" : m.text.substr(i, t0 - i);
  fs::remove_all(dir);
  return m;
}

// Every interleaving line of a function in `fns` names its object: no "<@k"
// label (an unnamed allocation) and no raw address.
void ExpectNamedObjects(const std::string& interleaving, const std::vector<std::string>& fns) {
  EXPECT_EQ(interleaving.find("0x"), std::string::npos) << interleaving;
  std::istringstream lines(interleaving);
  unsigned checked = 0;
  for (std::string l; std::getline(lines, l);) {
    const std::size_t bar = l.find("  | ");
    if (bar == std::string::npos) continue;
    const std::string where = l.substr(bar + 4);
    for (const std::string& fn : fns) {
      if (where.rfind(fn, 0) != 0) continue;
      ++checked;
      EXPECT_EQ(l.find("<@"), std::string::npos) << l;
    }
  }
  EXPECT_GT(checked, 10u) << "too few lines of " << fns.front() << "...: " << interleaving;
}

void ExpectHas(const std::string& text, const std::string& what) {
  EXPECT_NE(text.find(what), std::string::npos) << "missing '" << what << "' in:\n" << text;
}

// Mutant 63: Get's snapshot before its SuperVersion. The condensed view
// shows the DB calls (the failing Get's miss on v3, the overwrite's Put and
// its flush's install); memtables, CFs and the DB are named.
TEST(HistoryCli, DbMutantShowsDbCallsAndNamesMemtables) {
  const MutantHistory m = ReplayMinimal("db.get_vs_overwrite", "db_get_snapshot_before_acquire");
  ExpectHas(m.calls, "T0  DB::Open -> db 1");
  ExpectHas(m.calls, "T0    DB::CreateColumnFamily -> cf 0");
  ExpectHas(m.calls, "T0  DB::Put -> OK, seq 1, flushed");
  ExpectHas(m.calls, "T0  DB::Get -> found at seq 1 in SuperVersion v2 (cache miss)");
  ExpectHas(m.calls, "T0  DB::Get -> not found at seq 1 in SuperVersion v3");
  ExpectHas(m.calls, "T1    DB::Put -> OK, seq 2, flushed");
  ExpectHas(m.calls, "Install -> SuperVersion v3");
  ExpectHas(m.calls, "BatchCache::Acquire -> miss: new batch#1");
  ExpectHas(m.calls, "FAILURE USER ASSERT FAILED (SV-FRESH");
  ExpectHas(m.interleaving, "<memtable#2 (db 1, cf 0).head> atomic load");
  ExpectHas(m.interleaving, "<sealed memtable#1 (db 1, cf 0).entries> read");
  ExpectHas(m.interleaving, "<entry 'k' seq 2> write");
  ExpectHas(m.interleaving, "<cf 0 (db 1).write_mu> mutex: exclusive lock");
  ExpectHas(m.interleaving, "<cf 0 (db 1).last_seq> atomic");
  ExpectHas(m.interleaving, "<db 1.mu> mutex: exclusive lock");
  ExpectHas(m.interleaving, "<gate 'first Get returned'> semaphore: post");
  ExpectNamedObjects(m.interleaving, {"MemTable::", "ImmMemTable::", "DB::", "CfData::",
                                      "SuperVersion::", "SuperVersionCache::", "Pass ", "Wait "});
}

// Mutant 48: thread exit leaks the batches the shard cannot take. The slow
// paths' markers show the misses, the release to the shard, the exit drain
// (freeing nothing) and the destroy; the cache's objects are named.
TEST(HistoryCli, BatchCacheMutantShowsSlowPathsAndNamesBatches) {
  const MutantHistory m = ReplayMinimal("batch.exit_vs_close", "batch_exit_leaks_overflow");
  ExpectHas(m.calls, "BatchCache::Acquire -> miss: new batch#1");
  ExpectHas(m.calls, "BatchCache::Release -> batch#2 and 0 older to the shard");
  ExpectHas(m.calls, "BatchCache thread exit -> 1 cached: 0 to shard 0, 0 freed");
  ExpectHas(m.calls, "BatchCache destroy (unfinished)");
  ExpectHas(m.calls, "BatchCache::Close -> ");
  ExpectHas(m.calls, "FAILURE USER ASSERT FAILED (NO-LEAK");
  ExpectHas(m.interleaving, "<batch cache#1 shard[0].mu> mutex: exclusive lock");
  ExpectHas(m.interleaving, "<batch thread cache[T0].fill>");
  ExpectHas(m.interleaving, "<batch#2.rep>");
  ExpectNamedObjects(m.interleaving, {"BatchCache::", "ThreadCacheExit ", "PushToShard ",
                                      "BatchCore::", "WriteBatch::"});
}

// Mutant 44: the aggregate's exit handler drops the exited thread's block.
// The history shows each exit's retire and the Totals that miss them, on
// named perf blocks.
TEST(HistoryCli, PerfMutantShowsRetireAndTotalsOnNamedBlocks) {
  const MutantHistory m = ReplayMinimal("perf.aggregate_exit", "perf_sum_drops_exited");
  ExpectHas(m.calls, "T0    PerfAggregate retire block");
  ExpectHas(m.calls, "T1      PerfAggregate retire block");
  ExpectHas(m.calls, "PerfAggregate::Totals");
  ExpectHas(m.calls, "FAILURE USER ASSERT FAILED (PERF-SUM");
  ExpectHas(m.interleaving, "<perf aggregate#1.mu> mutex: exclusive lock");
  ExpectHas(m.interleaving, "<perf aggregate block[T0].gets>");
  ExpectHas(m.interleaving, "<perf context[T0].gets>");
  ExpectNamedObjects(m.interleaving, {"RetireBlock ", "PerfAggregate::", "PerfBlock::",
                                      "PerfContext::", "AggregateCore::"});
}

// The kinds docs/harness.md documents: the backquoted words of the first
// column of its "JSON events" kind table (lines "| `kind` | ...").
std::set<std::string> DocumentedKinds() {
  const std::string doc = ReadFile(fs::path(TLSM_SOURCE_DIR) / "docs" / "harness.md");
  const std::size_t from = doc.find("### JSON events");
  EXPECT_NE(from, std::string::npos) << "docs/harness.md has no JSON events section";
  std::set<std::string> kinds;
  if (from == std::string::npos) return kinds;
  const std::size_t to = doc.find("\n#", from + 4);
  std::istringstream lines(doc.substr(from, to - from));
  const std::regex row(R"(^\| `([a-z_]+)` \|)");
  for (std::string l; std::getline(lines, l);) {
    std::smatch mt;
    if (std::regex_search(l, mt, row)) kinds.insert(mt[1]);
  }
  return kinds;
}

// `replay --json` of mutant 63's failure: one JSON document; every event
// has a documented kind; the API markers carry their call and result; the
// failure is the failing step; named objects carry their names.
TEST(HistoryCli, ReplayJsonEventsHaveDocumentedKinds) {
  const std::set<std::string> kinds = DocumentedKinds();
  ASSERT_GE(kinds.size(), 20u);
  const MutantHistory m = ReplayMinimal("db.get_vs_overwrite", "db_get_snapshot_before_acquire");
  ASSERT_FALSE(m.token.empty());
  const CliRun r = Tlsm("replay " + m.token + " --json", /*with_stderr=*/false);
  ASSERT_EQ(r.rc, 1) << r.out;
  const json doc = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << r.out.substr(0, 2000);
  EXPECT_EQ(doc.at("tlsm_history").get<int>(), 1);
  EXPECT_EQ(doc.at("scenario").get<std::string>(), "db.get_vs_overwrite");
  EXPECT_EQ(doc.at("invariant").get<std::string>(), "SV-FRESH");
  EXPECT_TRUE(doc.at("failed").get<bool>());
  const json& ev = doc.at("events");
  ASSERT_GT(ev.size(), 100u);
  std::set<std::string> seen_kinds, calls, results;
  std::size_t failures = 0, named = 0;
  for (std::size_t i = 0; i < ev.size(); ++i) {
    const json& e = ev[i];
    ASSERT_TRUE(e.contains("kind") && e["kind"].is_string()) << e.dump();
    const std::string k = e["kind"].get<std::string>();
    EXPECT_TRUE(kinds.count(k)) << "undocumented kind " << k << ": " << e.dump();
    EXPECT_NE(k, "other") << e.dump();  // every event of this history is classified
    seen_kinds.insert(k);
    if (k == "failure") {
      ++failures;
      EXPECT_EQ(static_cast<int>(i), doc.at("failing_step").get<int>());
    }
    if (k == "api_call") calls.insert(e.at("call").get<std::string>());
    if (k == "api_result" && e.at("call") == "DB::Get") {
      results.insert(e.at("result").get<std::string>());
    }
    if (e.contains("object") && e["object"].get<std::string>().rfind("memtable#", 0) == 0) ++named;
    EXPECT_TRUE(e.at("seam").is_boolean());
  }
  EXPECT_EQ(failures, 1u);
  EXPECT_GT(named, 0u);
  for (const char* c : {"DB::Open", "DB::Put", "DB::Get", "Acquire", "Install", "BatchCache::Acquire"}) {
    EXPECT_TRUE(calls.count(c)) << c;
  }
  EXPECT_TRUE(results.count("not found at seq 1 in SuperVersion v3 (cache miss)"));
  for (const char* k : {"atomic_load", "atomic_store", "rmw", "mutex_lock", "mutex_unlock",
                        "var_read", "var_write", "alloc", "free", "api_call", "api_result",
                        "name", "thread_exit", "harness", "sync_object"}) {
    EXPECT_TRUE(seen_kinds.count(k)) << k;
  }
}

// `trace --json` of a passing execution: no failure event, failed false.
TEST(HistoryCli, TraceJsonOfAPassingExecution) {
  const CliRun r = Tlsm("trace sv.hit_vs_install --seed 2 --json", /*with_stderr=*/false);
  ASSERT_EQ(r.rc, 0) << r.out;
  const json doc = json::parse(r.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << r.out.substr(0, 2000);
  EXPECT_FALSE(doc.at("failed").get<bool>());
  EXPECT_EQ(doc.at("failing_step").get<int>(), -1);
  std::size_t calls = 0;
  for (const json& e : doc.at("events")) {
    EXPECT_NE(e.at("kind").get<std::string>(), "failure");
    calls += e.at("kind") == "api_call";
  }
  EXPECT_GT(calls, 3u);
}

}  // namespace
