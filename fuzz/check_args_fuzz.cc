// fuzz/check_args_fuzz.cc — libFuzzer target for the command line's parse
// step (model/cli/check_args.cc): the arguments of every command, run
// through RunGuarded, the guard Main runs every command in.
//
// Input: an argv split at NUL and newline bytes. When its first word is
// replay, trace, list, mutants or merge, the rest goes to that command's parser;
// otherwise the whole argv is `tlsm check`'s arguments. Only the parse step
// runs (it needs no harness), so nothing is ever searched or replayed.
//
// Contract checked: parsing never crashes, hangs or leaks; it ends in exit 0
// (accepted, or --help with a non-empty help) or exit 2 with a message
// ("tlsm check: <why>"), never exit 3 (an exception that is not a usage
// error) and never another code; and an accepted command line holds only
// values inside the documented ranges.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "model/cli/check_args.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args(1);
  for (std::size_t i = 0; i < size; ++i) {
    const char c = static_cast<char>(data[i]);
    if (c == '\0' || c == '\n') {
      args.emplace_back();
    } else {
      args.back() += c;
    }
  }
  if (args.size() == 1 && args[0].empty()) args.clear();
  std::string cmd = "check";
  if (!args.empty() && (args[0] == "replay" || args[0] == "trace" || args[0] == "list" ||
                        args[0] == "mutants" || args[0] == "merge")) {
    cmd = args[0];
    args.erase(args.begin());
  }
  tlsm::cli::CheckArgs a;
  std::string help, message;
  bool accepted = false;
  const int code = tlsm::cli::RunGuarded(cmd, [&] {
    if (cmd == "replay") {
      tlsm::cli::ReplayArgs r;
      accepted = tlsm::cli::ParseReplayArgs(args, &r, &help);
    } else if (cmd == "trace") {
      tlsm::cli::TraceArgs t;
      accepted = tlsm::cli::ParseTraceArgs(args, &t, &help);
    } else if (cmd == "merge") {
      tlsm::cli::MergeArgs m;
      accepted = tlsm::cli::ParseMergeArgs(args, &m, &help);
      if (accepted && (m.dirs.empty() || m.results.empty())) std::abort();
    } else if (cmd == "list" || cmd == "mutants") {
      tlsm::cli::ListArgs l;
      accepted = tlsm::cli::ParseListArgs(cmd.c_str(), "usage", args, &l, &help);
    } else {
      accepted = tlsm::cli::ParseCheckArgs(args, &a, &help);
    }
    return static_cast<int>(tlsm::cli::kExitPass);
  }, &message);
  if (code == tlsm::cli::kExitUsage) {
    // Bad usage says why.
    const std::string prefix = "tlsm " + cmd + ": ";
    if (message.size() <= prefix.size() || message.compare(0, prefix.size(), prefix) != 0) {
      std::abort();
    }
    return 0;
  }
  if (code != tlsm::cli::kExitPass || !message.empty()) std::abort();  // 3: not a usage error
  if (!accepted) {
    if (help.empty()) std::abort();  // --help prints the options
    return 0;
  }
  if (cmd != "check") return 0;
  // Accepted: every value within its range (what the harness relies on).
  if (a.bound > 64 || a.depth < 1 || a.depth > 16) std::abort();
  if (a.shard_count < 1 || a.shard_index >= a.shard_count || a.shard_count > 1000000) std::abort();
  if (a.jobs < 1 || a.jobs > 256 || (a.jobs > 1 && !a.fork)) std::abort();
  if (a.time_budget && !(*a.time_budget >= 0 && *a.time_budget <= 1e7)) std::abort();
  if (a.split_depth && *a.split_depth > 64) std::abort();
  if (a.reduction != "dpor" && a.reduction != "sleep-sets" && a.reduction != "none") std::abort();
  if (a.stock_scheduler && (a.address_reuse || a.reduction_given)) std::abort();
  return 0;
}
