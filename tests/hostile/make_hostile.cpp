// make_hostile CLASS DIR: the hostile containers of one class (docs/design.md, "Hostile files"),
// each made from a real small container written by the library and then altered the way a
// crafted or damaged one would be. Every variant is DIR/<variant>/ holding `c.h5` (the container,
// or an HDF5 file) and `outside/` (files outside the container that links point at, which no
// command may change). run_hostile.py runs every command on every variant.
//
// Classes: counts, dims, depth, symlink, fifo, truncated, deleted, records, merged.
#include <fcntl.h>
#include <hdf5.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <variant>

#include "container/layout.hpp"
#include "container/metafile.hpp"
#include "format/constants.hpp"
#include "format/log.hpp"
#include "format/records.hpp"
#include "h5mf/h5mf.hpp"

namespace fs = std::filesystem;
using namespace h5mf;

namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error(what);
}

// Two writer slots; writer 0 wrote a contiguous and a chunked dataset, writer 1 nothing (its file
// pair is removed, so that a link or FIFO can take its place).
void make_container(const std::string& path) {
  FileOptions options;
  options.driver = Driver::Multifile;
  options.writers = 2;
  File file(path, "w", options);
  Group g = file.create_group("g");
  Dataset d = g.create_dataset("d", DatasetCreate::of<std::uint64_t>({4, 4}).fill_value(std::uint64_t{9}));
  d.write(std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7, 8}, Selection::hyperslab({0, 0}, {2, 4}));
  Dataset c = file.create_dataset("c", DatasetCreate::of<std::int32_t>({16}).chunk_shape({4}));
  c.write(std::vector<std::int32_t>{1, 2, 3, 4}, Selection::hyperslab({4}, {4}));
  file.attrs().set("title", std::string("hostile"));
  file.close();
  for (const char* name : {"1", "1.offset"}) fs::remove(fs::path(path) / name);
}

// Appends structure records to a closed container's metafile, with valid framing and checksums.
class Appender {
 public:
  explicit Appender(const std::string& path) : layout_(path), contents_(container::load_metafile(layout_)) {
    next_id_ = contents_.catalog.next_id();
    epoch_ = contents_.catalog.last_epoch();
    std::ifstream in(layout_.metafile(), std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    bytes_.resize(contents_.valid_end);
    std::memcpy(bytes_.data(), all.data(), bytes_.size());
  }
  std::uint64_t next_id() const { return next_id_; }
  std::uint64_t epoch() const { return epoch_; }
  std::uint64_t sessions() const { return contents_.catalog.sessions().size(); }

  void add(const format::StructureRecord& record) {
    std::visit(
        [&](const auto& r) {
          using R = std::decay_t<decltype(r)>;
          if constexpr (std::is_same_v<R, format::CreateGroupRecord> ||
                        std::is_same_v<R, format::CreateDatasetRecord>) {
            ++next_id_;
          }
        },
        record);
    const format::Bytes payload = format::encode(record);
    format::append_record(bytes_, format::record_type(record), payload);
  }

  std::uint64_t group(std::uint64_t parent, const std::string& name) {
    const std::uint64_t id = next_id_;
    add(format::CreateGroupRecord{epoch_, id, parent, name});
    return id;
  }

  void dataset(const std::string& name, const Datatype& type, Extent dims, Extent maxdims, Extent chunk,
               format::Bytes fill = {}) {
    format::CreateDatasetRecord r;
    r.epoch = epoch_;
    r.id = next_id_;
    r.parent = 0;
    r.name = name;
    r.type = type.encode();
    r.dims = std::move(dims);
    r.maxdims = maxdims.empty() ? r.dims : std::move(maxdims);
    r.chunk = std::move(chunk);
    r.fill = std::move(fill);
    add(r);
  }

  void save() {
    std::ofstream out(layout_.metafile(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes_.data()), static_cast<std::streamsize>(bytes_.size()));
    require(out.good(), "cannot write " + layout_.metafile());
  }

 private:
  container::Layout layout_;
  container::MetafileContents contents_;
  format::Bytes bytes_;
  std::uint64_t next_id_ = 0, epoch_ = 0;
};

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  require(out.good(), "cannot write " + path.string());
}

void fifo(const fs::path& path) {
  fs::remove(path);
  require(::mkfifo(path.c_str(), 0644) == 0, "cannot mkfifo " + path.string());
}

