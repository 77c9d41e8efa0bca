// The writer the crash tests kill: writes model.hpp's records (each derivable from writer and
// step), makes structure calls, flushes every few steps, and appends to a progress file, after
// each call that returned, what it guarantees: "F n" once a flush() that followed steps 0..n-1
// returned, "C n" once close() returned. A kill can land anywhere; the test then checks that
// every step below the last "F"/"C" is in the container exactly.
//
//   crash_writer --container C --progress DIR --writer W --writers N --steps S --flush-every F
//                [--mpi] [--die-at K] [--pace-us P] [--buffer BYTES]
// Without --mpi, writer 0 creates C for N independent processes (and makes every structure
// call), writes "R" once the structure is written out, and the others join it. With --mpi, every
// rank of the job writes (writer = rank) and structure calls are collective. --die-at K: SIGKILL
// itself just before its K-th operation (open, write, structure call, flush, close).
#include <fcntl.h>
#include <fmt/format.h>
#include <mpi.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <thread>

#include "h5mf/h5mf.hpp"
#include "model.hpp"

namespace {

using namespace h5mf;
using namespace h5mf::reliability;

struct Args {
  std::string container, progress;
  int writer = 0, writers = 1;
  std::uint64_t steps = 100, flush_every = 10;
  bool mpi = false;
  long long die_at = -1;
  unsigned pace_us = 0;
  std::size_t buffer = 16 << 10;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i], v = argv[i + 1];
    if (key == "--container")
      a.container = v;
    else if (key == "--progress")
      a.progress = v;
    else if (key == "--writer")
      a.writer = std::stoi(v);
    else if (key == "--writers")
      a.writers = std::stoi(v);
    else if (key == "--steps")
      a.steps = std::stoull(v);
    else if (key == "--flush-every")
      a.flush_every = std::stoull(v);
    else if (key == "--mpi")
      a.mpi = v == "1";
    else if (key == "--die-at")
      a.die_at = std::stoll(v);
    else if (key == "--pace-us")
      a.pace_us = static_cast<unsigned>(std::stoul(v));
    else if (key == "--buffer")
      a.buffer = std::stoull(v);
    else {
      std::fprintf(stderr, "crash_writer: unknown option %s\n", key.c_str());
      std::exit(64);
    }
  }
  return a;
}

// One write(2) per line, so that a line is in the file whole or not at all when we are killed.
class Progress {
 public:
  explicit Progress(const std::string& path) : fd_(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644)) {
    if (fd_ < 0) {
      std::perror(path.c_str());
      std::exit(65);
    }
  }
  void line(const std::string& text) {
    const std::string l = text + "\n";
    if (::write(fd_, l.data(), l.size()) != static_cast<ssize_t>(l.size())) std::exit(66);
  }

 private:
  int fd_;
};

long long operations = 0;
long long die_at = -1;
void operation() {
  if (operations++ == die_at) {
    ::kill(::getpid(), SIGKILL);
    ::pause();
  }
}

int run(const Args& a) {
  Progress progress(fmt::format("{}/progress.{}", a.progress, a.writer));
  progress.line(fmt::format("P {}", ::getpid()));
  const Plan plan{static_cast<std::uint32_t>(a.writers), a.steps};
  const auto w = static_cast<std::uint32_t>(a.writer);

  FileOptions options;
  options.driver = Driver::Multifile;
  options.buffer_bytes = a.buffer;
  const bool structure = a.mpi || a.writer == 0;  // who makes structure calls
  operation();
  std::optional<File> file;
  if (a.mpi) {
    options.comm = MPI_COMM_WORLD;
    file.emplace(a.container, "w", options);
    create_datasets(*file, plan);
    file->flush();
  } else if (a.writer == 0) {
    options.writers = a.writers;
    file.emplace(a.container, "w", options);
    create_datasets(*file, plan);
    file->flush();
    progress.line("R");
  } else {
    options.writer = a.writer;
    file.emplace(a.container, "a", options);
  }
  progress.line("F 0");

  for (std::uint64_t s = 0; s < a.steps; ++s) {
    operation();
    write_record(*file, main_record(plan, w, s));
    if (structure) {
      if (grows_at(s)) {
        operation();
        file->dataset("grow").resize({s / 10 + 1, kGrowCols});
        if (w == 0) {
          operation();
          write_record(*file, grow_record(s));
        }
      }
      if (sets_attribute_at(s)) {
        operation();
        file->dataset("rows").attrs().set("step", static_cast<std::int64_t>(s));
      }
      if (creates_group_at(s)) {
        operation();
        file->create_group(fmt::format("g{}", s));
      }
    }
    if ((s + 1) % a.flush_every == 0) {
      operation();
      file->flush();
      progress.line(fmt::format("F {}", s + 1));
    }
    if (a.pace_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(a.pace_us));
  }
  operation();
  file->close();
  progress.line(fmt::format("C {}", a.steps));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = parse(argc, argv);
  die_at = a.die_at;
  int rank = 0;
  if (a.mpi) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    Args mine = a;
    mine.writer = rank;
    // Kill points per rank: "k0,k1,..." (the launcher cannot give ranks different arguments).
    if (const char* points = std::getenv("H5MF_CRASH_DIE_AT")) {
      std::string list = points;
      for (int r = 0; r < rank && list.find(',') != std::string::npos; ++r) list.erase(0, list.find(',') + 1);
      if (!list.empty() && list.front() != ',') die_at = std::stoll(list.substr(0, list.find(',')));
    }
    MPI_Comm_size(MPI_COMM_WORLD, &mine.writers);
    int rc = 0;
    try {
      rc = run(mine);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "crash_writer rank %d: %s\n", rank, e.what());
      MPI_Abort(MPI_COMM_WORLD, 3);
    }
    MPI_Finalize();
    return rc;
  }
  try {
    return run(a);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "crash_writer %d: %s\n", a.writer, e.what());
    return 3;
  }
}
