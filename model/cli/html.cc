// model/cli/html.cc — swimlane HTML of a history.
#include "model/cli/html.h"

#include <sstream>

namespace tlsm::cli {

std::string HtmlEscape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default: o += c;
    }
  }
  return o;
}

namespace {

// "where file:line" under an event.
std::string Loc(const std::string& where, const std::string& file, unsigned line) {
  std::string o = "<div class=\"loc\">" + HtmlEscape(where);
  if (!file.empty()) o += " <span class=\"src\">" + HtmlEscape(file) + ":" + std::to_string(line) + "</span>";
  return o + "</div>";
}

// One row of a swimlane table: `cell` in thread t's column.
void LaneRow(std::ostringstream& o, const std::string& attrs, unsigned step, unsigned threads,
             unsigned t, const std::string& cell_class, const std::string& cell) {
  o << "<tr" << attrs << "><td class=\"step\">" << step << "</td>";
  for (unsigned c = 0; c < threads; ++c) {
    if (c != t) {
      o << "<td></td>";
      continue;
    }
    o << "<td class=\"ev t" << c % 4 << (cell_class.empty() ? "" : " " + cell_class) << "\">"
      << cell << "</td>";
  }
  o << "</tr>\n";
}

void LaneHead(std::ostringstream& o, unsigned threads) {
  o << "<thead><tr><th>step</th>";
  for (unsigned t = 0; t < threads; ++t) o << "<th class=\"t" << t % 4 << "\">thread " << t << "</th>";
  o << "</tr></thead>\n";
}

}  // namespace

std::string RenderHtml(const History& h, const HtmlInfo& info) {
  std::ostringstream o;
  const std::string title = "tlsm: " + info.scenario + " — " + info.invariant;
  o << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    << "<title>" << HtmlEscape(title) << "</title>\n<style>\n"
    << "body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}\n"
    << "h1{font-size:1.3em}h2{font-size:1.1em;margin-top:1.2em}\n"
    << "dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}\n"
    << "dt{font-weight:bold}dd{margin:0;font-family:monospace;word-break:break-all}\n"
    << "table{border-collapse:collapse;font-family:monospace;font-size:12px}\n"
    << "th{position:sticky;top:0;background:#eee;padding:4px 8px;border-bottom:2px solid #999}\n"
    << "td{padding:2px 8px;vertical-align:top;border-left:1px solid #ddd}\n"
    << "td.step{color:#888;text-align:right;border-left:none}\n"
    << "td.ev div.loc{color:#777;font-size:11px}\n"
    << "tr:hover td{background:#f6f6ff}\n"
    << "tr.fail td{background:#ffd7d7}\n"
    << "tr.fail td.ev{border:2px solid #c00;font-weight:bold}\n"
    << "tr.in-fail td.ev{background:#fff0f0}\n"
    << "tr.preempt td.ev{color:#b00;font-style:italic}\n"
    << "td.call{font-weight:bold}\n"
    << ".t0{color:#1b5e20}.t1{color:#0d47a1}.t2{color:#6a1b9a}.t3{color:#e65100}\n"
    << "tr.seam{display:none}#show-seam:checked ~ table tr.seam{display:table-row}\n"
    << "tr.seam td.ev{color:#999}\n"
    << "details summary{cursor:pointer;font-weight:bold;margin:1em 0 .5em}\n"
    << "</style>\n</head>\n<body>\n";
  o << "<h1>" << HtmlEscape(title) << "</h1>\n<dl>\n";
  auto row = [&](const char* k, const std::string& v) {
    if (!v.empty()) o << "<dt>" << k << "</dt><dd>" << HtmlEscape(v) << "</dd>\n";
  };
  row("scenario", info.scenario);
  row("search", info.search);
  row("invariant", info.invariant);
  row("message", info.message);
  row("build", info.build_id);
  row("replay", info.replay_command);
  o << "</dl>\n";
  if (h.failing_step >= 0) o << "<p><a href=\"#fail\">jump to the failing step</a></p>\n";

  // The condensed swimlane: API calls, preemptions, the failure.
  const std::vector<CondensedRow> rows = Condense(h);
  o << "<section id=\"condensed\">\n<h2>API calls per thread</h2>\n"
    << "<table class=\"swimlane condensed\">\n";
  LaneHead(o, h.threads);
  o << "<tbody>\n";
  for (const CondensedRow& r : rows) {
    const std::string loc = Loc(r.where, r.file, r.line);
    switch (r.kind) {
      case CondensedRow::kCall:
        // Nested calls are indented by their depth in the thread.
        LaneRow(o, r.failing ? " class=\"call in-fail\"" : " class=\"call\"", r.step, h.threads,
                r.thread, "call",
                "<span style=\"padding-left:" + std::to_string(r.depth * 2) + "em\">" +
                    HtmlEscape(r.text) + (r.finished ? "" : " (unfinished)") +
                    "</span>" + loc);
        break;
      case CondensedRow::kPreemption:
        LaneRow(o, " class=\"preempt\"", r.step, h.threads, r.thread, "",
                HtmlEscape("preempted" + (r.inside.empty() ? "" : " in " + r.inside) + " → thread " +
                           std::to_string(r.to)) +
                    loc);
        break;
      case CondensedRow::kFailure:
        LaneRow(o, " class=\"fail\" id=\"fail\"", r.step, h.threads, r.thread, "",
                HtmlEscape("FAILURE " + r.text) + loc);
        break;
    }
  }
  o << "</tbody>\n</table>\n</section>\n";

  // Every event, behind a toggle; seam internals behind a second one.
  const std::vector<bool> shown = VisibleEvents(h, false);
  o << "<details id=\"full\">\n<summary>full event list (" << h.events.size()
    << " events)</summary>\n"
    << "<input type=\"checkbox\" id=\"show-seam\"><label for=\"show-seam\"> show seam internals "
       "(LifeMark reads, initial stores, poison writes, object names)</label>\n"
    << "<table class=\"swimlane events\">\n";
  LaneHead(o, h.threads);
  o << "<tbody>\n";
  for (std::size_t i = 0; i < h.events.size(); ++i) {
    const Event& e = h.events[i];
    const bool fail = static_cast<int>(i) == h.failing_step;
    std::string attrs = fail ? " class=\"fail\" id=\"fail-event\"" : shown[i] ? "" : " class=\"seam\"";
    LaneRow(o, attrs, e.step, h.threads, e.thread, "",
            HtmlEscape(EventText(e, !shown[i])) + Loc(e.where, e.file, e.line));
  }
  o << "</tbody>\n</table>\n</details>\n</body>\n</html>\n";
  return o.str();
}

}  // namespace tlsm::cli
