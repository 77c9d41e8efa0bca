// h5mf bench: seed 003's table on this machine. Under `mpiexec -n N`, every method writes the same
// bytes (float64, the same pattern, the same transfers) to a new file; methods are interleaved
// within each repeat so that machine noise hits them alike, and the median of the repeats is
// reported with its range. For h5mf it also times the merge, the end-to-end path to a conventional
// HDF5 file, reads, and (--merge-compare) merge against copying the same bytes. Every h5mf result
// is checked against what was written before its number counts. docs/benchmarks.md explains it.
#include <fcntl.h>
#include <hdf5.h>
#include <mpi.h>
#include <stdlib.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <thread>

#include "bench_merge.hpp"
#include "bench_methods.hpp"
#include "bench_pattern.hpp"
#include "commands.hpp"
#include "h5mf/error.hpp"
#include "machine.hpp"
#include "tools/json_format.hpp"
#include "tools/mpi_session.hpp"
#include "tools/size.hpp"

namespace h5mf::tools {
namespace {

using namespace bench;
namespace fs = std::filesystem;

struct Method {
  const char* key;
  const char* label;  // seed 003's column names
};
constexpr Method kMethods[] = {
    {"collective", "HDF5 collective IO"},
    {"bigchunk", "HDF5 big chunk"},
    {"independent", "HDF5"},
    {"posix", "POSIX"},
    {"multifile", "HDF5 Multifile"},
    {"posix-multifile", "POSIX Multifile"},
    {"posix-multifile-checksum", "POSIX Multifile + checksum"},
    {"driver", "HDF5 via h5mf driver"},
    {"driver-collective", "HDF5 via h5mf driver, collective"},
};

std::string method_keys() {
  std::vector<std::string> keys;
  for (const auto& m : kMethods) keys.emplace_back(m.key);
  return fmt::format("{}", fmt::join(keys, ", "));
}

// What h5mf adds to its "multifile" method, each a series of seconds per repeat.
constexpr Method kH5mfSteps[] = {
    {"read-container", "read the container (h5mf, multifile)"},
    {"merge", "merge (all ranks)"},
    {"end-to-end", "write + merge"},
    {"read-merged-hdf5", "read the merged file (libhdf5, mpio independent)"},
    {"read-merged-h5mf-mpio", "read the merged file (h5mf, mpio driver)"},
    {"driver-copy", "copy the driver container's data files into one file, each rank its own (copy_file_range)"},
    {"driver-merge", "merge the h5mf driver's container (all ranks)"},
    {"read-posix-multifile", "read the POSIX Multifile + checksum files back (one pread per transfer)"},
    {"read-posix-multifile-checksum", "the same, each transfer hashed after its pread"},
};

struct Args {
  std::string bytes_per_rank = "256M", transfer = "1M", pattern = "1d", dir, fsync = "off", json, label, aggregate;
  int repeats = 5;
  std::vector<std::string> methods;
  bool quick = false, merge_compare = false, reads = true;
  std::vector<unsigned> merge_threads{1, 2, 4};
  unsigned merge_jobs = 0;
};

std::string human(std::uint64_t bytes) {
  if (bytes >= (std::uint64_t{1} << 30) && bytes % (std::uint64_t{1} << 30) == 0)
    return fmt::format("{} GiB", bytes >> 30);
  if (bytes >= (std::uint64_t{1} << 20) && bytes % (std::uint64_t{1} << 20) == 0)
    return fmt::format("{} MiB", bytes >> 20);
  if (bytes >= 1024 && bytes % 1024 == 0) return fmt::format("{} KiB", bytes >> 10);
  return fmt::format("{} B", bytes);
}

// MPI for the bench even when it was started without mpiexec (then as a singleton of one rank).
class OwnMpi {
 public:
  OwnMpi() {
    int initialised = 0;
    MPI_Initialized(&initialised);
    if (initialised) return;
    int provided = 0;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
    owned_ = true;
  }
  ~OwnMpi() {
    if (owned_) MPI_Finalize();
  }
  OwnMpi(const OwnMpi&) = delete;
  OwnMpi& operator=(const OwnMpi&) = delete;

 private:
  bool owned_ = false;
};

struct Summary {
  double median = 0, min = 0, max = 0;
};
Summary summarise(std::vector<double> v) {
  if (v.empty()) return {};
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return {n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, v.front(), v.back()};
}

// Seconds per repeat, by series name, in the order the series first ran.
class Series {
 public:
  void add(const std::string& name, double seconds) {
    if (!data_.contains(name)) order_.push_back(name);
    data_[name].push_back(seconds);
  }
  bool has(const std::string& name) const { return data_.contains(name); }
  const std::vector<double>& at(const std::string& name) const { return data_.at(name); }
  Summary summary(const std::string& name) const { return summarise(data_.at(name)); }
  const std::vector<std::string>& names() const { return order_; }

