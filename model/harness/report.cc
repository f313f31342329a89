// model/harness/report.cc — the words of the verdicts.
#include "model/harness/report.h"

namespace tlsm::harness {

const char* VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kPending: return "pending";
    case Verdict::kVerified: return "verified";
    case Verdict::kSampled: return "sampled";
    case Verdict::kShardComplete: return "shard complete";
    case Verdict::kBug: return "bug";
    case Verdict::kError: return "error";
    case Verdict::kSkipped: return "skipped";
  }
  return "pending";
}

Verdict VerdictFromName(const std::string& name) {
  for (Verdict v : {Verdict::kVerified, Verdict::kSampled, Verdict::kShardComplete, Verdict::kBug,
                    Verdict::kError, Verdict::kSkipped}) {
    if (name == VerdictName(v)) return v;
  }
  return Verdict::kPending;
}

void MarkSampled(const std::string& why, Row* row) {
  row->verdict = Verdict::kSampled;
  row->result = "sampled (" + std::to_string(row->executions) + " executions" +
                (why.empty() ? std::string() : ", " + why) + ")";
}

}  // namespace tlsm::harness
