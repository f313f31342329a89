// engine/version/super_version.h — a refcounted, immutable SuperVersion.
//
// A SuperVersion names everything a read of one (DB, column family) needs:
// the active memtable, the immutable memtables (newest first), its version
// number, and the DB id and CF id that own it. It is immutable once
// published (the active memtable it points to still takes appends; readers
// bound their view with a snapshot sequence number).
//
// References (SV-REFS): refs = [1 if it is its cache's current one]
//   + [number of matrix slots holding it] + [references held by readers].
// The thread that drops the last reference deletes it (ReleaseSuperVersion);
// its destructor releases the memtables. Cleanup takes no lock, so any thread
// (a reader, the installer, a thread-exit handler) may do it.
#pragma once

#include "engine/sync/sync.h"
#include "engine/version/memtable.h"

TLSM_BEGIN
namespace version {

struct SuperVersionMeta {
  std::uint64_t version = 0;
  std::uint32_t db_id = 0;
  std::uint32_t cf_id = 0;
};

class SuperVersion {
 public:
  // Takes over one reference on `mem` and on every table in `imm`. The new
  // SuperVersion starts with one reference, owned by the caller.
  SuperVersion(SuperVersionMeta meta, MemTable* mem, std::vector<ImmMemTable*> imm);
  ~SuperVersion();
  SuperVersion(const SuperVersion&) = delete;
  SuperVersion& operator=(const SuperVersion&) = delete;

  std::uint64_t version() const { return Meta().version; }
  std::uint32_t db_id() const { return Meta().db_id; }
  std::uint32_t cf_id() const { return Meta().cf_id; }
  SuperVersionMeta Meta() const {
    return fields_.With([](const Fields& f) { return f.meta; });
  }
  MemTable* mem() const {
    return fields_.With([](const Fields& f) { return f.mem; });
  }
  // The immutable memtables, newest first (copy of the pointer list).
  std::vector<ImmMemTable*> imm() const {
    return fields_.With([](const Fields& f) { return f.imm; });
  }

  // Point lookup through the memtables, bounded by `snapshot`.
  Lookup Get(std::string_view key, std::uint64_t snapshot, std::string* value) const;

  void Ref();
  bool Unref();  // true: last reference dropped; caller must delete
  // Current count, for checks at quiescent points only.
  int RefsForCheck() const;

 private:
  struct Fields {
    SuperVersionMeta meta;
    MemTable* mem;
    std::vector<ImmMemTable*> imm;
  };
  sync::Cell<Fields> fields_;  // immutable after construction
  sync::Atomic<int> refs_{1};
};

// Drops one reference; deletes the SuperVersion if it was the last.
// Returns true when it deleted it.
bool ReleaseSuperVersion(SuperVersion* sv);

// SuperVersions alive in this process (created and not yet freed).
std::int64_t LiveSuperVersions();

}  // namespace version
TLSM_END
