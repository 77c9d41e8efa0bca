#include "growth_run.hpp"

#include <sys/resource.h>
#include <time.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>

#include "h5mf/h5mf.hpp"
#include "idle_barrier.hpp"

namespace h5mf::tools::growth {
namespace {

namespace fs = std::filesystem;
using u64 = std::uint64_t;

constexpr u64 kDatasetsPerGroup = 100;
constexpr u64 kMoreReads = 100;

double slowest(MPI_Comm comm, double mine) {
  double all = 0;
  MPI_Allreduce(&mine, &all, 1, MPI_DOUBLE, MPI_MAX, comm);
  return all;
}

u64 largest(MPI_Comm comm, u64 mine) {
  u64 all = 0;
  MPI_Allreduce(&mine, &all, 1, MPI_UINT64_T, MPI_MAX, comm);
  return all;
}

void agree(MPI_Comm comm, bool ok, const std::string& what) {
  int mine = ok ? 1 : 0, all = 0;
  MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, comm);
  if (!all) throw Error(what);
}

std::string dataset_path(u64 i) { return fmt::format("/g{}/d{}", i / kDatasetsPerGroup, i % kDatasetsPerGroup); }

// Records go round-robin over the datasets: record g is dataset g % D's (g / D)-th slot.
u64 slots_of(const Point& p, u64 dataset) {
  return dataset < p.records ? (p.records - dataset + p.datasets - 1) / p.datasets : 0;
}

double cpu_now() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

class Timer {
 public:
  Timer(MPI_Comm comm, Measurement& out) : comm_(comm), out_(out) {}
  void phase(const std::string& name, const std::function<void()>& step) {
    idle_barrier(comm_);
    const double cpu0 = cpu_now();
    const auto t0 = std::chrono::steady_clock::now();
    step();
    const double mine = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double cpu = cpu_now() - cpu0;
    idle_barrier(comm_);
    out_.seconds.emplace_back(name, slowest(comm_, mine));
    out_.cpu_seconds.emplace_back(name, slowest(comm_, cpu));
  }

 private:
  MPI_Comm comm_;
  Measurement& out_;
};

void measure_sizes(const fs::path& container, Measurement& m) {
  for (const auto& entry : fs::directory_iterator(container)) {
    ++m.files;
    const std::string name = entry.path().filename().string();
    const u64 bytes = entry.is_regular_file() ? entry.file_size() : 0;
    if (name == "metafile") {
      m.metafile_bytes += bytes;
    } else if (name.ends_with(".offset")) {
      m.index_bytes += bytes;
    } else if (!name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      m.data_bytes += bytes;
    }
  }
}

}  // namespace

const std::vector<std::string>& phase_names() {
  static const std::vector<std::string> names = {
      "create file", "create_group",    "create_dataset",       "attribute",      "resize",           "write",
      "flush",       "read in session", "100 reads in session", "close",          "open to read",     "first read",
      "close read",  "merge: load",     "merge: verify",        "merge: prepare", "merge: structure", "merge: data",
      "merge"};
  return names;
}

