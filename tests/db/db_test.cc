// Unit tests of the DB host (production build).
#include "engine/db/db.h"

#include <gtest/gtest.h>

#include <thread>

namespace {

using tlsm::db::CfInfo;
using tlsm::db::ColumnFamily;
using tlsm::db::DB;
using tlsm::db::Options;
using tlsm::db::PinnedView;
using tlsm::db::Status;
using tlsm::db::WriteBatch;
using tlsm::version::LiveSuperVersions;

std::string GetOr(DB& db, const ColumnFamily& cf, const std::string& k) {
  std::string v;
  Status s = db.Get(cf, k, &v);
  return s.ok() ? v : "<" + s.ToString() + ">";
}

TEST(DB, PutGetDeleteAcrossFlush) {
  DB db("t");
  ColumnFamily cf = db.DefaultColumnFamily();
  ASSERT_TRUE(cf.valid());
  ASSERT_TRUE(db.Put(cf, "a", "1").ok());
  ASSERT_TRUE(db.Put(cf, "b", "2").ok());
  EXPECT_EQ(GetOr(db, cf, "a"), "1");
  ASSERT_TRUE(db.Flush(cf).ok());
  EXPECT_EQ(GetOr(db, cf, "a"), "1");
  ASSERT_TRUE(db.Delete(cf, "a").ok());
  std::string v;
  EXPECT_TRUE(db.Get(cf, "a", &v).IsNotFound());
  ASSERT_TRUE(db.Flush(cf).ok());
  EXPECT_TRUE(db.Get(cf, "a", &v).IsNotFound());
  EXPECT_EQ(GetOr(db, cf, "b"), "2");
  ASSERT_TRUE(db.Put("default", "c", "3").ok());
  EXPECT_TRUE(db.Get("default", "c", &v).ok());
  EXPECT_EQ(v, "3");
}

TEST(DB, FlushInstallsNewVersionAndMergesImmutables) {
  Options o;
  o.max_immutable_memtables = 2;
  DB db("t", o);
  ColumnFamily cf = db.DefaultColumnFamily();
  CfInfo info;
  ASSERT_TRUE(db.Describe(cf, &info).ok());
  EXPECT_EQ(info.version, 1u);
  ASSERT_TRUE(db.Flush(cf).ok());  // empty memtable: no-op
  ASSERT_TRUE(db.Describe(cf, &info).ok());
  EXPECT_EQ(info.version, 1u);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(db.Put(cf, "k" + std::to_string(i), std::to_string(i)).ok());
    ASSERT_TRUE(db.Flush(cf).ok());
  }
  ASSERT_TRUE(db.Describe(cf, &info).ok());
  EXPECT_EQ(info.version, 6u);
  EXPECT_LE(info.immutable_memtables, 2u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(GetOr(db, cf, "k" + std::to_string(i)), std::to_string(i));
}

TEST(DB, AutoFlush) {
  Options o;
  o.memtable_max_entries = 3;
  DB db("t", o);
  ColumnFamily cf = db.DefaultColumnFamily();
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(db.Put(cf, "k" + std::to_string(i), "v").ok());
  CfInfo info;
  ASSERT_TRUE(db.Describe(cf, &info).ok());
  EXPECT_EQ(info.version, 3u);
  EXPECT_EQ(info.mem_entries, 1u);
}

TEST(DB, ColumnFamilyErrors) {
  DB db("errs");
  ColumnFamily x;
  ASSERT_TRUE(db.CreateColumnFamily("x", &x).ok());
  Status s = db.CreateColumnFamily("x");
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("already exists"), std::string::npos);
  s = db.Put("nope", "k", "v");
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("unknown column family 'nope'"), std::string::npos) << s.ToString();
  EXPECT_TRUE(db.DropColumnFamily("nope").IsInvalidArgument());
  EXPECT_TRUE(db.DropColumnFamily("default").IsInvalidArgument());
  ASSERT_TRUE(db.DropColumnFamily("x").ok());
  s = db.Put(x, "k", "v");
  EXPECT_TRUE(s.IsDropped()) << s.ToString();
  EXPECT_NE(s.message().find("'x' was dropped"), std::string::npos);
  std::string v;
  EXPECT_TRUE(db.Get(x, "k", &v).IsDropped());
  EXPECT_TRUE(db.Flush(x).IsDropped());
  EXPECT_TRUE(db.Put(ColumnFamily(), "k", "v").IsInvalidArgument());
  // A new CF with the old name is a different CF.
  ColumnFamily x2;
  ASSERT_TRUE(db.CreateColumnFamily("x", &x2).ok());
  EXPECT_NE(x2.id(), x.id());
  EXPECT_TRUE(db.Get(x2, "k", &v).IsNotFound());
}

