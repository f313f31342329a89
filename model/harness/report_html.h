// model/harness/report_html.h — the HTML reporter: a failure's swimlane page.
#pragma once

#include <string>

#include "model/harness/report.h"

namespace tlsm::harness {

// The self-contained page (model/cli/html.h) of the history the report
// shows — the minimal one when found — with its token and replay command.
std::string FailurePage(const FailureReport& f);

}  // namespace tlsm::harness
