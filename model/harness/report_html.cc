// model/harness/report_html.cc — the HTML reporter.
#include "model/harness/report_html.h"

#include "model/cli/html.h"

namespace tlsm::harness {

std::string FailurePage(const FailureReport& f) {
  const bool minimal = f.minimal && f.minimal->found;
  const tlsm::cli::HtmlInfo info{f.scenario,
                                minimal ? "bounded (minimal)" : f.token_value.search,
                                f.invariant,
                                f.message,
                                f.ShownToken(),
                                minimal ? f.minimal->replay_command : f.replay_command,
                                f.build.id};
  return tlsm::cli::RenderHtml(f.ShownHistory(), info);
}

}  // namespace tlsm::harness
