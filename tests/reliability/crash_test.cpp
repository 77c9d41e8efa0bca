// Crash test: writers SIGKILLed at many points, without MPI (independent processes: a coordinator
// and workers) and with MPI (mpiexec -n 2 and -n 4). Kills come either from outside at a random
// moment (anywhere: inside a write, a flush, a structure call, close) or from the writer itself
// just before its k-th operation, k random. After every kill:
// - `h5mf verify` exits 0 or 2 with no error and no conflict, and the only damage it reports is
//   torn tails and records of structure that was not written out yet (a resize);
// - the container opens read-only and every record reads back whole or not at all (never partly,
//   never other values); each writer's records present are a prefix of what it wrote; and every
//   step before the last flush() or close() that returned is present, with the structure made
//   before it: per process without MPI; with MPI for every rank, up to the last collective flush
//   that any rank saw return;
// - the container merges, and the merged file holds the same data;
// - the container reopens for appending (a new session with all its writers), takes more writes,
//   and then has no torn tail left (reopening cuts them off) and still the same old data.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "support.hpp"

namespace h5mf::reliability {
namespace {

using namespace std::chrono_literals;

struct Trial {
  std::string name;
  std::uint32_t writers = 3;
  std::uint64_t steps = 240;
  std::uint64_t flush_every = 10;
  bool mpi = false;
  // Either every process is killed `kill_after` after the start, or each kills itself before its
  // die_at[w]-th operation (-1: never).
  std::optional<std::chrono::microseconds> kill_after;
  std::vector<long long> die_at;
  unsigned pace_us = 100;
  std::size_t buffer = 16 << 10;  // the writers' buffer_bytes: small ones write out between flushes
  bool use_tool_merge = false;
  std::string aggregate;  // MPI: H5MF_AGGREGATE for the job (ranks funnel into fewer files)
};

std::string describe(const Trial& t) {
  std::string s = fmt::format("{}: {} writers{}, {} steps, flush every {}, buffer {}", t.name, t.writers,
                              t.mpi ? " (MPI)" : "", t.steps, t.flush_every, t.buffer);
  if (!t.aggregate.empty()) s += ", aggregated " + t.aggregate;
  if (t.kill_after) s += fmt::format(", SIGKILL after {} us", t.kill_after->count());
  for (std::size_t w = 0; w < t.die_at.size(); ++w) {
    if (t.die_at[w] >= 0) s += fmt::format(", writer {} dies before operation {}", w, t.die_at[w]);
  }
  return s;
}

std::vector<std::string> writer_args(const Trial& t, const std::string& container, const std::string& dir, int writer,
                                     long long die_at) {
  return {crash_writer(),
          "--container",
          container,
          "--progress",
          dir,
          "--writer",
          std::to_string(writer),
          "--writers",
          std::to_string(t.writers),
          "--steps",
          std::to_string(t.steps),
          "--flush-every",
          std::to_string(t.flush_every),
          "--mpi",
          t.mpi ? "1" : "0",
          "--die-at",
          std::to_string(die_at),
          "--pace-us",
          std::to_string(t.pace_us),
          "--buffer",
          std::to_string(t.buffer)};
}

// Operations of one writer (see crash_writer.cpp), to draw kill points from.
long long operations(const Trial& t, bool structure) {
  long long n = 2 + static_cast<long long>(t.steps + t.steps / std::min(t.flush_every, t.steps));
  if (!structure) return n;
  for (std::uint64_t s = 0; s < t.steps; ++s) n += (grows_at(s) ? 2 : 0) + sets_attribute_at(s) + creates_group_at(s);
  return n;
}

// Child processes of `pid` (Linux: /proc/PID/task/*/children).
std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator(fmt::format("/proc/{}/task", pid), ec)) {
    std::istringstream in(read_text(task.path().string() + "/children"));
    for (pid_t child; in >> child;) out.push_back(child);
  }
  return out;
}

bool killed(const ChildResult& r) { return r.signal == SIGKILL || r.signal == SIGTERM; }