 private:
  std::map<std::string, std::vector<double>> data_;
  std::vector<std::string> order_;
};

struct Run {
  Args args;
  std::uint64_t bytes_per_rank = 0, transfer_bytes = 0, total_bytes = 0;
  int ranks = 1;
  unsigned merge_jobs = 1;
  std::string scratch, filesystem, io_component, pattern_text, load_before, load_after;
  Series series;
  Series compare;  // --merge-compare, rank 0's
  std::vector<long> rss_kib;
  std::uint64_t compare_data_bytes = 0;
  std::vector<double> merge_shares;
  std::map<std::string, std::vector<double>> merge_phases;  // this rank's seconds per phase, per repeat
  std::uint64_t container_files = 0;                        // files in the multifile container (metafile included)

  double mib(double seconds, std::uint64_t bytes) const {
    return seconds > 0 ? static_cast<double>(bytes) / (1 << 20) / seconds : 0;
  }
  double mib_s(const std::string& name) const { return mib(series.summary(name).median, total_bytes); }
  // The most (write + merge) / collective could be here: a merge writes every byte into one file,
  // and no way of writing one file on this machine beats each rank pwrite()-ing its block (the
  // POSIX shared-file column). The merge's reads, checks and removal of the container come on top.
  std::optional<double> end_to_end_ceiling() const {
    if (!series.has("multifile") || !series.has("posix") || !series.has("collective")) return std::nullopt;
    const double seconds = series.summary("multifile").median + series.summary("posix").median;
    return series.summary("collective").median / seconds;
  }
};

// A ratio an issue sets a target for: the anchor's seconds over the method's, so above 1 means
// the method is faster. The anchor is the fastest of `anchors` (the best parallel HDF5 is the
// faster of collective and independent).
struct TargetRatio {
  const char* key;  // in --json
  const char* text;
  const char* method;
  std::vector<const char*> anchors;
  double target;      // the method should reach at least this; 0 for a reference ratio (no target)
  const char* where;  // the conditions the target is set for, or what a reference ratio tells
  bool has_target() const { return target > 0; }
};

const std::vector<TargetRatio>& target_ratios() {
  static const std::vector<TargetRatio> ratios = {
      {"multifile_over_posix_multifile",
       "HDF5 Multifile / POSIX Multifile write",
       "multifile",
       {"posix-multifile"},
       0.9,
       "at transfers >= 64 KiB"},
      {"multifile_over_best_parallel_hdf5",
       "HDF5 Multifile / best parallel HDF5",
       "multifile",
       {"collective", "independent"},
       1.5,
       "at 2, 4, 8 ranks on tmpfs"},
      {"end_to_end_over_collective",
       "write + merge / HDF5 collective IO",
       "end-to-end",
       {"collective"},
       0.8,
       "at 4 and 8 ranks"},
      {"read_container_over_read_merged_hdf5",
       "read container / read merged file (libhdf5)",
       "read-container",
       {"read-merged-hdf5"},
       0.8,
       ""},
      {"driver_over_posix_multifile",
       "HDF5 via h5mf driver / POSIX Multifile write",
       "driver",
       {"posix-multifile"},
       0.9,
       ""},
      {"driver_over_best_parallel_hdf5",
       "HDF5 via h5mf driver / best parallel HDF5",
       "driver",
       {"collective", "independent"},
       1.5,
       ""},
      {"driver_merge_over_copy",
       "merge of the driver's container / copying its data files",
       "driver-merge",
       {"driver-copy"},
       0.8,
       ""},
      // What the checksum alone costs (issue 22): a plain write or read with one XXH3 pass added,
      // against the same without, and h5mf against that floor.
      {"checksummed_over_plain_posix_multifile",
       "POSIX Multifile + checksum / POSIX Multifile write",
       "posix-multifile-checksum",
       {"posix-multifile"},
       0,
       "the most a checksummed write reaches here"},
      {"multifile_over_checksummed_posix_multifile",
       "HDF5 Multifile / POSIX Multifile + checksum write",
       "multifile",
       {"posix-multifile-checksum"},
       0,
       "what h5mf's write costs beyond its checksum"},
      {"checksummed_read_over_plain_read",
       "read + checksum / read (POSIX Multifile files)",
       "read-posix-multifile-checksum",
       {"read-posix-multifile"},
       0,
       "the most a checked read reaches here"},
      {"read_container_over_checksummed_read",
       "read container / read + checksum (POSIX Multifile files)",
       "read-container",
       {"read-posix-multifile-checksum"},
       0,
       "what h5mf's read costs beyond its checksum"},
  };
  return ratios;
}

// A target ratio in each repeat (the methods of one repeat run one after another, so the pair
// shares the machine's state), or nothing when a method did not run.
std::optional<std::vector<double>> paired(const Run& run, const TargetRatio& r) {
  if (!run.series.has(r.method)) return std::nullopt;
  for (const char* a : r.anchors) {
    if (!run.series.has(a)) return std::nullopt;
  }
  const auto& method = run.series.at(r.method);
  std::vector<double> per_repeat;
  for (std::size_t i = 0; i < method.size(); ++i) {
    double anchor = std::numeric_limits<double>::infinity();
    for (const char* a : r.anchors) {
      if (i < run.series.at(a).size()) anchor = std::min(anchor, run.series.at(a)[i]);
    }
    if (method[i] > 0 && std::isfinite(anchor)) per_repeat.push_back(anchor / method[i]);
  }
  return per_repeat;
}

// The same ratio of the medians (the figure the tables show).
double of_medians(const Run& run, const TargetRatio& r) {
  double anchor = std::numeric_limits<double>::infinity();
  for (const char* a : r.anchors) anchor = std::min(anchor, run.series.summary(a).median);
  return anchor / run.series.summary(r.method).median;
}

// A 1-minute load average above the cores means the methods competed for them with other work:
// the spread then says more than any one figure.
bool load_too_high(const Run& run) {
  const double load = std::atof(run.load_before.c_str());
  return load > static_cast<double>(std::max(1u, std::thread::hardware_concurrency()));
}

std::string cell(const Run& run, const Series& s, const std::string& name, std::uint64_t bytes) {
  if (!s.has(name)) return "–";
  const Summary x = s.summary(name);
  if (s.at(name).size() == 1) return fmt::format("{:.0f}", run.mib(x.median, bytes));
  return fmt::format("{:.0f} ({:.0f}–{:.0f})", run.mib(x.median, bytes), run.mib(x.max, bytes), run.mib(x.min, bytes));
}

std::string command_line(const Run& run) {
  const Args& a = run.args;
  std::string out = fmt::format("mpiexec -n {} h5mf bench", run.ranks);
  if (a.quick) return out + " --quick";
  out += fmt::format(" --bytes-per-rank {} --transfer {} --pattern {} --repeats {}", a.bytes_per_rank, a.transfer,
                     a.pattern, a.repeats);
  if (!a.dir.empty()) out += " --dir " + a.dir;
  if (a.fsync == "on") out += " --fsync on";
  if (!a.methods.empty()) out += fmt::format(" --methods {}", fmt::join(a.methods, ","));
  if (a.merge_compare) out += fmt::format(" --merge-compare --merge-threads {}", fmt::join(a.merge_threads, ","));
  if (!a.reads) out += " --no-reads";
  if (a.merge_jobs) out += fmt::format(" --merge-jobs {}", a.merge_jobs);
  if (!a.label.empty()) out += " --label " + a.label;
  if (!a.aggregate.empty()) out += " --aggregate " + a.aggregate;
  return out;
}

void print_report(const Run& run) {
  const Args& a = run.args;
  fmt::print("# h5mf bench\n\n");
  fmt::print(
      "{} ranks x {} ({} in all) of float64 in transfers of {}; pattern {}; {} repeat(s), median "
      "MiB/s (slowest–fastest repeat); {} ({}), fsync {}; MPI-IO component: {}; merge: {} thread(s) per rank; load "
      "average {} before, {} after.\n",
      run.ranks, human(run.bytes_per_rank), human(run.total_bytes), human(run.transfer_bytes), run.pattern_text,
      a.repeats, run.scratch, run.filesystem, a.fsync, run.io_component, run.merge_jobs, run.load_before,
      run.load_after);
  if (run.container_files > 0) {
    fmt::print("The multifile container holds {} files (metafile included); aggregation: {}.\n", run.container_files,
               a.aggregate.empty() ? "off" : a.aggregate);
  }
  fmt::print("`{}`\n\n", command_line(run));

  fmt::print("| Ranks |");
  for (const auto& m : kMethods) fmt::print(" {} |", m.label);
  fmt::print("\n|---|");
  for (std::size_t i = 0; i < std::size(kMethods); ++i) fmt::print("---|");
  fmt::print("\n| |");
  for (std::size_t i = 0; i < std::size(kMethods); ++i) fmt::print(" [MiB/s] |");
  fmt::print("\n| {} |", run.ranks);
  for (const auto& m : kMethods) fmt::print(" {} |", cell(run, run.series, m.key, run.total_bytes));
  fmt::print("\n\n");

  if (run.series.has("multifile")) {
    fmt::print(
        "| Ranks | HDF5 Multifile write [MiB/s] | merge [s] | merge [MiB/s] | write + merge [MiB/s] | merge "
        "share | read container [MiB/s] | read merged, libhdf5 [MiB/s] | read merged, h5mf mpio [MiB/s] |\n");
    fmt::print("|---|---|---|---|---|---|---|---|---|\n");
    const Summary merge = run.series.summary("merge");
    fmt::print("| {} | {} | {:.3f} | {} | {} | {:.0f}% | {} | {} | {} |\n\n", run.ranks,
               cell(run, run.series, "multifile", run.total_bytes), merge.median,
               cell(run, run.series, "merge", run.total_bytes), cell(run, run.series, "end-to-end", run.total_bytes),
               100 * summarise(run.merge_shares).median, cell(run, run.series, "read-container", run.total_bytes),
               cell(run, run.series, "read-merged-hdf5", run.total_bytes),
               cell(run, run.series, "read-merged-h5mf-mpio", run.total_bytes));
  }

  if (!run.compare.names().empty()) {
    const Summary cat = run.compare.summary(kCatStep);
    fmt::print(
        "Merge against copying the same bytes, rank 0 alone: a container of {:.1f} MiB of data files from {} "
        "writers ({} of dataset), output to {}. `cat` is coreutils' (it copies with copy_file_range); the "
        "read/write loop uses one 1 MiB buffer.\n\n",
        static_cast<double>(run.compare_data_bytes) / (1 << 20), run.ranks, human(run.total_bytes), run.filesystem);
    fmt::print("| Step | seconds (fastest–slowest) | MiB/s | cat time / step time |\n|---|---|---|---|\n");
    for (const auto& name : run.compare.names()) {
      const Summary s = run.compare.summary(name);
      fmt::print("| {} | {:.3f} ({:.3f}–{:.3f}) | {:.0f} | {:.2f} |\n", name, s.median, s.min, s.max,
                 run.mib(s.median, run.compare_data_bytes), cat.median / s.median);
    }
    std::vector<double> rss(run.rss_kib.begin(), run.rss_kib.end());
    const Summary r = summarise(rss);
    fmt::print(
        "\nPeak RSS of `h5mf merge` (defaults: one thread per core, verify, 256 MiB budget), run "
        "under /usr/bin/time: {:.1f} MiB median, {:.1f} MiB max.\n\n",
        r.median / 1024, r.max / 1024);
  }

  fmt::print(
      "Ratios (of median MiB/s; in brackets each repeat's ratio, paired in time: median, lowest–highest, "
      "repeats that reach the target; targets last):\n");
  if (load_too_high(run)) {
    fmt::print(
        "- the load average before the run ({}) exceeded the {} cores: too high to judge a target; read the "
        "spreads\n",
        run.load_before, std::thread::hardware_concurrency());
  }
  for (const TargetRatio& r : target_ratios()) {
    const auto per_repeat = paired(run, r);
    if (!per_repeat || per_repeat->empty()) continue;
    const Summary p = summarise(*per_repeat);
    if (!r.has_target()) {
      fmt::print("- {}: {:.2f} (paired {:.2f}, {:.2f}–{:.2f}) [no target: {}]\n", r.text, of_medians(run, r), p.median,
                 p.min, p.max, r.where);
      continue;
    }
    const auto reached = std::count_if(per_repeat->begin(), per_repeat->end(), [&](double x) { return x >= r.target; });
    fmt::print("- {}: {:.2f} (paired {:.2f}, {:.2f}–{:.2f}, {} of {}) [>= {}{}{}]\n", r.text, of_medians(run, r),
               p.median, p.min, p.max, reached, per_repeat->size(), r.target, *r.where ? " " : "", r.where);
    if (std::string_view(r.key) == "end_to_end_over_collective") {
      fmt::print("  merge share {:.0f}%", 100 * summarise(run.merge_shares).median);
      if (const auto ceiling = run.end_to_end_ceiling()) {
        fmt::print("; at most {:.2f} here: a merge that took no longer than the POSIX shared-file write", *ceiling);
      }
      fmt::print("\n");
    }
  }
  if (!run.compare.names().empty()) {
    const Summary cat = run.compare.summary(kCatStep);
    for (const auto& name : run.compare.names()) {
      if (!name.starts_with("merge")) continue;
      fmt::print("- {} / cat: {:.2f} [>= 0.8 for a >= 1 GiB container of 4 writers]\n", name,
                 cat.median / run.compare.summary(name).median);
    }
    std::vector<double> rss(run.rss_kib.begin(), run.rss_kib.end());
    fmt::print("- peak RSS of the default merge: {:.1f} MiB [< 256 MiB]\n", summarise(rss).max / 1024);
  }
}

nlohmann::ordered_json series_json(const Run& run, const Series& s, std::uint64_t bytes) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const auto& name : s.names()) {
    const Summary x = s.summary(name);
    out[name] = {{"seconds", s.at(name)},
                 {"median_s", x.median},
                 {"min_s", x.min},
                 {"max_s", x.max},
                 {"mib_s", run.mib(x.median, bytes)},
                 {"mib_s_min", run.mib(x.max, bytes)},
                 {"mib_s_max", run.mib(x.min, bytes)}};
  }
  return out;
}

