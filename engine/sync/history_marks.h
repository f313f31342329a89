// engine/sync/history_marks.h — names and API-call markers for the model's
// failure histories. Internal: include engine/sync/sync.h, never this file.
//
// Contract
//   Name(obj, fmt, args...)   names the object `obj` (any object: a seam
//                             Atomic, Cell or Mutex, or a struct holding
//                             them) in the history of the model build, from
//                             where it is created: "SuperVersion v2.refs".
//                             printf-style; the arguments must be values the
//                             caller already holds (never a shared read).
//   ApiCall call("Acquire")   marks the calling thread's entry into an engine
//                             API call; call.Result(fmt, args...) sets the
//                             short result ("hit %p": a pointer argument is
//                             shown as the name of the object it points to);
//                             the destructor marks the exit.
//   ApiResult(fmt, args...)   sets the result of the calling thread's
//                             innermost open ApiCall (from a function it
//                             called: an out-of-line slow path), if any.
//   call.has_result()         whether the call's result is set (production:
//                             always true, so a default result is dead code).
//   NameValue(ptr, text)      names a pointer value that is no object (a
//                             sentinel: "kObsolete"), wherever it shows.
//   HistorySerial(scope)      1, 2, 3, ... per scope (any address: a cache,
//                             a static tag) and per execution, counted in
//                             every execution of the model build (0 in
//                             production): numbers for names ("batch#2").
//                             Not shared state of the simulation: no event.
//   Both record an event in Relacy's history only while Relacy collects one
//   (a failing execution's re-run): no scheduling point, no shared access, no
//   allocation the simulation sees, so a history with them is the same
//   interleaving as the search's execution. In the production build they are
//   empty inline functions and an empty class: they vanish. Their arguments
//   are evaluated in both builds, like any call's: pass values the caller
//   already holds.
//
// History text (parsed by model/cli/history.cc):
//   "tlsm.name <ADDR> size=N leaf=0|1: TEXT"   a name for [ADDR, ADDR+N)
//   "tlsm.mutex <ADDR>"                         the calling thread's next
//                                               mutex event is sync::Mutex ADDR
//   "tlsm.call TEXT"                            API entry
//   "tlsm.ret TEXT -> RESULT"                    API exit ("-> " omitted if none)
//   leaf=1: a seam primitive (its internal offsets are not shown).
#pragma once

TLSM_BEGIN
namespace sync {

#if TLSM_MODEL
namespace history_detail {
inline constexpr std::size_t kTextMax = 96;
// True while Relacy records the current execution's history.
bool Recording();
void RecordMutex(const void* mutex, const Loc& l);
void RecordName(const void* obj, std::size_t size, bool leaf, const char* text, const Loc& l);
void RecordCall(bool entry, const char* name, const char* result, const Loc& l);
void ResetSerials();
template <class... A>
void Format(char (&buf)[kTextMax], const char* fmt, A... args) {
  if constexpr (sizeof...(A) == 0) {
    std::snprintf(buf, kTextMax, "%s", fmt);
  } else {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-security"
    std::snprintf(buf, kTextMax, fmt, args...);
#pragma GCC diagnostic pop
  }
}
template <class T>
struct IsSeamLeaf : std::false_type {};
template <class T>
struct IsSeamLeaf<Atomic<T>> : std::true_type {};
template <class T>
struct IsSeamLeaf<Cell<T>> : std::true_type {};
template <>
struct IsSeamLeaf<Mutex> : std::true_type {};
}  // namespace history_detail

// The simulated thread's index, for names ("row[T1]"); 0 in production.
inline unsigned HistoryThread() { return static_cast<unsigned>(rl::thread_index()); }

unsigned HistorySerial(const void* scope);

inline void NameValue(const void* value, const char* text, Loc l = Loc::current()) {
  if (history_detail::Recording()) history_detail::RecordName(value, 1, true, text, l);
}

template <class T, class... A>
void Name(const T& obj, const char* fmt, A... args) {
  if (!history_detail::Recording()) return;
  char buf[history_detail::kTextMax];
  history_detail::Format(buf, fmt, args...);
  history_detail::RecordName(&obj, sizeof(T), history_detail::IsSeamLeaf<T>::value, buf,
                             Loc::current());
}

// While Relacy records, each simulated thread's open ApiCalls form a stack
// (innermost first); ThreadRow::ResetAll empties it at the start of every
// execution (an abandoned, failed execution never unwinds its calls).
class ApiCall {
 public:
  explicit ApiCall(const char* name, Loc l = Loc::current()) : name_(name), loc_(l) {
    if (!history_detail::Recording()) return;
    recording_ = true;
    outer_ = Innermost();
    Innermost() = this;
    history_detail::RecordCall(true, name_, "", loc_);
  }
  ~ApiCall() {
    if (!recording_) return;
    history_detail::RecordCall(false, name_, result_, loc_);
    Innermost() = outer_;
  }
  ApiCall(const ApiCall&) = delete;
  ApiCall& operator=(const ApiCall&) = delete;
  template <class... A>
  void Result(const char* fmt, A... args) {
    if (recording_) history_detail::Format(result_, fmt, args...);
  }
  bool has_result() const { return !recording_ || result_[0] != '\0'; }
  // The calling thread's innermost open call (nullptr: none).
  static ApiCall* Current() { return history_detail::Recording() ? Innermost() : nullptr; }
  // Harness only (ThreadRow::ResetAll): no thread has an open call, every
  // HistorySerial starts again at 1.
  static void ResetAll() {
    for (ApiCall*& c : innermost_) c = nullptr;
    history_detail::ResetSerials();
  }

 private:
  static ApiCall*& Innermost() { return innermost_[rl::thread_index()]; }
  static inline ApiCall* innermost_[kMaxModelThreads] = {};
  const char* name_;
  Loc loc_;
  bool recording_ = false;
  ApiCall* outer_ = nullptr;
  char result_[history_detail::kTextMax] = {};
};

template <class... A>
void ApiResult(const char* fmt, A... args) {
  if (ApiCall* c = ApiCall::Current()) c->Result(fmt, args...);
}

// For a harness object built on a Relacy primitive (model/harness/gate.h's
// semaphore): the calling thread's next mutex or semaphore event is on
// `obj`, so the history shows obj's name (sync::Name) for it.
inline void MarkSyncObject(const void* obj, Loc l = Loc::current()) {
  if (history_detail::Recording()) history_detail::RecordMutex(obj, l);
}
#else
constexpr unsigned HistoryThread() noexcept { return 0; }
constexpr unsigned HistorySerial(const void*) noexcept { return 0; }

template <class T, class... A>
inline void Name(const T&, const char*, A...) noexcept {}
inline void NameValue(const void*, const char*) noexcept {}

class ApiCall {
 public:
  explicit ApiCall(const char*) noexcept {}
  ApiCall(const ApiCall&) = delete;
  ApiCall& operator=(const ApiCall&) = delete;
  template <class... A>
  void Result(const char*, A...) noexcept {}
  constexpr bool has_result() const noexcept { return true; }
};

template <class... A>
inline void ApiResult(const char*, A...) noexcept {}
inline void MarkSyncObject(const void*) noexcept {}
#endif

}  // namespace sync
TLSM_END