// A file outside the container and a link to it at `link`.
void link_outside(const fs::path& variant, const std::string& link, const std::string& target_name) {
  const fs::path target = variant / "outside" / target_name;
  if (!fs::exists(target)) write_file(target, "precious bytes outside the container\n");
  fs::remove(variant / "c.h5" / link);
  fs::create_symlink(fs::absolute(target), variant / "c.h5" / link);
}

// A file of the container moved outside it, a link left in its place.
void move_outside(const fs::path& variant, const std::string& name) {
  const fs::path target = variant / "outside" / name;
  fs::rename(variant / "c.h5" / name, target);
  fs::create_symlink(fs::absolute(target), variant / "c.h5" / name);
}

format::Bytes bytes_of(std::uint8_t value) { return {std::byte{value}}; }

using Maker = std::function<void(const fs::path& variant, const std::string& container)>;

// One writer's `count` one-element writes to a dataset of as many elements (with a fill value, so
// that a lost record would show): the most records for the fewest bytes, what costs a reader,
// verify, merge and view memory per record (issue 23).
void many_records(const std::string& path, std::uint64_t count) {
  fs::remove_all(path);
  FileOptions options;
  options.driver = Driver::Multifile;
  File file(path, "w", options);
  Dataset d = file.create_dataset("r", DatasetCreate::of<std::uint32_t>({count}).fill_value(std::uint32_t{7}));
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::uint32_t value = static_cast<std::uint32_t>(i * 2654435761u);
    d.write(std::span<const std::uint32_t>(&value, 1), Selection::hyperslab({i}, {1}));
  }
  file.close();
}

std::uint64_t record_count = 200000;  // of the records class; a third argument sets it

