// model/cli/history.cc — parse and normalise Relacy histories.
#include "model/cli/history.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>

namespace tlsm::cli {
namespace {

bool StartsWith(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }

// Maps raw addresses to stable labels, per history, and to the names the
// engine gave its objects.
class AddressLabels {
 public:
  // A new allocation [addr, addr+size) gets the next label.
  std::string Allocate(std::uint64_t addr, std::uint64_t size) {
    blocks_.push_back({addr, size == 0 ? 1 : size, ++next_, "", false});
    return Name(next_, 0);
  }
  // A name for [addr, addr+size); leaf: a seam primitive, whose inner
  // offsets are not shown.
  void AddName(std::uint64_t addr, std::uint64_t size, std::string name, bool leaf) {
    blocks_.push_back({addr, size == 0 ? 1 : size, 0, std::move(name), leaf});
  }
  // Whether some name covers the address.
  bool Named(std::uint64_t addr) const {
    for (const Block& b : blocks_) {
      if (!b.name.empty() && addr >= b.addr && addr < b.addr + b.size) return true;
    }
    return false;
  }
  // as_value: the address is a pointer value (not the location an event
  // accessed), so the largest object named at exactly that address is
  // meant ("SuperVersion v1", not its first field).
  std::string Label(std::uint64_t addr, bool as_value = false) {
    // The most recent allocation containing the address wins (reuse); a
    // name given since then, the smallest one containing it, wins over it.
    const Block* named = nullptr;
    const Block* whole = nullptr;
    for (auto it = blocks_.rbegin(); it != blocks_.rend(); ++it) {
      if (addr < it->addr || addr >= it->addr + it->size) continue;
      if (it->name.empty()) {
        if (named != nullptr) break;
        return Name(it->label, addr - it->addr);
      }
      if (named == nullptr || it->size < named->size) named = &*it;
      if (it->addr == addr && (whole == nullptr || it->size > whole->size)) whole = &*it;
    }
    if (as_value && whole != nullptr) named = whole;
    if (named != nullptr) {
      const std::uint64_t off = addr - named->addr;
      if (named->leaf || off == 0) return named->name;
      return named->name + "+" + std::to_string(off);
    }
    auto f = loose_.find(addr);
    if (f == loose_.end()) f = loose_.emplace(addr, ++next_).first;
    return Name(f->second, 0);
  }

 private:
  // "@k" or "@k+off" (snprintf: GCC 12 warns falsely on "@" + std::string).
  static std::string Name(unsigned label, std::uint64_t off) {
    char buf[48];
    if (off) std::snprintf(buf, sizeof buf, "@%u+%llu", label, static_cast<unsigned long long>(off));
    else std::snprintf(buf, sizeof buf, "@%u", label);
    return buf;
  }
  struct Block {
    std::uint64_t addr, size;
    unsigned label;    // allocations
    std::string name;  // names (empty: an allocation)
    bool leaf;
  };
  std::vector<Block> blocks_;
  std::map<std::uint64_t, unsigned> loose_;
  unsigned next_ = 0;
};

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Smaller pointer values are tags (the SuperVersion cache's sentinels 0x1,
// 0x2): shown as they are, or as their name (sync::NameValue).
constexpr std::uint64_t kLowestAddress = 4096;

// Replaces every 0x... number (from kLowestAddress) by its label. "memory allocation: addr=0x..,
// size=N" first registers the block.
std::string Relabel(const std::string& text, AddressLabels* labels) {
  static const std::string kAlloc = "memory allocation: addr=";
  static const std::string kName = "tlsm.name <0x";
  if (StartsWith(text, kName)) {
    // "tlsm.name <0xADDR> size=N leaf=L: TEXT" (engine/sync/history_marks.h)
    const std::uint64_t addr = std::strtoull(text.c_str() + kName.size(), nullptr, 16);
    const std::size_t sz = text.find("> size=");
    const std::size_t lf = text.find(" leaf=");
    const std::size_t colon = text.find(": ", lf == std::string::npos ? 0 : lf);
    if (sz != std::string::npos && lf != std::string::npos && colon != std::string::npos) {
      const std::uint64_t size = std::strtoull(text.c_str() + sz + 7, nullptr, 10);
      const std::string name = text.substr(colon + 2);
      // The event itself shows the address as it was labelled before.
      char hex[24];
      std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(addr));
      const std::string before = addr < kLowestAddress ? hex : labels->Label(addr);
      labels->AddName(addr, size, name, text.compare(lf + 6, 1, "1") == 0);
      return "tlsm.name <" + before + "> " + text.substr(sz + 2, colon - sz - 2) + ": " + name;
    }
  }
  if (StartsWith(text, kAlloc)) {
    const std::size_t a = kAlloc.size();
    std::size_t e = a;
    while (e < text.size() && text[e] != ',') ++e;
    const std::uint64_t addr = std::strtoull(text.substr(a, e - a).c_str(), nullptr, 16);
    std::uint64_t size = 0;
    const std::size_t sz = text.find("size=", e);
    if (sz != std::string::npos) size = std::strtoull(text.c_str() + sz + 5, nullptr, 10);
    const std::string label = labels->Allocate(addr, size);
    return "memory allocation: " + label + text.substr(e);
  }
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '0' && i + 2 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X') &&
        IsHex(text[i + 2]) && (i == 0 || !std::isalnum(static_cast<unsigned char>(text[i - 1])))) {
      std::size_t e = i + 2;
      while (e < text.size() && IsHex(text[e])) ++e;
      const std::uint64_t v = std::strtoull(text.substr(i + 2, e - i - 2).c_str(), nullptr, 16);
      const bool as_value = i == 0 || text[i - 1] != '<';
      if (as_value && v < kLowestAddress && !labels->Named(v)) {  // a tag, not an address
        out += text.substr(i, e - i);
      } else {
        out += labels->Label(v, as_value);
      }
      i = e;
      continue;
    }
    out += text[i++];
  }
  return out;
}

