// tests/cli/history_test.cc — the readable history (model/cli/history.h) of
// a hand-written Relacy history: names for addresses, seam internals hidden
// but the trigger kept, the condensed view's calls and preemptions.
#include "model/cli/history.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace {

using tlsm::cli::CondensedRow;
using tlsm::cli::EventKind;

// T0 sets up a named SuperVersion and a named mutex; T1 acquires it (a
// LifeMark read, then the fetch_add) and is preempted; T2 frees it inside
// Release (poison write) and is preempted; T1's next LifeMark read races.
const char* const kRaw =
    "struct S\n"
    "DATA RACE (data race detected)\n"
    "execution history (17):\n"
    "[0] 0: [BEFORE BEGIN], in run, relacy/context.hpp(464)\n"
    "[1] 0: memory allocation: addr=0x1000, size=64, in sync::New, engine/sync/model_backend.h(283)\n"
    "[2] 0: tlsm.name <0x1000> size=64 leaf=0: SuperVersion v2, in Name, engine/sync/history_marks.h(71)\n"
    "[3] 0: tlsm.name <0x1020> size=32 leaf=1: SuperVersion v2.refs, in Name, engine/sync/history_marks.h(71)\n"
    "[4] 0: tlsm.name <0x2000> size=32 leaf=1: cache(db 1, cf 2).mu, in Name, engine/sync/history_marks.h(71)\n"
    "[5] 0: tlsm.mutex <0x2000>, in Mutex::Lock, engine/version/c.cc(20)\n"
    "[6] 0: <0x9990> mutex: exclusive lock, in tlsm::version::Cache::Install(), engine/version/c.cc(20)\n"
    "[7] 0: <0x1038> atomic store, value=1, order=relaxed, in [seam] initial store, engine/version/sv.cc(22)\n"
    "[8] 0: [BEFORE END], in run, relacy/context.hpp(469)\n"
    "[9] 1: tlsm.call Acquire, in tlsm::version::Cache::Acquire(), engine/version/c.h(10)\n"
    "[10] 1: <0x1020> load, value=1, in [seam] life mark, engine/version/sv.cc(49)\n"
    "[11] 1: <0x1038> fetch_add, prev=1, arg=1, new=2, order=relaxed, in tlsm::version::SuperVersion::Ref(), engine/version/sv.cc(49)\n"
    "[12] 1: tlsm.ret Acquire -> hit 0x1000, in tlsm::version::Cache::Acquire(), engine/version/c.h(10)\n"
    "[13] 2: tlsm.call Release, in tlsm::version::Release(), engine/version/sv.cc(70)\n"
    "[14] 2: <0x1020> store, value=57005, in ~(freed object), (0)\n"
    "[15] 1: <0x1020> load, value=1, in [seam] life mark, engine/version/sv.cc(60)\n"
    "[16] 1: DATA RACE (data race detected), in tlsm::version::SuperVersion::Unref(), engine/version/sv.cc(60)\n"
    "\n";

// The line of the interleaving (not of the condensed view) holding needle.
std::string LineOf(const std::string& text, const std::string& needle) {
  const std::size_t p = text.find(needle, text.find("\ninterleaving ("));
  if (p == std::string::npos) return "";
  const std::size_t b = text.rfind('\n', p);
  const std::size_t e = text.find('\n', p);
  return text.substr(b == std::string::npos ? 0 : b + 1, e - (b == std::string::npos ? 0 : b + 1));
}

TEST(History, NamedObjectsReplaceAddresses) {
  const auto h = tlsm::cli::ParseHistory(kRaw, 3);
  ASSERT_EQ(h.events.size(), 17u);
  EXPECT_EQ(h.events[11].what, "<SuperVersion v2.refs> fetch_add, prev=1, arg=1, new=2, order=relaxed");
  // Relacy's address of the mutex's state stands for the named seam Mutex.
  EXPECT_EQ(h.events[6].what, "<cache(db 1, cf 2).mu> mutex: exclusive lock");
  EXPECT_EQ(h.events[7].kind, EventKind::kSeam);
  EXPECT_EQ(h.events[2].kind, EventKind::kName);
  EXPECT_EQ(h.events[5].kind, EventKind::kName);
  EXPECT_EQ(h.events[10].kind, EventKind::kSeam);
  EXPECT_EQ(h.events[14].kind, EventKind::kSeam);
  for (const bool raw : {false, true}) {
    const std::string text = tlsm::cli::RenderHistory(h, {.raw = raw});
    EXPECT_EQ(text.find("0x"), std::string::npos) << text;
  }
}

