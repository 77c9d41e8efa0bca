// h5mf growth: how open, close, structure calls, reads, merge planning and the merge grow with the
// number of datasets, write records and write size (and ranks: one run per `mpiexec -n N`). Every
// combination of the lists given is one point; each repeat runs every point once, in order, so
// that machine noise falls on all points alike; the table shows medians. docs/benchmarks.md
// ("Growth") explains the phases.
#include <mpi.h>
#include <sys/statfs.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "commands.hpp"
#include "growth_run.hpp"
#include "h5mf/error.hpp"
#include "machine.hpp"
#include "tools/json_format.hpp"
#include "tools/size.hpp"

namespace h5mf::tools {
namespace {

namespace fs = std::filesystem;
using growth::Point;
using u64 = std::uint64_t;

struct GrowthArgs {
  std::vector<std::string> datasets{"1"}, records{"1000"}, writes{"1K"};
  int repeats = 3;
  unsigned merge_threads = 1;
  std::string dir, json, label;
};

// Counts and sizes alike: "1K" = 1024 (tools/size.hpp), as every h5mf option.
std::vector<u64> parse_list(const std::vector<std::string>& items, std::string_view option) {
  std::vector<u64> out;
  for (const auto& item : items) out.push_back(parse_size(item, option));
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n == 0 ? 0 : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string bytes_text(u64 bytes) {
  if (bytes >= (u64{1} << 20) && bytes % (u64{1} << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
  if (bytes >= 1024 && bytes % 1024 == 0) return fmt::format("{} KiB", bytes >> 10);
  return fmt::format("{} B", bytes);
}

struct PointResult {
  Point point;
  std::map<std::string, std::vector<double>> seconds;  // phase -> one per repeat
  std::map<std::string, std::vector<double>> cpu_seconds;
  growth::Measurement last;  // sizes (the same every repeat)
};

int run_growth(const GrowthArgs& args) {
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (!initialised) MPI_Init(nullptr, nullptr);  // a singleton of one rank without mpiexec
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  int status = 0;
  try {
    std::vector<PointResult> results;
    for (u64 d : parse_list(args.datasets, "--datasets"))
      for (u64 r : parse_list(args.records, "--records"))
        for (u64 w : parse_list(args.writes, "--write")) results.push_back({Point{d, r, w}, {}, {}, {}});
    const std::string base = !args.dir.empty() ? args.dir : fs::is_directory("/dev/shm") ? "/dev/shm" : ".";
    std::string scratch;
    if (rank == 0) {
      std::string pattern = (fs::path(base) / "h5mf-growth-XXXXXX").string();
      if (mkdtemp(pattern.data()) == nullptr)
        throw IoError(fmt::format("growth: cannot create a directory in '{}'", base));
      scratch = pattern;
    }
    int length = static_cast<int>(scratch.size());
    MPI_Bcast(&length, 1, MPI_INT, 0, MPI_COMM_WORLD);
    scratch.resize(static_cast<std::size_t>(length));
    MPI_Bcast(scratch.data(), length, MPI_CHAR, 0, MPI_COMM_WORLD);
    const std::string load_before = load_average();
    for (int repeat = 0; repeat < args.repeats; ++repeat) {
      for (auto& result : results) {
        const std::uint64_t rss_so_far = result.last.peak_rss_kib;
        result.last = growth::measure(MPI_COMM_WORLD, scratch, result.point, args.merge_threads);
        // The high-water mark only rises: the first repeat's is this point's (points run in the
        // order of the lists, smallest first when the lists ascend).
        if (repeat > 0) result.last.peak_rss_kib = rss_so_far;
        for (const auto& [phase, seconds] : result.last.seconds) result.seconds[phase].push_back(seconds);
        for (const auto& [phase, seconds] : result.last.cpu_seconds) result.cpu_seconds[phase].push_back(seconds);
        if (rank == 0) {
          fmt::print(stderr, "repeat {}: {} datasets, {} records of {}: merge {:.3f} s\n", repeat + 1,
                     result.point.datasets, result.point.records, bytes_text(result.point.write_bytes),
                     result.seconds["merge"].back());
        }
      }
    }
    if (rank == 0) fs::remove_all(scratch);
    if (rank != 0) {
      MPI_Finalize();
      return 0;
    }
    const auto& phases = growth::phase_names();
    fmt::print(
        "h5mf growth, {} rank(s), {} ({}), median of {} repeat(s) in seconds (slowest rank); load average {} "
        "before, {} after.\n\n",
        ranks, base, filesystem_of(base), args.repeats, load_before, load_average());
    std::string header = "| datasets | records | write |", rule = "|---|---|---|";
    for (const auto& phase : phases) {
      header += fmt::format(" {} |", phase);
      rule += "---|";
    }
    header += " files | metafile B | index B/record | peak RSS MiB (so far) |";
    rule += "---|---|---|---|";
    fmt::print("{}\n{}\n", header, rule);
    nlohmann::json points = nlohmann::json::array();
    for (const auto& result : results) {
      std::string row = fmt::format("| {} | {} | {} |", result.point.datasets, result.point.records,
                                    bytes_text(result.point.write_bytes));
      nlohmann::json timings = nlohmann::json::object();
      for (const auto& phase : phases) {
        const auto& runs = result.seconds.at(phase);
        row += fmt::format(" {:.4g} |", median(runs));
        timings[phase] = {{"median", median(runs)}, {"runs", runs}};
        if (const auto cpu = result.cpu_seconds.find(phase); cpu != result.cpu_seconds.end()) {
          timings[phase]["cpu_median"] = median(cpu->second);
          timings[phase]["cpu_runs"] = cpu->second;
        }
      }
      const auto& m = result.last;
      row += fmt::format(" {} | {} | {:.0f} | {:.0f} |", m.files, m.metafile_bytes,
                         static_cast<double>(m.index_bytes) / static_cast<double>(result.point.records),
                         static_cast<double>(m.peak_rss_kib) / 1024);
      fmt::print("{}\n", row);
      points.push_back({{"ranks", ranks},
                        {"datasets", result.point.datasets},
                        {"records", result.point.records},
                        {"write_bytes", result.point.write_bytes},
                        {"seconds", timings},
                        {"files", m.files},
                        {"metafile_bytes", m.metafile_bytes},
                        {"index_bytes", m.index_bytes},
                        {"data_bytes", m.data_bytes},
                        {"peak_rss_kib", m.peak_rss_kib}});
    }
    if (!args.json.empty()) {
      const nlohmann::json doc = {{"format_version", kJsonFormatVersion},
                                  {"kind", "growth"},
                                  {"label", args.label},
                                  {"ranks", ranks},
                                  {"repeats", args.repeats},
                                  {"merge_threads", args.merge_threads},
                                  {"filesystem", filesystem_of(base)},
                                  {"load_average_before", load_before},
                                  {"load_average_after", load_average()},
                                  {"points", points}};
      std::ofstream out(args.json);
      out << doc.dump(1) << "\n";
      if (!out) throw IoError(fmt::format("growth: cannot write '{}'", args.json));
    }
  } catch (const Error& e) {
    fmt::print(stderr, "h5mf growth (rank {}): {}\n", rank, e.what());
    status = 1;
  }
  MPI_Finalize();
  return status;
}

}  // namespace

Command add_growth_command(CLI::App& parent) {
  auto args = std::make_shared<GrowthArgs>();
  CLI::App* app = parent.add_subcommand(
      "growth",
      "Measure how open, close, structure calls, merge planning and the merge grow (mpiexec -n N h5mf growth)");
  app->add_option("--datasets", args->datasets, "Numbers of datasets (a list: 1,10,100)")->delimiter(',');
  app->add_option("--records", args->records, "Numbers of write records over all ranks (1K = 1024)")->delimiter(',');
  app->add_option("--write", args->writes, "Bytes per write record (1K = 1024, 64M), multiples of 8")->delimiter(',');
  app->add_option("--repeats", args->repeats, "Repeats of every point (median reported)")->check(CLI::PositiveNumber);
  app->add_option("--merge-threads", args->merge_threads, "Merge threads per rank");
  app->add_option("--dir", args->dir, "Where the scratch directory goes (default /dev/shm)");
  app->add_option("--json", args->json, "Write every timing to this JSON file");
  app->add_option("--label", args->label, "A label stored in the JSON (for bench/plot)");
  return {app, [args] { return run_growth(*args); }};
}

}  // namespace h5mf::tools
