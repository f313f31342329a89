// model/cli/replay_input.h — what `tlsm replay FILE` reads out of a file.
//
// A file is either a failure artifact (JSON: {"token": ..., "minimal":
// {"token": ...}}) or a file holding a token. ReplayTextFromFile returns the
// token text to decode; on a malformed artifact it returns false with a
// human-readable reason (tlsm turns it into exit 2). Pure: no I/O.
#pragma once

#include <string>

namespace tlsm::cli {

// `name` is the file's name for messages; `minimal`: take the artifact's
// minimal counterexample instead of its token.
bool ReplayTextFromFile(const std::string& name, const std::string& content, bool minimal,
                        std::string* text, std::string* error);

}  // namespace tlsm::cli
