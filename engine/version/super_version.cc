// engine/version/super_version.cc
#include "engine/version/super_version.h"

#include "engine/sync/mutant.h"

TLSM_BEGIN
namespace version {

using sync::Order;

namespace {
struct LiveSuperVersionCount {  // a distinct type: ProcessGlobal is per type
  sync::Statistic<std::int64_t> n{0};
};
sync::Statistic<std::int64_t>& LiveCounter() {
  return sync::ProcessGlobal<LiveSuperVersionCount>().n;
}
}  // namespace

SuperVersion::SuperVersion(SuperVersionMeta meta, MemTable* mem,
                           std::vector<ImmMemTable*> imm)
    : fields_(Fields{meta, mem, std::move(imm)}) {
  LiveCounter().Add(1);
  const auto v = static_cast<unsigned long long>(meta.version);
  sync::Name(*this, "SuperVersion v%llu", v);
  sync::Name(fields_, "SuperVersion v%llu.fields", v);
  sync::Name(refs_, "SuperVersion v%llu.refs", v);
}

SuperVersion::~SuperVersion() {
  fields_.WithMut([](Fields& f) {
    UnrefAndMaybeDelete(f.mem);
    for (ImmMemTable* t : f.imm) UnrefAndMaybeDelete(t);
    f.mem = nullptr;
    f.imm.clear();
  });
  LiveCounter().Sub(1);
}

Lookup SuperVersion::Get(std::string_view key, std::uint64_t snapshot,
                         std::string* value) const {
  return fields_.With([&](const Fields& f) {
    Lookup r = f.mem->Get(key, snapshot, value);
    for (std::size_t i = 0; r == Lookup::kNotFound && i < f.imm.size(); ++i) {
      r = f.imm[i]->Get(key, snapshot, value);
    }
    return r;
  });
}

// relaxed: a new reference is only made from one the caller already holds
// (or under the cache mutex that keeps the current one alive).
void SuperVersion::Ref() { refs_.FetchAdd(1, Order::kRelaxed); }

bool SuperVersion::Unref() {
  // acq_rel: the thread that frees must see every other owner's reads.
  // (Mutant sv_unref_relaxed decrements relaxed.)
  const int before = sync::MutantIs(sync::Mutant::sv_unref_relaxed)
                         ? refs_.FetchSub(1, Order::kRelaxed)
                         : refs_.FetchSub(1, Order::kAcqRel);
  TLSM_INVARIANT(before > 0, "SV-ONCE", "SuperVersion released more often than referenced");
  return before == 1;
}

int SuperVersion::RefsForCheck() const { return refs_.Load(Order::kAcquire); }

bool ReleaseSuperVersion(SuperVersion* sv) {
  if (sv->Unref()) {
    sync::Delete(sv);
    return true;
  }
  return false;
}

std::int64_t LiveSuperVersions() { return LiveCounter().Read(); }

}  // namespace version
TLSM_END
