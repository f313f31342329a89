// model/cli/html.h — a self-contained HTML page of one history.
#pragma once

#include <string>

#include "model/cli/history.h"

namespace tlsm::cli {

struct HtmlInfo {
  std::string scenario, search, invariant, message, token, replay_command, build_id;
};

// One swimlane (column) per thread. First the condensed view (Condense: the
// API calls, preemptions and the failure, section#condensed), the failing
// row highlighted (tr.fail#fail) and linked from the header; then every
// event behind a toggle (details#full), seam internals behind a checkbox
// (#show-seam, rows tr.seam). Each event shows its source line
// (span.src). No external resources, no script.
std::string RenderHtml(const History& h, const HtmlInfo& info);

std::string HtmlEscape(const std::string& s);

}  // namespace tlsm::cli
