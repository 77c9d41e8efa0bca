#include "bench_merge.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "h5mf/error.hpp"

extern char** environ;

namespace h5mf::tools::bench {
namespace {

namespace fs = std::filesystem;

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Runs argv[0] (searched on PATH) with stdout to `out` (when not empty) and waits for it; throws
// unless it exits with 0. Without the launcher's variables the child is no MPI process (MpiSession
// looks for them), so `h5mf merge` runs alone, as a user would run it.
void spawn(const std::vector<std::string>& argv, const std::string& out) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view v(*e);
    if (v.starts_with("OMPI_") || v.starts_with("PMIX_") || v.starts_with("PMI_")) continue;
    env.push_back(*e);
  }
  env.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!out.empty())
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  const int error = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) throw IoError(fmt::format("cannot start '{}': {}", argv[0], std::strerror(error)));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw IoError(fmt::format("waiting for '{}' failed: {}", argv[0], std::strerror(errno)));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw Error(fmt::format("'{}' failed (wait status {})", fmt::join(argv, " "), status));
  }
}

void sync_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0 || ::fsync(fd) != 0) throw IoError(fmt::format("fsync of '{}' failed: {}", path, std::strerror(errno)));
  ::close(fd);
}

// The same bytes as cat, through one 1 MiB buffer: the read and write system calls merge makes when
// it cannot copy in the kernel.
void copy_loop(const std::vector<std::string>& files, const std::string& out, bool sync) {
  const int to = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (to < 0) throw IoError(fmt::format("cannot create '{}': {}", out, std::strerror(errno)));
  std::vector<char> buffer(std::size_t{1} << 20);
  for (const auto& file : files) {
    const int from = ::open(file.c_str(), O_RDONLY);
    if (from < 0) throw IoError(fmt::format("cannot open '{}': {}", file, std::strerror(errno)));
    while (true) {
      const ssize_t n = ::read(from, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw IoError(fmt::format("cannot read '{}': {}", file, std::strerror(errno)));
      if (n == 0) break;
      for (ssize_t done = 0; done < n;) {
        const ssize_t w = ::write(to, buffer.data() + done, static_cast<std::size_t>(n - done));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) throw IoError(fmt::format("cannot write '{}': {}", out, std::strerror(errno)));
        done += w;
      }
    }
    ::close(from);
  }
  if (sync && ::fsync(to) != 0) throw IoError(fmt::format("fsync of '{}' failed: {}", out, std::strerror(errno)));
  ::close(to);
}

}  // namespace

std::string merge_step_name(unsigned threads, bool verify) {
  return fmt::format("merge -j{}{}", threads, verify ? "" : " --no-verify");
}

MergeCompareRepeat compare_merges(const Context& ctx, const std::string& container, const std::string& scratch,
                                  const std::vector<unsigned>& threads) {
  MergeCompareRepeat out;
  std::string error;
  if (ctx.rank == 0) {
    try {
      const std::string target = scratch + "/compare.h5";
      std::vector<std::string> data_files;
      for (int w = 0; w < ctx.ranks; ++w) {
        data_files.push_back(fmt::format("{}/{}", container, w));
        out.data_bytes += fs::file_size(data_files.back());
      }
      for (const bool verify : {true, false}) {
        for (const unsigned j : threads) {
          MergeOptions options;
          options.output = target;
          options.threads = j;
          options.verify_data = verify;
          options.sync = ctx.fsync;
          const auto t0 = std::chrono::steady_clock::now();
          const MergeReport report = merge(container, options);
          out.seconds.emplace_back(merge_step_name(j, verify), since(t0));
          if (report.records_dropped > 0) throw Error(fmt::format("merge dropped {} records", report.records_dropped));
          spot_check(target, ctx);
          fs::remove(target);
        }
      }
      {
        std::vector<std::string> argv{"cat"};
        argv.insert(argv.end(), data_files.begin(), data_files.end());
        const auto t0 = std::chrono::steady_clock::now();
        spawn(argv, target);
        if (ctx.fsync) sync_file(target);
        out.seconds.emplace_back(kCatStep, since(t0));
        if (fs::file_size(target) != out.data_bytes) throw Error("cat copied the wrong number of bytes");
        fs::remove(target);
      }
      {
        const auto t0 = std::chrono::steady_clock::now();
        copy_loop(data_files, target, ctx.fsync);
        out.seconds.emplace_back(kCopyStep, since(t0));
        fs::remove(target);
      }
      // Peak memory of the merge a user runs: `h5mf merge` with its defaults, in a process of its own,
      // under /usr/bin/time. Not our own fork or posix_spawn: Linux carries the RSS high-water mark of
      // the address space a process had before exec into its ru_maxrss, and that would be this
      // rank's (its data buffers); time forks from its own small process.
      const std::string rss_file = scratch + "/merge-rss.txt";
      std::vector<std::string> argv{"/usr/bin/time", "-f", "%M", "-o", rss_file};
      argv.insert(argv.end(), {fs::read_symlink("/proc/self/exe").string(), "merge", "-q", "-o", target});
      if (!ctx.fsync) argv.emplace_back("--no-sync");
      argv.push_back(container);
      spawn(argv, "");
      std::ifstream rss(rss_file);
      if (!(rss >> out.rss_kib)) throw Error("cannot read the peak RSS that /usr/bin/time wrote to " + rss_file);
      fs::remove(rss_file);
      spot_check(target, ctx);
      fs::remove(target);
    } catch (const std::exception& e) {
      error = e.what();
      fmt::print(stderr, "h5mf bench: merge comparison failed: {}\n", error);
    }
  }
  idle_barrier(ctx.comm);
  agree(ctx.comm, error.empty(), "the merge comparison failed on rank 0: " + error);
  return out;
}

}  // namespace h5mf::tools::bench
