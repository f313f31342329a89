// model/cli/token.h — replay tokens.
//
// A token names one interleaving of one scenario in one build:
//   tlsm1:<base64url of a compact JSON>.<8 hex digits: FNV-1a of the base64 part>
// JSON: {"v":1,"sc":scenario,"se":search,"b":bound,"id":build id,
//        "mu":mutant name,"i":invariant,"st":state[,"sch":"stock"][,"ar":1]}
// where state is Relacy's final_state (iteration, then the scheduler's
// decision tree) as base64url varints. The checksum catches truncation and
// copy/paste damage; the build id refuses tokens of another build (another
// mutant, other engine or scenario sources), whose tree would not match.
#pragma once

#include <cstdint>
#include <string>

namespace tlsm::cli {

struct Token {
  std::string scenario;
  std::string search;     // random | exhaustive | bounded
  unsigned bound = 0;     // bounded only
  std::string build_id;
  std::string mutant;     // mutant name of the build ("" = none)
  std::string invariant;  // the failure it reproduces
  std::string state;      // Relacy state text ("5 6 2 0 0 ...")
  // Tree searches: which scheduler's tree the state indexes (stock Relacy's
  // or the harness's TreeScheduler) and, for ours, the address policy.
  bool stock_scheduler = false;
  bool address_reuse = false;
};

std::string EncodeToken(const Token& t);

// Decodes and checks the token's own integrity (prefix, checksum, fields).
// Returns false with a human-readable reason.
bool DecodeToken(const std::string& text, Token* out, std::string* error);

// Helpers shared with tests.
std::string Base64UrlEncode(const std::string& bytes);
bool Base64UrlDecode(const std::string& text, std::string* bytes);

}  // namespace tlsm::cli
