// model/harness/report_text.cc — the text reporter.
#include "model/harness/report_text.h"

#include <algorithm>

#include "model/cli/history.h"

namespace tlsm::harness {
namespace {

// printf into a std::string.
template <class... A>
void Append(std::string* o, const char* fmt, A... a) {
  const int n = std::snprintf(nullptr, 0, fmt, a...);
  if (n <= 0) return;
  std::string buf(static_cast<std::size_t>(n) + 1, '\0');
  std::snprintf(buf.data(), buf.size(), fmt, a...);
  buf.pop_back();
  *o += buf;
}

const char* Plural(unsigned n) { return n == 1 ? "" : "s"; }

}  // namespace

std::string CoverageText(const Row& r) {
  if (r.tree || r.hashed_executions == 0 || r.verdict != Verdict::kSampled) return "";
  std::string o;
  Append(&o, "%llu schedules, unseen %.1f%%",
         static_cast<unsigned long long>(r.distinct_schedules),
         100.0 * static_cast<double>(r.singleton_schedules) /
             static_cast<double>(r.hashed_executions));
  return o;
}

void TextReporter::OnRow(const Row& r) {
  const std::string cov = CoverageText(r);
  std::fprintf(out_, "  %-32s %-14s %10llu executions  %8s  %s%s%s\n", r.scenario.c_str(),
               r.search.c_str(), static_cast<unsigned long long>(r.executions),
               FormatSeconds(r.seconds).c_str(), r.result.c_str(), cov.empty() ? "" : "  ",
               cov.c_str());
  std::fflush(out_);
}

void TextReporter::OnHarnessError(const std::string& scenario, const std::string& error) {
  std::fprintf(out_, "\nHARNESS ERROR in %s: %s\n", scenario.c_str(), error.c_str());
}

void TextReporter::OnFailure(const FailureReport& f) {
  std::fputs(FailureText(f).c_str(), out_);
  std::fflush(out_);
}

void TextReporter::OnWarning(const std::string& what) {
  std::fprintf(err_, "tlsm: %s\n", what.c_str());
}

std::string FailureText(const FailureReport& f) {
  std::string o;
  Append(&o, "\nFAIL %s: %s  %s\n", f.scenario.c_str(), f.invariant.c_str(), f.message.c_str());
  Append(&o, "  invariant  %s\n", f.invariant.c_str());
  Append(&o, "  scenario   %s (%u threads)\n", f.scenario.c_str(), f.threads);
  Append(&o, "  search     %s\n", f.where.c_str());
  Append(&o, "  history    %zu events, %u preemption%s\n", f.history.events.size(), f.preemptions,
         Plural(f.preemptions));
  Append(&o, "  relacy     %s\n", f.history.result.c_str());
  if (!f.detail.empty()) {
    std::string indented;
    for (char c : f.detail) indented += c == '\n' ? std::string("\n             ") : std::string(1, c);
    Append(&o, "  detail     %s\n", indented.c_str());
  }
  Append(&o, "  state      %s\n", f.state.c_str());
  Append(&o, "  replay     %s\n", f.replay_command.c_str());
  if (f.minimal) {
    const MinimalReport& m = *f.minimal;
    if (m.found) {
      Append(&o, "  minimal    %u preemption%s (bounded search, bound %u)%s\n", m.preemptions,
             Plural(m.preemptions), m.bound,
             m.proven ? "; lower bounds searched completely: no fewer suffice"
                      : "; lower bounds were capped");
      Append(&o, "  replay minimal  %s\n", m.replay_command.c_str());
    } else {
      Append(&o, "  minimal    %s\n", m.note.c_str());
    }
  }
  Append(&o, "  artifact   %s\n", f.artifact.c_str());
  if (!f.html.empty()) Append(&o, "  html       %s\n", f.html.c_str());
  const bool minimal = f.minimal && f.minimal->found;
  o += std::string("\n") + (minimal ? "minimal failing" : "failing") + " history:\n" +
       tlsm::cli::RenderHistory(f.ShownHistory());
  return o;
}

void PrintSummary(std::FILE* out, const std::vector<Row>& rows) {
  std::size_t w = 8;
  for (const auto& r : rows) w = std::max(w, r.scenario.size());
  std::size_t rw = 6;
  for (const auto& r : rows) rw = std::max(rw, r.result.size());
  std::size_t sw = 14;
  for (const auto& r : rows) sw = std::max(sw, r.search.size());
  std::fprintf(out, "\nsummary\n%-*s  %-*s  %12s  %9s  %-*s  %s\n", static_cast<int>(w),
               "scenario", static_cast<int>(sw), "search", "executions", "time",
               static_cast<int>(rw), "result", "coverage");
  for (const auto& r : rows) {
    std::fprintf(out, "%-*s  %-*s  %12llu  %9s  %-*s  %s\n", static_cast<int>(w),
                 r.scenario.c_str(), static_cast<int>(sw), r.search.c_str(),
                 static_cast<unsigned long long>(r.executions),
                 FormatSeconds(r.seconds).c_str(), static_cast<int>(rw), r.result.c_str(),
                 CoverageText(r).c_str());
  }
  std::size_t verified = 0, sampled = 0;
  for (const auto& r : rows) {
    if (r.verdict == Verdict::kVerified) ++verified;
    else if (r.verdict == Verdict::kSampled) ++sampled;
  }
  std::fprintf(out, "\n%zu search%s verified (complete), %zu sampled (a sampling search, or stopped "
               "by a budget)\n", verified, verified == 1 ? "" : "es", sampled);
  std::fprintf(out, "coverage: distinct schedules among a sampling search's passing executions; "
               "unseen = schedules seen once / executions (Good-Turing estimate of the chance the "
               "next execution is new)\n");
}

}  // namespace tlsm::harness
