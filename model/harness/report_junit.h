// model/harness/report_junit.h — the JUnit reporter.
//
// One <testsuite name="tlsm"> holding one <testcase> per row: classname the
// scenario, name the search label, time the row's wall seconds. A row that
// found a bug carries a <failure> (type the invariant; the body the failure
// report's message, replay command and shown history), a harness error an
// <error>, a skipped search <skipped>; verified and sampled rows pass (the
// verdict is in the testcase's <system-out>).
#pragma once

#include <string>
#include <vector>

#include "model/harness/report.h"

namespace tlsm::harness {

std::string JUnitXml(const std::vector<ScenarioReport>& reports);

}  // namespace tlsm::harness
