// WriteBatch: encoding, iteration, Clear keeps the buffer.
#include "engine/batch/write_batch.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using tlsm::batch::OpType;
using tlsm::batch::WriteBatch;
using tlsm::batch::WriteOp;

TEST(WriteBatch, EmptyBatch) {
  WriteBatch b;
  EXPECT_EQ(b.Count(), 0u);
  EXPECT_EQ(b.ByteSize(), 0u);
  EXPECT_TRUE(b.begin() == b.end());
  EXPECT_EQ(b.origin(), nullptr);
}

TEST(WriteBatch, PutDeleteIterateInOrder) {
  WriteBatch b;
  b.Put(0, "k1", "v1");
  b.Delete(3, "k2");
  b.Put(7, "", "");
  b.Put(1, std::string(1000, 'k'), std::string(5000, 'v'));
  EXPECT_EQ(b.Count(), 4u);
  std::vector<WriteOp> ops(b.begin(), b.end());
  ASSERT_EQ(ops.size(), 4u);
  EXPECT_EQ(ops[0].type, OpType::kPut);
  EXPECT_EQ(ops[0].cf, 0u);
  EXPECT_EQ(ops[0].key, "k1");
  EXPECT_EQ(ops[0].value, "v1");
  EXPECT_EQ(ops[1].type, OpType::kDelete);
  EXPECT_EQ(ops[1].cf, 3u);
  EXPECT_EQ(ops[1].key, "k2");
  EXPECT_EQ(ops[1].value, "");
  EXPECT_EQ(ops[2].cf, 7u);
  EXPECT_EQ(ops[2].key, "");
  EXPECT_EQ(ops[3].key.size(), 1000u);
  EXPECT_EQ(ops[3].value.size(), 5000u);
  // type + cf + klen (+ vlen) headers plus payloads
  EXPECT_EQ(b.ByteSize(), (13 + 4) + (9 + 2) + 13 + (13 + 1000 + 5000));
}

TEST(WriteBatch, ForEachMatchesIteration) {
  WriteBatch b;
  for (int i = 0; i < 100; ++i) b.Put(i % 3, "key" + std::to_string(i), "v");
  int n = 0;
  b.ForEach([&](const WriteOp& op) {
    EXPECT_EQ(op.key, "key" + std::to_string(n));
    EXPECT_EQ(op.cf, static_cast<std::uint32_t>(n % 3));
    ++n;
  });
  EXPECT_EQ(n, 100);
}

TEST(WriteBatch, ClearKeepsCapacity) {
  WriteBatch b;
  b.Put(0, "k", std::string(4096, 'x'));
  const std::size_t cap = b.Capacity();
  EXPECT_GE(cap, 4096u);
  b.Clear();
  EXPECT_EQ(b.Count(), 0u);
  EXPECT_EQ(b.ByteSize(), 0u);
  EXPECT_EQ(b.Capacity(), cap);
  b.Delete(0, "x");
  EXPECT_EQ(b.Count(), 1u);
}

}  // namespace
