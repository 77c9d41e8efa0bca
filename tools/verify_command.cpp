// h5mf verify PATH [--json]: checks a container (every header, record, checksum and catalog
// reference, and same-epoch overlaps of different writers) or a conventional HDF5 file (every
// object read in full). Exit code: 0 healthy; 1 errors (PATH cannot be used as a whole: missing,
// not a container or HDF5 file, a header readers refuse, an HDF5 object that cannot be read);
// 2 damage (records dropped: the rest still reads and merges) or conflicts, without errors.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "command.hpp"
#include "h5mf/verify.hpp"
#include "json_format.hpp"
#include "mpi_session.hpp"
#include "progress_bar.hpp"

namespace h5mf::tools {
namespace {

std::string mib(std::uint64_t bytes) { return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20)); }

std::string box(const Extent& lo, const Extent& hi) {
  std::string out;
  for (std::size_t d = 0; d < lo.size(); ++d) out += fmt::format("{}{}:{}", d ? ", " : "", lo[d], hi[d]);
  return "[" + out + "]";
}

// Either kind of container: the files, records and damage are reported alike.
bool is_container(const VerifyReport& r) {
  return r.kind == VerifyReport::Kind::Container || r.kind == VerifyReport::Kind::FileImage;
}

nlohmann::json to_json(const VerifyDamage& d) {
  nlohmann::json j = {{"file", d.file},       {"offset", d.offset},       {"bytes", d.bytes},
                      {"records", d.records}, {"torn_tail", d.torn_tail}, {"reason", d.reason}};
  if (d.sequence) {
    j["sequence"] = *d.sequence;
    j["dataset_id"] = d.dataset;
    j["epoch"] = d.epoch;
  }
  return j;
}

nlohmann::json to_json(const VerifyReport& r) {
  const char* kind = r.kind == VerifyReport::Kind::Container   ? "container"
                     : r.kind == VerifyReport::Kind::FileImage ? "file-image"
                     : r.kind == VerifyReport::Kind::Hdf5File  ? "hdf5"
                                                               : "unknown";
  nlohmann::json j = {
      {"path", r.path},   {"kind", kind},       {"exit_code", r.exit_code()}, {"errors", r.errors},
      {"notes", r.notes}, {"groups", r.groups}, {"datasets", r.datasets},     {"attributes", r.attributes}};
  if (r.kind == VerifyReport::Kind::Hdf5File) {
    j["bytes_read"] = r.bytes_read;
    return j;
  }
  if (!is_container(r)) return j;
  j["container_id"] = r.container_id;
  j["container_format_version"] = r.format_version;  // "format_version" is the JSON's own
  j["sessions"] = r.sessions;
  j["writer_files"] = r.writer_files;
  nlohmann::json meta_damage = nlohmann::json::array();
  for (const auto& d : r.metafile_damage) meta_damage.push_back(to_json(d));
  j["metafile"] = {{"bytes", r.metafile_bytes}, {"records", r.metafile_records}, {"damage", meta_damage}};
  // One entry per data file pair; under aggregation a pair holds a group's records, so the
  // records each writer made are summed apart ("writers": writer id -> records).
  nlohmann::json files = nlohmann::json::array();
  std::map<std::uint32_t, std::uint64_t> per_writer;
  for (const auto& w : r.data_files) {
    nlohmann::json damage = nlohmann::json::array();
    for (const auto& d : w.damage) damage.push_back(to_json(d));
    nlohmann::json by_writer = nlohmann::json::object();
    for (const auto& [writer, records] : w.records_by_writer) {
      by_writer[std::to_string(writer)] = records;
      per_writer[writer] += records;
    }
    files.push_back({{"file", w.file},
                     {"index_present", w.index_present},
                     {"data_present", w.data_present},
                     {"index_bytes", w.index_bytes},
                     {"data_bytes", w.data_bytes},
                     {"records", w.records},
                     {"record_bytes", w.record_bytes},
                     {"records_dropped", w.records_dropped},
                     {"bytes_dropped", w.bytes_dropped},
                     {"unreferenced_bytes", w.unreferenced_bytes},
                     {"records_by_writer", by_writer},
                     {"damage", damage}});
  }
  j["data_files"] = files;
  nlohmann::json writers = nlohmann::json::object();
  for (const auto& [writer, records] : per_writer) writers[std::to_string(writer)] = records;
  j["writers"] = writers;
  nlohmann::json conflicts = nlohmann::json::array();
  for (const auto& c : r.conflicts) {
    conflicts.push_back({{"dataset", c.dataset},
                         {"dataset_id", c.dataset_id},
                         {"epoch", c.epoch},
                         {"writers", {c.writer_a, c.writer_b}},
                         {"record_pairs", c.record_pairs},
                         {"elements", c.elements},
                         {"lo", c.lo},
                         {"hi", c.hi},
                         {"first", c.first}});
  }
  j["conflicts"] = conflicts;
  j["conflicts_total"] = r.conflicts_total;
  j["records"] = r.records();
  j["records_dropped"] = r.records_dropped();
  j["bytes_dropped"] = r.bytes_dropped();
  return j;
}

