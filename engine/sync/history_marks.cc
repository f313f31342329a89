// engine/sync/history_marks.cc — the model build's history events for
// sync::Name and sync::ApiCall (engine/sync/history_marks.h).
#include "engine/sync/sync.h"

#if TLSM_MODEL
TLSM_BEGIN
namespace sync {
namespace history_detail {
namespace {

// One history entry; Relacy copies it into its history and prints it with
// output(). Fixed-size text: no heap the simulation's leak check could see.
struct MarkEvent {
  char text[2 * kTextMax + 64];
  void output(std::ostream& s) const { s << text; }
};

void Log(const MarkEvent& ev, const Loc& l) {
  rl::ctx().exec_log(Info(l), ev);
}

}  // namespace

bool Recording() { return rl::is_ctx() && rl::ctx().collecting_history(); }

void RecordName(const void* obj, std::size_t size, bool leaf, const char* text, const Loc& l) {
  MarkEvent ev;
  std::snprintf(ev.text, sizeof ev.text, "tlsm.name <%p> size=%zu leaf=%d: %s", obj, size,
                leaf ? 1 : 0, text);
  Log(ev, l);
}

void RecordMutex(const void* mutex, const Loc& l) {
  MarkEvent ev;
  std::snprintf(ev.text, sizeof ev.text, "tlsm.mutex <%p>", mutex);
  Log(ev, l);
}

void RecordCall(bool entry, const char* name, const char* result, const Loc& l) {
  MarkEvent ev;
  if (entry) {
    std::snprintf(ev.text, sizeof ev.text, "tlsm.call %s", name);
  } else if (result[0] != '\0') {
    std::snprintf(ev.text, sizeof ev.text, "tlsm.ret %s -> %s", name, result);
  } else {
    std::snprintf(ev.text, sizeof ev.text, "tlsm.ret %s", name);
  }
  Log(ev, l);
}

namespace {
// HistorySerial's counters: (scope, last number), reset per execution.
struct Serial {
  const void* scope;
  unsigned last;
};
constexpr std::size_t kMaxSerials = 64;
Serial g_serials[kMaxSerials];
std::size_t g_serial_count = 0;
}  // namespace

void ResetSerials() { g_serial_count = 0; }

}  // namespace history_detail

unsigned HistorySerial(const void* scope) {
  using history_detail::g_serial_count;
  using history_detail::g_serials;
  for (std::size_t i = 0; i < g_serial_count; ++i) {
    if (g_serials[i].scope == scope) return ++g_serials[i].last;
  }
  if (g_serial_count == history_detail::kMaxSerials) return 0;  // names only: 0 is "unknown"
  g_serials[g_serial_count++] = {scope, 1};
  return 1;
}
}  // namespace sync
TLSM_END
#endif