void write_json(const Run& run, const std::string& path) {
  const Args& a = run.args;
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char date[64] = {};
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S%z", std::localtime(&now));

  nlohmann::ordered_json j;
  j["format_version"] = kJsonFormatVersion;
  j["format"] = "h5mf-bench-1";
  j["command"] = command_line(run);
  j["config"] = {{"ranks", run.ranks},
                 {"bytes_per_rank", run.bytes_per_rank},
                 {"transfer_bytes", run.transfer_bytes},
                 {"total_bytes", run.total_bytes},
                 {"pattern", a.pattern},
                 {"pattern_detail", run.pattern_text},
                 {"repeats", a.repeats},
                 {"dir", run.scratch},
                 {"filesystem", run.filesystem},
                 {"fsync", a.fsync == "on"},
                 {"io_component", run.io_component},
                 {"merge_threads_per_rank", run.merge_jobs},
                 {"label", a.label},
                 {"aggregate", a.aggregate.empty() ? "off" : a.aggregate},
                 {"container_files", run.container_files},
                 {"quick", a.quick},
                 {"cores", std::thread::hardware_concurrency()},
                 {"host", host},
                 {"date", date},
                 {"load_average_before", run.load_before},
                 {"load_average_after", run.load_after},
                 {"hdf5", fmt::format("{}.{}.{}", major, minor, release)}};
  nlohmann::ordered_json labels = nlohmann::ordered_json::object();
  for (const auto& m : kMethods) labels[m.key] = m.label;
  for (const auto& m : kH5mfSteps) labels[m.key] = m.label;
  j["labels"] = labels;
  j["series"] = series_json(run, run.series, run.total_bytes);
  if (run.series.has("multifile")) {
    j["merge_share"] = {{"per_repeat", run.merge_shares}, {"median", summarise(run.merge_shares).median}};
    nlohmann::ordered_json phases = nlohmann::ordered_json::object();
    for (const auto& [phase, seconds] : run.merge_phases)
      phases[phase] = {{"seconds", seconds}, {"median", summarise(seconds).median}};
    j["merge_phases"] = phases;
  }

  nlohmann::ordered_json ratios = nlohmann::ordered_json::object();
  nlohmann::ordered_json paired_ratios = nlohmann::ordered_json::object();
  for (const TargetRatio& r : target_ratios()) {
    const auto per_repeat = paired(run, r);
    if (!per_repeat || per_repeat->empty()) continue;
    ratios[r.key] = of_medians(run, r);
    const Summary p = summarise(*per_repeat);
    paired_ratios[r.key] = {{"per_repeat", *per_repeat}, {"median", p.median}, {"min", p.min}, {"max", p.max}};
    if (r.has_target()) {
      paired_ratios[r.key]["target"] = r.target;
      paired_ratios[r.key]["repeats_reaching_target"] =
          std::count_if(per_repeat->begin(), per_repeat->end(), [&](double x) { return x >= r.target; });
    } else {
      paired_ratios[r.key]["target"] = nullptr;  // a reference ratio
    }
  }
  if (const auto r = run.end_to_end_ceiling()) ratios["end_to_end_ceiling_over_collective"] = *r;
  if (!run.compare.names().empty()) {
    std::vector<double> rss(run.rss_kib.begin(), run.rss_kib.end());
    nlohmann::ordered_json c;
    c["data_bytes"] = run.compare_data_bytes;
    c["series"] = series_json(run, run.compare, run.compare_data_bytes);
    c["rss_kib"] = run.rss_kib;
    c["rss_kib_max"] = summarise(rss).max;
    const double cat = run.compare.summary(kCatStep).median;
    nlohmann::ordered_json over_cat = nlohmann::ordered_json::object();
    for (const auto& name : run.compare.names()) over_cat[name] = cat / run.compare.summary(name).median;
    c["over_cat"] = over_cat;
    j["merge_compare"] = c;
  }
  j["ratios"] = ratios;
  j["paired_ratios"] = paired_ratios;
  j["load_too_high"] = load_too_high(run);
  std::ofstream out(path);
  out << j.dump(2) << "\n";
  if (!out) throw IoError(fmt::format("cannot write '{}'", path));
}

