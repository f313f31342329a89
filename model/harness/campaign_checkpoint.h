// model/harness/campaign_checkpoint.h — which search a checkpoint belongs to.
//
// A tree search with SearchOptions::checkpoint set writes its position to
// that file (relacy_runner.h, tree_scheduler.h; format in scenario.h,
// RunConfig). Its first line, CheckpointHeader, names the search; a resume
// is refused unless the file's header is the resuming search's header.
#pragma once

#include <stdexcept>
#include <string>

#include "model/harness/strategy.h"

namespace tlsm::harness {

// A checkpoint file that cannot be resumed (unreadable, foreign, damaged).
struct CheckpointError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "tlsm-checkpoint v1 build=... mutant=... scenario=... search=...[ bound=K]
//  reuse=0|1 reduction=none|sleep-sets|dpor".
std::string CheckpointHeader(const SearchStrategy& st, const SearchOptions& o,
                             const std::string& scenario, const BuildIdentity& build);

// Reads the checkpoint at `path` into o's resume fields. REQUIRES:
// o->checkpoint.header is the resuming search's header. Throws
// CheckpointError.
void ReadCheckpoint(const std::string& path, SearchOptions* o);

}  // namespace tlsm::harness
