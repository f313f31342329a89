// model/cli/history.h — Relacy's execution history, parsed and normalised.
//
// Relacy prints one line per event: "[i] thread: event, in func, file(line)".
// Normalisation makes histories byte-identical across runs and ASLR:
//   - function signatures shrink to Class::method (namespaces, return type,
//     parameters and template arguments dropped; lambdas become ::lambda),
//   - paths become repo-relative (Relacy's own headers: relacy/...),
//   - hex addresses become stable labels: each allocation gets @1, @2, ... in
//     order of appearance, an address inside one is @k or @k+offset; other
//     addresses get the next label the first time they appear; pointer values
//     below 0x1000 (sentinels) stay as they are unless named,
//   - an address the engine named (sync::Name, engine/sync/history_marks.h)
//     becomes that name ("<SuperVersion v2.refs> fetch_add, ..."): the
//     smallest named object that contains it and was named after the
//     allocation that holds it.
// Event kinds: the engine's own operations; seam internals (an Atomic's
// LifeMark read before each operation, its initial store, the poison writes
// of a free), which the readable views hide except the event that triggers
// the failure and the last poison write of the object it touched; and the
// seam's markers (object names, API-call entry and exit), which become the
// condensed view (Condense).
#pragma once

#include <string>
#include <vector>

namespace tlsm::cli {

enum class EventKind { kEngine, kSeam, kName, kCall, kReturn };

struct Event {
  EventKind kind = EventKind::kEngine;
  unsigned step = 0;
  unsigned thread = 0;
  std::string what;      // normalised event text
  std::string where;     // "Class::method"
  std::string file;      // repo-relative
  unsigned line = 0;
};

struct History {
  std::string result;    // Relacy's verdict line ("USER ASSERT FAILED (...)")
  std::vector<Event> events;
  unsigned threads = 0;
  int failing_step = -1; // the event that reported the failure (-1: none)
};

// Parses the text Relacy wrote to the history file. Empty history when the
// text has no "execution history" section.
History ParseHistory(const std::string& raw, unsigned threads);

// The readable text of one event: a cell's LifeMark access reads "<x> read" /
// "<x> write", a marker "call Acquire" / "return Acquire -> hit ...";
// with raw, Relacy's own wording.
std::string EventText(const Event& e, bool raw);

// Which events the readable views show: with raw all of them; otherwise the
// engine's events and API calls, the failing step, the seam event right
// before it in its thread (what triggered it) and the last poison write of
// the object that event touched.
std::vector<bool> VisibleEvents(const History& h, bool raw);

// The condensed view: each thread's engine API calls in the order they
// began, the interleaving's preemptions, and the failure.
struct CondensedRow {
  enum Kind { kCall, kPreemption, kFailure } kind = kCall;
  unsigned thread = 0;   // the calling / preempted / failing thread
  unsigned to = 0;       // kPreemption: the thread that ran next
  unsigned depth = 0;    // kCall: calls open in the thread when it began
  unsigned step = 0;     // first step (Relacy's numbering)
  unsigned last = 0;     // kCall: last step (its return, or the failure)
  std::string text;      // "Acquire -> hit SuperVersion v1"; the failure's message
  std::string inside;    // kPreemption, kFailure: the innermost open call, if any
  bool failing = false;  // kCall: the failure happened inside it
  bool finished = false; // kCall: its return is in the history
  std::string where, file;  // the source of the call / failure
  unsigned line = 0;
};
std::vector<CondensedRow> Condense(const History& h);

// Preemptions in the interleaving: switches away from a thread that could
// have gone on (the markers are no steps) — its last event before the
// switch neither blocked it, ended it, nor yielded. The first thread chosen
// after the setup is not one. This is what a preemption bound limits: a
// history found at bound K has at most K.
unsigned CountPreemptions(const History& h);

// The kind of event i for tools (the JSON events' "kind", docs/harness.md):
// one of EventKindNames(). The failing step is "failure" whatever it is.
const char* EventKindName(const History& h, std::size_t i);
// Every kind EventKindName returns.
const std::vector<std::string>& EventKindNames();
// The object an event accessed ("<x> ..." -> "x"; empty if none).
std::string EventObject(const Event& e);
// An API marker's call name ("Acquire") and result ("hit SuperVersion v1";
// empty if none or not a marker).
std::string MarkerCall(const Event& e);
std::string MarkerResult(const Event& e);

// Shortens a function signature; exposed for tests.
std::string ShortFunction(const std::string& signature);
std::string RelativePath(const std::string& path);

// The root RelativePath strips (with its trailing '/'); empty by default.
// A driver sets it once at start-up, from build_info.h's kSourceRoot.
void SetSourceRoot(std::string root);

// The readable text: the condensed view (API calls, preemptions, failure),
// the interleaving in global order (one column of indentation per thread),
// then each thread's own steps. raw: every event (seam internals and
// markers included) in Relacy's wording.
struct RenderOptions {
  bool raw = false;
};
std::string RenderHistory(const History& h, RenderOptions o = {});

}  // namespace tlsm::cli
