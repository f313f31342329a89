// engine/sync/sync.cc — out-of-line parts of the seam, for both builds.
#include "engine/sync/sync.h"

#if !TLSM_MODEL
#include <pthread.h>
#if defined(__linux__)
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif
#endif

TLSM_BEGIN
namespace sync {

void AbortWithInvariant(const char* id, const char* message, Loc loc) {
  std::fprintf(stderr, "tlsm: invariant %s violated: %s\n  at %s:%u (%s)\n", id,
               message, loc.file_name(), static_cast<unsigned>(loc.line()),
               loc.function_name());
  std::fflush(stderr);
  std::abort();
}

#if !TLSM_MODEL

namespace detail {
bool g_membarrier_registered = false;
}  // namespace detail

namespace {
#if defined(__linux__) && defined(__NR_membarrier)
long Membarrier(int cmd) { return syscall(__NR_membarrier, cmd, 0, 0); }

// Priority 101: runs before every C++ static initializer of the program
// (the linker sorts .init_array by priority), so before any thread that
// could use a LightFence exists. The mode never changes afterwards.
__attribute__((constructor(101))) void RegisterMembarrier() {
  const char* off = std::getenv("TLSM_SYNC_NO_MEMBARRIER");
  if (off != nullptr && off[0] != '\0' && off[0] != '0') return;  // forced fallback
  const long cmds = Membarrier(MEMBARRIER_CMD_QUERY);
  if (cmds < 0 || (cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0) return;
  if (Membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) != 0) return;
  detail::g_membarrier_registered = true;
}
#endif
}  // namespace

void HeavyBarrier(Loc) noexcept {
  // The fence orders this thread's own accesses around the barrier; the
  // system call does the same for every other running thread.
  std::atomic_thread_fence(std::memory_order_seq_cst);
#if defined(__linux__) && defined(__NR_membarrier)
  if (detail::g_membarrier_registered) {
    if (Membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0) {
      AbortWithInvariant("MISUSE", "membarrier failed after registration", Loc::current());
    }
    std::atomic_thread_fence(std::memory_order_seq_cst);
  }
#endif
}

namespace {
// The teardown every row shares (the matrix registers one function).
std::atomic<ThreadRow::Teardown> g_teardown{nullptr};
pthread_key_t g_key;
std::once_flag g_key_once;

void RunTeardown(void* row) {
  // glibc cleared the key before calling; the fast-path pointer still names
  // the row, so handlers run by the teardown can keep using it. The teardown
  // ends with Clear(); a later Set() re-arms the key for another round.
  // acquire: pairs with the release in Set() that published the function.
  if (auto fn = g_teardown.load(std::memory_order_acquire)) fn(row);
}
}  // namespace

void ThreadRow::Set(void* row, Teardown teardown) {
  std::call_once(g_key_once, [] {
    if (pthread_key_create(&g_key, &RunTeardown) != 0) {
      AbortWithInvariant("MISUSE", "pthread_key_create failed", Loc::current());
    }
  });
  g_teardown.store(teardown, std::memory_order_release);
  current_ = row;
  slots_ = Slots{};
  pthread_setspecific(g_key, row);
}

void ThreadRow::Clear() noexcept {
  // Only the row teardown calls Clear, after Set created the key.
  current_ = nullptr;
  slots_ = Slots{};
  pthread_setspecific(g_key, nullptr);
}

#else  // TLSM_MODEL

namespace {
struct GlobalEntry {
  void** slot;
  void (*destroy)(void*);
};
// Fixed storage: harness bookkeeping must not allocate simulated memory.
constexpr int kMaxGlobals = 32;
GlobalEntry g_globals[kMaxGlobals];
int g_global_count = 0;
char g_last_violation[64] = "";
}  // namespace

void ReportInvariant(const char* id, const char* message, Loc loc) {
  std::snprintf(g_last_violation, sizeof g_last_violation, "%s", id);
  // fail_test copies the description; use a static buffer so the report does
  // not allocate inside the simulation.
  static char desc[512];
  std::snprintf(desc, sizeof desc, "%s: %s", id, message);
  rl::ctx().fail_test(desc, rl::test_result_user_assert_failed, Info(loc));
}

const char* LastViolationId() { return g_last_violation; }
void ClearLastViolation() { g_last_violation[0] = '\0'; }

void ThreadRow::Set(void* row, Teardown teardown) {
  teardown_ = teardown;
  rows_[rl::thread_index()] = row;
  slots_[rl::thread_index()] = Slots{};
}

void ThreadRow::RunExitForCurrentThread() {
  // The teardown clears the row itself; one that re-arms runs again.
  for (int round = 0; round < 4; ++round) {
    void* row = rows_[rl::thread_index()];
    if (row == nullptr || teardown_ == nullptr) return;
    teardown_(row);
  }
}

void ThreadRow::ResetAll() {
  ApiCall::ResetAll();  // history markers: no open call (history_marks.h)
  for (auto& r : rows_) r = nullptr;
  for (auto& s : slots_) s = Slots{};
}

void RegisterProcessGlobal(void** slot, void (*destroy)(void*)) {
  if (g_global_count == kMaxGlobals) {
    AbortWithInvariant("MISUSE", "too many process globals", Loc::current());
  }
  g_globals[g_global_count++] = {slot, destroy};
}

void DestroyProcessGlobals() {
  // Reverse creation order, like static destruction.
  while (g_global_count > 0) {
    GlobalEntry e = g_globals[--g_global_count];
    void* p = *e.slot;
    *e.slot = nullptr;
    if (p != nullptr) e.destroy(p);
  }
}

namespace {
std::uint64_t g_model_clock = 0;  // simulation runs on one OS thread
}  // namespace

std::uint64_t NowNanos() { return g_model_clock += 1000; }
void ResetModelClock() { g_model_clock = 0; }

namespace {
struct Quarantined {
  void* p;
  bool is_array;
};
// Fixed storage (harness bookkeeping must not allocate simulated memory).
// Beyond it, frees go straight to Relacy (its 64-deep deferred ring).
constexpr int kMaxQuarantined = 8192;
Quarantined g_quarantine[kMaxQuarantined];
int g_quarantined = 0;
bool g_quarantine_on = false;
}  // namespace

void FreeTracked(void* p, bool is_array, const Loc& l) {
  // A second Delete of a quarantined block queues it twice; the second free
  // in ReleaseQuarantine fails in Relacy as a double free.
  if (g_quarantine_on && g_quarantined < kMaxQuarantined) {
    g_quarantine[g_quarantined++] = {p, is_array};
    return;
  }
  rl::ctx().free(p, is_array, Info(l));
}

void SetFreeQuarantine(bool on) { g_quarantine_on = on; }
void ForgetQuarantine() { g_quarantined = 0; }

void ReleaseQuarantine() {
  while (g_quarantined > 0) {
    const Quarantined q = g_quarantine[--g_quarantined];
    rl::ctx().free(q.p, q.is_array, rl::debug_info("(end of execution: quarantine)", "", 0));
  }
}

void ForgetProcessGlobals() {
  while (g_global_count > 0) *g_globals[--g_global_count].slot = nullptr;
}

#endif

}  // namespace sync
TLSM_END
