// model/cli/replay_input.cc — the token text of a replay FILE.
#include "model/cli/replay_input.h"

#include <nlohmann/json.hpp>

namespace tlsm::cli {

bool ReplayTextFromFile(const std::string& name, const std::string& content, bool minimal,
                        std::string* text, std::string* error) {
  const std::size_t first = content.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || content[first] != '{') {
    *text = content;  // a file holding a token; DecodeToken judges it
    return true;
  }
  try {
    const nlohmann::json j = nlohmann::json::parse(content);
    if (minimal) {
      if (!j.is_object() || !j.contains("minimal") || !j["minimal"].is_object() ||
          !j["minimal"].contains("token")) {
        *error = "'" + name + "' has no minimal counterexample";
        return false;
      }
      *text = j["minimal"]["token"].get<std::string>();
    } else {
      *text = j.at("token").get<std::string>();
    }
  } catch (const std::exception& e) {
    *error = "'" + name + "' is not a tlsm failure artifact (" + e.what() + ")";
    return false;
  }
  return true;
}

}  // namespace tlsm::cli
