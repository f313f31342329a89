// model/harness/report_text.h — the text reporter: what `tlsm check` prints.
//
// TextReporter is a CampaignObserver printing each event as it happens: a
// row per finished search, harness errors, the failure report with its
// history; warnings go to `err` prefixed "tlsm: ". PrintSummary prints the
// table of every row at the end of a run.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "model/harness/campaign.h"
#include "model/harness/report.h"

namespace tlsm::harness {

class TextReporter final : public CampaignObserver {
 public:
  TextReporter(std::FILE* out, std::FILE* err) : out_(out), err_(err) {}

  void OnRow(const Row& r) override;
  void OnHarnessError(const std::string& scenario, const std::string& error) override;
  void OnFailure(const FailureReport& f) override;
  void OnWarning(const std::string& what) override;

 private:
  std::FILE* out_;
  std::FILE* err_;
};

// The failure report block: "FAIL <scenario>: <id>  <message>", the fields,
// the replay commands, then the history shown.
std::string FailureText(const FailureReport& f);

// A sampling row's coverage: "<distinct> schedules, unseen <p>%" ("" for
// other rows).
std::string CoverageText(const Row& r);

// The summary table of `rows`, then how many searches verified and sampled.
void PrintSummary(std::FILE* out, const std::vector<Row>& rows);

}  // namespace tlsm::harness
