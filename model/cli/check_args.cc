// model/cli/check_args.cc — the parse step of the command line. See check_args.h.
#include "model/cli/check_args.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>

namespace tlsm::cli {

namespace po = boost::program_options;

std::uint64_t ParseUint(const std::string& flag, const std::string& v) {
  if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos || v.size() > 19) {
    throw UsageError("--" + flag + " expects a non-negative integer, got '" + v + "'");
  }
  return std::stoull(v);
}

double ParseSeconds(const std::string& flag, const std::string& v) {
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !(d >= 0) || d > 1e7) {
    throw UsageError("--" + flag + " expects seconds >= 0, got '" + v + "'");
  }
  return d;
}

void RejectPlaceholders(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a.empty() || a[0] != '-') continue;
    if (a.find('%') != std::string::npos) {
      throw UsageError("'" + a + "': no option contains '%' (give such a value as its own argument)");
    }
  }
}

bool ParseCommand(const po::options_description& desc, const char* positional_name,
                  std::vector<std::string>* positional, const std::vector<std::string>& args,
                  po::variables_map* vm, std::string* help) {
  RejectPlaceholders(args);
  po::options_description hidden;
  hidden.add_options()(positional_name, po::value(positional));
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description pos;
  pos.add(positional_name, -1);
  po::store(po::command_line_parser(args).options(all).positional(pos).run(), *vm);
  po::notify(*vm);
  if (vm->count("help")) {
    std::ostringstream o;
    o << desc;
    *help = o.str();
    return false;
  }
  return true;
}

namespace {
const char* kCheckHelp =
    "tlsm check [SCENARIO|GLOB ...] [options]\n\n"
    "Runs model checks. Without scenarios: every scenario except the harness\n"
    "self-tests (selftest.*, run only when named). Globs use shell syntax\n"
    "(quote them): 'sv.*'.\n\n"
    "Exit: 0 all passed, 1 a bug was found, 2 bad usage, 3 harness error.\n"
    "With --expect-bug: 0 only if every selected scenario found a bug.\n\noptions";
}  // namespace

