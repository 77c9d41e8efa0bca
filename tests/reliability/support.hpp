// Helpers of the reliability tests: scratch directories, child processes with time limits (a
// crash is a child dying by a signal we did not send; a hang is a child we had to kill), reading
// the model's datasets back, and the h5mf tool's verify report.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "h5mf/h5mf.hpp"
#include "h5mf/verify.hpp"
#include "model.hpp"

namespace h5mf::reliability {

// Options for the multifile driver, the rest default.
FileOptions multifile();

// `call` must throw an h5mf::Error whose message contains every one of `words`.
template <class Call>
void expect_error(Call&& call, const std::vector<std::string>& words, const std::string& what) {
  try {
    call();
    ADD_FAILURE() << what << ": no error";
  } catch (const Error& e) {
    for (const auto& w : words) EXPECT_NE(std::string(e.what()).find(w), std::string::npos) << what << ": " << e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << what << ": not an h5mf error: " << e.what();
  }
}

// Paths of the programs under test, from the build (compile definitions).
std::string h5mf_tool();
std::string crash_writer();
std::string mpiexec();

// A fresh directory under the system's temporary directory, removed at destruction unless the
// environment has H5MF_KEEP_SCRATCH.
class Scratch {
 public:
  explicit Scratch(const std::string& name);
  ~Scratch();
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct ChildResult {
  bool timed_out = false;  // we killed it after the time limit: a hang
  int exit_code = -1;      // when it exited
  int signal = 0;          // when a signal ended it
  std::string out, err;
  bool crashed() const { return !timed_out && signal != 0; }
  std::string describe() const;
};

// Runs a program to completion (at most `timeout`), capturing its output.
ChildResult run_program(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                        const std::map<std::string, std::string>& env = {});

// Runs `body` in a forked child (same program image: no exec). What it writes to its `report`
// string comes back in `out`; its return value is the exit code. Exceptions escaping `body` are
// written to `err` and give exit code 99.
ChildResult run_in_child(const std::function<int(std::string& report)>& body, std::chrono::milliseconds timeout);

// A forked child that runs alongside the test, in two steps: `first` runs, the child says it is
// ready and waits; the test does what it wants and says go; `second` runs and the child exits
// with its return value (99 and a message on stderr for an exception).
class Peer {
 public:
  Peer(std::function<void()> first, std::function<int()> second);
  ~Peer();  // kills the child if it is still there
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;
  bool wait_ready(std::chrono::milliseconds timeout);  // false: it died or timed out
  ChildResult go_and_finish(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  int ready_fd_ = -1, go_fd_ = -1, err_fd_ = -1;
};

// A program started without waiting; `new_group`: in a process group of its own (for mpiexec,
// whose ranks then die with it).
struct Spawned {
  pid_t pid = -1;
  std::chrono::steady_clock::time_point started;
};
Spawned spawn(const std::vector<std::string>& argv, bool new_group, const std::map<std::string, std::string>& env = {},
              const std::string& output_file = "");
// Waits for `pid`; kills it (and its group when `group`) with SIGKILL after `timeout`.
ChildResult wait_for(pid_t pid, std::chrono::milliseconds timeout, bool group = false);

// The environment for mpiexec as root on an oversubscribed machine.
std::map<std::string, std::string> mpi_env();

// Full reads of the model's datasets that exist in the file (through the library).
Contents read_contents(const std::string& path, const FileOptions& options = {});

// `h5mf verify --json PATH`: the exit code and the parsed report.
struct ToolVerify {
  ChildResult run;
  nlohmann::json report;
};
ToolVerify tool_verify(const std::string& path);

// Small file surgery.
std::vector<std::byte> read_bytes(const std::string& path);
void write_bytes(const std::string& path, const std::vector<std::byte>& bytes);
void copy_tree(const std::string& from, const std::string& to);

std::string read_text(const std::string& path);  // empty if missing

// Progress lines of crash_writer: the last "F n" / "C n" (0 if none), and whether "R" came.
struct Progress {
  std::uint64_t guaranteed = 0;
  bool flushed = false;  // any "F" or "C" line: the first flush, after the structure, returned
  bool ready = false, closed = false;
  std::vector<pid_t> pids;
};
Progress read_progress(const std::string& file);

}  // namespace h5mf::reliability