// Rank 0 makes a fresh scratch directory and tells the others its name.
std::string make_scratch(const Context& ctx, const std::string& dir) {
  std::string name;
  std::string error;
  if (ctx.rank == 0) {
    std::string base = dir;
    if (base.empty()) base = fs::is_directory("/dev/shm") ? "/dev/shm" : fs::current_path().string();
    std::string templ = base + "/h5mf-bench-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) {
      error = fmt::format("cannot create a scratch directory in '{}': {}", base, std::strerror(errno));
    } else {
      name = templ;
    }
  }
  agree(ctx.comm, error.empty(), error);
  int length = static_cast<int>(name.size());
  MPI_Bcast(&length, 1, MPI_INT, 0, ctx.comm);
  name.resize(static_cast<std::size_t>(length));
  MPI_Bcast(name.data(), length, MPI_CHAR, 0, ctx.comm);
  return name;
}

void progress(const Context& ctx, const std::string& text) {
  if (ctx.rank == 0) fmt::print(stderr, "{}\n", text);
}

// One repeat: every method once, in seed 003's column order, each to a new file.
// Rank 0 checks the file a method wrote (bench_methods.hpp, spot_check); every rank learns
// whether it passed, so that a failure stops all of them at once.
void spot_check_on_rank0(const Context& ctx, const std::string& path) {
  std::string error;
  if (ctx.rank == 0) {
    try {
      spot_check(path, ctx);
    } catch (const std::exception& e) {
      error = e.what();
    }
  }
  agree(ctx.comm, error.empty(), error);
}

