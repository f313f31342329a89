// engine/version/memtable.h — the in-memory tables a SuperVersion points to.
//
// MemTable (active): an append-only list of immutable entries. Writers are
// serialized by the caller (the column family's write mutex); readers walk the
// list without a lock. Every entry carries the column family's sequence
// number, so a reader with a snapshot sequence skips newer entries.
// ImmMemTable (sealed): a sorted map built once by Flush, immutable after it is
// published inside a SuperVersion.
//
// Both are refcounted: every SuperVersion holds one reference on its active
// memtable and one on each immutable memtable. The last Unref frees the table
// (the caller of Unref deletes when it returns true).
//
// Memory ordering: Add writes the entry, then publishes it with a release
// store of head_; readers load head_ with acquire, so an entry's contents and
// its `next` link are visible to whoever sees the entry.
#pragma once

#include "engine/sync/sync.h"

TLSM_BEGIN
namespace version {

// The result of a point lookup.
enum class Lookup { kNotFound, kFound, kDeleted };

struct Entry {
  std::uint64_t seq = 0;
  bool deleted = false;  // a tombstone
  std::string value;
};

class MemTable {
 public:
  MemTable() = default;
  ~MemTable();
  MemTable(const MemTable&) = delete;
  MemTable& operator=(const MemTable&) = delete;

  // REQUIRES: writers serialized by the caller; seq strictly increasing.
  // Throws std::bad_alloc (nothing added) when the entry cannot be made.
  void Add(std::uint64_t seq, std::string_view key, const std::string* value);
  // Add in two halves, for writes that apply whole or not at all: Prepare
  // makes the entry (may throw std::bad_alloc; the table is unchanged),
  // Commit links it (allocates nothing; same REQUIRES as Add, in seq
  // order), Discard frees an entry that was prepared and not committed.
  struct Node;
  static Node* Prepare(std::uint64_t seq, std::string_view key, const std::string* value);
  void Commit(Node* n) noexcept;
  static void Discard(Node* n) noexcept;
  // Latest entry of `key` with seq <= snapshot. Lock-free; any thread holding
  // a reference.
  Lookup Get(std::string_view key, std::uint64_t snapshot, std::string* value) const;
  // Number of entries; exact for the writer, a lower bound for others.
  std::size_t Count() const;
  // Latest entry of every key (REQUIRES: writers serialized by the caller).
  std::map<std::string, Entry, std::less<>> Snapshot() const;

  void Ref();
  bool Unref();  // true: that was the last reference; the caller deletes

  // Names the table and its fields in the model's history
  // ("memtable#3 (db 1, cf 0)", ".head", ...; sync::Name). Nothing in
  // production.
  void NameInHistory(std::uint64_t n, std::uint32_t db_id, std::uint32_t cf_id) const;

 public:
  struct Node {
    Node(std::string k, Entry e, Node* n) : data(Data{std::move(k), std::move(e), n}) {}
    struct Data {
      std::string key;
      Entry entry;
      Node* next;
    };
    sync::Cell<Data> data;  // immutable once published
  };

 private:

  sync::Atomic<Node*> head_{nullptr};  // writer: Add (serialized); readers: any
  sync::Atomic<std::size_t> count_{0};  // writer: Add; readers: Count
  sync::Atomic<int> refs_{1};           // the creator's reference
};

class ImmMemTable {
 public:
  explicit ImmMemTable(std::map<std::string, Entry, std::less<>> entries)
      : entries_(std::move(entries)) {}
  ImmMemTable(const ImmMemTable&) = delete;
  ImmMemTable& operator=(const ImmMemTable&) = delete;

  Lookup Get(std::string_view key, std::uint64_t snapshot, std::string* value) const;
  std::size_t Count() const;
  // Adds to `out` every key it does not hold yet (older tables merge last).
  void MergeOlderInto(std::map<std::string, Entry, std::less<>>* out) const;

  void Ref();
  bool Unref();  // true: last reference; the caller deletes

  // As MemTable's: "<kind>#<n> (db 1, cf 0)" ("sealed memtable#2"); n == 0:
  // no number yet ("<kind> (db 1, cf 0)").
  void NameInHistory(const char* kind, std::uint64_t n, std::uint32_t db_id,
                     std::uint32_t cf_id) const;

 private:
  sync::Cell<std::map<std::string, Entry, std::less<>>> entries_;  // immutable
  sync::Atomic<int> refs_{1};
};

void UnrefAndMaybeDelete(MemTable* m);
void UnrefAndMaybeDelete(ImmMemTable* m);

}  // namespace version
TLSM_END