bool ParseCheckArgs(const std::vector<std::string>& args, CheckArgs* out, std::string* help) {
  po::options_description desc(kCheckHelp);
  std::string search = "all", seed = "0", executions, bound = std::to_string(kDefaultBound),
              time_budget, shard = "0/1", results = "results", jobs = "1", scheduler = "tlsm",
              reduction = "dpor", checkpoint, resume, junit, mutant, depth = "3", split_depth;
  std::vector<std::string> scenarios;
  desc.add_options()
    ("mutant", po::value<std::string>(&mutant)->value_name("NAME"), "run against the catalogued mutant NAME (tlsm mutants) instead of the correct engine; tokens record it")
    ("search", po::value<std::string>(&search)->value_name("KIND"), "random | pct | pos | portfolio | exhaustive | bounded | all (default: all = portfolio, then bounded, then exhaustive)")
    ("seed", po::value<std::string>(&seed)->value_name("N"), "random: index of the first execution (execution i uses seed i); default 0")
    ("executions", po::value<std::string>(&executions)->value_name("N"), "sampling searches: how many executions (default 20000); tree searches: a cap on executions (default none; 0 = none)")
    ("bound", po::value<std::string>(&bound)->value_name("K"), "bounded: preemption bound K (default 2)")
    ("depth", po::value<std::string>(&depth)->value_name("D"), "pct: depth d, the number of ordering constraints a bug may need (d-1 priority change points; default 3, 1..16)")
    ("time-budget", po::value<std::string>(&time_budget)->value_name("S"), "seconds per search (default: none for random, 30 for bounded (more where a scenario declares it), 10 for exhaustive; 0 = none)")
    ("shard", po::value<std::string>(&shard)->value_name("I/N"), "I/N: run shard I of N (0-based): sampling searches a slice of the executions, tree searches the schedule prefixes p with p % N == I; merge the shards' results with tlsm merge (docs/harness.md, Sharding)")
    ("jobs,j", po::value<std::string>(&jobs)->value_name("N"), "run the search in N parallel processes (default 1; 0 = one per CPU): sampling searches as N slices, split tree searches (--split-depth, --shard) as N prefix shards; same executions and result as one process")
    ("split-depth", po::value<std::string>(&split_depth)->value_name("D"), "tree searches: split at D branching decisions (prefix sharding; default with --shard I/N: 12, or log2(N)+10; else 0 = no split; up to 64); a split search runs more executions than the unsplit one")
    ("results", po::value<std::string>(&results)->value_name("DIR"), "directory for result and failure artifacts (default ./results)")
    ("junit", po::value<std::string>(&junit)->value_name("FILE"), "also write the summary as a JUnit XML report (one testcase per scenario and search)")
    ("expect-bug", "succeed only if every selected scenario finds a bug (mutant tests)")
    ("no-minimise", "skip the minimal-counterexample search after a failure")
    ("no-determinism-check", "skip the determinism self-check")
    ("progress", "show progress on stderr even when it is not a terminal")
    ("no-progress", "never show progress")
    ("no-fork", "run simulations in this process (debugging; a Relacy abort kills tlsm)")
    ("scheduler", po::value<std::string>(&scheduler)->value_name("NAME"), "tree searches: tlsm (default: no branch on frees, quarantine, partial-order reduction) | stock (Relacy's own, for comparison)")
    ("address-reuse", "tree searches: also explore a freed address being reused at once (Relacy's coin at every free; ABA through recycled memory)")
    ("checkpoint", po::value<std::string>(&checkpoint)->value_name("FILE"), "one tree search of one scenario: write its position to FILE every 10 s and when its budget stops it")
    ("resume", po::value<std::string>(&resume)->value_name("FILE"), "continue the tree search a checkpoint FILE recorded (same build and options; keeps checkpointing to FILE unless --checkpoint names another)")
    ("reduction", po::value<std::string>(&reduction)->value_name("R"), "tree searches: dpor (default: DPOR with sleep sets; bounded: BPOR, DPOR compensated for the bound) | sleep-sets | none")
    ("help,h", "this help");
  po::variables_map vm;
  if (!ParseCommand(desc, "scenario", &scenarios, args, &vm, help)) return false;
  CheckArgs a;
  if (vm.count("mutant")) a.mutant = mutant;
  if (scheduler != "tlsm" && scheduler != "stock") {
    throw UsageError("--scheduler must be tlsm or stock, got '" + scheduler + "'");
  }
  if (reduction != "dpor" && reduction != "sleep-sets" && reduction != "none") {
    throw UsageError("--reduction must be dpor, sleep-sets or none, got '" + reduction + "'");
  }
  a.search = search;
  a.seed = ParseUint("seed", seed);
  if (!executions.empty()) a.executions = ParseUint("executions", executions);
  const std::uint64_t b = ParseUint("bound", bound);
  if (b > 64) throw UsageError("--bound is a preemption bound; " + bound + " is too large");
  a.bound = static_cast<unsigned>(b);
  const std::uint64_t d = ParseUint("depth", depth);
  if (d < 1 || d > 16) throw UsageError("--depth must be 1..16, got '" + depth + "'");
  a.depth = static_cast<unsigned>(d);
  if (!time_budget.empty()) a.time_budget = ParseSeconds("time-budget", time_budget);
  if (!split_depth.empty()) {
    const std::uint64_t sd = ParseUint("split-depth", split_depth);
    if (sd > 64) throw UsageError("--split-depth must be 0..64, got '" + split_depth + "'");
    a.split_depth = static_cast<unsigned>(sd);
  }
  {
    const std::size_t slash = shard.find('/');
    if (slash == std::string::npos) throw UsageError("--shard expects I/N (e.g. 0/4), got '" + shard + "'");
    const std::uint64_t i = ParseUint("shard", shard.substr(0, slash));
    const std::uint64_t n = ParseUint("shard", shard.substr(slash + 1));
    if (n == 0 || i >= n || n > 1000000) {
      throw UsageError("--shard I/N needs N >= 1 and 0 <= I < N, got '" + shard + "'");
    }
    a.shard_index = static_cast<unsigned>(i);
    a.shard_count = static_cast<unsigned>(n);
  }
  a.results = results;
  a.junit = junit;
  a.checkpoint = checkpoint;
  a.resume = resume;
  a.expect_bug = vm.count("expect-bug") != 0;
  a.minimise = vm.count("no-minimise") == 0;
  a.determinism = vm.count("no-determinism-check") == 0;
  a.progress = vm.count("progress") != 0;
  a.no_progress = vm.count("no-progress") != 0;
  a.fork = vm.count("no-fork") == 0;
  a.stock_scheduler = scheduler == "stock";
  a.address_reuse = vm.count("address-reuse") != 0;
  a.reduction = reduction;
  a.reduction_given = vm.count("reduction") != 0;
  if (a.stock_scheduler && (a.address_reuse || a.reduction_given)) {
    throw UsageError("--address-reuse and --reduction choose options of the tlsm scheduler; "
                     "stock Relacy always reuses addresses and has no reduction");
  }
  {
    std::uint64_t j = ParseUint("jobs", jobs);
    if (j == 0) j = static_cast<std::uint64_t>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
    if (j > 256) throw UsageError("--jobs " + jobs + " is too many (at most 256)");
    if (j > 1 && !a.fork) throw UsageError("--jobs needs forked runs; drop --no-fork");
    a.jobs = static_cast<unsigned>(j);
  }
  a.scenarios = std::move(scenarios);
  *out = std::move(a);
  return true;
}