// The writers of a trial without MPI, until they finish or are killed.
void run_independent(const Trial& t, const std::string& container, const std::string& dir) {
  auto die_at = [&](std::uint32_t w) { return w < t.die_at.size() ? t.die_at[w] : -1; };
  std::vector<Spawned> children{spawn(writer_args(t, container, dir, 0, die_at(0)), false, {}, dir + "/output.0")};
  const auto deadline = t.kill_after ? children[0].started + *t.kill_after : children[0].started + 60s;
  // Workers join once the coordinator has written the structure out ("R").
  std::optional<ChildResult> coordinator;
  while (std::chrono::steady_clock::now() < deadline && !read_progress(dir + "/progress.0").ready) {
    int status = 0;
    if (::waitpid(children[0].pid, &status, WNOHANG) == children[0].pid) {
      coordinator.emplace();
      if (WIFEXITED(status)) coordinator->exit_code = WEXITSTATUS(status);
      if (WIFSIGNALED(status)) coordinator->signal = WTERMSIG(status);
      break;
    }
    std::this_thread::sleep_for(200us);
  }
  if (!coordinator && std::chrono::steady_clock::now() < deadline) {
    for (std::uint32_t w = 1; w < t.writers; ++w) {
      children.push_back(spawn(writer_args(t, container, dir, static_cast<int>(w), die_at(w)), false, {},
                               fmt::format("{}/output.{}", dir, w)));
    }
  }
  if (t.kill_after) {
    std::this_thread::sleep_until(deadline);
    for (const auto& c : children) ::kill(c.pid, SIGKILL);
  }
  for (std::size_t i = 0; i < children.size(); ++i) {
    const ChildResult r = i == 0 && coordinator ? *coordinator : wait_for(children[i].pid, 60s);
    EXPECT_TRUE(killed(r) || (r.exit_code == 0 && !r.timed_out))
        << describe(t) << ": writer " << i << " " << r.describe() << "\n"
        << read_text(fmt::format("{}/output.{}", dir, i));
  }
}

// What the trials met, printed at the end of each test: evidence that the kills land in
// interesting places (torn tails, dropped records, unflushed records present or lost).
struct Tally {
  int trials = 0, before_structure = 0, verify_damaged = 0, torn_tails = 0, dropped_records = 0;
  int mpiexec_slow = 0;  // jobs that mpiexec had not ended within the bound (we ended them)
  std::uint64_t unflushed_present = 0;
  std::string lines;
};
Tally tally;

// Every process of an MPI trial's job: the ranks (mpiexec's children, in process groups of their
// own, and whatever reported its pid), then mpiexec's process group.
void kill_job(const Spawned& job, const Trial& t, const std::string& dir) {
  for (pid_t pid : children_of(job.pid)) ::kill(pid, SIGKILL);
  for (std::uint32_t w = 0; w < t.writers; ++w) {
    for (pid_t pid : read_progress(fmt::format("{}/progress.{}", dir, w)).pids) ::kill(pid, SIGKILL);
  }
  ::kill(-job.pid, SIGKILL);
}

