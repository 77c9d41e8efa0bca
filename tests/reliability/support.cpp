#include "support.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace h5mf::reliability {

FileOptions multifile() {
  FileOptions o;
  o.driver = Driver::Multifile;
  return o;
}

namespace fs = std::filesystem;

// H5MF_TEST_TOOL runs the tests against another build of the tool (e.g. to see a test fail before a fix).
std::string h5mf_tool() {
  const char* other = std::getenv("H5MF_TEST_TOOL");
  return other != nullptr && *other != '\0' ? other : H5MF_TEST_TOOL;
}
std::string crash_writer() { return H5MF_TEST_CRASH_WRITER; }
std::string mpiexec() { return H5MF_TEST_MPIEXEC; }

Scratch::Scratch(const std::string& name) {
  path_ = (fs::temp_directory_path() / fmt::format("h5mf-rel-{}-{}", ::getpid(), name)).string();
  fs::remove_all(path_);
  fs::create_directories(path_);
}

Scratch::~Scratch() {
  if (std::getenv("H5MF_KEEP_SCRATCH") != nullptr) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string ChildResult::describe() const {
  std::string s;
  if (timed_out) {
    s = "timed out (a hang)";
  } else if (signal != 0) {
    s = fmt::format("killed by signal {} ({}) (a crash)", signal, ::strsignal(signal));
  } else {
    s = fmt::format("exit code {}", exit_code);
  }
  if (!out.empty()) s += "\n--- stdout:\n" + out.substr(0, 4000);
  if (!err.empty()) s += "\n--- stderr:\n" + err.substr(0, 4000);
  return s;
}

namespace {

void set_status(ChildResult& r, int status) {
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
}

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

// Reads both pipes until they close or the deadline passes (false); closes both either way.
bool drain(int out_fd, int err_fd, std::string& out, std::string& err, std::chrono::steady_clock::time_point deadline) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* sinks[2] = {&out, &err};
  int open = 2;
  char buffer[65536];
  while (open > 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      for (auto& f : fds) {
        if (f.fd >= 0) ::close(f.fd);
      }
      return false;
    }
    const int n = ::poll(fds, 2, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (n < 0 && errno != EINTR) return false;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const ssize_t got = ::read(fds[i].fd, buffer, sizeof buffer);
      if (got > 0) {
        sinks[i]->append(buffer, static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      }
    }
  }
  return true;
}

// Waits for the child after its pipes closed (or after killing it).
void reap(pid_t pid, ChildResult& r, std::chrono::steady_clock::time_point deadline, bool group) {
  while (true) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      set_status(r, status);
      return;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      r.timed_out = true;
      if (group) ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace

ChildResult run_program(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                        const std::map<std::string, std::string>& env) {
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    auto args = c_argv(argv);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  ChildResult r;
  if (!drain(out_pipe[0], err_pipe[0], r.out, r.err, deadline)) {
    r.timed_out = true;
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
  }
  reap(pid, r, r.timed_out ? std::chrono::steady_clock::now() : deadline, true);
  return r;
}

ChildResult run_in_child(const std::function<int(std::string& report)>& body, std::chrono::milliseconds timeout) {
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  std::fflush(nullptr);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    ::dup2(err_pipe[1], 2);
    std::string report;
    int rc = 0;
    try {
      rc = body(report);
    } catch (const std::exception& e) {
      report += fmt::format("\nuncaught exception: {}", e.what());
      rc = 99;
    }
    for (std::size_t done = 0; done < report.size();) {
      const ssize_t n = ::write(out_pipe[1], report.data() + done, report.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    std::fflush(stderr);
    ::_exit(rc);  // no atexit handlers: they belong to the test process
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  ChildResult r;
  if (!drain(out_pipe[0], err_pipe[0], r.out, r.err, deadline)) {
    r.timed_out = true;
    ::kill(pid, SIGKILL);
  }
  reap(pid, r, r.timed_out ? std::chrono::steady_clock::now() : deadline, false);
  return r;
}

Peer::Peer(std::function<void()> first, std::function<int()> second) {
  int ready[2], go[2], err[2];
  if (::pipe2(ready, O_CLOEXEC) != 0 || ::pipe2(go, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe failed");
  }
  std::fflush(nullptr);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::close(ready[0]);
    ::close(go[1]);
    ::close(err[0]);
    ::dup2(err[1], 2);
    int rc = 0;
    try {
      first();
      if (::write(ready[1], "r", 1) != 1) ::_exit(98);
      char c = 0;
      if (::read(go[0], &c, 1) != 1) ::_exit(97);
      rc = second();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "peer: %s\n", e.what());
      rc = 99;
    }
    std::fflush(stderr);
    ::_exit(rc);
  }
  ::close(ready[1]);
  ::close(go[0]);
  ::close(err[1]);
  ready_fd_ = ready[0];
  go_fd_ = go[1];
  err_fd_ = err[0];
}

Peer::~Peer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  for (int fd : {ready_fd_, go_fd_, err_fd_}) {
    if (fd >= 0) ::close(fd);
  }
}

bool Peer::wait_ready(std::chrono::milliseconds timeout) {
  pollfd p{ready_fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return false;
  char c = 0;
  return ::read(ready_fd_, &c, 1) == 1;
}

ChildResult Peer::go_and_finish(std::chrono::milliseconds timeout) {
  ChildResult r;
  if (::write(go_fd_, "g", 1) != 1) r.err = "could not tell the peer to go\n";
  ::close(go_fd_);
  go_fd_ = -1;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int none[2];
  if (::pipe2(none, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  ::close(none[1]);
  if (!drain(none[0], err_fd_, r.out, r.err, deadline)) r.timed_out = true;
  err_fd_ = -1;  // drain closed it
  reap(pid_, r, r.timed_out ? std::chrono::steady_clock::now() : deadline, false);
  pid_ = -1;
  return r;
}

Spawned spawn(const std::vector<std::string>& argv, bool new_group, const std::map<std::string, std::string>& env,
              const std::string& output_file) {
  Spawned s;
  s.started = std::chrono::steady_clock::now();
  s.pid = ::fork();
  if (s.pid == 0) {
    if (new_group) ::setpgid(0, 0);
    const int fd = ::open(output_file.empty() ? "/dev/null" : output_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    auto args = c_argv(argv);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  if (new_group) ::setpgid(s.pid, s.pid);
  return s;
}

ChildResult wait_for(pid_t pid, std::chrono::milliseconds timeout, bool group) {
  ChildResult r;
  reap(pid, r, std::chrono::steady_clock::now() + timeout, group);
  return r;
}

std::map<std::string, std::string> mpi_env() {
  return {{"OMPI_ALLOW_RUN_AS_ROOT", "1"},
          {"OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1"},
          {"OMPI_MCA_rmaps_base_oversubscribe", "1"},
          {"OMPI_MCA_mpi_yield_when_idle", "1"}};
}

Contents read_contents(const std::string& path, const FileOptions& options) {
  Contents c;
  File f(path, "r", options);
  for (const char* name : {"rows", "big", "grow"}) {
    if (!f.contains(name)) continue;
    const Dataset d = f.dataset(name);
    const std::string key = std::string("/") + name;
    c.rows[key] = d.shape().at(0);
    c.data[key] = d.read<std::uint64_t>();
  }
  return c;
}

ToolVerify tool_verify(const std::string& path) {
  ToolVerify v;
  v.run = run_program({h5mf_tool(), "verify", "--json", path}, std::chrono::seconds(60));
  try {
    v.report = nlohmann::json::parse(v.run.out);
  } catch (const std::exception&) {
    v.report = nullptr;
  }
  return v;
}

std::vector<std::byte> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(chars.size());
  std::memcpy(out.data(), chars.data(), chars.size());
  return out;
}

void write_bytes(const std::string& path, const std::vector<std::byte>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

void copy_tree(const std::string& from, const std::string& to) {
  fs::remove_all(to);
  fs::copy(from, to, fs::copy_options::recursive);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Progress read_progress(const std::string& file) {
  Progress p;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string tag;
    words >> tag;
    if (tag == "P") {
      pid_t pid = -1;
      words >> pid;
      p.pids.push_back(pid);
    } else if (tag == "R") {
      p.ready = true;
    } else if (tag == "F" || tag == "C") {
      std::uint64_t n = 0;
      if (words >> n) p.guaranteed = std::max(p.guaranteed, n);
      p.flushed = true;
      if (tag == "C") p.closed = true;
    }
  }
  return p;
}

}  // namespace h5mf::reliability