const std::map<std::string, std::map<std::string, Maker>>& classes() {
  static const std::map<std::string, std::map<std::string, Maker>> all = {
      {"counts",
       {{"writers-2^32-1",
         [](const fs::path&, const std::string& c) {
           Appender a(c);
           a.add(format::SessionRecord{a.sessions(), 0xffffffffu, 0, a.epoch() + 1, 0});
           a.save();
         }}}},
      {"dims",
       {// Within the limits but declaring far more than the container holds: every operation must
        // take time and memory by the container's bytes, not by these numbers.
        {"contiguous-2^40",
         [](const fs::path&, const std::string& c) {
           Appender a(c);
           a.dataset("huge", Datatype::of<std::uint8_t>(), {std::uint64_t{1} << 40}, {}, {}, bytes_of(7));
           a.save();
         }},
        {"chunked-2^40",
         [](const fs::path&, const std::string& c) {
           Appender a(c);
           a.dataset("huge", Datatype::of<std::uint8_t>(), {std::uint64_t{1} << 20, std::uint64_t{1} << 20}, {},
                     {1024, 1024}, bytes_of(7));
           a.save();
         }},
        {"contiguous-2^62-zero-fill",
         [](const fs::path&, const std::string& c) {
           Appender a(c);
           a.dataset("huge", Datatype::of<std::uint64_t>(), {std::uint64_t{1} << 59}, {}, {});
           a.save();
         }},
        // Beyond the limits: damage from that record on.
        {"elements-2^64",
         [](const fs::path&, const std::string& c) {
           Appender a(c);
           a.dataset("over", Datatype::of<std::uint8_t>(), {std::uint64_t{1} << 61, 8}, {}, {});
           a.save();
         }},
        {"bytes-2^64",
         [](const fs::path&, const std::string& c) {
           Appender a(c);
           a.dataset("over", Datatype::of<std::uint8_t>(), {std::uint64_t{1} << 32, (std::uint64_t{1} << 32) + 1}, {},
                     {});
           a.save();
         }},
        {"chunk-4GiB",
         [](const fs::path&, const std::string& c) {
           Appender a(c);
           a.dataset("big_chunk", Datatype::of<std::uint8_t>(), {std::uint64_t{1} << 33}, {}, {std::uint64_t{1} << 32});
           a.save();
         }},
        {"string-2GiB",
         [](const fs::path&, const std::string& c) {
           Appender a(c);
           a.dataset("s", Datatype::fixed_string(std::size_t{1} << 31), {1}, {}, {});
           a.save();
         }}}},
      {"depth",
       {{"groups-100000",
         [](const fs::path&, const std::string& c) {
           Appender a(c);
           std::uint64_t parent = 0;
           for (int i = 0; i < 100000; ++i) parent = a.group(parent, "n");
           a.save();
         }},
        // An HDF5 file from elsewhere, nested deeper than any container may be.
        {"hdf5-file-20000",
         [](const fs::path&, const std::string& c) {
           fs::remove_all(c);
           const hid_t file = H5Fcreate(c.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
           require(file >= 0, "H5Fcreate " + c);
           hid_t at = file;
           for (int i = 0; i < 20000; ++i) {
             const hid_t g = H5Gcreate2(at, "n", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
             require(g >= 0, "H5Gcreate2");
             if (at != file) H5Gclose(at);
             at = g;
           }
           if (at != file) H5Gclose(at);
           H5Fclose(file);
         }}}},
      {"symlink",
       {// Where a joining writer 1 would create its files, and where view writes its outputs.
        {"new-writer-files",
         [](const fs::path& v, const std::string&) {
           link_outside(v, "1", "data-target");
           link_outside(v, "1.offset", "index-target");
         }},
        // Only the data file: the joining writer creates a new, empty index file and then cut
        // "its" data file to 0 bytes, the file the link points at.
        {"new-writer-data", [](const fs::path& v, const std::string&) { link_outside(v, "1", "data-target"); }},
        {"existing-files",
         [](const fs::path& v, const std::string&) {
           move_outside(v, "0");
           move_outside(v, "0.offset");
         }},
        {"metafile", [](const fs::path& v, const std::string&) { move_outside(v, "metafile"); }},
        {"view-outputs",
         [](const fs::path& v, const std::string&) {
           link_outside(v, "view.h5", "view-target");
           link_outside(v, "view-sources.h5", "sources-target");
         }}}},
      {"fifo",
       {{"index", [](const fs::path&, const std::string& c) { fifo(fs::path(c) / "0.offset"); }},
        {"data", [](const fs::path&, const std::string& c) { fifo(fs::path(c) / "0"); }},
        {"metafile", [](const fs::path&, const std::string& c) { fifo(fs::path(c) / "metafile"); }},
        {"new-writer-files",
         [](const fs::path&, const std::string& c) {
           fifo(fs::path(c) / "1");
           fifo(fs::path(c) / "1.offset");
         }},
        {"view-outputs",
         [](const fs::path&, const std::string& c) {
           fifo(fs::path(c) / "view.h5");
           fifo(fs::path(c) / "view-sources.h5");
         }}}},
      {"truncated",
       {{"index-to-0", [](const fs::path&, const std::string& c) { fs::resize_file(fs::path(c) / "0.offset", 0); }},
        {"index-to-header",
         [](const fs::path&, const std::string& c) { fs::resize_file(fs::path(c) / "0.offset", format::kHeaderSize); }},
        {"data-to-0", [](const fs::path&, const std::string& c) { fs::resize_file(fs::path(c) / "0", 0); }}}},
      {"deleted",
       {{"pair-0",
         [](const fs::path&, const std::string& c) {
           fs::remove(fs::path(c) / "0");
           fs::remove(fs::path(c) / "0.offset");
         }}}},
      {"records", {{"one-element", [](const fs::path&, const std::string& c) { many_records(c, record_count); }}}},
      {"merged",
       {{"stray-marker", [](const fs::path&, const std::string& c) { write_file(fs::path(c) / "merged", ""); }}}},
  };
  return all;
}

}  // namespace

int main(int argc, char** argv) {
  if ((argc != 3 && argc != 4) || !classes().contains(argv[1])) {
    std::fprintf(stderr,
                 "usage: make_hostile CLASS DIR [RECORDS] (CLASS: counts dims depth symlink fifo truncated deleted "
                 "records merged; RECORDS: how many the records class writes, 200000)\n");
    return 2;
  }
  if (argc == 4) record_count = std::stoull(argv[3]);
  try {
    const fs::path dir = argv[2];
    for (const auto& [name, make] : classes().at(argv[1])) {
      const fs::path variant = dir / name;
      fs::remove_all(variant);
      fs::create_directories(variant / "outside");
      const std::string container = (variant / "c.h5").string();
      make_container(container);
      make(variant, container);
      std::printf("%s\n", name.c_str());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_hostile: %s\n", e.what());
    return 1;
  }
  return 0;
}
