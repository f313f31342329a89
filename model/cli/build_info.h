// model/cli/build_info.h — identity of a tlsm-compatible executable: defined
// in a file generated per executable (model/cli/build_id.cmake for tlsm,
// cmake/tlsm_user_build_id.cmake for tlsm_add_model_check), so the driver
// library (tlsm_driver) carries neither.
#pragma once

namespace tlsm::cli {
// A hash of every engine and model source the simulation depends on;
// replay tokens carry it (and, separately, the mutant a run selected).
extern const char* const kBuildId;
// The source tree the executable's scenarios were compiled from, ending in
// '/' (or empty): histories print source paths relative to it.
extern const char* const kSourceRoot;
}  // namespace tlsm::cli
