// model/harness/report_files.cc — atomic writes of result files.
#include "model/harness/report_files.h"

#include <unistd.h>

#include <fstream>
#include <stdexcept>

namespace tlsm::harness {

namespace fs = std::filesystem;

void WriteFileAtomically(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp" + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, path);
}

void WriteResultFile(const fs::path& dir, const std::string& name, const std::string& text) {
  fs::create_directories(dir);
  WriteFileAtomically(dir / name, text);
}

}  // namespace tlsm::harness