namespace {
void RejectPositional(const char* cmd, const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a.empty() || a[0] != '-') {
      throw UsageError(std::string(cmd) + " takes no arguments, got '" + a + "'");
    }
  }
}
}  // namespace

bool ParseListArgs(const char* cmd, const char* usage, const std::vector<std::string>& args,
                   ListArgs* out, std::string* help) {
  // A stray word is an error (boost would accept and ignore it: `tlsm list
  // extra` once exited 0).
  RejectPositional(cmd, args);
  RejectPlaceholders(args);
  po::options_description desc(usage);
  desc.add_options()("json", "machine-readable output")("help,h", "this help");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(desc).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::ostringstream os;
    os << desc;
    *help = os.str();
    return false;
  }
  out->json = vm.count("json") != 0;
  return true;
}

namespace {
const char* const kReplayHelp =
    "tlsm replay TOKEN|FILE [--html OUT] [--raw] [--json] [--minimal]\n\n"
    "Re-runs exactly the interleaving a token names and prints its history.\n"
    "FILE is a failure artifact (results/<scenario>.failure.json) or a file\n"
    "holding a token. Exit: 1 the failure reproduced, 2 bad/foreign token,\n"
    "3 it did not reproduce (harness error).\n\noptions";

const char* const kTraceHelp =
    "tlsm trace SCENARIO [--seed N] [--mutant NAME] [--html OUT] [--raw] [--json]\n\n"
    "Prints the history of one random execution (execution N, seed N), passing\n"
    "or failing: to see what a scenario does, or how long its executions are.\n"
    "Exit: 0 the execution passed, 1 it failed, 2 bad usage, 3 harness error.\n\noptions";
}  // namespace

bool ParseReplayArgs(const std::vector<std::string>& args, ReplayArgs* out, std::string* help) {
  po::options_description desc(kReplayHelp);
  std::string html;
  std::vector<std::string> what;
  desc.add_options()
    ("html", po::value<std::string>(&html)->value_name("OUT"), "also write a self-contained HTML page with per-thread swimlanes")
    ("raw", "show every event (seam internals, object names, API markers) and Relacy's raw history too")
    ("json", "print the history as one JSON document instead (docs/harness.md, JSON events)")
    ("minimal", "FILE: replay the artifact's minimal counterexample instead")
    ("no-fork", "run the simulation in this process (debugging)")
    ("help,h", "this help");
  po::variables_map vm;
  if (!ParseCommand(desc, "token", &what, args, &vm, help)) return false;  // --help
  if (what.size() != 1) throw UsageError("replay takes exactly one TOKEN or FILE");
  ReplayArgs a;
  a.what = what[0];
  a.html = html;
  a.raw = vm.count("raw") != 0;
  a.json = vm.count("json") != 0;
  a.minimal = vm.count("minimal") != 0;
  a.fork = vm.count("no-fork") == 0;
  *out = std::move(a);
  return true;
}

