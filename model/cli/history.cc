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

// Maps raw addresses to stable labels, per history.
class AddressLabels {
 public:
  // A new allocation [addr, addr+size) gets the next label.
  std::string Allocate(std::uint64_t addr, std::uint64_t size) {
    blocks_.push_back({addr, size == 0 ? 1 : size, ++next_});
    return Name(next_, 0);
  }
  std::string Label(std::uint64_t addr) {
    // The most recent allocation containing the address wins (reuse).
    for (auto it = blocks_.rbegin(); it != blocks_.rend(); ++it) {
      if (addr >= it->addr && addr < it->addr + it->size) {
        return Name(it->label, addr - it->addr);
      }
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
    unsigned label;
  };
  std::vector<Block> blocks_;
  std::map<std::uint64_t, unsigned> loose_;
  unsigned next_ = 0;
};

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Replaces every 0x... number by its label. "memory allocation: addr=0x..,
// size=N" first registers the block.
std::string Relabel(const std::string& text, AddressLabels* labels) {
  static const std::string kAlloc = "memory allocation: addr=";
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
      out += labels->Label(v);
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
  return path;
}

History ParseHistory(const std::string& raw, unsigned threads) {
  History h;
  h.threads = threads;
  std::istringstream in(raw);
  std::string line;
  bool in_exec = false;
  AddressLabels labels;
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
    ev.what = Relabel(EscapeControlBytes(text), &labels);
    // Relacy pads some events ("fetch_add , prev=..."); tidy.
    for (std::size_t p; (p = ev.what.find(" ,")) != std::string::npos;) ev.what.erase(p, 1);
    ev.where = ShortFunction(func);
    ev.file = RelativePath(file);
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
}  // namespace

unsigned CountPreemptions(const History& h) {
  unsigned n = 0;
  for (std::size_t i = 1; i < h.events.size(); ++i) {
    const Event& prev = h.events[i - 1];
    if (h.events[i].thread != prev.thread && !EndsTurn(prev.what)) ++n;
  }
  return n;
}

std::string RenderHistory(const History& h) {
  std::ostringstream o;
  // Relacy's own markers ([THREAD FINISHED], ...) carry no useful location.
  auto loc = [](const Event& e) -> std::string {
    if (e.file == "relacy/context.hpp") return "";
    if (e.file.empty()) return e.where;  // e.g. "~(freed object)": the poison writes of a free
    return e.where + "  " + e.file + ":" + std::to_string(e.line);
  };
  std::size_t width = 0;
  for (const Event& e : h.events) width = std::max(width, e.what.size() + 2 * e.thread);
  width = std::min<std::size_t>(width, 72);
  auto line = [&](const Event& e, std::size_t indent, bool failing) {
    std::string text = std::string(indent, ' ') + e.what;
    const std::string l = loc(e);
    if (!l.empty()) {
      if (text.size() < width) text.append(width - text.size(), ' ');
      text += "  | " + l;
    }
    if (failing) text += "   <== FAILURE";
    return text;
  };
  o << "interleaving (" << h.events.size() << " steps, " << h.threads << " threads):\n";
  for (std::size_t i = 0; i < h.events.size(); ++i) {
    const Event& e = h.events[i];
    char head[32];
    std::snprintf(head, sizeof head, "%4u T%u  ", e.step, e.thread);
    o << head << line(e, 2 * e.thread, static_cast<int>(i) == h.failing_step) << "\n";
  }
  for (unsigned t = 0; t < h.threads; ++t) {
    o << "\nthread " << t << ":\n";
    for (std::size_t i = 0; i < h.events.size(); ++i) {
      const Event& e = h.events[i];
      if (e.thread != t) continue;
      char head[32];
      std::snprintf(head, sizeof head, "%4u  ", e.step);
      o << head << line(e, 0, static_cast<int>(i) == h.failing_step) << "\n";
    }
  }
  return o.str();
}

}  // namespace tlsm::cli