TEST(DB, ForeignHandleRejected) {  // SV-ISO at the API
  DB a("a"), b("b");
  ColumnFamily ca = a.DefaultColumnFamily();
  Status s = b.Put(ca, "k", "v");
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("another DB"), std::string::npos);
}

TEST(DB, DbsAndCfsAreIsolated) {  // SV-ISO
  DB a("a"), b("b");
  ColumnFamily ax, bx;
  ASSERT_TRUE(a.CreateColumnFamily("x", &ax).ok());
  ASSERT_TRUE(b.CreateColumnFamily("x", &bx).ok());
  ASSERT_TRUE(a.Put(ax, "k", "ax").ok());
  ASSERT_TRUE(b.Put(bx, "k", "bx").ok());
  ASSERT_TRUE(a.Put("default", "k", "ad").ok());
  ASSERT_TRUE(a.Flush(ax).ok());
  EXPECT_EQ(GetOr(a, ax, "k"), "ax");
  EXPECT_EQ(GetOr(b, bx, "k"), "bx");
  EXPECT_EQ(GetOr(a, a.DefaultColumnFamily(), "k"), "ad");
  std::string v;
  EXPECT_TRUE(b.Get(b.DefaultColumnFamily(), "k", &v).IsNotFound());
  CfInfo info;
  ASSERT_TRUE(b.Describe(bx, &info).ok());
  EXPECT_EQ(info.version, 1u);
  EXPECT_EQ(info.cache.invalidations, 0u);
}

TEST(DB, WriteBatchAcrossCfs) {
  DB db("w");
  ColumnFamily x, y;
  ASSERT_TRUE(db.CreateColumnFamily("x", &x).ok());
  ASSERT_TRUE(db.CreateColumnFamily("y", &y).ok());
  WriteBatch b;
  b.Put(x, "k", "1");
  b.Put(y, "k", "2");
  b.Delete(x, "gone");
  ASSERT_TRUE(db.Write(b).ok());
  EXPECT_EQ(GetOr(db, x, "k"), "1");
  EXPECT_EQ(GetOr(db, y, "k"), "2");
  ASSERT_TRUE(db.DropColumnFamily("y").ok());
  WriteBatch c;
  c.Put(x, "k", "3");
  c.Put(y, "k", "4");
  EXPECT_TRUE(db.Write(c).IsDropped());
  EXPECT_EQ(GetOr(db, x, "k"), "1") << "a failed batch applies nothing";
}

TEST(DB, PinnedViewIsASnapshot) {
  DB db("p");
  ColumnFamily cf = db.DefaultColumnFamily();
  ASSERT_TRUE(db.Put(cf, "k", "old").ok());
  PinnedView pin;
  ASSERT_TRUE(db.Pin(cf, &pin).ok());
  ASSERT_TRUE(db.Put(cf, "k", "new").ok());
  ASSERT_TRUE(db.Put(cf, "j", "j").ok());
  ASSERT_TRUE(db.Flush(cf).ok());
  std::string v;
  ASSERT_TRUE(pin.Get("k", &v).ok());
  EXPECT_EQ(v, "old");
  EXPECT_TRUE(pin.Get("j", &v).IsNotFound());
  EXPECT_EQ(pin.version(), 1u);
  // A Get while the pin holds this thread's slot: nested acquire.
  EXPECT_EQ(GetOr(db, cf, "k"), "new");
  pin.Release();
  CfInfo info;
  ASSERT_TRUE(db.Describe(cf, &info).ok());
  EXPECT_EQ(info.slots.in_use, 0);
  EXPECT_EQ(info.slots.stale, 0);
}

TEST(DB, CloseFailsLaterCallsAndFreesEverything) {  // SV-DROP, NO-LEAK
  const auto base = LiveSuperVersions();
  ColumnFamily x;
  PinnedView pin;
  {
    DB db("c");
    ASSERT_TRUE(db.CreateColumnFamily("x", &x).ok());
    ASSERT_TRUE(db.Put(x, "k", "v").ok());
    std::string v;
    ASSERT_TRUE(db.Get(x, "k", &v).ok());
    std::thread t([&] { ASSERT_TRUE(db.Get(x, "k", &v).ok()); });  // caches, exits
    t.join();
    ASSERT_TRUE(db.Pin(x, &pin).ok());
    ASSERT_TRUE(db.Close().ok());
    ASSERT_TRUE(db.Close().ok());  // idempotent
    Status s = db.Put(x, "k", "w");
    EXPECT_TRUE(s.IsClosed());
    EXPECT_NE(s.message().find("DB 'c' is closed"), std::string::npos);
    EXPECT_TRUE(db.Get(x, "k", &v).IsClosed());
    EXPECT_TRUE(db.CreateColumnFamily("y").IsClosed());
    EXPECT_TRUE(db.DropColumnFamily("x").IsClosed());
    EXPECT_FALSE(db.DefaultColumnFamily().valid());
    // The pin still reads its snapshot after close.
    ASSERT_TRUE(pin.Get("k", &v).ok());
    EXPECT_EQ(v, "v");
    EXPECT_EQ(LiveSuperVersions(), base + 1);  // only the pinned one
  }
  pin.Release();
  EXPECT_EQ(LiveSuperVersions(), base);
}

