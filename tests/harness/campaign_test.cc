// tests/harness/campaign_test.cc — the harness library (model/harness/campaign.h)
// tested directly: campaigns over the harness self-test scenarios
// (model/cli/selftest_scenario.cc), assertions on the returned report values.
// tests/cli drives the same paths through the tlsm binary.
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "model/cli/history.h"
#include "model/cli/runner.h"
#include "model/cli/token.h"
#include "model/harness/campaign.h"
#include "model/harness/determinism.h"
#include "model/harness/report_json.h"
#include "model/harness/report_junit.h"
#include "model/harness/report_text.h"
#include "model/harness/strategy.h"

namespace tlsm::harness {
namespace {

namespace fs = std::filesystem;
using tlsm::model::FindScenario;
using tlsm::model::ScenarioInfo;

const ScenarioInfo& Scenario(const std::string& name) {
  const ScenarioInfo* s = FindScenario(name);
  if (s == nullptr) throw std::runtime_error("no scenario " + name);
  return *s;
}

const SearchStrategy& Strategy(const std::string& name) {
  const SearchStrategy* st = FindStrategy(name);
  if (st == nullptr) throw std::runtime_error("no strategy " + name);
  return *st;
}

fs::path TempResults(const std::string& name) {
  const fs::path d = fs::temp_directory_path() /
                     ("harness_campaign_test-" + std::to_string(getpid())) / name;
  fs::remove_all(d);
  return d;
}

// Records every live event, to compare with the returned report.
struct Recorder final : CampaignObserver {
  std::vector<Row> rows;
  std::vector<std::string> harness_errors;
  int failures = 0;
  void OnRow(const Row& r) override { rows.push_back(r); }
  void OnHarnessError(const std::string&, const std::string& e) override {
    harness_errors.push_back(e);
  }
  void OnFailure(const FailureReport&) override { ++failures; }
};

// random, bounded, exhaustive: the searches these tests were written for
// (`--search all` starts with the portfolio instead).
std::vector<const SearchStrategy*> Classic() {
  return {&Strategy("random"), &Strategy("bounded"), &Strategy("exhaustive")};
}

CampaignOptions Options(const std::string& results, std::vector<const SearchStrategy*> st) {
  CampaignOptions o;
  o.strategies = std::move(st);
  o.results = TempResults(results);
  o.build = {"test-build", ""};
  o.program = "tlsm";
  return o;
}

// Relacy prints one-byte atomics (bool, uint8_t enums) as raw bytes; a NUL
// used to end the printed history at that event.
TEST(HarnessHistory, OneByteValuesPrintAsNumbersAndTheHistoryGoesOn) {
  std::string raw = "T\npassed\nexecution history (2):\n";
  raw += "[0] 0: <0x10> atomic store, value=";
  raw += '\0';
  raw += ", (prev value=\x01), order=relaxed, in F, a.cc(1)\n";
  raw += "[1] 1: <0x10> atomic load, value=\x02\x03 x, in G, b.cc(2)\n";
  const tlsm::cli::History h = tlsm::cli::ParseHistory(raw, 2);
  ASSERT_EQ(h.events.size(), 2u);
  EXPECT_EQ(h.events[0].what, "<@1> atomic store, value=0, (prev value=1), order=relaxed");
  EXPECT_EQ(h.events[1].what, "<@1> atomic load, value=2\\x03 x");
  EXPECT_EQ(tlsm::cli::RenderHistory(h).find('\0'), std::string::npos);
}

TEST(HarnessStrategies, RegistryListsEveryStrategyInRunOrder) {
  std::vector<std::string> names;
  for (const SearchStrategy* st : Strategies()) names.push_back(st->Name());
  EXPECT_EQ(names, (std::vector<std::string>{"random", "bounded", "exhaustive", "pct", "pos",
                                              "portfolio"}));
  names.clear();
  for (const SearchStrategy* st : DefaultStrategies()) names.push_back(st->Name());
  EXPECT_EQ(names, (std::vector<std::string>{"portfolio", "bounded", "exhaustive"}));
  EXPECT_EQ(FindStrategy("pcts"), nullptr);
  EXPECT_FALSE(Strategy("pct").IsTree());
  EXPECT_FALSE(Strategy("pos").IsTree());
  EXPECT_FALSE(Strategy("portfolio").IsTree());
  EXPECT_FALSE(Strategy("random").IsTree());
  EXPECT_TRUE(Strategy("bounded").IsTree());
  SearchOptions o;
  o.bound = 3;
  EXPECT_EQ(SearchLabel(Strategy("bounded"), o), "bounded K=3");
  EXPECT_EQ(SearchLabel(Strategy("exhaustive"), o), "exhaustive");
  o.depth = 2;
  EXPECT_EQ(SearchLabel(Strategy("pct"), o), "pct d=2");
  EXPECT_EQ(SearchLabel(Strategy("portfolio"), o), "portfolio");
  EXPECT_EQ(Strategy("exhaustive").ReductionName(o), "dpor+sleep-sets");
  EXPECT_EQ(Strategy("bounded").ReductionName(o), "bpor+sleep-sets");
  o.reduction = tlsm::model::Reduction::kSleepSets;
  EXPECT_EQ(Strategy("bounded").ReductionName(o), "sleep-sets");
  o.stock_scheduler = true;
  EXPECT_EQ(Strategy("exhaustive").ReductionName(o), "none");
}

TEST(HarnessCampaign, PassingScenarioIsSampledThenVerified) {
  CampaignOptions o = Options("ok", Classic());
  Recorder rec;
  Campaign c(o, &rec);
  const ScenarioReport rep = c.CheckScenario(Scenario("selftest.ok"));
  EXPECT_FALSE(rep.bug);
  EXPECT_FALSE(rep.harness_error) << rep.error;
  EXPECT_FALSE(rep.failure.has_value());
  ASSERT_EQ(rep.rows.size(), 3u);
  EXPECT_EQ(rep.rows[0].search, "random");
  EXPECT_EQ(rep.rows[0].verdict, Verdict::kSampled);
  EXPECT_EQ(rep.rows[0].result, "sampled (20000 executions, random)");
  EXPECT_EQ(rep.rows[1].search, "bounded K=2");
  EXPECT_EQ(rep.rows[1].result, "verified (K=2, complete)");
  EXPECT_EQ(rep.rows[2].result, "verified (exhaustive)");
  EXPECT_GT(rep.rows[2].executions, 0u);
  // Live rows are the returned rows, in order.
  ASSERT_EQ(rec.rows.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(rec.rows[i].result, rep.rows[i].result);
  EXPECT_EQ(rec.failures, 0);
  EXPECT_TRUE(fs::exists(o.results / "selftest.ok.result.json"));
  EXPECT_FALSE(fs::exists(o.results / "selftest.ok.failure.json"));
}

TEST(HarnessCampaign, BoundedSearchVerifiesAtItsBoundOrSamplesWhenCapped) {
  CampaignOptions o = Options("bounded", {&Strategy("bounded")});
  o.search.bound = 1;
  const ScenarioReport full = Campaign(o).CheckScenario(Scenario("selftest.ok"));
  ASSERT_EQ(full.rows.size(), 1u);
  EXPECT_EQ(full.rows[0].verdict, Verdict::kVerified);
  EXPECT_EQ(full.rows[0].result, "verified (K=1, complete)");
  EXPECT_TRUE(full.rows[0].tree);
  EXPECT_EQ(full.rows[0].scheduler, "tlsm");
  EXPECT_EQ(full.rows[0].reduction, "bpor+sleep-sets");
  EXPECT_EQ(RowJson(full.rows[0])["verdict"], "verified");

  o.search.executions = 3;
  const ScenarioReport capped = Campaign(o).CheckScenario(Scenario("selftest.ok"));
  EXPECT_EQ(capped.rows[0].verdict, Verdict::kSampled);
  EXPECT_EQ(capped.rows[0].result, "sampled (3 executions, cap hit)");
}

TEST(HarnessCampaign, TreeShardsPartitionTheSplitSearchByPrefix) {
  for (const char* search : {"exhaustive", "bounded"}) {
    CampaignOptions o = Options("shard", {&Strategy(search)});
    o.search.split_depth = 3;
    const ScenarioReport whole = Campaign(o).CheckScenario(Scenario("selftest.ok"));
    ASSERT_EQ(whole.rows[0].verdict, Verdict::kVerified) << search;
    EXPECT_NE(whole.rows[0].search.find(" split=3"), std::string::npos) << whole.rows[0].search;
    const tlsm::model::PrefixCounts all = whole.rows[0].prefix;
    EXPECT_GT(all.count, 1u);
    EXPECT_EQ(all.own, all.count);
    EXPECT_EQ(all.skeletons, 0u);
    for (unsigned n : {2u, 3u, 7u}) {
      std::uint64_t executions = 0, own = 0, own_sum = 0;
      for (unsigned i = 0; i < n; ++i) {
        o.search.shard_index = i;
        o.search.shard_count = n;
        const ScenarioReport rep = Campaign(o).CheckScenario(Scenario("selftest.ok"));
        const Row& row = rep.rows[0];
        EXPECT_EQ(row.verdict, Verdict::kShardComplete) << search << " " << i << "/" << n;
        EXPECT_EQ(row.prefix.count, all.count);  // every shard enumerates every prefix
        EXPECT_EQ(row.prefix.sum, all.sum);
        EXPECT_EQ(row.prefix.own + row.prefix.skeletons, all.count);
        executions += row.executions;
        own += row.prefix.own;
        own_sum += row.prefix.own_sum;
      }
      EXPECT_EQ(executions, whole.rows[0].executions) << search << " N=" << n;
      EXPECT_EQ(own, all.count);
      EXPECT_EQ(own_sum, all.sum);
    }
    EXPECT_TRUE(fs::exists(o.results / "selftest.ok.result.shard-6-of-7.json"));
  }
}

TEST(HarnessCampaign, BugIsReportedWithATokenThatReplaysAndAMinimalCounterexample) {
  CampaignOptions o = Options("broken", Classic());
  Recorder rec;
  const ScenarioReport rep = Campaign(o, &rec).CheckScenario(Scenario("selftest.broken"));
  EXPECT_TRUE(rep.bug);
  EXPECT_FALSE(rep.harness_error) << rep.error;
  ASSERT_EQ(rep.rows.size(), 3u);
  EXPECT_EQ(rep.rows[0].result, "BUG SELFTEST");
  EXPECT_EQ(rep.rows[1].result, "skipped (bug found)");
  EXPECT_EQ(rep.rows[2].verdict, Verdict::kSkipped);
  ASSERT_TRUE(rep.failure.has_value());
  const FailureReport& f = *rep.failure;
  EXPECT_EQ(rec.failures, 1);
  EXPECT_EQ(f.invariant, "SELFTEST");
  EXPECT_EQ(f.message, "an increment was lost (deliberate bug)");
  EXPECT_EQ(f.where.rfind("random, execution ", 0), 0u) << f.where;
  EXPECT_TRUE(f.harness_error.empty()) << f.harness_error;
  EXPECT_GE(f.history.failing_step, 0);

  // The token decodes to this build and this failure ...
  tlsm::cli::Token t;
  std::string err;
  ASSERT_TRUE(tlsm::cli::DecodeToken(f.token, &t, &err)) << err;
  EXPECT_EQ(t.scenario, "selftest.broken");
  EXPECT_EQ(t.search, "random");
  EXPECT_EQ(t.build_id, "test-build");
  EXPECT_EQ(f.replay_command, "tlsm replay " + f.token);
  // ... and replays: the same invariant, the same history, byte for byte.
  const ScenarioInfo& s = Scenario("selftest.broken");
  const tlsm::cli::Outcome replay =
      tlsm::cli::RunIsolated(s, ReplayConfig(t), tlsm::cli::ProgressOptions{});
  ASSERT_FALSE(replay.harness_error) << replay.error;
  EXPECT_TRUE(replay.result.failed);
  EXPECT_EQ(replay.result.invariant, "SELFTEST");
  EXPECT_EQ(tlsm::cli::RenderHistory(tlsm::cli::ParseHistory(replay.history, s.threads)),
            tlsm::cli::RenderHistory(f.history));

  // The lost update needs one preemption, and no fewer suffice.
  ASSERT_TRUE(f.minimal.has_value());
  EXPECT_TRUE(f.minimal->found) << f.minimal->note;
  EXPECT_EQ(f.minimal->bound, 1u);
  EXPECT_TRUE(f.minimal->proven);
  EXPECT_EQ(f.minimal->preemptions, 1u);
  EXPECT_EQ(f.minimal->token_value.search, "bounded");
  EXPECT_EQ(&f.ShownHistory(), &f.minimal->history);

  // The artifacts the report names exist; the text names them.
  EXPECT_TRUE(fs::exists(f.artifact));
  EXPECT_TRUE(fs::exists(f.html));
  const std::string text = FailureText(f);
  EXPECT_NE(text.find("FAIL selftest.broken: SELFTEST"), std::string::npos);
  EXPECT_NE(text.find("minimal failing history:"), std::string::npos);
  EXPECT_EQ(FailureJson(f)["minimal"]["bound"], 1);
}

// Every sampling strategy finds the lost update; its token names the
// strategy and replays the failing execution byte for byte.
TEST(HarnessCampaign, SamplingStrategiesFindTheBugWithReplayableTokens) {
  for (const char* name : {"pct", "pos", "portfolio"}) {
    CampaignOptions o = Options(std::string("broken-") + name, {&Strategy(name)});
    o.minimise = false;
    const ScenarioReport rep = Campaign(o).CheckScenario(Scenario("selftest.broken"));
    ASSERT_TRUE(rep.failure.has_value()) << name;
    const FailureReport& f = *rep.failure;
    EXPECT_EQ(f.invariant, "SELFTEST") << name;
    EXPECT_EQ(f.where.rfind(std::string(name) + ", execution ", 0), 0u) << f.where;
    tlsm::cli::Token t;
    std::string err;
    ASSERT_TRUE(tlsm::cli::DecodeToken(f.token, &t, &err)) << err;
    EXPECT_EQ(t.search, name);
    const ScenarioInfo& s = Scenario("selftest.broken");
    const tlsm::cli::Outcome replay =
        tlsm::cli::RunIsolated(s, ReplayConfig(t), tlsm::cli::ProgressOptions{});
    ASSERT_FALSE(replay.harness_error) << replay.error;
    EXPECT_TRUE(replay.result.failed) << name;
    EXPECT_EQ(tlsm::cli::RenderHistory(tlsm::cli::ParseHistory(replay.history, s.threads)),
              tlsm::cli::RenderHistory(f.history))
        << name;
  }
}

// A passing sampling search reports L (PCT) and its coverage.
TEST(HarnessCampaign, SamplingRowsReportCoverage) {
  CampaignOptions o = Options("coverage", {&Strategy("portfolio")});
  o.search.executions = 400;
  const ScenarioReport rep = Campaign(o).CheckScenario(Scenario("selftest.ok"));
  ASSERT_EQ(rep.rows.size(), 1u);
  const Row& r = rep.rows[0];
  EXPECT_EQ(r.result, "sampled (400 executions, portfolio)");
  EXPECT_GT(r.schedule_length, 0u);
  EXPECT_EQ(r.hashed_executions, 400u);
  EXPECT_GT(r.distinct_schedules, 1u);
  EXPECT_LE(r.distinct_schedules, 400u);
  EXPECT_LE(r.singleton_schedules, r.distinct_schedules);
  const auto j = RowJson(r);
  EXPECT_EQ(j["coverage"]["distinct_schedules"], r.distinct_schedules);
  EXPECT_NE(CoverageText(r).find(" schedules, unseen "), std::string::npos);
}

TEST(HarnessCampaign, BoundedFailureAtBoundZeroIsAlreadyMinimal) {
  CampaignOptions o = Options("leak", {&Strategy("bounded")});
  o.search.bound = 0;
  const ScenarioReport rep = Campaign(o).CheckScenario(Scenario("selftest.leak"));
  ASSERT_TRUE(rep.failure.has_value());
  EXPECT_EQ(rep.failure->invariant, "NO-LEAK");
  EXPECT_EQ(rep.failure->where.rfind("bounded (preemption bound 0), execution ", 0), 0u);
  ASSERT_TRUE(rep.failure->minimal.has_value());
  EXPECT_FALSE(rep.failure->minimal->found);
  EXPECT_EQ(rep.failure->minimal->note, "found at preemption bound 0: already minimal");
  EXPECT_EQ(rep.failure->token_value.bound, 0u);
}

TEST(HarnessDeterminism, WrapperFindsNondeterminismTheBareStrategyDoesNot) {
  const ScenarioInfo& s = Scenario("selftest.nondeterministic");
  const SearchStrategy& random = Strategy("random");
  SearchOptions o;
  o.executions = 50;
  const SearchResult bare = random.Run(s, o);
  EXPECT_TRUE(bare.nondeterminism.empty());
  EXPECT_EQ(bare.row.verdict, Verdict::kSampled);

  const DeterminismChecked checked(random);
  EXPECT_STREQ(checked.Name(), "random");
  const SearchResult r = checked.Run(s, o);
  EXPECT_EQ(r.row.verdict, Verdict::kSampled);  // the search itself passed ...
  EXPECT_EQ(r.nondeterminism.rfind("nondeterminism: re-running random execution 0", 0), 0u)
      << r.nondeterminism;  // ... its executions do not repeat

  // A deterministic scenario passes the check; a failure's replay does too.
  EXPECT_TRUE(checked.Run(Scenario("selftest.ok"), o).nondeterminism.empty());
  const SearchResult broken = DeterminismChecked(Strategy("exhaustive")).Run(
      Scenario("selftest.broken"), o);
  ASSERT_TRUE(broken.failure.has_value());
  EXPECT_TRUE(broken.failure->replay_error.empty()) << broken.failure->replay_error;
}

TEST(HarnessDeterminism, CampaignTurnsTheLiveRowIntoAHarnessError) {
  CampaignOptions o = Options("nondeterministic", Classic());
  o.search.executions = 50;
  Recorder rec;
  const ScenarioReport rep = Campaign(o, &rec).CheckScenario(Scenario("selftest.nondeterministic"));
  EXPECT_TRUE(rep.harness_error);
  EXPECT_FALSE(rep.bug);
  ASSERT_EQ(rep.rows.size(), 3u);
  EXPECT_EQ(rep.rows[0].result, "ERROR (nondeterministic)");
  EXPECT_EQ(rep.rows[1].result, "skipped (error)");
  ASSERT_FALSE(rec.rows.empty());
  EXPECT_EQ(rec.rows[0].verdict, Verdict::kSampled);  // printed before the check judged it
  ASSERT_EQ(rec.harness_errors.size(), 1u);
  EXPECT_EQ(rec.harness_errors[0], rep.error);

  // Without the check, random search cannot tell (a tree search can: its
  // replayed prefix stops matching, a Relacy internal assertion).
  o.determinism = false;
  o.strategies = {&Strategy("random")};
  const ScenarioReport unchecked = Campaign(o).CheckScenario(Scenario("selftest.nondeterministic"));
  EXPECT_FALSE(unchecked.harness_error) << unchecked.error;
  EXPECT_EQ(unchecked.rows[0].verdict, Verdict::kSampled);
}

TEST(HarnessReporters, JUnitHasOneTestcasePerRowAndTheFailure) {
  CampaignOptions o = Options("junit", Classic());
  o.minimise = false;
  o.search.executions = 200;
  Campaign c(o);
  const std::vector<ScenarioReport> reps = {c.CheckScenario(Scenario("selftest.ok")),
                                            c.CheckScenario(Scenario("selftest.broken"))};
  const std::string xml = JUnitXml(reps);
  EXPECT_NE(xml.find("<testsuite name=\"tlsm\" tests=\"6\" failures=\"1\" errors=\"0\" "
                     "skipped=\"2\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase classname=\"selftest.ok\" name=\"bounded K=2\""),
            std::string::npos);
  EXPECT_NE(xml.find("<failure type=\"SELFTEST\" message=\"BUG SELFTEST\">"), std::string::npos);
  EXPECT_NE(xml.find("replay: tlsm replay tlsm1:"), std::string::npos);
}

}  // namespace
}  // namespace tlsm::harness