// Relacy prints a one-byte value (a bool, a uint8_t enum) as the raw byte,
// which would cut the history at a NUL or garble a terminal. A control byte
// right after '=' becomes its decimal value ("value=0"), any other one \xNN.
std::string EscapeControlBytes(const std::string& text) {
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c != 0x7f) {
      out += ch;
    } else if (!out.empty() && out.back() == '=') {
      out += std::to_string(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace

std::string ShortFunction(const std::string& sig_in) {
  std::string sig = sig_in;
  const std::size_t with = sig.find(" [with ");
  if (with != std::string::npos) sig.erase(with);
  // Drop (...) and <...> groups, keeping "lambda" for <lambda(...)>.
  std::string flat;
  int depth = 0;
  for (std::size_t i = 0; i < sig.size(); ++i) {
    const char c = sig[i];
    if (c == '(' || c == '<') {
      if (depth == 0 && c == '<' && sig.compare(i, 7, "<lambda") == 0) flat += "lambda";
      ++depth;
    } else if (c == ')' || c == '>') {
      if (depth > 0) --depth;
    } else if (depth == 0) {
      flat += c;
    }
  }
  // Drop the return type and qualifiers (" const"): the name is the last
  // space-separated word that contains "::" or the longest word.
  std::istringstream words(flat);
  std::string w, name;
  while (words >> w) {
    if (w == "const" || w == "noexcept" || w == "volatile" || w == "&" || w == "&&") continue;
    name = w;
  }
  // Split on "::", drop namespaces (components starting lowercase or '{').
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t p = name.find("::", start);
    parts.push_back(name.substr(start, p == std::string::npos ? std::string::npos : p - start));
    if (p == std::string::npos) break;
    start = p + 2;
  }
  std::vector<std::string> kept;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string& c = parts[i];
    const bool last = i + 1 == parts.size();
    const bool ns = !c.empty() && (c[0] == '{' || std::islower(static_cast<unsigned char>(c[0])));
    // A lowercase component is a namespace unless it is the function itself
    // or a method name followed by ::lambda.
    const bool is_fn = last || (i + 2 == parts.size() && parts.back() == "lambda");
    if (c.empty() || (ns && !is_fn)) continue;
    kept.push_back(c);
  }
  // Keep at most Class::method(::lambda).
  const std::size_t keep = (!kept.empty() && kept.back() == "lambda") ? 3 : 2;
  std::string out;
  for (std::size_t i = kept.size() > keep ? kept.size() - keep : 0; i < kept.size(); ++i) {
    if (!out.empty()) out += "::";
    out += kept[i];
  }
  // Not a signature (a label such as "~(freed object)"): keep it.
  return out.size() < 2 ? sig_in : out;
}

std::string& SourceRoot() {
  static std::string root;
  return root;
}

void SetSourceRoot(std::string root) { SourceRoot() = std::move(root); }

