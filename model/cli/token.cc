// model/cli/token.cc — replay token encoding.
#include "model/cli/token.h"

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>

namespace tlsm::cli {
namespace {

constexpr const char* kPrefix = "tlsm1:";
constexpr const char* kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::uint32_t Fnv1a(const std::string& s) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : s) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

std::string Hex8(std::uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}

// "5 6 2 0 0 " -> varints.
bool PackState(const std::string& state, std::string* out) {
  std::istringstream in(state);
  std::string word;
  while (in >> word) {
    char* end = nullptr;
    unsigned long long v = std::strtoull(word.c_str(), &end, 10);
    if (end == word.c_str() || *end != '\0') return false;
    do {
      unsigned char b = v & 0x7f;
      v >>= 7;
      if (v) b |= 0x80;
      out->push_back(static_cast<char>(b));
    } while (v);
  }
  return true;
}

bool UnpackState(const std::string& bytes, std::string* state) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    unsigned long long v = 0;
    int shift = 0;
    while (true) {
      if (i >= bytes.size() || shift > 63) return false;
      const unsigned char b = static_cast<unsigned char>(bytes[i++]);
      v |= static_cast<unsigned long long>(b & 0x7f) << shift;
      shift += 7;
      if (!(b & 0x80)) break;
    }
    *state += std::to_string(v) + " ";
  }
  return true;
}

}  // namespace

std::string Base64UrlEncode(const std::string& in) {
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    if (i + 1 < in.size()) out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

bool Base64UrlDecode(const std::string& in, std::string* out) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
  };
  if (in.size() % 4 == 1) return false;
  unsigned acc = 0;
  int bits = 0;
  for (char c : in) {
    const int v = val(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return true;
}

std::string EncodeToken(const Token& t) {
  std::string packed;
  nlohmann::json j = {{"v", 1},       {"sc", t.scenario}, {"se", t.search},   {"b", t.bound},
                      {"id", t.build_id}, {"mu", t.mutant}, {"i", t.invariant}};
  // Relacy states are numbers: packed as varints. A scenario with its own
  // state format (gen.tls_programs: "prog:...#...") keeps its text ("sx").
  // (Found writing fuzz/token_fuzz.cc's round trip: the "else" was attached to the address-reuse flag, so every
  // token carried "sx", and an address-reuse token with a text state carried
  // no state at all, so it could not be decoded.)
  if (PackState(t.state, &packed)) j["st"] = Base64UrlEncode(packed);
  else j["sx"] = t.state;
  if (t.stock_scheduler) j["sch"] = "stock";
  if (t.address_reuse) j["ar"] = 1;
  const std::string body = Base64UrlEncode(j.dump());
  return kPrefix + body + "." + Hex8(Fnv1a(body));
}

bool DecodeToken(const std::string& text_in, Token* out, std::string* error) {
  std::string text = text_in;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  while (!text.empty() && text.front() == ' ') text.erase(0, 1);
  const std::string prefix = kPrefix;
  if (text.compare(0, 4, "tlsm") == 0 && text.compare(0, prefix.size(), prefix) != 0) {
    const std::size_t colon = text.find(':');
    *error = "unsupported token version '" + text.substr(0, colon) +
             "' (this tlsm reads tlsm1: tokens)";
    return false;
  }
  if (text.compare(0, prefix.size(), prefix) != 0) {
    *error = "not a replay token (expected it to start with 'tlsm1:')";
    return false;
  }
  const std::size_t dot = text.rfind('.');
  if (dot == std::string::npos || dot < prefix.size() || text.size() - dot - 1 != 8) {
    *error = "token is truncated or damaged (no checksum at the end)";
    return false;
  }
  const std::string body = text.substr(prefix.size(), dot - prefix.size());
  if (Hex8(Fnv1a(body)) != text.substr(dot + 1)) {
    *error = "token checksum mismatch: the token is truncated or damaged (copy the whole line)";
    return false;
  }
  std::string json_text;
  if (!Base64UrlDecode(body, &json_text)) {
    *error = "token is damaged (bad base64url)";
    return false;
  }
  try {
    const auto j = nlohmann::json::parse(json_text);
    if (j.at("v").get<int>() != 1) {
      *error = "unsupported token version";
      return false;
    }
    out->scenario = j.at("sc").get<std::string>();
    out->search = j.at("se").get<std::string>();
    out->bound = j.at("b").get<unsigned>();
    out->build_id = j.at("id").get<std::string>();
    out->mutant = j.at("mu").get<std::string>();
    out->invariant = j.at("i").get<std::string>();
    if (j.contains("sch")) {
      const std::string sch = j["sch"].get<std::string>();
      if (sch != "stock") {
        *error = "token names an unknown scheduler '" + sch + "'";
        return false;
      }
      out->stock_scheduler = true;
    }
    out->address_reuse = j.contains("ar") && j["ar"].get<int>() != 0;
    std::string packed;
    if (j.contains("sx")) {
      out->state = j["sx"].get<std::string>();
    } else if (!Base64UrlDecode(j.at("st").get<std::string>(), &packed) ||
               !UnpackState(packed, &out->state) || out->state.empty()) {
      *error = "token is damaged (bad state)";
      return false;
    }
  } catch (const std::exception& e) {
    *error = std::string("token is damaged (") + e.what() + ")";
    return false;
  }
  if (out->search != "random" && out->search != "exhaustive" && out->search != "bounded" &&
      out->search != "pct" && out->search != "pos" && out->search != "portfolio") {
    *error = "token names an unknown search '" + out->search + "'";
    return false;
  }
  return true;
}

}  // namespace tlsm::cli