// An MPI trial: mpiexec in a process group of its own, so that nothing of the job outlives it.
// A rank always dies (killed from outside, or by its own hand), and then ending the job is
// mpiexec's work, not the library's: on a loaded machine it can take long. So when mpiexec has not
// ended the job within a bound, the test ends it and judges the container all the same; the trial
// fails only on what the library did (a rank that reported an error, or the container).
void run_mpi(const Trial& t, const std::string& container, const std::string& dir) {
  std::vector<std::string> argv{mpiexec(), "-n", std::to_string(t.writers), "--oversubscribe"};
  const auto args = writer_args(t, container, dir, 0, -1);
  argv.insert(argv.end(), args.begin(), args.end());
  // Each rank picks its own kill point: the rank id is only known inside the job, so pass them all
  // through the environment.
  std::map<std::string, std::string> env = mpi_env();
  std::string points;
  for (auto k : t.die_at) points += std::to_string(k) + ",";
  env["H5MF_CRASH_DIE_AT"] = points;
  if (!t.aggregate.empty()) env["H5MF_AGGREGATE"] = t.aggregate;
  const Spawned job = spawn(argv, true, env, dir + "/output.mpi");
  if (t.kill_after) {
    std::this_thread::sleep_until(job.started + *t.kill_after);
    kill_job(job, t, dir);
  }
  const auto bound = t.kill_after ? 30s : 90s;
  const auto deadline = std::chrono::steady_clock::now() + bound;
  int status = 0;
  bool ended_here = false;
  while (::waitpid(job.pid, &status, WNOHANG) != job.pid) {
    if (std::chrono::steady_clock::now() >= deadline) {
      kill_job(job, t, dir);  // the ranks first: once mpiexec is gone they are no longer its children
      ::waitpid(job.pid, &status, 0);
      ended_here = true;
      break;
    }
    std::this_thread::sleep_for(1ms);
  }
  kill_job(job, t, dir);  // a rank must not outlive the job and write on while we check
  if (ended_here) {
    ++tally.mpiexec_slow;
    tally.lines +=
        fmt::format("  {}: mpiexec had not ended the job after {} s; the test ended it\n", describe(t), bound.count());
  }
  // A killed rank still holds the container's lock until it is gone: wait for that, or the checks'
  // opens and merges would be refused.
  for (std::uint32_t w = 0; w < t.writers; ++w) {
    for (pid_t pid : read_progress(fmt::format("{}/progress.{}", dir, w)).pids) {
      for (int i = 0; i < 3000 && ::kill(pid, 0) == 0; ++i) {
        const std::string stat = read_text(fmt::format("/proc/{}/stat", pid));
        const auto close = stat.rfind(')');
        if (close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z') break;  // exited
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
  }
  const auto output = read_text(dir + "/output.mpi");
  EXPECT_EQ(output.find("crash_writer rank"), std::string::npos) << describe(t) << ": a rank failed\n" << output;
}

// Sequence number of writer 0's main record and /grow record of step s (a structure writer).
std::uint64_t main_sequence(std::uint64_t s) {
  std::uint64_t grows = 0;
  for (std::uint64_t g = 0; g < s; ++g) grows += grows_at(g);
  return s + grows;
}

void expect_same(const Contents& a, const Contents& b, const std::string& what) {
  EXPECT_EQ(a.rows, b.rows) << what;
  for (const auto& [name, data] : a.data) {
    auto it = b.data.find(name);
    ASSERT_NE(it, b.data.end()) << what << ": " << name << " missing";
    EXPECT_TRUE(data == it->second) << what << ": " << name << " differs";
  }
}

// A new session of all the writers: the coordinator creates /after, every writer writes its row.
void reopen_and_write(const Trial& t, const std::string& container) {
  FileOptions coordinator_options;
  coordinator_options.driver = Driver::Multifile;
  coordinator_options.writers = static_cast<int>(t.writers);
  File coordinator(container, "a", coordinator_options);
  coordinator.create_dataset("after", DatasetCreate::of<std::uint64_t>({t.writers, 8}).fill_value(kFill));
  coordinator.flush();
  for (std::uint32_t w = 1; w < t.writers; ++w) {
    FileOptions worker_options;
    worker_options.driver = Driver::Multifile;
    worker_options.writer = static_cast<int>(w);
    File worker(container, "a", worker_options);
    worker.dataset("after").write(std::vector<std::uint64_t>(8, value(w, 999, 0)),
                                  Selection::hyperslab({w, 0}, {1, 8}));
    worker.close();
  }
  coordinator.dataset("after").write(std::vector<std::uint64_t>(8, value(0, 999, 0)),
                                     Selection::hyperslab({0, 0}, {1, 8}));
  coordinator.close();
}

void check(const Trial& t, const std::string& container, const std::string& dir) {
  const std::string what = describe(t);
  ++tally.trials;
  std::vector<Progress> progress;
  for (std::uint32_t w = 0; w < t.writers; ++w)
    progress.push_back(read_progress(fmt::format("{}/progress.{}", dir, w)));
  const ToolVerify verified = tool_verify(container);
  ASSERT_FALSE(verified.run.crashed() || verified.run.timed_out) << what << ": h5mf verify " << verified.run.describe();
  bool structure_written = progress[0].flushed;
  if (t.mpi) {
    for (const auto& p : progress) structure_written = structure_written || p.flushed;
  }
  if (!structure_written) {
    // Killed before the first flush returned: nothing is promised, but nothing may crash, and an
    // error must be an error, not a success with garbage.
    EXPECT_TRUE(verified.run.exit_code == 0 || verified.run.exit_code == 1 || verified.run.exit_code == 2) << what;
    ++tally.before_structure;
    tally.lines += fmt::format("  {}: killed before the structure was written out; verify exit {}\n", what,
                               verified.run.exit_code);
    return;
  }

  // What was promised: per writer (MPI: the last collective flush any rank saw return).
  std::vector<std::uint64_t> guaranteed;
  std::uint64_t any = 0;
  for (const auto& p : progress) any = std::max(any, p.guaranteed);
  for (const auto& p : progress) guaranteed.push_back(t.mpi ? any : p.guaranteed);
  const std::uint64_t structure_guaranteed = t.mpi ? any : progress[0].guaranteed;

  // 1. verify: healthy or damaged, never errors or conflicts; damage only of the expected kinds.
  const auto& report = verified.report;
  ASSERT_TRUE(report.is_object()) << what << ": h5mf verify printed no JSON: " << verified.run.describe();
  EXPECT_TRUE(verified.run.exit_code == 0 || verified.run.exit_code == 2) << what << ": " << verified.run.describe();
  EXPECT_TRUE(report["errors"].empty()) << what << ": " << report["errors"].dump(2);
  EXPECT_EQ(report["conflicts_total"], 0) << what << ": " << report["conflicts"].dump(2);
  if (verified.run.exit_code == 2) ++tally.verify_damaged;
  for (const auto& d : report["metafile"]["damage"]) {
    EXPECT_TRUE(d["torn_tail"].get<bool>()) << what << ": " << d.dump();
    ++tally.torn_tails;
  }
  std::set<std::uint64_t> dropped_grow_sequences;
  for (const auto& w : report["data_files"]) {
    for (const auto& d : w["damage"]) {
      if (d.contains("sequence")) {
        // Only writer 0 writes /grow, after a resize that may not have been written out.
        EXPECT_EQ(w["file"], 0) << what << ": " << d.dump();
        EXPECT_NE(d["reason"].get<std::string>().find("outside dataset '/grow'"), std::string::npos)
            << what << ": " << d.dump();
        dropped_grow_sequences.insert(d["sequence"].get<std::uint64_t>());
        ++tally.dropped_records;
      } else {
        EXPECT_TRUE(d["torn_tail"].get<bool>()) << what << ": " << d.dump();
        ++tally.torn_tails;
      }
    }
  }

  // 2. Direct reads.
  const Plan plan{t.writers, t.steps};
  Contents direct;
  try {
    direct = read_contents(container);
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << ": the container does not open for reading: " << e.what();
    return;
  }
  const Observation o = observe(plan, direct);
  EXPECT_TRUE(o.broken.empty()) << what << ": broken records, e.g. " << o.broken.front();
  EXPECT_TRUE(o.stray.empty()) << what << ": " << o.stray.front();
  for (std::uint32_t w = 0; w < t.writers; ++w) {
    std::uint64_t present = 0;
    EXPECT_TRUE(o.prefix(w, t.steps, present)) << what << ": writer " << w << "'s records are not a prefix";
    EXPECT_GE(present, guaranteed[w]) << what << ": writer " << w << " lost records it had flushed";
    tally.unflushed_present += present - std::min(present, guaranteed[w]);
    tally.lines += fmt::format("  {}: writer {}: {} steps flushed, {} present; verify exit {}\n", what, w,
                               guaranteed[w], present, verified.run.exit_code);
  }
  for (const auto& [s, state] : o.grow) {
    if (s < guaranteed[0]) {
      EXPECT_EQ(state, State::Present) << what << ": /grow row of step " << s << " was flushed";
    }
    if (dropped_grow_sequences.count(main_sequence(s) + 1)) {
      EXPECT_EQ(state, State::Missing) << what << ": verify dropped step " << s << "'s /grow record, reads show it";
    }
  }
  {
    File f(container, "r");
    for (std::uint64_t s = 0; s < structure_guaranteed; ++s) {
      if (creates_group_at(s)) {
        EXPECT_TRUE(f.contains(fmt::format("g{}", s))) << what << ": group of step " << s;
      }
    }
    std::int64_t last_attribute = -1;
    for (std::uint64_t s = 0; s < structure_guaranteed; ++s) {
      if (sets_attribute_at(s)) last_attribute = static_cast<std::int64_t>(s);
    }
    if (last_attribute >= 0) {
      const Attributes attrs = f.dataset("rows").attrs();
      ASSERT_TRUE(attrs.contains("step")) << what;
      EXPECT_GE(attrs.get<std::int64_t>("step"), last_attribute) << what;
    }
  }

  // 3. Merge (keeping the container), and the merged file reads the same.
  const std::string merged = dir + "/merged.h5";
  if (t.use_tool_merge) {
    const ChildResult m = run_program({h5mf_tool(), "merge", "-q", "-o", merged, container}, 60s);
    EXPECT_TRUE(m.exit_code == 0 || m.exit_code == 2) << what << ": h5mf merge " << m.describe();
    const ToolVerify v = tool_verify(merged);
    EXPECT_EQ(v.run.exit_code, 0) << what << ": h5mf verify of the merged file " << v.run.describe();
  } else {
    MergeOptions options;
    options.output = merged;
    options.threads = 1;
    options.sync = false;
    EXPECT_NO_THROW(merge(container, options)) << what;
  }
  FileOptions sec2;
  sec2.driver = Driver::Sec2;
  expect_same(direct, read_contents(merged, sec2), what + ": merged file against the container");

  // 4. Appending to it again.
  try {
    reopen_and_write(t, container);
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << ": reopening for appending failed: " << e.what();
    return;
  }
  expect_same(direct, read_contents(container), what + ": after reopening");
  {
    File f(container, "r");
    const auto after = f.dataset("after").read<std::uint64_t>();
    for (std::uint32_t w = 0; w < t.writers; ++w) {
      for (std::uint64_t c = 0; c < 8; ++c) EXPECT_EQ(after[w * 8 + c], value(w, 999, 0)) << what << ": /after";
    }
  }
  const ToolVerify again = tool_verify(container);
  EXPECT_TRUE(again.run.exit_code == 0 || again.run.exit_code == 2) << what << ": " << again.run.describe();
  if (again.report.is_object()) {
    for (const auto& d : again.report["metafile"]["damage"]) ADD_FAILURE() << what << ": after reopening: " << d.dump();
    for (const auto& w : again.report["data_files"]) {
      for (const auto& d : w["damage"]) {
        EXPECT_TRUE(d.contains("sequence")) << what << ": a torn tail survived reopening: " << d.dump();
      }
    }
  }
}

std::uint64_t seed() {
  const char* s = std::getenv("H5MF_CRASH_SEED");
  return s != nullptr ? std::stoull(s) : 20261121;
}

// A trial's kill: half from outside at a random moment of the run, half self-inflicted before a
// random operation of each process (some processes then finish and close normally).
Trial draw(std::mt19937_64& rng, const std::string& name, std::uint32_t writers, bool mpi, bool from_outside,
           std::chrono::microseconds run_time) {
  Trial t;
  t.name = name;
  t.writers = writers;
  t.mpi = mpi;
  // Flushes every few steps, or never before close; buffers from "writes out after every few
  // records" to "holds everything between flushes".
  t.flush_every = std::uniform_int_distribution<std::uint64_t>(3, 48)(rng);
  if (t.flush_every > 40) t.flush_every = t.steps + 1;
  constexpr std::size_t kBuffers[] = {1 << 10, 4 << 10, 16 << 10, 256 << 10};
  t.buffer = kBuffers[std::uniform_int_distribution<std::size_t>(0, 3)(rng)];
  if (from_outside) {
    t.kill_after = std::chrono::microseconds(
        std::uniform_int_distribution<long long>(run_time.count() / 20, run_time.count())(rng));
  } else {
    for (std::uint32_t w = 0; w < writers; ++w) {
      const long long ops = operations(t, mpi || w == 0);
      t.die_at.push_back(std::uniform_int_distribution<long long>(0, ops + ops / 5)(rng));
    }
    if (mpi) {
      // One rank dies; mpiexec then ends the others wherever they are.
      const auto victim = std::uniform_int_distribution<std::uint32_t>(0, writers - 1)(rng);
      for (std::uint32_t w = 0; w < writers; ++w) {
        if (w != victim) t.die_at[w] = -1;
      }
      t.die_at[victim] = std::min(t.die_at[victim], operations(t, true) - 1);
    }
  }
  return t;
}

void run_trials(const std::vector<Trial>& trials) {
  tally = Tally{};
  int failed = 0;
  for (const Trial& t : trials) {
    Scratch scratch("crash-" + t.name);
    const std::string container = scratch / "c.h5";
    if (t.mpi) {
      run_mpi(t, container, scratch.path());
    } else {
      run_independent(t, container, scratch.path());
    }
    const int before = ::testing::UnitTest::GetInstance()->current_test_info()->result()->total_part_count();
    check(t, container, scratch.path());
    if (::testing::UnitTest::GetInstance()->current_test_info()->result()->total_part_count() > before &&
        ++failed >= 3) {
      ADD_FAILURE() << "stopping after 3 failed trials (seed " << seed() << ")";
      return;
    }
  }
  fmt::print(
      "{} trials (seed {}): {} killed before the structure was written out, {} with verify exit 2, {} torn "
      "tails, {} records of unwritten structure dropped, {} steps present beyond the last flush, {} jobs ended by "
      "the test (mpiexec slow to end them)\n",
      tally.trials, seed(), tally.before_structure, tally.verify_damaged, tally.torn_tails, tally.dropped_records,
      tally.unflushed_present, tally.mpiexec_slow);
  if (std::getenv("H5MF_CRASH_VERBOSE") != nullptr) fmt::print("{}", tally.lines);
}

TEST(Crash, IndependentProcesses) {
  std::mt19937_64 rng(seed());
  std::vector<Trial> trials;
  for (int i = 0; i < 40; ++i) {
    Trial t = draw(rng, fmt::format("independent-{}", i), 3, false, i % 2 == 0, 220ms);
    t.use_tool_merge = i % 4 == 1;
    trials.push_back(t);
  }
  run_trials(trials);
}

TEST(Crash, MpiTwoRanks) {
  std::mt19937_64 rng(seed() + 2);
  std::vector<Trial> trials;
  for (int i = 0; i < 6; ++i) trials.push_back(draw(rng, fmt::format("mpi2-{}", i), 2, true, i % 2 == 0, 700ms));
  run_trials(trials);
}

TEST(Crash, MpiFourRanks) {
  std::mt19937_64 rng(seed() + 4);
  std::vector<Trial> trials;
  for (int i = 0; i < 4; ++i) trials.push_back(draw(rng, fmt::format("mpi4-{}", i), 4, true, i % 2 == 0, 1000ms));
  run_trials(trials);
}

// Aggregation: ranks in groups of 2, so that every flush ships members' records to an aggregator.
// The same promises: what the aggregators appended is kept, torn tails are dropped, and every
// rank's records up to the last collective flush are there.
TEST(Crash, MpiFourRanksAggregated) {
  std::mt19937_64 rng(seed() + 14);
  std::vector<Trial> trials;
  for (int i = 0; i < 4; ++i) {
    trials.push_back(draw(rng, fmt::format("mpi4-aggregated-{}", i), 4, true, i % 2 == 0, 1000ms));
    trials.back().aggregate = "2";
  }
  run_trials(trials);
}

}  // namespace
}  // namespace h5mf::reliability
