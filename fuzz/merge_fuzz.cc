// fuzz/merge_fuzz.cc — libFuzzer target for `tlsm merge`'s reading of the
// shards' files (model/harness/merge.cc: MergeShards).
//
// Input: up to three parts split at NUL bytes, written as files and merged:
//   one part:   a/summary.json
//   two parts:  a/summary.shard-0-of-2.json, b/summary.shard-1-of-2.json
//   three:      the same, and the third as the failure artifact of a
//               scenario named `s` in a/ (s.failure[.shard-0-of-2].json)
// Contract checked: the merge never crashes, hangs or leaks on any file
// content; it either returns a report whose rows all carry a verdict, or
// throws a MergeError (exit 2 or 3 with its message), nothing else.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "model/harness/merge.h"

namespace {
namespace fs = std::filesystem;

void Write(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> parts(1);
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0 && parts.size() < 3) {
      parts.emplace_back();
    } else {
      parts.back() += static_cast<char>(data[i]);
    }
  }
  // A tmpfs where there is one: the target writes files on every input.
  static const fs::path root =
      (fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path()) /
      ("merge_fuzz-" + std::to_string(getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "a");
  std::vector<fs::path> dirs = {root / "a"};
  if (parts.size() == 1) {
    Write(root / "a" / "summary.json", parts[0]);
  } else {
    fs::create_directories(root / "b");
    dirs.push_back(root / "b");
    Write(root / "a" / "summary.shard-0-of-2.json", parts[0]);
    Write(root / "b" / "summary.shard-1-of-2.json", parts[1]);
    if (parts.size() == 3) Write(root / "a" / "s.failure.shard-0-of-2.json", parts[2]);
  }
  try {
    const tlsm::harness::MergeResult m = tlsm::harness::MergeShards(dirs);
    for (const auto& r : m.rows) {
      if (r.verdict == tlsm::harness::Verdict::kPending || r.result.empty()) std::abort();
    }
  } catch (const tlsm::harness::MergeError& e) {
    if (std::string(e.what()).empty()) std::abort();  // a merge error says why
  }
  return 0;  // anything else thrown escapes: libFuzzer reports it
}
