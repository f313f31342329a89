// engine/version/memtable.cc
#include "engine/version/memtable.h"

#include "engine/sync/mutant.h"

TLSM_BEGIN
namespace version {

using sync::Order;

MemTable::~MemTable() {
  // relaxed: the destructor runs after the last Unref (acq_rel), which
  // ordered every access of other threads before it.
  Node* n = head_.Load(Order::kRelaxed);
  while (n != nullptr) {
    Node* next = n->data.With([](const Node::Data& d) { return d.next; });
    sync::Delete(n);
    n = next;
  }
}

void MemTable::Add(std::uint64_t seq, std::string_view key, const std::string* value) {
  Commit(Prepare(seq, key, value));
}

MemTable::Node* MemTable::Prepare(std::uint64_t seq, std::string_view key,
                                  const std::string* value) {
  Entry e;
  e.seq = seq;
  e.deleted = value == nullptr;
  if (value != nullptr) e.value = *value;
  Node* n = sync::New<Node>(std::string(key), std::move(e), nullptr);
  sync::Name(n->data, "entry '%.*s' seq %llu", static_cast<int>(key.size()), key.data(),
             static_cast<unsigned long long>(seq));
  return n;
}

void MemTable::Commit(Node* n) noexcept {
  // relaxed: only the (serialized) writer stores head_.
  Node* old = head_.Load(Order::kRelaxed);
  n->data.WithMut([&](Node::Data& d) { d.next = old; });  // not yet published
  // release: publishes the node's contents to lock-free readers.
  head_.Store(n, Order::kRelease);
  count_.FetchAdd(1, Order::kRelaxed);  // relaxed: a statistic
}

void MemTable::Discard(Node* n) noexcept { sync::Delete(n); }

Lookup MemTable::Get(std::string_view key, std::uint64_t snapshot, std::string* value) const {
  // acquire: pairs with the release in Add. (Mutant sv_acquire_relaxed
  // reads relaxed.)
  Node* n = sync::MutantIs(sync::Mutant::sv_acquire_relaxed) ? head_.Load(Order::kRelaxed)
                                                             : head_.Load(Order::kAcquire);
  while (n != nullptr) {
    Lookup r = Lookup::kNotFound;
    Node* next = n->data.With([&](const Node::Data& d) {
      if (d.key == key && d.entry.seq <= snapshot) {
        if (d.entry.deleted) {
          r = Lookup::kDeleted;
        } else {
          r = Lookup::kFound;
          if (value != nullptr) *value = d.entry.value;
        }
      }
      return d.next;
    });
    if (r != Lookup::kNotFound) return r;
    n = next;
  }
  return Lookup::kNotFound;
}

std::size_t MemTable::Count() const { return count_.Load(Order::kRelaxed); }

std::map<std::string, Entry, std::less<>> MemTable::Snapshot() const {
  std::map<std::string, Entry, std::less<>> out;
  Node* n = head_.Load(Order::kAcquire);
  while (n != nullptr) {
    n = n->data.With([&](const Node::Data& d) {
      out.emplace(d.key, d.entry);  // newest first: emplace keeps the first
      return d.next;
    });
  }
  return out;
}

// Refcounts: increments are relaxed (a reference is only copied from one the
// caller already owns); decrements are acq_rel so the thread that frees sees
// every other owner's accesses.
void MemTable::Ref() { refs_.FetchAdd(1, Order::kRelaxed); }
bool MemTable::Unref() {
  const int before = refs_.FetchSub(1, Order::kAcqRel);
  TLSM_INVARIANT(before > 0, "SV-ONCE", "memtable released more often than referenced");
  return before == 1;
}

Lookup ImmMemTable::Get(std::string_view key, std::uint64_t snapshot,
                        std::string* value) const {
  return entries_.With([&](const std::map<std::string, Entry, std::less<>>& m) {
    auto it = m.find(key);
    if (it == m.end() || it->second.seq > snapshot) return Lookup::kNotFound;
    if (it->second.deleted) return Lookup::kDeleted;
    if (value != nullptr) *value = it->second.value;
    return Lookup::kFound;
  });
}

std::size_t ImmMemTable::Count() const {
  return entries_.With([](const auto& m) { return m.size(); });
}

void ImmMemTable::MergeOlderInto(std::map<std::string, Entry, std::less<>>* out) const {
  entries_.With([&](const auto& m) {
    for (const auto& [k, e] : m) out->emplace(k, e);
  });
}

void ImmMemTable::Ref() { refs_.FetchAdd(1, Order::kRelaxed); }
bool ImmMemTable::Unref() {
  const int before = refs_.FetchSub(1, Order::kAcqRel);
  TLSM_INVARIANT(before > 0, "SV-ONCE", "immutable memtable released too often");
  return before == 1;
}

void MemTable::NameInHistory(std::uint64_t n, std::uint32_t db_id, std::uint32_t cf_id) const {
  const auto v = static_cast<unsigned long long>(n);
  sync::Name(*this, "memtable#%llu (db %u, cf %u)", v, db_id, cf_id);
  sync::Name(head_, "memtable#%llu (db %u, cf %u).head", v, db_id, cf_id);
  sync::Name(count_, "memtable#%llu (db %u, cf %u).count", v, db_id, cf_id);
  sync::Name(refs_, "memtable#%llu (db %u, cf %u).refs", v, db_id, cf_id);
}

void ImmMemTable::NameInHistory(const char* kind, std::uint64_t n, std::uint32_t db_id,
                                std::uint32_t cf_id) const {
  const auto v = static_cast<unsigned long long>(n);
  if (n == 0) {
    sync::Name(*this, "%s (db %u, cf %u)", kind, db_id, cf_id);
    sync::Name(entries_, "%s (db %u, cf %u).entries", kind, db_id, cf_id);
    sync::Name(refs_, "%s (db %u, cf %u).refs", kind, db_id, cf_id);
    return;
  }
  sync::Name(*this, "%s#%llu (db %u, cf %u)", kind, v, db_id, cf_id);
  sync::Name(entries_, "%s#%llu (db %u, cf %u).entries", kind, v, db_id, cf_id);
  sync::Name(refs_, "%s#%llu (db %u, cf %u).refs", kind, v, db_id, cf_id);
}

void UnrefAndMaybeDelete(MemTable* m) {
  if (m != nullptr && m->Unref()) sync::Delete(m);
}
void UnrefAndMaybeDelete(ImmMemTable* m) {
  if (m != nullptr && m->Unref()) sync::Delete(m);
}

}  // namespace version
TLSM_END