// "writer (records), ..." for the first writers of a map, then how many more.
std::string writer_list(const std::map<std::uint32_t, std::uint64_t>& records_by_writer) {
  constexpr std::size_t kShown = 16;
  std::string out;
  std::size_t n = 0;
  for (const auto& [writer, records] : records_by_writer) {
    if (n == kShown) return out + fmt::format(", ... and {} more", records_by_writer.size() - kShown);
    out += fmt::format("{}{} ({} records)", n++ == 0 ? "" : ", ", writer, records);
  }
  return out;
}

void print_damage(const VerifyDamage& d) {
  if (d.sequence) {
    fmt::print("    {} at offset {}: {}\n", d.file, d.offset, d.reason);
    return;
  }
  fmt::print("    {}: dropped {} bytes from offset {} ({} whole records{}): {}\n", d.file, d.bytes, d.offset, d.records,
             d.torn_tail ? ", a torn tail" : "", d.reason);
}

void print_text(const VerifyReport& r, bool quiet) {
  if (!quiet) {
    if (is_container(r)) {
      std::map<std::uint32_t, std::uint64_t> per_writer;  // over all data files
      bool aggregated = false;
      for (const auto& w : r.data_files) {
        for (const auto& [writer, records] : w.records_by_writer) {
          per_writer[writer] += records;
          aggregated = aggregated || writer != w.file;
        }
      }
      if (r.kind == VerifyReport::Kind::FileImage) {
        fmt::print(
            "file-image container '{}' (written through the HDF5 file driver): format {}, id {}, {} sessions, "
            "{} writers\n",
            r.path, r.format_version, r.container_id, r.sessions, r.writer_files);
      } else {
        fmt::print("container '{}': format {}, id {}, {} sessions, {} {}; {} groups, {} datasets, {} attributes\n",
                   r.path, r.format_version, r.container_id, r.sessions, r.writer_files,
                   aggregated ? "data file pairs" : "writers", r.groups, r.datasets, r.attributes);
      }
      if (!r.container_id.empty()) {
        fmt::print("  metafile: {} bytes, {} records: {}\n", r.metafile_bytes, r.metafile_records,
                   r.metafile_damage.empty() ? "ok" : "DAMAGED");
        for (const auto& d : r.metafile_damage) print_damage(d);
      }
      for (const auto& w : r.data_files) {
        fmt::print("  {} {}: {} records, {} of data ({} bytes in '{}', {} bytes in '{}.offset'{}): {}\n",
                   aggregated ? "data file" : "writer", w.file, w.records, mib(w.record_bytes), w.data_bytes, w.file,
                   w.index_bytes, w.file,
                   w.unreferenced_bytes ? fmt::format("; {} data bytes unreferenced", w.unreferenced_bytes) : "",
                   w.damage.empty()
                       ? "ok"
                       : fmt::format("DAMAGED, {} records and {} bytes dropped", w.records_dropped, w.bytes_dropped));
        for (const auto& d : w.damage) print_damage(d);
        if (aggregated && !w.records_by_writer.empty()) {
          fmt::print("    from {} writers: {}\n", w.records_by_writer.size(), writer_list(w.records_by_writer));
        }
      }
      if (aggregated) fmt::print("  writers: {} wrote records: {}\n", per_writer.size(), writer_list(per_writer));
      for (const auto& c : r.conflicts) {
        fmt::print(
            "  conflict: dataset '{}', epoch {}: writers {} and {} both write {} elements ({} pairs of records) "
            "in {}, the first at [{}]; writer {}'s values are kept\n",
            c.dataset, c.epoch, c.writer_a, c.writer_b, c.elements, c.record_pairs, box(c.lo, c.hi),
            fmt::join(c.first, ", "), c.writer_b);
      }
      if (r.conflicts_total > r.conflicts.size()) {
        fmt::print("  ... and {} more conflicts\n", r.conflicts_total - r.conflicts.size());
      }
    } else if (r.kind == VerifyReport::Kind::Hdf5File) {
      fmt::print("HDF5 file '{}': {} groups, {} datasets, {} attributes, {} read\n", r.path, r.groups, r.datasets,
                 r.attributes, mib(r.bytes_read));
    }
    for (const auto& n : r.notes) fmt::print("  note: {}\n", n);
    for (const auto& e : r.errors) fmt::print("  error: {}\n", e);
  }
  const int rc = r.exit_code();
  const char* verdict = rc == 0 ? "healthy" : rc == 1 ? "ERRORS" : "DAMAGED";
  if (is_container(r)) {
    fmt::print("summary: '{}': {} records kept, {} dropped, {} bytes dropped, {} conflicts, {} errors: {} (exit {})\n",
               r.path, r.records(), r.records_dropped(), r.bytes_dropped(), r.conflicts_total, r.errors.size(), verdict,
               rc);
  } else {
    fmt::print("summary: '{}': {} errors: {} (exit {})\n", r.path, r.errors.size(), verdict, rc);
  }
}

}  // namespace

