// model/cli/check_args.h — the command line's parse step: exit codes, usage
// errors, the argument parsers of `tlsm check`, `replay`, `trace`, `list` and
// `mutants`, and the guard that maps a command's exceptions to exit codes.
//
// Needs no harness and no engine (only boost::program_options), so the fuzz
// target fuzz/check_args_fuzz.cc drives exactly the code every command runs
// before anything is searched or replayed. What needs the harness (mutant, search and
// scenario names, checkpoints) is checked by main.cc after this step.
#pragma once

#include <boost/program_options.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace tlsm::cli {

enum ExitCode { kExitPass = 0, kExitBug = 1, kExitUsage = 2, kExitHarness = 3 };

// The default preemption bound of `--search bounded` (SearchOptions::bound);
// every other default budget belongs to its strategy (model/harness/strategy_*.cc).
constexpr unsigned kDefaultBound = 2;

// Bad usage: exit 2 with the message.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A non-negative decimal integer of at most 19 digits (fits in 64 bits).
std::uint64_t ParseUint(const std::string& flag, const std::string& v);
// Seconds in [0, 1e7].
double ParseSeconds(const std::string& flag, const std::string& v);

// Throws a UsageError for an argument that starts with '-' and contains '%':
// boost::program_options (1.74) substitutes the offending token into its
// message templates ("%original_token%") until none is left, so an unknown
// option spelled with a placeholder never finished (`tlsm check
// --x%original_token%` hung; found by fuzz/check_args_fuzz.cc). A value
// with '%' can still be given as a separate argument (`--results 100%`).
// Every parse of arguments calls it first.
void RejectPlaceholders(const std::vector<std::string>& args);

// Parses a subcommand's arguments: the options in `desc` plus any number of
// positional arguments (collected into *positional under the option name
// `positional_name`). Returns false on --help, with the help in *help; bad
// options throw (a usage error, exit 2).
bool ParseCommand(const boost::program_options::options_description& desc,
                  const char* positional_name, std::vector<std::string>* positional,
                  const std::vector<std::string>& args, boost::program_options::variables_map* vm,
                  std::string* help);

// `tlsm check`'s arguments, every value range-checked. Names (mutant, search,
// scenarios) are as given: the harness resolves them.
struct CheckArgs {
  std::optional<std::string> mutant;
  std::string search = "all";
  std::uint64_t seed = 0;
  std::optional<std::uint64_t> executions;
  unsigned bound = kDefaultBound;
  unsigned depth = 3;  // 1..16
  std::optional<double> time_budget;
  unsigned shard_index = 0, shard_count = 1;  // index < count <= 1e6
  std::optional<unsigned> split_depth;        // 0..64
  unsigned jobs = 1;                          // 1..256 (0 on the command line: one per CPU)
  std::string results = "results", junit, checkpoint, resume;
  bool stock_scheduler = false;  // --scheduler stock
  std::string reduction = "dpor";  // dpor | sleep-sets | none
  bool reduction_given = false;
  bool address_reuse = false;
  bool expect_bug = false, minimise = true, determinism = true;
  bool progress = false, no_progress = false, fork = true;
  std::vector<std::string> scenarios;
};

// Parses `tlsm check` arguments (those after "check"). Returns false on
// --help (the help in *help). Throws UsageError or a
// boost::program_options error on bad usage; nothing else.
bool ParseCheckArgs(const std::vector<std::string>& args, CheckArgs* out, std::string* help);

// `tlsm list` and `tlsm mutants`: options only (a stray word is a usage
// error). `cmd` names the command in messages, `usage` heads its help.
struct ListArgs {
  bool json = false;
};
bool ParseListArgs(const char* cmd, const char* usage, const std::vector<std::string>& args,
                   ListArgs* out, std::string* help);

// `tlsm replay TOKEN|FILE [--html OUT] [--raw] [--json] [--minimal] [--no-fork]`.
struct ReplayArgs {
  std::string what;  // the token or the file, as given
  std::string html;
  bool raw = false, json = false, minimal = false, fork = true;
};
bool ParseReplayArgs(const std::vector<std::string>& args, ReplayArgs* out, std::string* help);

// `tlsm trace SCENARIO [--seed N] [--mutant NAME] [--html OUT] [--raw] [--json]`.
struct TraceArgs {
  std::string scenario, html;
  bool raw = false, json = false;
  std::optional<std::string> mutant;
  std::uint64_t seed = 0;
};
bool ParseTraceArgs(const std::vector<std::string>& args, TraceArgs* out, std::string* help);

// `tlsm merge DIR... [--results OUT] [--junit FILE]`.
struct MergeArgs {
  std::vector<std::string> dirs;  // at least one
  std::string results = "results-merged", junit;
};
bool ParseMergeArgs(const std::vector<std::string>& args, MergeArgs* out, std::string* help);

// Runs the body of command `cmd` and returns its exit code, or maps what it
// throws: a UsageError or boost::program_options error is kExitUsage, any
// other exception kExitHarness ("internal error"); then *message says why
// (one line, prefixed "tlsm <cmd>: "). Main prints it on stderr.
int RunGuarded(const std::string& cmd, const std::function<int()>& body, std::string* message);

}  // namespace tlsm::cli
