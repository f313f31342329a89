// model/cli/build_info.h — identity of this tlsm binary (generated per target).
#pragma once

namespace tlsm_cli {
// "m<mutant>-<hash of engine+model sources>"; replay tokens carry it.
extern const char* const kBuildId;
extern const int kMutantNumber;     // 0 = no mutant
extern const char* const kMutantName;  // "" = no mutant
}  // namespace tlsm_cli