std::string RelativePath(const std::string& path) {
  const std::string& root = SourceRoot();
  if (!root.empty() && StartsWith(path, root)) return path.substr(root.size());
  for (const char* inc : {"/usr/local/include/", "/usr/include/"}) {
    if (StartsWith(path, inc)) return path.substr(std::string(inc).size());
  }
  // Relative to the build directory ("../../engine/..."): from the root.
  std::size_t up = 0;
  while (path.compare(up, 3, "../") == 0) up += 3;
  return path.substr(up);
}

History ParseHistory(const std::string& raw, unsigned threads) {
  History h;
  h.threads = threads;
  std::istringstream in(raw);
  std::string line;
  bool in_exec = false;
  AddressLabels labels;
  // thread -> the sync::Mutex it locks next (or the object of its next
  // semaphore event)
  std::map<unsigned, std::uint64_t> next_mutex;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (lineno == 2 && !line.empty()) h.result = line;  // line 1: test type name
    if (StartsWith(line, "execution history")) {
      in_exec = true;
      continue;
    }
    if (!in_exec) continue;
    if (line.empty()) break;  // end of the global section
    if (line[0] != '[') continue;
    // "[i] t: text, in func, file(line)"
    Event ev;
    const std::size_t rb = line.find("] ");
    const std::size_t colon = line.find(": ", rb);
    if (rb == std::string::npos || colon == std::string::npos) continue;
    ev.step = static_cast<unsigned>(std::strtoul(line.c_str() + 1, nullptr, 10));
    ev.thread = static_cast<unsigned>(std::strtoul(line.c_str() + rb + 2, nullptr, 10));
    std::string rest = line.substr(colon + 2);
    const std::size_t in_pos = rest.rfind(", in ");
    std::string text = rest, loc;
    if (in_pos != std::string::npos) {
      text = rest.substr(0, in_pos);
      loc = rest.substr(in_pos + 5);
    }
    // loc: "func, file(line)"; func may contain ", " (template args), so split
    // at the last ", ".
    std::string func = loc, file;
    const std::size_t comma = loc.rfind(", ");
    if (comma != std::string::npos) {
      func = loc.substr(0, comma);
      file = loc.substr(comma + 2);
    }
    if (!file.empty() && file.back() == ')') {
      const std::size_t lp = file.rfind('(');
      if (lp != std::string::npos) {
        ev.line = static_cast<unsigned>(std::strtoul(file.c_str() + lp + 1, nullptr, 10));
        file.erase(lp);
      }
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    if (StartsWith(text, "tlsm.mutex <0x")) {
      next_mutex[ev.thread] = std::strtoull(text.c_str() + 14, nullptr, 16);
    } else if (auto m = next_mutex.find(ev.thread);
               m != next_mutex.end() && StartsWith(text, "<0x") &&
               (text.find("> mutex: ") != std::string::npos ||
                text.find("> semaphore: ") != std::string::npos)) {
      // Relacy's address of the mutex's (semaphore's) state stands for the
      // seam Mutex (the harness object, sync::MarkSyncObject).
      labels.AddName(std::strtoull(text.c_str() + 3, nullptr, 16), 1, labels.Label(m->second),
                     true);
      next_mutex.erase(m);
    }
    ev.what = Relabel(EscapeControlBytes(text), &labels);
    // Relacy pads some events ("fetch_add , prev=..."); tidy.
    for (std::size_t p; (p = ev.what.find(" ,")) != std::string::npos;) ev.what.erase(p, 1);
    const bool seam_fn = StartsWith(func, "[seam]") || func == "~(freed object)";
    ev.where = seam_fn ? func : ShortFunction(func);
    ev.file = RelativePath(file);
    if (StartsWith(ev.what, "tlsm.name ") || StartsWith(ev.what, "tlsm.mutex ")) ev.kind = EventKind::kName;
    else if (StartsWith(ev.what, "tlsm.call ")) ev.kind = EventKind::kCall;
    else if (StartsWith(ev.what, "tlsm.ret ")) ev.kind = EventKind::kReturn;
    else if (seam_fn) ev.kind = EventKind::kSeam;
    if (ev.thread + 1 > h.threads) h.threads = ev.thread + 1;
    h.events.push_back(std::move(ev));
  }
  // The failure is the last event that carries Relacy's verdict.
  const std::string verdict = h.result.substr(0, h.result.find(" ("));
  for (int i = static_cast<int>(h.events.size()) - 1; i >= 0; --i) {
    if (!verdict.empty() && StartsWith(h.events[i].what, verdict)) {
      h.failing_step = i;
      break;
    }
  }
  return h;
}