TEST(DB, WithoutCacheOption) {
  Options o;
  o.use_sv_cache = false;
  DB db("nc", o);
  ColumnFamily cf = db.DefaultColumnFamily();
  ASSERT_TRUE(db.Put(cf, "k", "v").ok());
  EXPECT_EQ(GetOr(db, cf, "k"), "v");
  CfInfo info;
  ASSERT_TRUE(db.Describe(cf, &info).ok());
  EXPECT_EQ(info.cache.misses, 0u);
  EXPECT_EQ(info.slots.current, 0);
}

TEST(DB, CacheCountsHitsAndMisses) {
  DB db("hm");
  ColumnFamily cf = db.DefaultColumnFamily();
  ASSERT_TRUE(db.Put(cf, "k", "v").ok());
  for (int i = 0; i < 10; ++i) GetOr(db, cf, "k");
  CfInfo info;
  ASSERT_TRUE(db.Describe(cf, &info).ok());
  EXPECT_EQ(info.cache.misses, 1u);
  ASSERT_TRUE(db.Flush(cf).ok());
  ASSERT_TRUE(db.Describe(cf, &info).ok());
  EXPECT_EQ(info.cache.invalidations, 1u);
}

TEST(DB, PerfCountersOnEveryPath) {
  namespace perf = tlsm::perf;
  Options o;
  o.perf_aggregate = true;
  DB db("perf", o);
  ColumnFamily cf = db.DefaultColumnFamily();
  perf::SetPerfLevel(perf::PerfLevel::kDetailedCounts);
  perf::GetPerfContext()->Reset();
  ASSERT_TRUE(db.Put(cf, "k", "v").ok());
  ASSERT_TRUE(db.Delete(cf, "x").ok());
  WriteBatch b;
  b.Put(cf, "a", "1");
  b.Put(cf, "b", "2");
  ASSERT_TRUE(db.Write(b).ok());
  std::string v;
  ASSERT_TRUE(db.Get(cf, "k", &v).ok());  // miss (first use)
  ASSERT_TRUE(db.Get(cf, "k", &v).ok());  // hit
  ASSERT_TRUE(db.Flush(cf).ok());
  ASSERT_TRUE(db.Get(cf, "k", &v).ok());  // miss + invalidation
  auto* ctx = perf::GetPerfContext();
  EXPECT_EQ(ctx->Get(perf::Counter::kPuts), 3u);
  EXPECT_EQ(ctx->Get(perf::Counter::kDeletes), 1u);
  EXPECT_EQ(ctx->Get(perf::Counter::kWrites), 3u);
  EXPECT_GT(ctx->Get(perf::Counter::kWriteBytes), 0u);
  EXPECT_EQ(ctx->Get(perf::Counter::kGets), 3u);
  EXPECT_EQ(ctx->Get(perf::Counter::kFlushes), 1u);
  EXPECT_EQ(ctx->Get(perf::Counter::kSvCacheHits), 1u);
  EXPECT_EQ(ctx->Get(perf::Counter::kSvCacheMisses), 2u);
  EXPECT_EQ(ctx->Get(perf::Counter::kSvInvalidations), 1u);
  perf::PerfSnapshot totals = db.PerfTotals();
  EXPECT_EQ(totals.Get(perf::Counter::kGets), 3u);
  EXPECT_EQ(totals.Get(perf::Counter::kPuts), 3u);
  perf::SetPerfLevel(perf::PerfLevel::kCounts);
}

TEST(DB, WritesReuseBatchesFromTheBatchCache) {
  DB db("batches");
  ColumnFamily cf = db.DefaultColumnFamily();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(db.Put(cf, "k", std::to_string(i)).ok());
  auto st = db.BatchStats();
  EXPECT_EQ(st.misses, 1u);
  EXPECT_EQ(st.hits, 9u);
  EXPECT_EQ(st.outstanding(), 0u);
  EXPECT_EQ(GetOr(db, cf, "k"), "9");
}

}  // namespace