bool ParseTraceArgs(const std::vector<std::string>& args, TraceArgs* out, std::string* help) {
  po::options_description desc(kTraceHelp);
  std::string seed = "0", html, mutant;
  std::vector<std::string> what;
  desc.add_options()
    ("seed", po::value<std::string>(&seed)->value_name("N"), "the random execution to show (default 0)")
    ("mutant", po::value<std::string>(&mutant)->value_name("NAME"), "run against the catalogued mutant NAME (tlsm mutants)")
    ("html", po::value<std::string>(&html)->value_name("OUT"), "also write the swimlane HTML page")
    ("raw", "show every event (seam internals, object names, API markers)")
    ("json", "print the history as one JSON document instead (docs/harness.md, JSON events)")
    ("help,h", "this help");
  po::variables_map vm;
  if (!ParseCommand(desc, "scenario", &what, args, &vm, help)) return false;  // --help
  TraceArgs a;
  if (vm.count("mutant")) a.mutant = mutant;
  if (what.size() != 1) throw UsageError("trace takes exactly one SCENARIO");
  a.scenario = what[0];
  a.html = html;
  a.seed = ParseUint("seed", seed);
  a.raw = vm.count("raw") != 0;
  a.json = vm.count("json") != 0;
  *out = std::move(a);
  return true;
}

namespace {
const char* const kMergeHelp =
    "tlsm merge DIR... [--results OUT] [--junit FILE]\n\n"
    "Combines the result files of the shards of one `tlsm check --shard I/N` run\n"
    "(each DIR holds summary.shard-I-of-N.json files and their failure\n"
    "artifacts) into the report the unsharded run gives: the summary table,\n"
    "OUT/summary.json and, with --junit, one JUnit file. A tree search is\n"
    "verified only if every shard completed its part; the failure shown is the\n"
    "one with the fewest preemptions. Exit: 0 passed, 1 a bug was found, 2 the\n"
    "shards are of different builds or searches (or not summaries), 3 a shard\n"
    "is missing or given twice, or a shard reported a harness error.\n\noptions";
}  // namespace

bool ParseMergeArgs(const std::vector<std::string>& args, MergeArgs* out, std::string* help) {
  po::options_description desc(kMergeHelp);
  MergeArgs a;
  desc.add_options()
    ("results", po::value<std::string>(&a.results)->value_name("OUT"), "directory for the merged summary.json (default ./results-merged)")
    ("junit", po::value<std::string>(&a.junit)->value_name("FILE"), "also write the merged report as JUnit XML")
    ("help,h", "this help");
  po::variables_map vm;
  if (!ParseCommand(desc, "dir", &a.dirs, args, &vm, help)) return false;  // --help
  if (a.dirs.empty()) throw UsageError("merge needs at least one DIR of shard results");
  if (a.results.empty()) throw UsageError("--results needs a directory");
  *out = std::move(a);
  return true;
}

int RunGuarded(const std::string& cmd, const std::function<int()>& body, std::string* message) {
  try {
    return body();
  } catch (const UsageError& e) {
    *message = "tlsm " + cmd + ": " + e.what();
    return kExitUsage;
  } catch (const po::error& e) {
    *message = "tlsm " + cmd + ": " + e.what() + " (see tlsm " + cmd + " --help)";
    return kExitUsage;
  } catch (const std::exception& e) {
    *message = "tlsm " + cmd + ": internal error: " + e.what();
    return kExitHarness;
  }
}

}  // namespace tlsm::cli
