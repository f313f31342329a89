// model/cli/history.h — Relacy's execution history, parsed and normalised.
//
// Relacy prints one line per event: "[i] thread: event, in func, file(line)".
// Normalisation makes histories byte-identical across runs and ASLR:
//   - function signatures shrink to Class::method (namespaces, return type,
//     parameters and template arguments dropped; lambdas become ::lambda),
//   - paths become repo-relative (Relacy's own headers: relacy/...),
//   - hex addresses become stable labels: each allocation gets @1, @2, ... in
//     order of appearance, an address inside one is @k or @k+offset; other
//     addresses get the next label the first time they appear.
#pragma once

#include <string>
#include <vector>

namespace tlsm::cli {

struct Event {
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

// Preemptions in the interleaving: switches away from a thread that could
// have gone on — its last event before the switch neither blocked it, ended
// it, nor yielded. The first thread chosen after the setup is not one. This
// is what a preemption bound limits: a history found at bound K has at most
// K.
unsigned CountPreemptions(const History& h);

// Shortens a function signature; exposed for tests.
std::string ShortFunction(const std::string& signature);
std::string RelativePath(const std::string& path);

// The root RelativePath strips (with its trailing '/'); empty by default.
// A driver sets it once at start-up, from build_info.h's kSourceRoot.
void SetSourceRoot(std::string root);

// The readable text: the interleaving in global order (one column of
// indentation per thread), then each thread's own steps.
std::string RenderHistory(const History& h);

}  // namespace tlsm::cli