namespace {
bool EndsTurn(const std::string& what) {
  return what == "[BEFORE END]" || what == "[THREAD FINISHED]" ||
         what.find("blocking current thread") != std::string::npos ||
         what.rfind("yield(", 0) == 0;
}

bool IsMarker(const Event& e) {
  return e.kind == EventKind::kName || e.kind == EventKind::kCall || e.kind == EventKind::kReturn;
}

// "<x> ..." -> "x" (empty if the event names no object).
std::string ObjectOf(const std::string& what) {
  if (what.empty() || what[0] != '<') return "";
  const std::size_t e = what.find('>');
  return e == std::string::npos ? "" : what.substr(1, e - 1);
}

// A call's text without the marker word: "Acquire -> hit SuperVersion v1".
std::string CallText(const Event& e) {
  const std::size_t sp = e.what.find(' ');
  return sp == std::string::npos ? e.what : e.what.substr(sp + 1);
}
// The call's name in an entry or return marker ("Acquire").
std::string CallName(const Event& e) {
  const std::string t = CallText(e);
  return t.substr(0, t.find(" -> "));
}

// The preemptions, as (the preempted thread's last event, the first event
// of the thread that ran next): a switch of thread whose last event before
// it (markers skipped: they are no steps) did not end its turn.
std::vector<std::pair<std::size_t, std::size_t>> Preemptions(const History& h) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  const std::size_t none = h.events.size();
  std::size_t prev = none;  // the last event that is a step
  std::size_t last = none;  // the last event of any kind
  for (std::size_t i = 0; i < h.events.size(); ++i) {
    if (last != none && prev != none && h.events[i].thread != h.events[last].thread &&
        !EndsTurn(h.events[prev].what)) {
      out.emplace_back(prev, i);
    }
    last = i;
    if (!IsMarker(h.events[i])) prev = i;
  }
  return out;
}
}  // namespace

const std::vector<std::string>& EventKindNames() {
  static const std::vector<std::string> kinds = {
      "atomic_load", "atomic_store", "rmw",        "fence",      "mutex_lock",
      "mutex_unlock", "mutex_try_lock_failed",     "sync_object", "block",
      "unblock",     "yield",        "var_read",   "var_write",  "alloc",
      "free",        "api_call",     "api_result", "name",       "thread_exit",
      "harness",     "failure",      "other"};
  return kinds;
}

std::string EventObject(const Event& e) { return ObjectOf(e.what); }

std::string MarkerCall(const Event& e) {
  return e.kind == EventKind::kCall || e.kind == EventKind::kReturn ? CallName(e) : "";
}

std::string MarkerResult(const Event& e) {
  if (e.kind != EventKind::kReturn) return "";
  const std::string t = CallText(e);
  const std::size_t arrow = t.find(" -> ");
  return arrow == std::string::npos ? "" : t.substr(arrow + 4);
}

const char* EventKindName(const History& h, std::size_t i) {
  if (static_cast<int>(i) == h.failing_step) return "failure";
  const Event& e = h.events[i];
  switch (e.kind) {
    case EventKind::kName: return "name";
    case EventKind::kCall: return "api_call";
    case EventKind::kReturn: return "api_result";
    default: break;
  }
  const std::string& w = e.what;
  // "<x> op...": the object's operation (Relacy's wording, relacy/*.hpp).
  const std::string obj = ObjectOf(w);
  const std::string op = obj.empty() ? w : w.substr(std::min(w.size(), obj.size() + 3));
  if (!obj.empty()) {
    if (StartsWith(op, "atomic load,")) return "atomic_load";
    if (StartsWith(op, "atomic store,")) return "atomic_store";
    if (StartsWith(op, "load, value=")) return "var_read";
    if (StartsWith(op, "store, value=")) return "var_write";
    if (StartsWith(op, "CAS ") || StartsWith(op, "fetch_") || StartsWith(op, "exchange")) {
      return "rmw";
    }
    if (StartsWith(op, "mutex: ")) {
      const std::string m = op.substr(7);
      if (m.find("try lock") != std::string::npos) return "mutex_try_lock_failed";
      if (m.find("unlock") != std::string::npos) return "mutex_unlock";
      if (m.find("lock") != std::string::npos) return "mutex_lock";
      if (StartsWith(m, "blocking")) return "block";
      return "sync_object";  // wait enter/exit, destroying owned mutex
    }
    if (StartsWith(op, "semaphore: ") || StartsWith(op, "event: ") ||
        StartsWith(op, "cond_var: ") || StartsWith(op, "futex(")) {
      return "sync_object";
    }
    return "other";
  }
  if (StartsWith(w, "memory allocation")) return "alloc";
  if (StartsWith(w, "memory deallocation")) return "free";
  if (w.size() > 6 && w.compare(w.size() - 6, 6, " fence") == 0) return "fence";
  if (StartsWith(w, "blocking current thread")) return "block";
  if (StartsWith(w, "unblocking thread")) return "unblock";
  if (StartsWith(w, "yield(")) return "yield";
  if (w == "[THREAD FINISHED]") return "thread_exit";
  if (StartsWith(w, "[") || StartsWith(w, "capture")) return "harness";
  return "other";
}

