// model/harness/campaign_checkpoint.cc — checkpoint headers and resuming.
#include "model/harness/campaign_checkpoint.h"

#include <fstream>
#include <sstream>

namespace tlsm::harness {

std::string CheckpointHeader(const SearchStrategy& st, const SearchOptions& o,
                             const std::string& scenario, const BuildIdentity& build) {
  const std::optional<unsigned> bound = st.PreemptionBound(o);
  return "tlsm-checkpoint v1 build=" + build.id + " mutant=" +
         (build.mutant.empty() ? "-" : build.mutant) + " scenario=" + scenario +
         " search=" + st.Name() + (bound ? " bound=" + std::to_string(*bound) : std::string()) +
         " reuse=" + (o.address_reuse ? "1" : "0") + " reduction=" +
         (o.reduction == tlsm::model::Reduction::kNone        ? "none"
          : o.reduction == tlsm::model::Reduction::kSleepSets ? "sleep-sets"
                                                              : "dpor") +
         " split=" + std::to_string(SplitDepth(st, o)) + " shard=" + std::to_string(o.shard_index) +
         "/" + std::to_string(o.shard_count);
}

void ReadCheckpoint(const std::string& path, SearchOptions* o) {
  std::ifstream in(path);
  if (!in) throw CheckpointError("--resume: cannot read '" + path + "'");
  std::string header, completed_line;
  std::getline(in, header);
  std::getline(in, completed_line);
  std::getline(in, o->checkpoint.resume_state);
  std::getline(in, o->checkpoint.resume_info);
  if (header.rfind("tlsm-checkpoint v1 ", 0) != 0) {
    throw CheckpointError("--resume: '" + path + "' is not a tlsm checkpoint");
  }
  if (header != o->checkpoint.header) {
    throw CheckpointError("--resume: '" + path + "' belongs to another search or build:\n  file: " +
                          header + "\n  this: " + o->checkpoint.header);
  }
  std::istringstream c(completed_line);
  std::string word;
  if (!(c >> word >> o->checkpoint.resume_completed >> o->checkpoint.resume_sleep_blocked) || word != "completed" ||
      o->checkpoint.resume_state.empty() || o->checkpoint.resume_info.rfind("nodes ", 0) != 0) {
    throw CheckpointError("--resume: '" + path + "' is damaged (truncated or edited)");
  }
}

}  // namespace tlsm::harness