Command add_verify_command(CLI::App& parent) {
  struct Args {
    std::string path;
    VerifyOptions options;
    bool json = false, quiet = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* app = parent.add_subcommand(
      "verify",
      "Check a container (headers, records, checksums, catalog, same-epoch conflicts) or read an HDF5 file in full. "
      "Exit code: 0 healthy, 1 errors, 2 damage or conflicts");
  app->add_option("path", args->path, "A container (directory) or an HDF5 file")->required();
  app->add_flag("--json", args->json, "Print the report as JSON");
  app->add_flag("-q,--quiet", args->quiet, "Print only the summary line");
  app->add_flag("!--no-data", args->options.check_data, "Do not read record data to check their checksums");
  app->add_option("-j,--jobs", args->options.threads, "Threads for the data checks (default: one per core)");
  app->add_option("--max-conflicts", args->options.max_conflicts, "Conflicts listed in detail (all are counted)");

  return {app, [args] {
            VerifyOptions options = args->options;
            ProgressBar bar("verifying");
            if (!args->quiet && !args->json && MpiSession::launched_rank() == 0) options.progress = bar.callback();
            const VerifyReport report = verify(args->path, options);
            bar.finish();
            const int rc = report.exit_code();
            if (args->json) {
              std::cout << versioned(to_json(report)).dump(2) << "\n";
            } else {
              print_text(report, args->quiet);
            }
            if (rc == 1) {
              fmt::print(stderr, "h5mf verify: {}\n", report.errors.empty() ? "errors" : report.errors.front());
            } else if (rc == 2) {
              fmt::print(stderr, "h5mf verify: '{}' is damaged: {} records and {} bytes dropped, {} conflicts\n",
                         report.path, report.records_dropped(), report.bytes_dropped(), report.conflicts_total);
            }
            return rc;
          }};
}

}  // namespace h5mf::tools