void run_repeat(Run& run, const Context& ctx, const std::vector<std::string>& methods, int repeat) {
  std::string line = fmt::format("repeat {}/{}:", repeat + 1, run.args.repeats);
  auto record = [&](const std::string& name, double seconds) {
    run.series.add(name, seconds);
    line += fmt::format(" {} {:.3f}s", name, seconds);
  };
  const auto wants = [&](const char* key) { return std::find(methods.begin(), methods.end(), key) != methods.end(); };
  for (const Hdf5Flavour flavour : {Hdf5Flavour::Collective, Hdf5Flavour::BigChunk, Hdf5Flavour::Independent}) {
    const char* key = flavour == Hdf5Flavour::Collective ? "collective"
                      : flavour == Hdf5Flavour::BigChunk ? "bigchunk"
                                                         : "independent";
    if (!wants(key)) continue;
    const std::string path = fmt::format("{}/{}.h5", run.scratch, key);
    record(key, write_hdf5(ctx, path, flavour));
    spot_check_on_rank0(ctx, path);
    remove_path(ctx, path);
  }
  if (wants("posix")) {
    const std::string path = run.scratch + "/posix.dat";
    record("posix", write_posix(ctx, path));
    remove_path(ctx, path);
  }
  if (wants("multifile")) {
    const std::string path = run.scratch + "/multifile.h5";
    const double write = write_multifile(ctx, path);
    record("multifile", write);
    if (ctx.rank == 0) {
      std::error_code ec;
      run.container_files =
          static_cast<std::uint64_t>(std::distance(fs::directory_iterator(path, ec), fs::directory_iterator()));
    }
    if (run.args.reads) record("read-container", read_container(ctx, path));
    if (run.args.merge_compare) {
      const MergeCompareRepeat c = compare_merges(ctx, path, run.scratch, run.args.merge_threads);
      for (const auto& [name, seconds] : c.seconds) run.compare.add(name, seconds);
      run.rss_kib.push_back(c.rss_kib);
      run.compare_data_bytes = c.data_bytes;
    }
    const TimedMerge merged = merge_in_place(ctx, path, run.merge_jobs);
    if (merged.report.records_dropped > 0 || merged.report.bytes_written != run.total_bytes) {
      throw Error(fmt::format("validation failed: the merge wrote {} of {} bytes and dropped {} records",
                              merged.report.bytes_written, run.total_bytes, merged.report.records_dropped));
    }
    record("merge", merged.seconds);
    for (const auto& [phase, seconds] : merged.report.phases.named()) run.merge_phases[phase].push_back(seconds);
    run.series.add("end-to-end", write + merged.seconds);
    run.merge_shares.push_back(merged.seconds / (write + merged.seconds));
    spot_check_on_rank0(ctx, path);
    // Reading the merged file also compares every element each rank wrote.
    if (run.args.reads) {
      record("read-merged-hdf5", read_hdf5_mpio(ctx, path));
      record("read-merged-h5mf-mpio", read_h5mf_mpio(ctx, path));
    }
    remove_path(ctx, path);
  }
  if (wants("posix-multifile")) {
    const std::string path = run.scratch + "/posix-multifile";
    record("posix-multifile", write_posix_multifile(ctx, path));
    remove_path(ctx, path);
  }
  if (wants("posix-multifile-checksum")) {
    const std::string path = run.scratch + "/posix-multifile-checksum";
    record("posix-multifile-checksum", write_posix_multifile(ctx, path, true));
    if (run.args.reads) {
      // The two reads take turns at going first, so that neither always finds the other's traces.
      for (const bool checksum : {repeat % 2 == 1, repeat % 2 == 0}) {
        const char* key = checksum ? "read-posix-multifile-checksum" : "read-posix-multifile";
        record(key, read_posix_multifile(ctx, path, checksum));
      }
    }
    remove_path(ctx, path);
  }
  for (const bool collective : {false, true}) {
    const char* key = collective ? "driver-collective" : "driver";
    if (!wants(key)) continue;
    const std::string path = fmt::format("{}/{}.h5", run.scratch, key);
    record(key, write_hdf5_driver(ctx, path, collective));
    if (!collective) {  // the merge of the independent one: the file mpio would have written
      record("driver-copy", copy_own_data_file(ctx, path, run.scratch));
      const TimedMerge merged = merge_in_place(ctx, path, run.merge_jobs);
      if (merged.report.records_dropped > 0)
        throw Error("validation failed: the driver container's merge dropped records");
      record("driver-merge", merged.seconds);
    }
    if (!collective) spot_check_on_rank0(ctx, path);
    remove_path(ctx, path);
  }
  progress(ctx, line);
}