unsigned CountPreemptions(const History& h) {
  return static_cast<unsigned>(Preemptions(h).size());
}

std::string EventText(const Event& e, bool raw) {
  if (raw) return e.what;
  switch (e.kind) {
    case EventKind::kCall: return "call " + CallText(e);
    case EventKind::kReturn: return "return " + CallText(e);
    default: break;
  }
  // A Cell's access is its LifeMark's: "<x> load, value=1" is a read.
  const std::string obj = ObjectOf(e.what);
  if (!obj.empty() && e.kind == EventKind::kEngine) {
    const std::string rest = e.what.substr(obj.size() + 2);
    if (StartsWith(rest, " load, value=")) return "<" + obj + "> read";
    if (StartsWith(rest, " store, value=")) return "<" + obj + "> write";
  }
  return e.what;
}

std::vector<bool> VisibleEvents(const History& h, bool raw) {
  std::vector<bool> v(h.events.size(), raw);
  if (raw) return v;
  for (std::size_t i = 0; i < h.events.size(); ++i) {
    const EventKind k = h.events[i].kind;
    v[i] = k == EventKind::kEngine || k == EventKind::kCall || k == EventKind::kReturn;
  }
  if (h.failing_step < 0) return v;
  const std::size_t f = static_cast<std::size_t>(h.failing_step);
  v[f] = true;
  // The trigger: the failing thread's event just before the verdict.
  for (std::size_t i = f; i-- > 0;) {
    const Event& e = h.events[i];
    if (e.thread != h.events[f].thread || IsMarker(e)) continue;
    v[i] = true;
    const std::string obj = ObjectOf(e.what);
    if (!obj.empty()) {  // the last poison write of the object it touched
      for (std::size_t j = i; j-- > 0;) {
        if (h.events[j].where == "~(freed object)" && ObjectOf(h.events[j].what) == obj) {
          v[j] = true;
          break;
        }
      }
    }
    break;
  }
  return v;
}

std::vector<CondensedRow> Condense(const History& h) {
  std::vector<CondensedRow> rows;
  std::vector<std::vector<std::size_t>> open(h.threads);  // per thread: rows of open calls
  auto inside = [&](unsigned t) -> std::string {
    return t < open.size() && !open[t].empty() ? rows[open[t].back()].text : "";
  };
  const auto pre = Preemptions(h);
  std::size_t next_pre = 0;
  for (std::size_t i = 0; i < h.events.size(); ++i) {
    const Event& e = h.events[i];
    while (next_pre < pre.size() && pre[next_pre].second == i) {
      const Event& last = h.events[pre[next_pre].first];
      CondensedRow r;
      r.kind = CondensedRow::kPreemption;
      r.thread = last.thread;
      r.to = e.thread;
      r.step = e.step;
      r.inside = inside(last.thread);
      // A seam event's function is the seam's; its line is the engine's.
      r.where = last.kind == EventKind::kSeam ? "" : last.where;
      r.file = last.file;
      r.line = last.line;
      rows.push_back(r);
      ++next_pre;
    }
    if (e.thread >= open.size()) open.resize(e.thread + 1);
    if (e.kind == EventKind::kCall) {
      CondensedRow r;
      r.kind = CondensedRow::kCall;
      r.thread = e.thread;
      r.depth = static_cast<unsigned>(open[e.thread].size());
      r.step = r.last = e.step;
      r.text = CallText(e);
      r.where = e.where;
      r.file = e.file;
      r.line = e.line;
      open[e.thread].push_back(rows.size());
      rows.push_back(r);
    } else if (e.kind == EventKind::kReturn && !open[e.thread].empty()) {
      CondensedRow& r = rows[open[e.thread].back()];
      if (CallName(e) == r.text) {  // the matching entry: take the result
        r.text = CallText(e);
        r.last = e.step;
        r.finished = true;
        open[e.thread].pop_back();
      }
    } else if (static_cast<int>(i) == h.failing_step) {
      CondensedRow r;
      r.kind = CondensedRow::kFailure;
      r.thread = e.thread;
      r.step = e.step;
      r.text = e.what;
      r.inside = inside(e.thread);
      r.where = e.where;
      r.file = e.file;
      r.line = e.line;
      for (const std::size_t c : open[e.thread]) {
        rows[c].failing = true;
        rows[c].last = e.step;
      }
      rows.push_back(r);
    }
  }
  return rows;
}

