// model/cli/html.h — a self-contained HTML page of one history.
#pragma once

#include <string>

#include "model/cli/history.h"

namespace tlsm::cli {

struct HtmlInfo {
  std::string scenario, search, invariant, message, token, replay_command, build_id;
};

// One swimlane (column) per thread, one row per step; the failing step is
// highlighted and linked from the header. No external resources.
std::string RenderHtml(const History& h, const HtmlInfo& info);

std::string HtmlEscape(const std::string& s);

}  // namespace tlsm::cli
