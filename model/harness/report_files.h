// model/harness/report_files.h — where a campaign's files go, and how they
// are written.
//
// In the results directory (--results, default ./results):
//   <scenario>.failure<shard>.json   the failure artifact (report_json.h)
//   <scenario>.failure<shard>.html   the page of the history shown (report_html.h)
//   <scenario>.result<shard>.json    the scenario's rows
//   summary<shard>.json              every row of the run
// where <shard> is SearchOptions::ShardSuffix().
#pragma once

#include <filesystem>
#include <string>

namespace tlsm::harness {

// Writes `text` to a temporary file beside `path` and renames it over
// `path`, so a reader never sees a partial file. Throws on failure.
void WriteFileAtomically(const std::filesystem::path& path, const std::string& text);

// Creates `dir` if needed, then WriteFileAtomically(dir / name, text).
void WriteResultFile(const std::filesystem::path& dir, const std::string& name,
                     const std::string& text);

}  // namespace tlsm::harness