Measurement measure(MPI_Comm comm, const std::string& dir, const Point& p, unsigned merge_threads) {
  if (p.write_bytes % sizeof(double) != 0 || p.write_bytes == 0) {
    throw InvalidArgument(fmt::format("growth: write size {} is not a positive multiple of 8 bytes", p.write_bytes));
  }
  if (p.datasets == 0 || p.records == 0) throw InvalidArgument("growth: datasets and records must be at least 1");
  int rank_int = 0, ranks_int = 1;
  MPI_Comm_rank(comm, &rank_int);
  MPI_Comm_size(comm, &ranks_int);
  const u64 rank = static_cast<u64>(rank_int), ranks = static_cast<u64>(ranks_int);
  const u64 elements = p.write_bytes / sizeof(double);
  const std::string container = (fs::path(dir) / "growth.h5").string();
  const std::string merged = (fs::path(dir) / "growth-merged.h5").string();
  std::vector<double> buffer(elements, static_cast<double>(rank) + 0.5);
  FileOptions options;
  options.comm = comm;
  options.driver = Driver::Multifile;

  Measurement m;
  Timer timer(comm, m);
  {
    std::optional<File> file;
    timer.phase("create file", [&] { file.emplace(container, Mode::Exclusive, options); });
    const u64 groups = (p.datasets + kDatasetsPerGroup - 1) / kDatasetsPerGroup;
    timer.phase("create_group", [&] {
      for (u64 g = 0; g < groups; ++g) file->create_group(fmt::format("g{}", g));
    });
    std::vector<Dataset> datasets;
    datasets.reserve(p.datasets);
    timer.phase("create_dataset", [&] {
      for (u64 i = 0; i < p.datasets; ++i) {
        const u64 slots = std::max<u64>(slots_of(p, i), 1);
        datasets.push_back(file->create_dataset(dataset_path(i), DatasetCreate::of<double>({slots * elements})));
      }
    });
    timer.phase("attribute", [&] {
      for (u64 i = 0; i < p.datasets; ++i) datasets[i].attrs().set("index", static_cast<double>(i));
    });
    Dataset resizable =
        file->create_dataset("resizable", DatasetCreate::of<double>({0}).max_shape({DatasetCreate::kUnlimited}));
    timer.phase("resize", [&] {
      for (u64 i = 0; i < p.datasets; ++i) resizable.resize({i + 1});
    });
    timer.phase("write", [&] {
      for (u64 g = rank; g < p.records; g += ranks) {
        datasets[g % p.datasets].write_raw(buffer.data(), Datatype::of<double>(),
                                           Selection::hyperslab({(g / p.datasets) * elements}, {elements}));
      }
    });
    timer.phase("flush", [&] { file->flush(); });
    // One element written by the next rank (or by anybody, when there are fewer records than ranks).
    const u64 neighbour_record = p.records > 1 ? (rank + 1) % std::min(ranks, p.records) : 0;
    double seen = -1;
    timer.phase("read in session", [&] {
      datasets[neighbour_record % p.datasets].read_raw(
          &seen, Datatype::of<double>(), Selection::hyperslab({(neighbour_record / p.datasets) * elements}, {1}));
    });
    agree(comm, seen == static_cast<double>(neighbour_record % ranks) + 0.5,
          fmt::format("growth: an in-session read found {} where record {} was written", seen, neighbour_record));
    // More reads in the same epoch: what each one costs once the index is loaded.
    bool all_seen = true;
    timer.phase("100 reads in session", [&] {
      for (u64 i = 0; i < kMoreReads; ++i) {
        const u64 g = (neighbour_record + i * ranks) % p.records;
        datasets[g % p.datasets].read_raw(&seen, Datatype::of<double>(),
                                          Selection::hyperslab({(g / p.datasets) * elements}, {1}));
        all_seen = all_seen && seen == static_cast<double>(g % ranks) + 0.5;
      }
    });
    agree(comm, all_seen, "growth: an in-session read found another value than was written");
    timer.phase("close", [&] { file->close(); });
  }
  if (rank == 0) measure_sizes(container, m);
  {
    std::optional<File> file;
    timer.phase("open to read", [&] { file.emplace(container, Mode::Read, options); });
    double seen = -1;
    timer.phase("first read", [&] {
      file->dataset(dataset_path(0)).read_raw(&seen, Datatype::of<double>(), Selection::hyperslab({0}, {1}));
    });
    agree(comm, seen == 0.5, fmt::format("growth: the first element read {} instead of 0.5", seen));
    timer.phase("close read", [&] { file->close(); });
  }
  MergeOptions merge_options;
  merge_options.output = merged;
  merge_options.comm = comm;
  merge_options.threads = merge_threads;
  merge_options.sync = false;
  MergeReport report;
  timer.phase("merge", [&] { report = merge(container, merge_options); });
  const auto merge_total = m.seconds.back();
  m.seconds.pop_back();
  for (const auto& [name, seconds] :
       {std::pair{"merge: load", report.phases.load}, std::pair{"merge: verify", report.phases.verify},
        std::pair{"merge: prepare", report.phases.prepare}, std::pair{"merge: structure", report.phases.structure},
        std::pair{"merge: data", report.phases.data}}) {
    m.seconds.emplace_back(name, slowest(comm, seconds));
  }
  m.seconds.push_back(merge_total);
  agree(
      comm,
      report.records == p.records && report.records_dropped == 0 && report.bytes_written >= p.records * p.write_bytes,
      fmt::format("growth: the merge replayed {} records ({} dropped) and wrote {} bytes; expected {} records, "
                  "at least {} bytes",
                  report.records, report.records_dropped, report.bytes_written, p.records, p.records * p.write_bytes));

  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  m.peak_rss_kib = largest(comm, static_cast<u64>(usage.ru_maxrss));
  idle_barrier(comm);
  bool removed = true;
  if (rank == 0) {
    std::error_code ec;
    fs::remove_all(container, ec);
    fs::remove(merged, ec);
    removed = !ec;
  }
  agree(comm, removed, fmt::format("growth: cannot remove '{}'", container));
  return m;
}

}  // namespace h5mf::tools::growth
