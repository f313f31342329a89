// fuzz/replay_file_fuzz.cc — libFuzzer target for the files `tlsm replay
// FILE` reads (failure artifacts or token files): model/cli/replay_input.cc,
// then the token decoder on what it extracts, as CmdReplay does.
//
// Contract checked: no crash, hang or leak on any content; every rejection
// carries a reason (tlsm exits 2 with it). The first byte chooses --minimal.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "model/cli/replay_input.h"
#include "model/cli/token.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool minimal = (data[0] & 1) != 0;
  const std::string content(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string text, err;
  if (!tlsm::cli::ReplayTextFromFile("fuzz.json", content, minimal, &text, &err)) {
    if (err.empty()) std::abort();
    return 0;
  }
  tlsm::cli::Token tok;
  if (!tlsm::cli::DecodeToken(text, &tok, &err) && err.empty()) std::abort();
  return 0;
}