int run_bench(Args args) {
  MpiSession session;
  OwnMpi own;
  Context ctx;
  ctx.comm = MPI_COMM_WORLD;
  MPI_Comm_rank(ctx.comm, &ctx.rank);
  MPI_Comm_size(ctx.comm, &ctx.ranks);

  if (args.quick) {
    args.bytes_per_rank = "1M";
    args.transfer = "64K";
    args.repeats = 1;
    args.merge_compare = true;
    args.merge_threads = {1, 2};
  }
  Run run;
  run.args = args;
  run.ranks = ctx.ranks;
  run.bytes_per_rank = parse_size(args.bytes_per_rank, "--bytes-per-rank");
  run.transfer_bytes = parse_size(args.transfer, "--transfer");
  if (run.transfer_bytes % sizeof(double) != 0 || run.bytes_per_rank % sizeof(double) != 0) {
    throw InvalidArgument("--bytes-per-rank and --transfer must be multiples of 8 bytes (float64)");
  }
  if (args.repeats < 1) throw InvalidArgument("--repeats must be at least 1");
  run.total_bytes = run.bytes_per_rank * static_cast<std::uint64_t>(ctx.ranks);
  const Pattern pattern(parse_pattern(args.pattern), ctx.ranks, ctx.rank, run.bytes_per_rank / sizeof(double),
                        run.transfer_bytes / sizeof(double));
  run.pattern_text = pattern.describe();
  std::vector<std::string> methods = args.methods;
  if (methods.empty()) {
    for (const auto& m : kMethods) methods.emplace_back(m.key);
  }
  for (const auto& m : methods) {
    if (std::none_of(std::begin(kMethods), std::end(kMethods), [&](const Method& k) { return m == k.key; })) {
      throw InvalidArgument(fmt::format("--methods: unknown method '{}' ({})", m, method_keys()));
    }
  }
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  run.merge_jobs = args.merge_jobs > 0 ? args.merge_jobs : std::max(1u, cores / static_cast<unsigned>(ctx.ranks));
  const char* io = std::getenv("OMPI_MCA_io");
  run.io_component = io != nullptr && *io != '\0' ? io : "ompio (default)";

  // This rank's elements in transfer order; each holds its own flat index in the dataset, so any
  // element read back anywhere says where it belongs.
  std::vector<double> data(pattern.rank_elements()), scratch(pattern.rank_elements());
  {
    std::size_t at = 0;
    for (std::uint64_t i = 0; i < pattern.transfers(); ++i) {
      pattern.for_each_run(pattern.transfer(i), [&](std::uint64_t first, std::uint64_t count) {
        for (std::uint64_t k = 0; k < count; ++k) data[at++] = static_cast<double>(first + k);
      });
    }
  }
  ctx.pattern = &pattern;
  ctx.data = data;
  ctx.scratch = scratch;
  ctx.fsync = args.fsync == "on";
  ctx.aggregation = parse_aggregation(args.aggregate);

  run.scratch = make_scratch(ctx, args.dir);
  run.filesystem = filesystem_of(run.scratch);
  struct OpenDirectory {
    int fd;
    ~OpenDirectory() {
      if (fd >= 0) ::close(fd);
    }
  } scratch_dir{::open(run.scratch.c_str(), O_RDONLY | O_DIRECTORY)};
  ctx.scratch_fd = scratch_dir.fd;
  run.load_before = load_average();
  try {
    for (int r = 0; r < args.repeats; ++r) run_repeat(run, ctx, methods, r);
  } catch (const std::exception& e) {
    // A failure on one rank may leave the others inside a collective call: stop the whole job.
    fmt::print(stderr, "h5mf bench: rank {}: {}\n", ctx.rank, e.what());
    std::error_code ec;
    if (ctx.rank == 0) fs::remove_all(run.scratch, ec);
    if (ctx.ranks > 1) MPI_Abort(ctx.comm, 1);
    return 1;
  }
  remove_path(ctx, run.scratch);
  run.load_after = load_average();
  if (ctx.rank == 0) {
    print_report(run);
    if (!args.json.empty()) write_json(run, args.json);
  }
  return 0;
}

}  // namespace

