// fuzz/token_fuzz.cc — libFuzzer target for replay tokens (model/cli/token.cc).
//
// Contract checked: DecodeToken never crashes, hangs or leaks on any input,
// returns false with a non-empty reason for malformed text, and a token it
// accepts re-encodes to a token that decodes to the same fields.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "model/cli/token.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  tlsm_cli::Token tok;
  std::string err;
  if (!tlsm_cli::DecodeToken(text, &tok, &err)) {
    if (err.empty()) std::abort();  // every rejection must say why
    return 0;
  }
  tlsm_cli::Token again;
  std::string err2;
  if (!tlsm_cli::DecodeToken(tlsm_cli::EncodeToken(tok), &again, &err2)) std::abort();
  if (again.scenario != tok.scenario || again.search != tok.search ||
      again.build_id != tok.build_id || again.invariant != tok.invariant) {
    std::abort();
  }
  return 0;
}