TEST(History, SeamInternalsHiddenButTheTriggerKept) {
  const auto h = tlsm::cli::ParseHistory(kRaw, 3);
  ASSERT_EQ(h.failing_step, 16);
  const std::string text = tlsm::cli::RenderHistory(h);
  // The LifeMark read before the fetch_add and the initial store are hidden ...
  EXPECT_EQ(LineOf(text, "  10 T1"), "") << text;
  EXPECT_EQ(LineOf(text, "   7 T0"), "") << text;
  EXPECT_EQ(LineOf(text, "tlsm.name"), "") << text;
  // ... the read that raced and the poison write it raced with are not.
  EXPECT_NE(LineOf(text, "  15 T1").find("<SuperVersion v2.refs> load"), std::string::npos) << text;
  EXPECT_NE(LineOf(text, "  14 T2").find("~(freed object)"), std::string::npos) << text;
  EXPECT_NE(LineOf(text, "  16 T1").find("<== FAILURE"), std::string::npos) << text;
  EXPECT_NE(text.find("seam internals hidden: --raw shows them"), std::string::npos);
  // --raw shows every event.
  const std::string raw = tlsm::cli::RenderHistory(h, {.raw = true});
  EXPECT_NE(LineOf(raw, "  10 T1").find("[seam] life mark"), std::string::npos) << raw;
  EXPECT_NE(LineOf(raw, "   7 T0").find("[seam] initial store"), std::string::npos) << raw;
  EXPECT_NE(raw.find("tlsm.name <@1> size=64 leaf=0: SuperVersion v2"), std::string::npos) << raw;
}

TEST(History, CondensedViewListsCallsAndPreemptions) {
  const auto h = tlsm::cli::ParseHistory(kRaw, 3);
  EXPECT_EQ(tlsm::cli::CountPreemptions(h), 2u);  // T1 -> T2 and T2 -> T1; markers are no steps
  const auto rows = tlsm::cli::Condense(h);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].kind, CondensedRow::kCall);
  EXPECT_EQ(rows[0].thread, 1u);
  EXPECT_EQ(rows[0].text, "Acquire -> hit SuperVersion v2");  // a pointer value: the whole object
  EXPECT_TRUE(rows[0].finished);
  EXPECT_EQ(rows[1].kind, CondensedRow::kPreemption);  // after T1's fetch_add
  EXPECT_EQ(rows[1].thread, 1u);
  EXPECT_EQ(rows[1].to, 2u);
  EXPECT_EQ(rows[1].step, 13u);
  EXPECT_EQ(rows[2].kind, CondensedRow::kCall);
  EXPECT_EQ(rows[2].text, "Release");
  EXPECT_FALSE(rows[2].finished);
  EXPECT_EQ(rows[3].kind, CondensedRow::kPreemption);
  EXPECT_EQ(rows[3].thread, 2u);
  EXPECT_EQ(rows[3].to, 1u);
  EXPECT_EQ(rows[3].inside, "Release");
  EXPECT_EQ(rows[4].kind, CondensedRow::kFailure);
  EXPECT_EQ(rows[4].thread, 1u);
  EXPECT_EQ(rows[4].file, "engine/version/sv.cc");
  EXPECT_EQ(rows[4].line, 60u);
  const std::string text = tlsm::cli::RenderHistory(h);
  EXPECT_NE(text.find("api calls (2 calls, 2 preemptions, 3 threads):"), std::string::npos) << text;
  EXPECT_NE(text.find("~~ preempted in Release -> T1"), std::string::npos) << text;
  EXPECT_NE(text.find("Release (unfinished)"), std::string::npos) << text;
}

// The JSON kinds of the hand-written history's events, by event.
TEST(History, EventKindsClassifyEveryEvent) {
  const auto h = tlsm::cli::ParseHistory(kRaw, 3);
  const std::vector<std::string> want = {
      "harness", "alloc", "name", "name", "name", "name", "mutex_lock", "atomic_store",
      "harness", "api_call", "var_read", "rmw", "api_result", "api_call", "var_write",
      "var_read", "failure"};
  ASSERT_EQ(h.events.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(tlsm::cli::EventKindName(h, i), want[i]) << i << ": " << h.events[i].what;
    const auto& all = tlsm::cli::EventKindNames();
    EXPECT_NE(std::find(all.begin(), all.end(), want[i]), all.end()) << want[i];
  }
  EXPECT_EQ(tlsm::cli::MarkerCall(h.events[12]), "Acquire");
  EXPECT_EQ(tlsm::cli::MarkerResult(h.events[12]), "hit SuperVersion v2");
  EXPECT_EQ(tlsm::cli::EventObject(h.events[11]), "SuperVersion v2.refs");
}

// A small pointer value (a sentinel) stays as it is, unless named.
TEST(History, SentinelValuesStayOrShowTheirName) {
  const char* const raw =
      "struct S\n"
      "ok\n"
      "execution history (4):\n"
      "[0] 0: tlsm.name <0x4000> size=8 leaf=1: slot, in Name, engine/sync/history_marks.h(71)\n"
      "[1] 0: <0x4000> atomic store, value=0x1, (prev value=0), order=release, in F, e.cc(1)\n"
      "[2] 0: tlsm.name <0x2> size=1 leaf=1: kObsolete, in NameValue, engine/sync/history_marks.h(80)\n"
      "[3] 0: <0x4000> atomic store, value=0x2, (prev value=0x1), order=release, in F, e.cc(2)\n"
      "\n";
  const auto h = tlsm::cli::ParseHistory(raw, 1);
  ASSERT_EQ(h.events.size(), 4u);
  EXPECT_EQ(h.events[1].what, "<slot> atomic store, value=0x1, (prev value=0), order=release");
  EXPECT_EQ(h.events[3].what, "<slot> atomic store, value=kObsolete, (prev value=0x1), order=release");
  EXPECT_EQ(h.events[2].what, "tlsm.name <0x2> size=1 leaf=1: kObsolete");
}

}  // namespace