Command add_bench_command(CLI::App& parent) {
  auto args = std::make_shared<Args>();
  CLI::App* app =
      parent.add_subcommand("bench", "Benchmark h5mf against parallel HDF5 and POSIX I/O (run it under mpiexec -n N)");
  app->add_option("--bytes-per-rank", args->bytes_per_rank, "Bytes each rank writes (e.g. 256M)")
      ->capture_default_str();
  app->add_option("--transfer", args->transfer, "Bytes per write call (e.g. 1M, 64K)")->capture_default_str();
  app->add_option("--pattern", args->pattern, "Where each rank's data goes")
      ->capture_default_str()
      ->check(CLI::IsMember({"1d", "2d", "3d", "strided", "interleaved"}));
  app->add_option("--repeats", args->repeats, "Repeats; the median is reported")->capture_default_str();
  app->add_option("--dir", args->dir, "Where to write (default: a scratch directory in /dev/shm, else here)");
  app->add_option("--fsync", args->fsync, "fsync before close, for every method")
      ->capture_default_str()
      ->check(CLI::IsMember({"on", "off"}));
  app->add_option("--methods", args->methods, fmt::format("Methods to run: {} (default all)", method_keys()))
      ->delimiter(',');
  app->add_option("--json", args->json, "Write every timing, medians and ratios to this JSON file");
  app->add_option("--label", args->label, "A free text recorded in the JSON (e.g. tmpfs, disk)");
  app->add_option("--aggregate", args->aggregate,
                  "Aggregation of the multifile method: node, <ranks per group> or files:<M> (default: off, or "
                  "H5MF_AGGREGATE)");
  app->add_flag("--merge-compare", args->merge_compare,
                "Rank 0 also merges the container with --merge-threads threads and copies its data files with cat");
  app->add_option("--merge-threads", args->merge_threads, "Thread counts for --merge-compare")
      ->capture_default_str()
      ->delimiter(',');
  app->add_option("--merge-jobs", args->merge_jobs,
                  "Threads per rank of the end-to-end merge (default: cores / ranks, at least 1)");
  app->add_flag("!--no-reads", args->reads, "Skip the read measurements");
  app->add_flag("--quick", args->quick, "Tiny sizes, one repeat, merge comparison included: a smoke test for ctest");
  return {app, [args] { return run_bench(*args); }};
}

}  // namespace h5mf::tools