std::string RenderHistory(const History& h, RenderOptions opt) {
  std::ostringstream o;
  // Relacy's own markers ([THREAD FINISHED], ...) carry no useful location.
  auto loc = [](const std::string& where, const std::string& file, unsigned line) -> std::string {
    if (file == "relacy/context.hpp") return "";
    if (file.empty()) return where;  // e.g. "~(freed object)": the poison writes of a free
    return where + "  " + file + ":" + std::to_string(line);
  };
  const std::vector<bool> shown = VisibleEvents(h, opt.raw);
  std::size_t width = 0, count = 0;
  for (std::size_t i = 0; i < h.events.size(); ++i) {
    if (!shown[i]) continue;
    ++count;
    width = std::max(width, EventText(h.events[i], opt.raw).size() + 2 * h.events[i].thread);
  }
  width = std::min<std::size_t>(width, 72);
  auto line = [&](const std::string& body, const std::string& l, bool failing) {
    std::string text = body;
    if (!l.empty()) {
      if (text.size() < width) text.append(width - text.size(), ' ');
      text += "  | " + l;
    }
    if (failing) text += "   <== FAILURE";
    return text;
  };
  const std::vector<CondensedRow> rows = Condense(h);
  std::size_t calls = 0, preemptions = 0;
  for (const CondensedRow& r : rows) {
    calls += r.kind == CondensedRow::kCall;
    preemptions += r.kind == CondensedRow::kPreemption;
  }
  o << "api calls (" << calls << " calls, " << preemptions << " preemption"
    << (preemptions == 1 ? "" : "s") << ", " << h.threads << " threads):\n";
  for (const CondensedRow& r : rows) {
    char head[32];
    std::snprintf(head, sizeof head, "%4u T%u  ", r.step, r.thread);
    std::string body(2 * r.thread, ' ');
    switch (r.kind) {
      case CondensedRow::kCall:
        body += std::string(2 * r.depth, ' ') + r.text;
        if (!r.finished) body += " (unfinished)";
        o << head << line(body, loc(r.where, r.file, r.line), r.failing) << "\n";
        break;
      case CondensedRow::kPreemption:
        body += "~~ preempted" + (r.inside.empty() ? "" : " in " + r.inside) + " -> T" +
                std::to_string(r.to);
        o << head << line(body, loc(r.where, r.file, r.line), false) << "\n";
        break;
      case CondensedRow::kFailure:
        body += "FAILURE " + r.text;
        o << head << line(body, loc(r.where, r.file, r.line), false) << "\n";
        break;
    }
  }
  o << "\ninterleaving (" << h.events.size() << " steps, " << h.threads << " threads";
  if (count != h.events.size()) {
    o << "; " << count << " shown, seam internals hidden: --raw shows them";
  }
  o << "):\n";
  auto ev_line = [&](const Event& e, std::size_t indent, bool failing) {
    return line(std::string(indent, ' ') + EventText(e, opt.raw), loc(e.where, e.file, e.line),
                failing);
  };
  for (std::size_t i = 0; i < h.events.size(); ++i) {
    if (!shown[i]) continue;
    const Event& e = h.events[i];
    char head[32];
    std::snprintf(head, sizeof head, "%4u T%u  ", e.step, e.thread);
    o << head << ev_line(e, 2 * e.thread, static_cast<int>(i) == h.failing_step) << "\n";
  }
  for (unsigned t = 0; t < h.threads; ++t) {
    o << "\nthread " << t << ":\n";
    for (std::size_t i = 0; i < h.events.size(); ++i) {
      const Event& e = h.events[i];
      if (e.thread != t || !shown[i]) continue;
      char head[32];
      std::snprintf(head, sizeof head, "%4u  ", e.step);
      o << head << ev_line(e, 0, static_cast<int>(i) == h.failing_step) << "\n";
    }
  }
  return o.str();
}

}  // namespace tlsm::cli
