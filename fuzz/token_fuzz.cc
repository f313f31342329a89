// fuzz/token_fuzz.cc — libFuzzer target for replay tokens (model/cli/token.cc).
//
// Contract checked: DecodeToken never crashes, hangs or leaks on any input,
// returns false with a non-empty reason for malformed text, and a token it
// accepts re-encodes to a token that decodes to the same fields. Inputs
// starting with '@' are instead split at NUL bytes into token fields and
// encoded: every token EncodeToken makes must decode to exactly its fields.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "model/cli/token.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (!text.empty() && text[0] == '@') {
    std::string f[5];
    std::size_t k = 0;
    for (std::size_t i = 1; i < text.size() && k < 5; ++i) {
      // Token fields are names and states from this build: ASCII (JSON
      // encoding rejects invalid UTF-8, so other bytes are not fields).
      const unsigned char c = static_cast<unsigned char>(text[i]);
      if (c == 0) ++k;
      else if (c < 0x80) f[k] += static_cast<char>(c);
    }
    static const char* kSearches[] = {"random", "exhaustive", "bounded", "pct", "pos", "portfolio"};
    tlsm::cli::Token t;
    t.scenario = f[0];
    t.search = kSearches[f[1].size() % 6];
    t.bound = static_cast<unsigned>(f[2].size());
    t.invariant = f[3];
    t.state = f[4];
    // Tokens record a real state; an empty one is rejected at decode ("bad state").
    if (t.state.find_first_not_of(" \t\n\r\f\v") == std::string::npos) return 0;
    t.stock_scheduler = size % 2 == 0;
    t.address_reuse = size % 3 == 0;
    tlsm::cli::Token back;
    std::string e;
    if (!tlsm::cli::DecodeToken(tlsm::cli::EncodeToken(t), &back, &e)) std::abort();
    // A numeric state comes back normalised ("1  2" -> "1 2 "); a text one verbatim.
    if (back.scenario != t.scenario || back.search != t.search || back.bound != t.bound ||
        back.invariant != t.invariant || back.stock_scheduler != t.stock_scheduler ||
        back.address_reuse != t.address_reuse) {
      std::abort();
    }
    return 0;
  }
  tlsm::cli::Token tok;
  std::string err;
  if (!tlsm::cli::DecodeToken(text, &tok, &err)) {
    if (err.empty()) std::abort();  // every rejection must say why
    return 0;
  }
  tlsm::cli::Token again;
  std::string err2;
  if (!tlsm::cli::DecodeToken(tlsm::cli::EncodeToken(tok), &again, &err2)) std::abort();
  if (again.scenario != tok.scenario || again.search != tok.search ||
      again.build_id != tok.build_id || again.invariant != tok.invariant) {
    std::abort();
  }
  return 0;
}
