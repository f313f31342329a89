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

std::string RenderHtml(const History& h, const HtmlInfo& info) {
  std::ostringstream o;
  const std::string title = "tlsm: " + info.scenario + " — " + info.invariant;
  o << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    << "<title>" << HtmlEscape(title) << "</title>\n<style>\n"
    << "body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}\n"
    << "h1{font-size:1.3em}\n"
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
    << ".t0{color:#1b5e20}.t1{color:#0d47a1}.t2{color:#6a1b9a}.t3{color:#e65100}\n"
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
  o << "<table>\n<thead><tr><th>step</th>";
  for (unsigned t = 0; t < h.threads; ++t) o << "<th class=\"t" << t % 4 << "\">thread " << t << "</th>";
  o << "</tr></thead>\n<tbody>\n";
  for (std::size_t i = 0; i < h.events.size(); ++i) {
    const Event& e = h.events[i];
    const bool fail = static_cast<int>(i) == h.failing_step;
    o << "<tr" << (fail ? " class=\"fail\" id=\"fail\"" : "") << "><td class=\"step\">" << e.step
      << "</td>";
    for (unsigned t = 0; t < h.threads; ++t) {
      if (t != e.thread) {
        o << "<td></td>";
        continue;
      }
      o << "<td class=\"ev t" << t % 4 << "\">" << HtmlEscape(e.what) << "<div class=\"loc\">"
        << HtmlEscape(e.where);
      if (!e.file.empty()) o << " " << HtmlEscape(e.file) << ":" << e.line;
      o << "</div></td>";
    }
    o << "</tr>\n";
  }
  o << "</tbody>\n</table>\n</body>\n</html>\n";
  return o.str();
}

}  // namespace tlsm::cli
