// model/harness/report_junit.cc — the JUnit reporter.
#include "model/harness/report_junit.h"

#include <cstdio>
#include <sstream>

#include "model/cli/html.h"

namespace tlsm::harness {
namespace {

// XML attribute and text escaping (the same five entities as HTML).
std::string Xml(const std::string& s) { return tlsm::cli::HtmlEscape(s); }

std::string Time(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

}  // namespace

std::string JUnitXml(const std::vector<ScenarioReport>& reports) {
  std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  double seconds = 0;
  for (const auto& rep : reports) {
    for (const auto& r : rep.rows) {
      ++tests;
      seconds += r.seconds;
      if (r.verdict == Verdict::kBug) ++failures;
      else if (r.verdict == Verdict::kError) ++errors;
      else if (r.verdict == Verdict::kSkipped) ++skipped;
    }
  }
  std::ostringstream o;
  o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<testsuites>\n"
    << "  <testsuite name=\"tlsm\" tests=\"" << tests << "\" failures=\"" << failures
    << "\" errors=\"" << errors << "\" skipped=\"" << skipped << "\" time=\"" << Time(seconds)
    << "\">\n";
  for (const auto& rep : reports) {
    for (const auto& r : rep.rows) {
      o << "    <testcase classname=\"" << Xml(r.scenario) << "\" name=\"" << Xml(r.search)
        << "\" time=\"" << Time(r.seconds) << "\">\n";
      if (r.verdict == Verdict::kBug) {
        o << "      <failure type=\"" << Xml(r.result.substr(r.result.rfind(' ') + 1))
          << "\" message=\"" << Xml(r.result) << "\">";
        if (rep.failure) {
          const FailureReport& f = *rep.failure;
          o << Xml(f.invariant + "  " + f.message + "\nreplay: " + f.replay_command + "\n" +
                   (f.harness_error.empty() ? "" : "harness error: " + f.harness_error + "\n") +
                   "\n" + tlsm::cli::RenderHistory(f.ShownHistory()));
        }
        o << "</failure>\n";
      } else if (r.verdict == Verdict::kError) {
        o << "      <error message=\"" << Xml(r.result) << "\">" << Xml(rep.error)
          << "</error>\n";
      } else if (r.verdict == Verdict::kSkipped) {
        o << "      <skipped message=\"" << Xml(r.result) << "\"/>\n";
      }
      o << "      <system-out>" << Xml(r.result + ", " + std::to_string(r.executions) +
                                       " executions")
        << "</system-out>\n"
        << "    </testcase>\n";
    }
  }
  o << "  </testsuite>\n</testsuites>\n";
  return o.str();
}

}  // namespace tlsm::harness
