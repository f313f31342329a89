// model/cli/runner.cc — forked, progress-reporting scenario runs.
#include "model/cli/runner.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <vector>

namespace tlsm::cli {
namespace {

using tlsm::model::RunConfig;
using tlsm::model::RunResult;
using tlsm::model::ScenarioInfo;
namespace fs = std::filesystem;

double Now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

struct ProgressState {
  ProgressOptions opt;
  double started = 0;
  double last_print = 0;
  bool printed = false;
};

// Runs inside the simulation (from the harness's per-execution hook): it must
// not allocate, or Relacy's replaced operator new would record the allocation
// in the execution and change its course. Fixed buffers and snprintf only.
void Human(double s, char* buf, std::size_t n) {
  if (s < 60) std::snprintf(buf, n, "%.1fs", s);
  else std::snprintf(buf, n, "%dm%02ds", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
}

void PrintProgress(std::uint64_t done, void* arg) {
  auto* st = static_cast<ProgressState*>(arg);
  const double now = Now();
  const double elapsed = now - st->started;
  if (elapsed < 1.0 || now - st->last_print < 0.25) return;
  st->last_print = now;
  st->printed = true;
  const double rate = done / elapsed;
  char line[512];
  int len = std::snprintf(line, sizeof line, "  %s: %llu", st->opt.label.c_str(),
                          static_cast<unsigned long long>(done));
  auto append = [&](const char* fmt, auto... a) {
    if (len >= 0 && static_cast<std::size_t>(len) < sizeof line)
      len += std::snprintf(line + len, sizeof line - len, fmt, a...);
  };
  if (st->opt.total != 0) {
    append(st->opt.total_is_cap ? " (cap %llu)" : "/%llu",
           static_cast<unsigned long long>(st->opt.total));
  }
  char el[32];
  Human(elapsed, el, sizeof el);
  append(" executions, %.0f/s, %s elapsed", rate, el);
  double left = -1;
  if (st->opt.total != 0 && rate > 0 && done <= st->opt.total) left = (st->opt.total - done) / rate;
  if (st->opt.time_budget_s > 0) {
    const double budget_left = st->opt.time_budget_s - elapsed;
    if (left < 0 || budget_left < left) left = budget_left < 0 ? 0 : budget_left;
  }
  if (left >= 0) {
    char lf[32];
    Human(left, lf, sizeof lf);
    append(st->opt.total_is_cap ? ", at most %s left" : ", about %s left", lf);
  }
  std::fprintf(stderr, "\r\033[K%s", line);
  std::fflush(stderr);
}

void EndProgress(ProgressState* st) {
  if (st->printed) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
}

nlohmann::json ToJson(const RunResult& r) {
  return {{"failed", r.failed},         {"budget_hit", r.budget_hit},
          {"invariant", r.invariant},   {"message", r.message},
          {"executions", r.executions}, {"failing_execution", r.failing_execution},
          {"final_state", r.final_state}, {"captured", r.captured},
          {"sleep_blocked", r.sleep_blocked},
          {"prefix", {r.prefix.count, r.prefix.own, r.prefix.skeletons, r.prefix.sum,
                      r.prefix.own_sum, r.prefix.current}},
          {"max_steps", r.max_steps},   {"schedule_hashes", r.schedule_hashes},
          {"seconds", r.seconds}};
}

RunResult FromJson(const nlohmann::json& j) {
  RunResult r;
  r.failed = j.at("failed");
  r.budget_hit = j.at("budget_hit");
  r.invariant = j.at("invariant");
  r.message = j.at("message");
  r.executions = j.at("executions");
  r.failing_execution = j.at("failing_execution");
  r.final_state = j.at("final_state");
  r.captured = j.at("captured");
  const auto& pj = j.at("prefix");
  r.prefix = {pj.at(0), pj.at(1), pj.at(2), pj.at(3), pj.at(4), pj.at(5)};
  r.sleep_blocked = j.at("sleep_blocked");
  r.max_steps = j.at("max_steps");
  r.schedule_hashes = j.at("schedule_hashes").get<std::vector<std::uint64_t>>();
  r.seconds = j.at("seconds");
  return r;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string TempPath(const char* what) {
  static int counter = 0;
  return (fs::temp_directory_path() /
          ("tlsm-" + std::to_string(getpid()) + "-" + std::to_string(++counter) + "." + what))
      .string();
}

}  // namespace

namespace {

// One search running in a forked child. The child writes its RunResult as
// JSON to a pipe when it is done; its stdout (Relacy's own messages) goes to
// a temporary file that is quoted if it dies.
struct Child {
  pid_t pid = -1;
  int result_fd = -1;
  std::string history_path, stdout_path;
  ProgressState progress;
  std::string start_error;  // fork/pipe failure: nothing runs
};

void StartChild(const ScenarioInfo& info, RunConfig cfg, const ProgressOptions& popt,
                Child* c) {
  c->history_path = TempPath("history");
  c->stdout_path = TempPath("stdout");
  cfg.history_path = c->history_path;
  c->progress.opt = popt;
  c->progress.started = Now();
  if (popt.enabled) {
    cfg.progress = &PrintProgress;
    cfg.progress_arg = &c->progress;
  }
  int fds[2];
  if (pipe(fds) != 0) {
    c->start_error = std::string("pipe: ") + std::strerror(errno);
    return;
  }
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid < 0) {
    c->start_error = std::string("fork: ") + std::strerror(errno);
    close(fds[0]);
    close(fds[1]);
    return;
  }
  if (pid == 0) {
    // Child: Relacy prints internal assertion failures on stdout.
    close(fds[0]);
    const int fd = open(c->stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) dup2(fd, 1);
    std::string text;
    try {
      const RunResult r = info.run(cfg);
      text = ToJson(r).dump();
    } catch (const std::exception& e) {
      text = nlohmann::json{{"exception", e.what()}}.dump();
    }
    EndProgress(&c->progress);
    std::size_t off = 0;
    while (off < text.size()) {
      const ssize_t n = write(fds[1], text.data() + off, text.size() - off);
      if (n <= 0) break;
      off += static_cast<std::size_t>(n);
    }
    close(fds[1]);
    std::fflush(stdout);
    _exit(0);
  }
  close(fds[1]);
  c->pid = pid;
  c->result_fd = fds[0];
}

Outcome FinishChild(Child* c) {
  Outcome out;
  if (!c->start_error.empty()) {
    out.harness_error = true;
    out.error = c->start_error;
    return out;
  }
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(c->result_fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  close(c->result_fd);
  int status = 0;
  struct rusage usage {};
  while (wait4(c->pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  out.cpu_seconds = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
                    usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
  const std::string child_text = ReadFile(c->stdout_path);
  std::error_code ec;
  fs::remove(c->stdout_path, ec);
  bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && !text.empty();
  if (ok) {
    try {
      const auto j = nlohmann::json::parse(text);
      if (j.contains("exception")) {
        out.harness_error = true;
        out.error = "the scenario threw: " + j["exception"].get<std::string>();
        fs::remove(c->history_path, ec);
        return out;
      }
      out.result = FromJson(j);
    } catch (const std::exception& e) {
      ok = false;
    }
  }
  if (!ok) {
    if (c->progress.opt.enabled) std::fprintf(stderr, "\r\033[K");
    out.harness_error = true;
    if (WIFSIGNALED(status)) {
      out.error = std::string("the simulation died with signal ") + strsignal(WTERMSIG(status));
    } else {
      out.error = "the simulation exited with status " + std::to_string(WEXITSTATUS(status));
    }
    std::string t = child_text;
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
    if (!t.empty()) out.error += " (Relacy said: " + t + ")";
  }
  if (out.result.failed || out.result.captured) out.history = ReadFile(c->history_path);
  fs::remove(c->history_path, ec);
  return out;
}

// Stops a child whose result is no longer wanted and cleans up after it.
void AbandonChild(Child* c) {
  if (!c->start_error.empty()) return;
  kill(c->pid, SIGKILL);
  close(c->result_fd);
  int status = 0;
  while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::error_code ec;
  fs::remove(c->stdout_path, ec);
  fs::remove(c->history_path, ec);
}

}  // namespace

Outcome RunIsolated(const ScenarioInfo& info, RunConfig cfg, const ProgressOptions& popt,
                    bool fork_child) {
  if (fork_child) {
    Child c;
    StartChild(info, cfg, popt, &c);
    return FinishChild(&c);
  }
  Outcome out;
  const std::string hist = TempPath("history");
  cfg.history_path = hist;
  ProgressState pst;
  pst.opt = popt;
  pst.started = Now();
  if (popt.enabled) {
    cfg.progress = &PrintProgress;
    cfg.progress_arg = &pst;
  }
  try {
    out.result = info.run(cfg);
  } catch (const std::exception& e) {
    out.harness_error = true;
    out.error = std::string("the scenario threw: ") + e.what();
  }
  EndProgress(&pst);
  if (out.result.failed || out.result.captured) out.history = ReadFile(hist);
  std::error_code ec;
  fs::remove(hist, ec);
  return out;
}

Outcome RunRandomInParallel(const ScenarioInfo& info, RunConfig cfg, const ProgressOptions& popt,
                            unsigned jobs) {
  const std::uint64_t n = cfg.executions;
  if (jobs <= 1 || n < 2) return RunIsolated(info, cfg, popt, /*fork_child=*/true);
  if (jobs > n) jobs = static_cast<unsigned>(n);
  std::vector<Child> children(jobs);
  for (unsigned j = 0; j < jobs; ++j) {
    RunConfig part = cfg;
    const std::uint64_t lo = n * j / jobs, hi = n * (j + 1) / jobs;
    part.first_execution = cfg.first_execution + lo;
    part.executions = hi - lo;
    // One progress line: the first slice's, labelled as such (its rate
    // times the job count is the search's rate).
    ProgressOptions p = popt;
    p.enabled = popt.enabled && j == 0;
    p.label += " [slice 1 of " + std::to_string(jobs) + "]";
    p.total = part.executions;
    StartChild(info, part, p, &children[j]);
  }
  Outcome merged;
  std::optional<Outcome> first_failure;
  for (unsigned j = 0; j < jobs; ++j) {
    if (first_failure) {
      // An earlier slice failed: nothing later can be reported; stop it.
      AbandonChild(&children[j]);
      continue;
    }
    Outcome o = FinishChild(&children[j]);
    merged.cpu_seconds += o.cpu_seconds;
    merged.result.executions += o.result.executions;
    merged.result.seconds = std::max(merged.result.seconds, o.result.seconds);
    merged.result.budget_hit = merged.result.budget_hit || o.result.budget_hit;
    merged.result.max_steps = std::max(merged.result.max_steps, o.result.max_steps);
    // Slices in execution order: the hashes in the order one process has them.
    merged.result.schedule_hashes.insert(merged.result.schedule_hashes.end(),
                                         o.result.schedule_hashes.begin(),
                                         o.result.schedule_hashes.end());
    if (o.harness_error && !merged.harness_error) {
      merged.harness_error = true;
      merged.error = o.error;
    }
    // Slices are in execution order: the first slice that failed holds the
    // earliest failing execution, the one a serial search stops at.
    if (o.result.failed && !first_failure) first_failure = std::move(o);
  }
  if (first_failure && !merged.harness_error) {
    RunResult r = first_failure->result;
    r.executions = merged.result.executions;
    r.seconds = merged.result.seconds;
    r.budget_hit = merged.result.budget_hit;
    r.max_steps = merged.result.max_steps;
    r.schedule_hashes = std::move(merged.result.schedule_hashes);
    merged.result = r;
    merged.history = std::move(first_failure->history);
  }
  return merged;
}

Outcome RunTreeInParallel(const ScenarioInfo& info, RunConfig cfg, const ProgressOptions& popt,
                          unsigned jobs) {
  if (jobs <= 1) return RunIsolated(info, cfg, popt, /*fork_child=*/true);
  std::vector<Child> children(jobs);
  for (unsigned j = 0; j < jobs; ++j) {
    RunConfig part = cfg;
    part.shard_index = cfg.shard_index + j * cfg.shard_count;
    part.shard_count = cfg.shard_count * jobs;
    // A cap is the search's: split it (a capped search only samples).
    if (cfg.executions != 0) part.executions = std::max<std::uint64_t>(1, cfg.executions / jobs);
    ProgressOptions p = popt;
    p.enabled = popt.enabled && j == 0;
    p.label += " [prefix shard 1 of " + std::to_string(jobs) + "]";
    StartChild(info, part, p, &children[j]);
  }
  Outcome merged;
  std::optional<Outcome> failure;
  std::optional<tlsm::model::PrefixCounts> reference;
  std::string disagree;
  for (unsigned j = 0; j < jobs; ++j) {
    Outcome o = FinishChild(&children[j]);
    merged.cpu_seconds += o.cpu_seconds;
    if (o.harness_error) {
      if (!merged.harness_error) {
        merged.harness_error = true;
        merged.error = o.error;
      }
      continue;
    }
    RunResult& m = merged.result;
    const RunResult& r = o.result;
    m.executions += r.executions;
    m.sleep_blocked += r.sleep_blocked;
    m.seconds = std::max(m.seconds, r.seconds);
    m.budget_hit = m.budget_hit || r.budget_hit;
    m.prefix.own += r.prefix.own;
    m.prefix.own_sum += r.prefix.own_sum;
    m.prefix.skeletons += r.prefix.skeletons;
    if (r.failed) {
      if (!failure || r.prefix.current < failure->result.prefix.current) failure = std::move(o);
      continue;
    }
    // Every complete child enumerated every prefix: the same count and sum.
    if (!r.budget_hit) {
      if (!reference) {
        reference = r.prefix;
      } else if (r.prefix.count != reference->count || r.prefix.sum != reference->sum) {
        disagree = "prefix shard " + std::to_string(j) + " saw other prefixes than an earlier one";
      }
    }
  }
  if (reference) {
    merged.result.prefix.count = reference->count;
    merged.result.prefix.sum = reference->sum;
  }
  if (merged.harness_error) return merged;
  if (failure) {
    RunResult r = failure->result;
    r.executions = merged.result.executions;
    r.sleep_blocked = merged.result.sleep_blocked;
    r.seconds = merged.result.seconds;
    r.prefix.own = merged.result.prefix.own;
    r.prefix.own_sum = merged.result.prefix.own_sum;
    r.prefix.skeletons = merged.result.prefix.skeletons;
    merged.result = r;
    merged.history = std::move(failure->history);
    return merged;
  }
  const auto& pc = merged.result.prefix;
  if (!merged.result.budget_hit &&
      (!disagree.empty() ||
       (cfg.shard_count == 1 && (pc.own != pc.count || pc.own_sum != pc.sum)))) {
    merged.harness_error = true;
    merged.error = "the parallel tree search is not deterministic: " +
                   (disagree.empty() ? std::string("the prefix shards own ") +
                                           std::to_string(merged.result.prefix.own) + " of " +
                                           std::to_string(merged.result.prefix.count) + " prefixes"
                                     : disagree);
  }
  return merged;
}

}  // namespace tlsm::cli
