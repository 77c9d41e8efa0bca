#include "driver/multifile/multifile_driver.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <set>
#include <tuple>

#include "container/base.hpp"
#include "container/catalog.hpp"
#include "container/conflicts.hpp"
#include "container/index.hpp"
#include "container/layout.hpp"
#include "container/metafile.hpp"
#include "container/reader.hpp"
#include "container/writer_log.hpp"
#include "diagnostics/verbose.hpp"
#include "driver/hdf5/hdf5_driver.hpp"
#include "driver/multifile/aggregation.hpp"
#include "driver/multifile/collective_log.hpp"
#include "driver/multifile/session.hpp"
#include "format/checksum.hpp"
#include "format/constants.hpp"
#include "format/vlen.hpp"
#include "h5mf/warnings.hpp"
#include "hdf5/convert.hpp"
#include "hdf5/creation_properties.hpp"
#include "hdf5/handle.hpp"
#include "mpi/bound.hpp"
#include "mpi/shared_outcome.hpp"
#include "selection/runs.hpp"
#include "values/attribute_codec.hpp"
#include "values/vlen_compound.hpp"
#include "values/vlen_fill.hpp"
#include "values/vlen_strings.hpp"
#include "values/vlen_values.hpp"

namespace h5mf::driver {
namespace {

using container::Catalog;
using container::CatalogObject;
using container::ObjectKind;

std::string atomic_with_aggregation(const std::string& path) {
  return fmt::format(
      "container '{}': atomic mode makes every write visible at once, but with aggregation a rank's "
      "writes reach the files at the next flush() or close(); open it without aggregation (option "
      "'aggregation' or H5MF_AGGREGATE)",
      path);
}

// Everything one open container shares between its nodes.
struct State {
  container::Layout layout;
  Mode mode = Mode::Read;
  std::shared_ptr<mpi::Comm> comm;
  Session session;
  FileOptions options;
  format::ContainerId id{};
  Catalog catalog;
  std::optional<container::MetafileAppender> metafile;  // the coordinator's
  std::optional<container::WriterLog> log;  // every writer's (aggregators' only, with aggregation), unless read-only
  std::unique_ptr<AggregationGroup> aggregation_group;  // with aggregation
  std::unique_ptr<container::ContainerIndex> index;     // built on the first read
  std::unique_ptr<container::DataReader> reader;
  std::uint64_t epoch = 0;
  std::optional<std::uint64_t> index_epoch;  // the epoch of the index's last refresh of every writer
  CollectiveLog collectives;                 // compared across ranks at flush/close
  std::optional<std::string> diverged;       // why the file is unusable: ranks made different calls
  bool atomic = false;
  bool closed = false;
  bool check_conflicts = false;  // debug: report overlapping writes of one epoch on reads
  std::set<std::tuple<std::uint64_t, std::uint64_t, std::uint32_t, std::uint32_t>> reported_conflicts;

  std::unique_ptr<FileDriver> base_file;  // the HDF5 file a container extends, opened on first read
  // Held (shared) while the container is open, so that no 'w', merge or view of it runs meanwhile.
  container::HolderLock holder;

  explicit State(container::Layout l) : layout(std::move(l)) {}

  // A dataset of the base file, by its path.
  std::shared_ptr<DatasetNode> base_dataset(const std::string& path) {
    if (!base_file) {
      FileOptions sec2;
      sec2.driver = Driver::Sec2;
      base_file = open_hdf5(container::base_path(layout, *catalog.base()), Mode::Read, sec2, Driver::Sec2);
    }
    std::shared_ptr<GroupNode> group = base_file->root();
    std::size_t at = 1;
    for (std::size_t slash = path.find('/', at); slash != std::string::npos; slash = path.find('/', at)) {
      group = group->open_group(path.substr(at, slash - at));
      at = slash + 1;
    }
    return group->open_dataset(path.substr(at));
  }

  bool writable() const { return mode != Mode::Read; }

  // A collective structure call: validated and applied to the catalog, hashed for the mismatch
  // check, logged to the metafile by the coordinator, and the epoch advances.
  void structure_call(format::StructureRecord record) {
    if (!session.may_change_structure) {
      throw InvalidArgument(
          fmt::format("container '{}': only the coordinator (writer 0) changes structure when there is no MPI; this "
                      "process is writer {}",
                      layout.path(), session.writer));
    }
    usable();
    std::visit(
        [&](auto& r) {
          if constexpr (requires { r.epoch; }) r.epoch = epoch;
        },
        record);
    const std::string description = describe(record);
    catalog.apply(record, fmt::format("container '{}'", layout.path()));
    collectives.record(description, format::encode(record), metafile ? metafile->end() : 0);
    if (aggregation_group && log) aggregation_group->drain(*log);
    if (metafile) {
      metafile->append(record);
      if (atomic) metafile->flush(false);
    }
    ++epoch;
  }

  // A structure call in words, for the message when ranks disagree.
  std::string describe(const format::StructureRecord& record) const {
    auto child = [&](std::uint64_t parent, const std::string& name) {
      const std::string at = catalog.path_of(parent);
      return (at == "/" ? "/" : at + "/") + name;
    };
    return std::visit(
        [&](const auto& r) -> std::string {
          using R = std::decay_t<decltype(r)>;
          if constexpr (std::is_same_v<R, format::CreateGroupRecord>) {
            return fmt::format("create_group('{}')", child(r.parent, r.name));
          } else if constexpr (std::is_same_v<R, format::CreateDatasetRecord>) {
            return fmt::format("create_dataset('{}', {}, {})", child(r.parent, r.name),
                               r.null ? "null dataspace" : fmt::format("shape [{}]", fmt::join(r.dims, ",")),
                               Datatype::decode(r.type).describe());
          } else if constexpr (std::is_same_v<R, format::SetAttributeRecord>) {
            return fmt::format("attrs['{}'] = ... on '{}'", r.name, catalog.path_of(r.id));
          } else if constexpr (std::is_same_v<R, format::DeleteAttributeRecord>) {
            return fmt::format("del attrs['{}'] on '{}'", r.name, catalog.path_of(r.id));
          } else if constexpr (std::is_same_v<R, format::ResizeRecord>) {
            return fmt::format("resize('{}', [{}])", catalog.path_of(r.id), fmt::join(r.dims, ","));
          } else if constexpr (std::is_same_v<R, format::LinkRecord>) {
            return fmt::format("hard link '{}' to '{}'", child(r.parent, r.name), catalog.path_of(r.target));
          } else if constexpr (std::is_same_v<R, format::SoftLinkRecord>) {
            return fmt::format("soft link '{}' to '{}'", child(r.parent, r.name), r.path);
          } else if constexpr (std::is_same_v<R, format::ExternalLinkRecord>) {
            return fmt::format("external link '{}' to '{}' in '{}'", child(r.parent, r.name), r.path, r.file);
          } else if constexpr (std::is_same_v<R, format::NamedTypeRecord>) {
            return fmt::format("named datatype '{}' ({})", child(r.parent, r.name),
                               Datatype::decode(r.type).describe());
          } else if constexpr (std::is_same_v<R, format::UnlinkRecord>) {
            return fmt::format("del '{}'", child(r.parent, r.name));
          } else if constexpr (std::is_same_v<R, format::MoveRecord>) {
            return fmt::format("move('{}', '{}')", child(r.parent, r.name), child(r.new_parent, r.new_name));
          } else if constexpr (std::is_same_v<R, format::DimensionScaleRecord>) {
            return fmt::format("dims[{}].{}_scale('{}') on '{}'", r.dim, r.attach ? "attach" : "detach",
                               catalog.path_of(r.scale), catalog.path_of(r.dataset));
          } else if constexpr (std::is_same_v<R, format::DimensionLabelRecord>) {
            return fmt::format("dims[{}].label = '{}' on '{}'", r.dim, r.label, catalog.path_of(r.dataset));
          } else {
            return "a session record";
          }
        },
        record);
  }

  // The handshake that starts every communicating operation (see CollectiveLog). On a mismatch
  // every rank writes out what it has (nothing written is lost), the coordinator cuts the metafile
  // back to the last call all ranks agreed on, so that no object only some ranks made stays in the
  // container (records aimed at such objects are then dropped, and reported, instead of landing in
  // another object), and every rank throws. From then on the file makes no collective call.
  void handshake(const std::string& operation) {
    auto disagreement = collectives.handshake(*comm, layout.path(), operation);
    if (!disagreement) return;
    settle(*disagreement);
    throw CollectiveMismatch(disagreement->message);
  }

  // After a handshake that disagreed (or where a rank left): nothing more may be made of the file.
  void settle(const CollectiveLog::Disagreement& disagreement) noexcept {
    diverged = disagreement.message;
    try {
      if (log) log->flush(options.sync);
      if (metafile) {
        if (disagreement.metafile_cut) metafile->truncate_to(*disagreement.metafile_cut);
        metafile->flush(options.sync);
      }
    } catch (const std::exception& e) {
      std::fprintf(stderr, "h5mf: while writing out '%s' after mismatched collective calls: %s\n",
                   layout.path().c_str(), e.what());
    }
  }

  // After ranks diverged, nothing more may be made of this file: close it and fix the program.
  void usable() const {
    if (diverged) throw CollectiveMismatch(*diverged + " (the file can only be closed now)");
  }

  // One data write, in the dataset's file type: a member of an aggregation group buffers it for
  // its aggregator; everyone else appends it to its own log.
  // `phase`: see WriterLog::append.
  void append_write(std::uint64_t dataset, const Selection& selection, std::span<const std::byte> data,
                    std::uint64_t phase = 0) {
    if (aggregation_group && !log) {
      aggregation_group->add(dataset, epoch, selection, data);
      return;
    }
    if (aggregation_group) aggregation_group->drain(*log);
    log->append(dataset, epoch, selection, data, phase);
    if (atomic) log->flush(false);
  }

  // The start of every communicating collective call: a group's members ship their writes to the
  // aggregator. It comes before the handshake so that an aggregator waiting for its members still
  // answers a member that waits in a read (see AggregationGroup).
  void exchange(const mpi::Bound* bound = nullptr) {
    if (aggregation_group) aggregation_group->exchange(log ? &*log : nullptr, bound);
  }

  void write_out(bool sync) {
    if (aggregation_group) aggregation_group->rethrow_failure();
    if (log) {
      // Each writer's own event (the sizes differ), so every writer tells it.
      diagnostics::verbose("'{}', writer {}: flush of {} buffered bytes ({} records so far){}", layout.path(),
                           session.writer, log->buffered_bytes(), log->records_written(), sync ? ", fsync" : "");
      log->flush(sync);
    }
    if (metafile) metafile->flush(sync);
  }

  container::ContainerIndex& fresh_index() {
    if (!index) {
      index = std::make_unique<container::ContainerIndex>(layout, id);
      reader = std::make_unique<container::DataReader>(layout);
      reader->check_checksums(true);
    }
    // A process always reads its own writes: they leave the buffer first (a member of an
    // aggregation group overlays its buffer on what it reads, or, when it shipped writes since the
    // last collective call, waits until its aggregator has written them out).
    if (aggregation_group) {
      if (log) {
        aggregation_group->drain(*log);
      } else {
        aggregation_group->prepare_read();
      }
    }
    if (log && log->has_buffered()) log->flush(false);
    // Other writers' records become visible at a collective call (which advances the epoch), at
    // once in atomic mode, and whenever they like without MPI. Within one epoch of a parallel
    // session only this process's own data file can have grown (an aggregation group's: the one
    // its aggregator appends to): reading just that one keeps a read from opening every index
    // file (O(files) per read, O(files x writers) per job).
    if (atomic || !comm->is_parallel() || index_epoch != epoch) {
      index->refresh(catalog.data_files(), mode == Mode::Read, catalog.required_data_files());
      index_epoch = epoch;
    } else if (aggregation_group) {
      index->refresh_file(aggregation_group->data_file(), false);
    } else if (log) {
      index->refresh_file(session.writer, false);
    }
    return *index;
  }
};

// Attribute calls shared by groups and datasets.
template <class Base>
class Object : public Base {
 public:
  // `path`: the name it was opened by (a hard link gives an object more than one).
  Object(std::shared_ptr<State> state, std::uint64_t id, std::string path)
      : state_(std::move(state)), id_(id), path_(std::move(path)) {}

  std::string path() const override { return path_; }
  std::optional<std::string> current_name() override {
    const container::Catalog& catalog = state_->catalog;
    std::optional<std::uint64_t> at = 0;  // the path it was opened by, if it still reaches it
    for (std::size_t start = 1; start < path_.size() && at;) {
      const std::size_t slash = std::min(path_.find('/', start), path_.size());
      at = catalog.resolve(*at, std::string_view(path_).substr(start, slash - start));
      start = slash + 1;
    }
    if (at == id_) return path_;
    const container::MergedNames names = catalog.merged_names();  // (rare: after a move or an unlink)
    if (!names.contains(id_)) return std::nullopt;
    return names.path(id_);
  }
  std::uint64_t object_id() override { return id_; }

  std::vector<std::string> attribute_names() override {
    const auto& attributes = object().attributes;
    std::vector<std::string> names;
    for (const auto& [name, entry] : attributes) names.push_back(name);
    return names;  // sorted by name, as HDF5 lists them by default
  }
  bool has_attribute(const std::string& name) override { return object().attributes.contains(name); }
  void set_attribute(const std::string& name, const AttributeData& value) override {
    values::StoredAttribute stored = values::store_attribute(value);
    if (value.named_type) {  // shares a named datatype: its id, and its type byte for byte
      const container::Catalog& catalog = state_->catalog;
      if (!catalog.contains(*value.named_type) ||
          catalog.object(*value.named_type).kind != container::ObjectKind::Datatype ||
          Datatype::decode(catalog.object(*value.named_type).type) != Datatype::decode(stored.type)) {
        throw InvalidArgument(fmt::format("attribute '{}' of '{}': object {} is no named datatype of its type {}", name,
                                          path(), *value.named_type, value.type.describe()));
      }
      stored.type = catalog.object(*value.named_type).type;
    }
    state_->structure_call(format::SetAttributeRecord{0, id_, name, std::move(stored.type), std::move(stored.dims),
                                                      std::move(stored.value), stored.null, value.named_type,
                                                      stored.variable_length_elements});
  }
  AttributeData get_attribute(const std::string& name) override {
    const auto& entry = object().attributes.at(name);
    AttributeData out =
        values::load_attribute({entry.type, entry.dims, entry.value, entry.null, entry.variable_length_elements},
                               fmt::format("attribute '{}' of '{}' in '{}'", name, path(), state_->layout.path()));
    out.named_type = entry.named_type;
    return out;
  }
  void delete_attribute(const std::string& name) override {
    state_->structure_call(format::DeleteAttributeRecord{0, id_, name});
  }

 protected:
  const CatalogObject& object() const { return state_->catalog.object(id_); }
  std::string child_path(const std::string& name) const { return path_ == "/" ? "/" + name : path_ + "/" + name; }
  std::shared_ptr<State> state_;
  std::uint64_t id_;
  std::string path_;
};

class MultifileDataset final : public Object<DatasetNode> {
  // Where a write's bytes will start in the merged file, modulo a block: the merge puts a
  // contiguous dataset's data at a block boundary (merge/plan.cpp), so this is the byte offset of
  // the selection's first element in the dataset. 0 where the merge does not copy bytes as they
  // are (chunked datasets, variable-length data).
  std::uint64_t merged_phase(const Selection& selection) {
    const CatalogObject& o = object();
    if (!o.chunk.empty() || vlen_ || selection.kind() != Selection::Kind::Hyperslab) return 0;
    std::uint64_t first = 0;  // the first selected element's row-major index, modulo a block
    for (std::size_t d = 0; d < o.dims.size(); ++d) {
      first = (first * (o.dims[d] % format::kDataAlignment) + selection.slab().start[d] % format::kDataAlignment) %
              format::kDataAlignment;
    }
    return first * type_.size() % format::kDataAlignment;
  }

 public:
  MultifileDataset(std::shared_ptr<State> state, std::uint64_t id, std::string path)
      : Object(std::move(state), id, std::move(path)),
        type_(Datatype::decode(object().type)),
        vlen_(values::uses_vlen_slots(type_)),
        strings_(values::is_vlen_string(type_)) {
    const bool members = values::has_vlen_members(type_);
    if (members != object().variable_length_members) {
      throw FormatError(fmt::format(
          "dataset '{}' in '{}': its CREATE_DATASET {} the variable-length members flag, but its type {} {}", path_,
          state_->layout.path(), members ? "lacks" : "carries", type_.describe(),
          members ? "has such members" : "has none"));
    }
    if (members) compound_ = values::vlen_compound(type_, fmt::format("dataset '{}'", path_));
  }

  Datatype file_type() override { return type_; }
  std::optional<std::uint64_t> named_type_id() override { return object().named_type; }
  Extent shape() override { return object().dims; }
  bool is_null() override { return object().null; }
  Extent maxshape() override { return object().maxdims; }
  Extent chunks() override { return object().chunk; }
  FilterPipeline filters() override { return object().filters; }
  std::vector<std::byte> fill() override {  // variable-length data: the stored form (values/vlen_fill.hpp)
    const auto& f = object().fill;
    return f.empty() && !vlen_ ? std::vector<std::byte>(type_.size()) : f;
  }
  // What the merged file will have: a dataset of the base file keeps the base file's properties
  // (and, when contiguous and allocated there, its place: the merge starts from a copy of that
  // file); a new one gets the merge's (hdf5/creation_properties.hpp), allocated whole when it is
  // contiguous with fixed-size elements.
  StorageInfo storage() override {
    const CatalogObject& o = object();
    if (state_->catalog.in_base(id_)) {
      StorageInfo info = state_->base_dataset(base_path())->storage();
      if (info.layout != H5D_CONTIGUOUS || info.address == HADDR_UNDEF) info.size = info.address = std::nullopt;
      return info;
    }
    const std::string what = fmt::format("dataset '{}' in '{}'", path(), state_->layout.path());
    const values::Hdf5Fill fill(type_, o.fill, what);
    const hdf5::Handle dcpl = hdf5::merged_creation_plist(type_, fill.bytes(), o.chunk, o.filters, vlen_, what);
    StorageInfo info = hdf5::storage_properties(dcpl.get(), what);
    if (o.null) {
      info.size = 0;  // no element, nothing allocated
    } else if (info.layout == H5D_CONTIGUOUS && !vlen_) {
      std::uint64_t bytes = type_.size();  // below 2^63: shapes are refused beyond (format/limits.hpp)
      for (const std::uint64_t d : o.dims) bytes *= d;
      info.size = bytes;
    }
    return info;
  }

  void write(const Selection& selection, const Datatype& memory_type, const void* buffer) override {
    state_->usable();
    const std::uint64_t n = selection.num_elements();
    if (n == 0) return;
    if (vlen_) {
      // Encoded here, before the writer log: slots, then the elements' bytes (format/vlen.hpp).
      std::vector<std::byte> data;
      if (compound_) {
        require_whole_compound_memory(memory_type);
        data = values::encode_vlen_compound(*compound_, memory_type, buffer, n);
      } else if (strings_) {
        values::require_string_memory(memory_type, type_, fmt::format("dataset '{}'", path()));
        data = format::encode_vlen_strings({static_cast<const char* const*>(buffer), n});
      } else {
        values::require_sequence_memory(memory_type, type_, fmt::format("dataset '{}'", path()));
        data = values::encode_sequences(static_cast<const hvl_t*>(buffer), n, memory_type, type_);
      }
      state_->append_write(id_, selection, data);
      return;
    }
    const std::span<const std::byte> in(static_cast<const std::byte*>(buffer), n * memory_type.size());
    if (hdf5::same_type(memory_type, type_)) {
      state_->append_write(id_, selection, in, merged_phase(selection));
    } else {
      if (const auto missing = hdf5::missing_members(memory_type, type_); !missing.empty()) {
        throw Unsupported(
            fmt::format("dataset '{}': writing a compound without its members '{}' is not supported by "
                        "the multifile driver (it logs whole elements); write every member",
                        path(), fmt::join(missing, "', '")));
      }
      const auto converted = hdf5::convert(memory_type, type_, n, in);
      state_->append_write(id_, selection, converted, merged_phase(selection));
    }
  }

  void read(const Selection& selection, const Datatype& memory_type, void* buffer) override {
    const std::uint64_t n = selection.num_elements();
    if (n == 0) return;
    auto& index = state_->fresh_index();
    const auto& writes = index.writes(id_);
    if (state_->check_conflicts) report_conflicts(writes, selection);
    const auto fill_bytes = object().fill;
    // A dataset of the base file starts from the file's content instead of the fill value.
    const bool from_base = state_->catalog.in_base(id_);
    const container::ElementLayout layout{
        object().dims, type_.size(), fill_bytes, from_base, object().created_epoch + 1, false, &object().shapes};
    if ((strings_ || vlen_) && state_->aggregation_group && !state_->log &&
        state_->aggregation_group->buffers_writes_to(id_)) {
      throw Unsupported(
          fmt::format("dataset '{}' in '{}': reading back variable-length data this rank wrote since "
                      "the last flush is not supported with aggregation; flush() first",
                      path(), state_->layout.path()));
    }
    if (compound_) {
      read_compounds(writes, selection, layout, memory_type, buffer);
      return;
    }
    if (strings_) {
      read_strings(writes, selection, layout, memory_type, static_cast<char**>(buffer));
      return;
    }
    if (vlen_) {
      read_sequences(writes, selection, layout, memory_type, static_cast<hvl_t*>(buffer));
      return;
    }
    if (hdf5::same_type(memory_type, type_)) {
      if (from_base) read_base(selection, static_cast<std::byte*>(buffer));
      const std::span<std::byte> out(static_cast<std::byte*>(buffer), n * type_.size());
      state_->reader->read(writes, selection, layout, out);
      overlay_own_writes(selection, out);
      return;
    }
    std::vector<std::byte> scratch(n * std::max(type_.size(), memory_type.size()));
    if (from_base) read_base(selection, scratch.data());
    state_->reader->read(writes, selection, layout, {scratch.data(), n * type_.size()});
    overlay_own_writes(selection, {scratch.data(), n * type_.size()});
    hdf5::convert_in_place(type_, memory_type, n, scratch);
    std::memcpy(buffer, scratch.data(), n * memory_type.size());
  }

  // Its path in the base file: the name it was created with (a link made since is not there).
  std::string base_path() const { return state_->catalog.path_of(id_); }

  // The base file's elements of `selection` (resolved against the shape now), in type_, into `out`
  // in selection order (datasets of fixed-size types). Resized since (RESIZE records), the dataset
  // may reach past the base's extent, or have discarded base elements in a shrink: those read as
  // the fill value, as HDF5's own resize leaves them.
  void read_base(const Selection& selection, std::byte* out) {
    const std::shared_ptr<DatasetNode> base = state_->base_dataset(base_path());
    const Extent& now = object().dims;
    const Extent keep = object().shapes.created_kept(now);  // the base's elements still there
    selection::Box box = selection::bounding_box(selection);
    bool within = true;  // the usual case: the selection reads base elements only
    for (std::size_t d = 0; d < box.hi.size() && d < keep.size(); ++d) within = within && box.hi[d] <= keep[d];
    if (keep == now || within) {
      base->read(selection, type_, out);
      return;
    }
    const std::size_t esize = type_.size();
    const std::uint64_t n = selection.num_elements();
    const auto& fill = object().fill;
    for (std::uint64_t i = 0; i < n; ++i) {
      if (fill.empty()) {
        std::memset(out + i * esize, 0, esize);
      } else {
        std::memcpy(out + i * esize, fill.data(), esize);
      }
    }
    // The base's part of the selection's bounding box, read at once, then copied row piece by row
    // piece to where the selection puts each element.
    for (std::size_t d = 0; d < box.hi.size(); ++d) box.hi[d] = std::min(box.hi[d], keep[d]);
    if (box.empty()) return;
    Extent count(box.lo.size());
    for (std::size_t d = 0; d < count.size(); ++d) count[d] = box.hi[d] - box.lo[d];
    std::vector<std::byte> part(selection::num_elements(count) * esize);
    base->read(Selection::hyperslab(box.lo, Extent(count.size(), 1), {}, count), type_, part.data());
    const std::size_t last = now.size() - 1;
    selection::TargetCursor cursor(selection, now);
    Extent at(now.size());
    for (selection::Run run; cursor.next(run);) {
      for (std::uint64_t i = 0; i < run.length;) {
        std::uint64_t linear = run.offset + i;  // its coordinate in `now`
        for (std::size_t d = now.size(); d-- > 0;) {
          at[d] = linear % now[d];
          linear /= now[d];
        }
        const std::uint64_t length = std::min(run.length - i, now[last] - at[last]);  // within its row
        bool inside = true;
        for (std::size_t d = 0; d < last; ++d) inside = inside && at[d] >= box.lo[d] && at[d] < box.hi[d];
        const std::uint64_t from = std::max(at[last], box.lo[last]), to = std::min(at[last] + length, box.hi[last]);
        if (inside && from < to) {
          std::uint64_t source = 0;  // row-major index in the box
          for (std::size_t d = 0; d < last; ++d) source = source * count[d] + (at[d] - box.lo[d]);
          source = source * count[last] + (from - box.lo[last]);
          std::memcpy(out + (run.data_index + i + (from - at[last])) * esize, part.data() + source * esize,
                      (to - from) * esize);
        }
        i += length;
      }
    }
  }

  // A member of an aggregation group: its writes still in its buffer, over what the files hold.
  void overlay_own_writes(const Selection& selection, std::span<std::byte> out) {
    if (state_->aggregation_group && !state_->log) {
      state_->aggregation_group->overlay(id_, selection, object().dims, type_.size(), out);
    }
  }

  // The dataset's fill value (values/vlen_fill.hpp): a string's characters or a sequence's
  // elements in the file's base type; nullopt for HDF5's default.
  std::optional<std::string> vlen_fill() const {
    return values::vlen_fill_value(type_, object().fill,
                                   fmt::format("fill value of dataset '{}' in '{}'", path(), state_->layout.path()));
  }

  // Reads and writes of compounds with variable-length members take a compound in memory.
  void require_compound_memory(const Datatype& memory_type) const {
    if (!memory_type.valid() || memory_type.type_class() != H5T_COMPOUND) {
      throw InvalidArgument(
          fmt::format("dataset '{}' holds compounds with variable-length members ({}): the memory type must be such a "
                      "compound too, not {}",
                      path(), type_.describe(), memory_type.describe()));
    }
  }
  // Writes also need every member: the log holds whole elements.
  void require_whole_compound_memory(const Datatype& memory_type) const {
    require_compound_memory(memory_type);
    if (const auto missing = hdf5::missing_members(memory_type, type_); !missing.empty()) {
      throw Unsupported(
          fmt::format("dataset '{}': writing a compound without its members '{}' is not supported by "
                      "the multifile driver (it logs whole elements); write every member",
                      path(), fmt::join(missing, "', '")));
    }
  }

  // Compounds with variable-length members (values/vlen_compound.hpp): elements nobody wrote are
  // the fill value (by default zero, their strings NULL and sequences empty, as HDF5's); a dataset
  // of the base file starts from the base file's elements.
  void read_compounds(const container::DatasetWrites& writes, const Selection& selection,
                      const container::ElementLayout& layout, const Datatype& memory_type, void* out) {
    const std::string what = fmt::format("dataset '{}' in '{}'", path(), state_->layout.path());
    require_compound_memory(memory_type);
    const std::uint64_t n = selection.num_elements();
    const std::size_t k = compound_->members.size();
    auto resolved =
        state_->reader->read_vlen(writes, selection, layout, {compound_->fixed_size(), compound_->members.size()});
    using Vlen = container::DataReader::VlenState;
    const auto fill =
        layout.prefilled || object().fill.empty()
            ? std::nullopt
            : std::optional(values::split_vlen_element(type_, object().fill, "the fill value of " + what));
    const auto unwritten = [&](std::size_t i) { return fill && resolved.state[i * k] == Vlen::Unwritten; };
    for (std::size_t i = 0; i < n; ++i) {
      if (unwritten(i)) std::copy(fill->fixed.begin(), fill->fixed.end(), resolved.fixed.begin() + i * type_.size());
    }
    auto elements = values::decode_vlen_compound(
        *compound_, resolved.fixed, n,
        [&](std::size_t i, std::size_t j) -> const std::string* {
          if (unwritten(i)) return fill->values[j] ? &*fill->values[j] : nullptr;
          return resolved.state[i * k + j] == Vlen::Value ? &resolved.value[i * k + j] : nullptr;
        },
        what);
    if (!layout.prefilled) {
      values::convert_vlen_compound(*compound_, elements, memory_type, out, n);
      return;
    }
    // Written elements over the base file's: each element's slots were decided by one record, so
    // its first slot says whether anybody wrote it.
    const values::VlenCompound memory = values::vlen_compound(memory_type, what);
    const std::size_t size = memory_type.size();
    std::vector<std::byte> converted(n * size);
    struct Free {
      const values::VlenCompound& memory;
      std::vector<std::byte>& converted;
      std::uint64_t n;
      ~Free() { values::free_vlen_members(memory, converted.data(), n); }
    } free_converted{memory, converted, n};
    values::convert_vlen_compound(*compound_, elements, memory_type, converted.data(), n);
    state_->base_dataset(base_path())->read(selection, memory_type, out);
    auto* to = static_cast<std::byte*>(out);
    for (std::uint64_t i = 0; i < n; ++i) {
      if (resolved.state[i * k] == Vlen::Unwritten) continue;
      values::free_vlen_members(memory, to + i * size, 1);
      std::memcpy(to + i * size, converted.data() + i * size, size);
      std::memset(converted.data() + i * size, 0, size);  // handed out
    }
  }

  // Unwritten elements are the fill value (null strings by default, as HDF5's); a dataset of the
  // base file starts from the base file's strings.
  void read_strings(const container::DatasetWrites& writes, const Selection& selection,
                    const container::ElementLayout& layout, const Datatype& memory_type, char** out) {
    values::require_string_memory(memory_type, type_, fmt::format("dataset '{}'", path()));
    const std::uint64_t n = selection.num_elements();
    const auto values = state_->reader->read_vlen(writes, selection, layout);
    using Vlen = container::DataReader::VlenState;
    const auto fill = layout.prefilled ? std::nullopt : vlen_fill();
    std::vector<values::MallocString> copies(n);
    for (std::uint64_t i = 0; i < n; ++i) {
      if (values.state[i] == Vlen::Value) copies[i] = values::malloc_copy(values.value[i]);
      if (values.state[i] == Vlen::Unwritten && fill) copies[i] = values::malloc_copy(*fill);
    }
    if (layout.prefilled) {
      state_->base_dataset(base_path())->read(selection, type_, out);
      for (std::uint64_t i = 0; i < n; ++i) {
        if (values.state[i] == Vlen::Unwritten) continue;
        std::free(out[i]);
        out[i] = copies[i].release();
      }
      return;
    }
    for (std::uint64_t i = 0; i < n; ++i) out[i] = copies[i].release();
  }

  // Unwritten elements are the fill value (empty sequences by default, as HDF5's).
  void read_sequences(const container::DatasetWrites& writes, const Selection& selection,
                      const container::ElementLayout& layout, const Datatype& memory_type, hvl_t* out) {
    const std::string what = fmt::format("dataset '{}' in '{}'", path(), state_->layout.path());
    values::require_sequence_memory(memory_type, type_, what);
    const std::uint64_t n = selection.num_elements();
    const auto values = state_->reader->read_vlen(writes, selection, layout);
    using Vlen = container::DataReader::VlenState;
    const auto fill = layout.prefilled ? std::nullopt : vlen_fill();
    values::OwnedSequences owned(n);
    std::vector<hvl_t>& decoded = owned.items;
    for (std::uint64_t i = 0; i < n; ++i) {
      if (values.state[i] == Vlen::Value)
        decoded[i] = values::decode_sequence(values.value[i], memory_type, type_, what);
      if (values.state[i] == Vlen::Unwritten && fill) {
        decoded[i] = values::decode_sequence(*fill, memory_type, type_, what);
      }
    }
    if (layout.prefilled) {
      state_->base_dataset(base_path())->read(selection, memory_type, out);
      for (std::uint64_t i = 0; i < n; ++i) {
        if (values.state[i] == Vlen::Unwritten) continue;
        values::free_sequences(out + i, 1);
        std::swap(out[i], decoded[i]);
      }
      return;
    }
    for (std::uint64_t i = 0; i < n; ++i) std::swap(out[i], decoded[i]);
  }

  // Debug mode: overlapping writes of two writers in one epoch that this read touches, once each.
  void report_conflicts(const container::DatasetWrites& writes, const Selection& selection) {
    const Extent shape = object().dims;
    std::vector<const container::IndexedWrite*> usable;
    for (const auto& w : writes.in_replay_order()) {
      if (w.record.epoch > object().created_epoch && container::fits(w, shape)) usable.push_back(&w);
    }
    const selection::Box read_box = selection::bounding_box(selection);
    for (const auto& c : container::find_conflicts(usable, shape)) {
      if (!selection::Box{c.lo, c.hi}.intersects(read_box)) continue;
      if (!state_->reported_conflicts.insert({id_, c.epoch, c.writer_a, c.writer_b}).second) continue;
      warn(
          fmt::format("container '{}', dataset '{}': writers {} and {} wrote {} of the same elements in epoch {} "
                      "(first at [{}]), which MPI-IO leaves undefined; reads return writer {}'s",
                      state_->layout.path(), path(), c.writer_a, c.writer_b, c.elements, c.epoch,
                      fmt::join(c.first, ","), c.writer_b));
    }
  }

  void resize(const Extent& new_shape) override {
    if (state_->catalog.in_base(id_) && (strings_ || vlen_ || compound_)) {
      throw Unsupported(
          fmt::format("dataset '{}' of variable-length data is in the base file '{}': resizing it from a "
                      "container is not supported yet (datasets of fixed-size types are)",
                      path(), state_->catalog.base()->file));
    }
    // A shrink discards what lies outside the new shape: reads and the merge cut the writes made
    // before it (container::ShapeHistory).
    state_->structure_call(format::ResizeRecord{0, id_, new_shape});
  }

  // Dimension scales: CLASS and NAME are attributes, written as H5DSset_scale writes them;
  // attachments and labels are DIMENSION_SCALE and DIMENSION_LABEL records, which the merge and
  // the view apply with libhdf5's H5DS calls (they hold object references, which only the merged
  // file can give).
  void make_scale(const std::string& name) override {
    set_attribute("CLASS", h5ds_string("DIMENSION_SCALE"));
    set_attribute("NAME", h5ds_string(name));
  }
  bool is_scale() override { return container::is_dimension_scale(object()); }
  std::string scale_name() override {
    if (!has_attribute("NAME")) return "";
    const AttributeData name = get_attribute("NAME");
    if (!name.strings.empty()) return name.strings.front();
    const std::string text(reinterpret_cast<const char*>(name.bytes.data()), name.bytes.size());
    return text.substr(0, text.find('\0'));
  }
  void attach_scale(DatasetNode& scale, std::uint32_t dim) override {
    // H5DSattach_scale makes a dataset that is no scale yet one without a name: CLASS only.
    if (!scale.is_scale()) scale.set_attribute("CLASS", h5ds_string("DIMENSION_SCALE"));
    state_->structure_call(format::DimensionScaleRecord{0, id_, dim, scale.object_id(), true});
  }
  void detach_scale(DatasetNode& scale, std::uint32_t dim) override {
    state_->structure_call(format::DimensionScaleRecord{0, id_, dim, scale.object_id(), false});
  }
  std::vector<std::shared_ptr<DatasetNode>> scales(std::uint32_t dim) override {
    std::vector<std::shared_ptr<DatasetNode>> out;
    const auto& attached = object().scales;
    if (attached.empty() || attached[dim].empty()) return out;  // without a walk of every name
    const container::MergedNames names = state_->catalog.merged_names();
    for (const std::uint64_t scale : attached[dim]) {
      // A scale no name reaches is not in the merged file, nor in its DIMENSION_LIST: not here either.
      if (names.contains(scale)) out.push_back(std::make_shared<MultifileDataset>(state_, scale, names.path(scale)));
    }
    return out;
  }
  std::string label(std::uint32_t dim) override {
    const auto& labels = object().labels;
    return labels.empty() || !labels[dim] ? std::string() : *labels[dim];
  }
  void set_label(std::uint32_t dim, const std::string& label) override {
    state_->structure_call(format::DimensionLabelRecord{0, id_, dim, label});
  }

 private:
  // A string attribute as H5DSset_scale writes it (H5LT_set_attribute_string): scalar, ASCII,
  // NUL-terminated, of the text's length plus one.
  static AttributeData h5ds_string(const std::string& text) {
    AttributeData value;
    value.type = Datatype::adopt(hdf5::check_id(H5Tcopy(H5T_C_S1), "H5Tcopy(H5T_C_S1)"));
    hdf5::check(H5Tset_size(value.type.id(), text.size() + 1), "H5Tset_size");
    hdf5::check(H5Tset_strpad(value.type.id(), H5T_STR_NULLTERM), "H5Tset_strpad");
    const auto* bytes = reinterpret_cast<const std::byte*>(text.c_str());
    value.bytes.assign(bytes, bytes + text.size() + 1);
    return value;
  }

  Datatype type_;
  bool vlen_;     // variable-length data: records hold slots and bytes (format/vlen.hpp)
  bool strings_;  // of them, strings
  std::optional<values::VlenCompound> compound_;  // of them, compounds with variable-length members
};

// A named datatype with an id: attributes, like a group's or a dataset's.
class MultifileNamedType final : public Object<Node> {
 public:
  using Object::Object;
  std::optional<std::string> current_name() override { return path(); }  // (not followed)
};

class MultifileGroup final : public Object<GroupNode> {
 public:
  using Object::Object;

  std::vector<std::pair<std::string, NodeKind>> children() override {
    std::vector<std::pair<std::string, NodeKind>> out;
    for (const auto& name : link_names()) {
      if (const auto id = state_->catalog.resolve(id_, name)) out.emplace_back(name, kind(*id));
    }
    return out;
  }
  std::optional<NodeKind> child_kind(const std::string& name) override {
    const auto id = state_->catalog.resolve(id_, name);
    if (!id) return std::nullopt;
    return kind(*id);
  }
  std::vector<std::string> link_names() override {
    std::vector<std::string> out;
    for (const auto& [name, id] : object().children) out.push_back(name);
    for (const auto& [name, link] : object().symlinks) out.push_back(name);
    std::sort(out.begin(), out.end());
    return out;
  }
  std::optional<LinkValue> link_value(const std::string& name) override {
    if (state_->catalog.child(id_, name)) return LinkValue{};
    const container::SymbolicLink* link = state_->catalog.symlink(id_, name);
    if (link == nullptr) return std::nullopt;
    if (link->named_type()) return LinkValue{};  // a hard link to the datatype, as in HDF5
    return LinkValue{link->external() ? LinkValue::Kind::External : LinkValue::Kind::Soft, link->file, link->path};
  }
  void create_soft_link(const std::string& name, const std::string& path) override {
    state_->structure_call(format::SoftLinkRecord{0, id_, name, path});
  }
  void create_external_link(const std::string& name, const std::string& file, const std::string& path) override {
    state_->structure_call(format::ExternalLinkRecord{0, id_, name, file, path});
  }
  std::shared_ptr<GroupNode> create_group(const std::string& name) override {
    const std::uint64_t id = state_->catalog.next_id();
    state_->structure_call(format::CreateGroupRecord{0, id, id_, name});
    return std::make_shared<MultifileGroup>(state_, id, child_path(name));
  }
  std::shared_ptr<DatasetNode> create_dataset(const std::string& name, const DatasetSpec& spec) override {
    const std::uint64_t id = state_->catalog.next_id();
    Extent maxdims = spec.maxshape;
    format::CreateDatasetRecord record{
        0,
        id,
        id_,
        name,
        spec.file_type.encode(),
        spec.shape,
        maxdims,
        spec.fill,
        spec.chunks,
        spec.filters,
        spec.null,
        values::uses_vlen_slots(spec.file_type) && !values::has_vlen_members(spec.file_type) && !spec.fill.empty(),
        values::has_vlen_members(spec.file_type)};
    if (spec.named_type) {                         // the named datatype's object id; its type is the record's
      GroupNode& group = *spec.named_type->group;  // of this file
      const container::SymbolicLink* link = state_->catalog.symlink(group.object_id(), spec.named_type->name);
      if (link == nullptr || !link->type_id) {
        throw Unsupported(
            fmt::format("create dataset '{}' with named datatype '{}' in container '{}': it was "
                        "committed by an older h5mf, without an id that a dataset can name",
                        child_path(name), spec.named_type->name, state_->layout.path()));
      }
      record.named_type = link->type_id;
      record.type = link->type;
    }
    state_->structure_call(std::move(record));
    return std::make_shared<MultifileDataset>(state_, id, child_path(name));
  }
  void create_hard_link(const std::string& name, Node& target) override {
    state_->structure_call(format::LinkRecord{0, id_, name, target.object_id()});
  }
  void unlink(const std::string& name) override { state_->structure_call(format::UnlinkRecord{0, id_, name}); }
  void move(const std::string& name, GroupNode& new_parent, const std::string& new_name) override {
    state_->structure_call(format::MoveRecord{0, id_, name, new_parent.object_id(), new_name});
  }
  // Named datatypes are NAMED_TYPE records (a base file's are imported as epoch-0 ones).
  std::optional<Datatype> named_type(const std::string& name) override {
    const container::SymbolicLink* link = state_->catalog.symlink(id_, name);
    if (link == nullptr || !link->named_type()) return std::nullopt;
    return Datatype::decode(link->type);
  }
  void commit_type(const std::string& name, const Datatype& type) override {
    state_->structure_call(format::NamedTypeRecord{0, id_, name, type.encode(), state_->catalog.next_id()});
  }
  std::shared_ptr<Node> open_named_type(const std::string& name) override {
    const container::SymbolicLink* link = state_->catalog.symlink(id_, name);
    if (link == nullptr || !link->type_id) return nullptr;
    return std::make_shared<MultifileNamedType>(state_, *link->type_id, child_path(name));
  }
  std::shared_ptr<GroupNode> open_group(const std::string& name) override {
    return std::make_shared<MultifileGroup>(state_, *state_->catalog.resolve(id_, name), child_path(name));
  }
  std::shared_ptr<DatasetNode> open_dataset(const std::string& name) override {
    return std::make_shared<MultifileDataset>(state_, *state_->catalog.resolve(id_, name), child_path(name));
  }

 private:
  NodeKind kind(std::uint64_t id) const {
    return state_->catalog.object(id).kind == ObjectKind::Group ? NodeKind::Group : NodeKind::Dataset;
  }
};

class MultifileDriver final : public FileDriver {
 public:
  explicit MultifileDriver(std::shared_ptr<State> state) : state_(std::move(state)) {}
  ~MultifileDriver() override { abandon(); }

  std::string name() const override { return "multifile"; }
  std::string path() const override { return state_->layout.path(); }
  std::shared_ptr<GroupNode> root() override { return std::make_shared<MultifileGroup>(state_, 0, "/"); }
  bool writable() const override { return state_->writable(); }

  void flush() override {
    if (!state_->writable()) return;
    state_->usable();
    state_->exchange();
    state_->handshake("flush()");
    mpi::on_all(*state_->comm, [&] { state_->write_out(state_->options.sync); });
    ++state_->epoch;  // flush is a collective call too: writes after it replay after writes before it
  }

  // After a mismatch the ranks are out of step: the file is closed by each rank alone.
  void close() override {
    if (state_->closed) return;
    state_->closed = true;
    // Let go of the container when close() returns, however it returns.
    struct Release {
      container::HolderLock& holder;
      ~Release() { holder.release(); }
    } release{state_->holder};
    // A parallel close returns on no rank before every rank has let go of the container, so that
    // a merge started on one rank right after close() (seed 003's pattern) is not refused for a
    // rank still closing: each rank releases its lock before the close's last agreement. A
    // reader's close is collective too, as H5Fclose is in parallel HDF5.
    if (!state_->writable()) {
      if (!state_->comm->is_parallel() || !mpi::mpi_initialised()) return;
      state_->holder.release();
      state_->handshake("close()");
      return;
    }
    if (!state_->diverged) {
      try {
        state_->exchange();
        state_->handshake("close()");
      } catch (const CollectiveMismatch&) {
        close_locally();
        throw;
      }
      mpi::on_all(*state_->comm, [&] {
        state_->write_out(state_->options.sync);
        if (state_->log) state_->log->close();
        state_->log.reset();
        state_->metafile.reset();
        state_->holder.release();
      });
      return;
    }
    close_locally();
    // The program did not fix its collective calls: say so again rather than close quietly.
    throw CollectiveMismatch(*state_->diverged + " (closed without a collective close)");
  }

  // This rank leaves on an exception. Whatever the others are in (close(), flush(), setting
  // atomic: each starts with exchange() and the handshake), it makes the same two calls, saying
  // that it leaves: their call then fails on every rank with an error naming this rank and
  // `reason`, nobody waits for it forever, and the structure all ranks agreed on and every rank's
  // writes stay in the container. It cannot know that the others will ever get there, so its
  // waits end at a deadline (mpi::Bound: the job is aborted then).
  void leave(const std::string& reason) noexcept override {
    if (state_->closed) return;
    if (state_->diverged || !state_->comm->is_parallel() || !mpi::mpi_initialised()) {
      abandon();  // no collective call is pending on the others' side (or none can be made)
      return;
    }
    state_->closed = true;
    try {
      const mpi::Bound bound(fmt::format("leaving container '{}' after an exception ({})", path(), reason));
      state_->exchange(&bound);
      const CollectiveLog::Leaving leaving{reason, &bound};
      const auto disagreement =
          state_->collectives.handshake(*state_->comm, path(), "close() after an exception", &leaving);
      if (disagreement) state_->settle(*disagreement);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "h5mf: while leaving '%s' after an exception: %s\n", path().c_str(), e.what());
    }
    try {
      close_locally();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "h5mf: error while writing out '%s' after an exception: %s\n", path().c_str(), e.what());
    }
  }

  void close_locally() {
    warn_unshipped();
    state_->write_out(state_->options.sync);
    if (state_->log) state_->log->close();
    state_->log.reset();
    state_->metafile.reset();
  }

  void abandon() noexcept override {
    if (state_->closed) return;
    state_->closed = true;
    warn_unshipped();
    try {
      state_->write_out(false);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "h5mf: error while writing out '%s' of an unclosed file: %s\n",
                   state_->layout.path().c_str(), e.what());
    }
    state_->holder.release();
  }

  // A member of an aggregation group can write out only through its aggregator, at a collective
  // call: closed without one, what it buffered is lost. Say so.
  void warn_unshipped() const noexcept {
    if (!state_->aggregation_group || state_->log || state_->aggregation_group->buffered_bytes() == 0) return;
    try {
      warn(
          fmt::format("'{}', writer {}: {} bytes of writes buffered for the aggregator are lost: the file was not "
                      "closed (or flushed) collectively",
                      state_->layout.path(), state_->session.writer, state_->aggregation_group->buffered_bytes()));
    } catch (...) {  // out of memory for the message: nothing more to say
    }
  }

  bool atomic() const override { return state_->atomic; }
  void set_atomic(bool atomic) override {
    state_->usable();
    state_->exchange();
    // Collective like the other settings of a file: every rank sets it, at the same point.
    state_->handshake(atomic ? "setting atomic to true" : "setting atomic to false");
    // After the handshake, so that every rank throws (or the mismatch is named), none hangs.
    if (atomic && state_->aggregation_group) throw Unsupported(atomic_with_aggregation(state_->layout.path()));
    if (atomic && state_->writable()) mpi::on_all(*state_->comm, [&] { state_->write_out(false); });
    state_->atomic = atomic;
  }
  void check_structure_change(const std::string& what) const override {
    if (!state_->session.may_change_structure) {
      throw InvalidArgument(fmt::format(
          "cannot {}: in container '{}' only the coordinator (writer 0) changes structure when there is no MPI; "
          "this process is writer {}",
          what, state_->layout.path(), state_->session.writer));
    }
  }
  int writer() const override { return static_cast<int>(state_->session.writer); }
  int writers() const override { return static_cast<int>(state_->session.writers); }

 private:
  std::shared_ptr<State> state_;
};

}  // namespace

std::unique_ptr<FileDriver> open_multifile(const std::string& path, Mode mode, const FileOptions& options) {
  // Creating ('w', 'w-') makes a container at `path`; otherwise an HDF5 file at `path` is the base
  // of a container beside it (docs/format.md).
  const bool creating = mode == Mode::Truncate || mode == Mode::Exclusive;
  const container::Location where =
      creating ? container::Location{container::Layout(path), std::nullopt} : container::locate(path);
  auto state = std::make_shared<State>(where.layout);
  state->mode = mode;
  state->options = options;
  state->atomic = options.atomic;
  const char* check = std::getenv("H5MF_CHECK_CONFLICTS");
  state->check_conflicts = options.check_conflicts || (check != nullptr && std::string(check) == "1");
  state->comm = options.comm == MPI_COMM_NULL ? mpi::serial() : mpi::duplicate(options.comm);
  state->session = plan_session(*state->comm, options, mode);
  const Aggregation aggregation = effective_aggregation(options.aggregation);
  const bool aggregating = aggregation.kind != Aggregation::Kind::Off && mode != Mode::Read;
  if (aggregating) {
    if (options.comm == MPI_COMM_NULL) {
      if (options.aggregation.kind != Aggregation::Kind::Off) {
        throw InvalidArgument(
            fmt::format("'{}': aggregation ('{}') needs an MPI communicator", path, to_string(aggregation)));
      }
      // H5MF_AGGREGATE is for the job's ranks; processes without MPI ignore it.
    } else {
      if (state->atomic) throw Unsupported(atomic_with_aggregation(path));
      AggregationPlan plan = plan_aggregation(state->comm->handle(), aggregation);
      state->session.data_files = plan.data_files;
      state->aggregation_group = std::make_unique<AggregationGroup>(plan, state->session.writer, options.buffer_bytes);
    }
  }

  OpenedContainer opened = open_container(*state->comm, state->layout, mode, state->session, where.base);
  if (opened.metafile_damage && state->comm->rank() == 0) {
    const auto& d = *opened.metafile_damage;
    warn(fmt::format("{}: dropped {} bytes from offset {} ({}); the structure they held is missing{}",
                     state->layout.metafile(), d.bytes, d.offset, d.reason,
                     mode == Mode::Read ? "" : ", and they are cut off now that the container is open for writing"));
  }
  state->id = opened.id;
  state->holder = std::move(opened.holder);
  state->catalog = std::move(opened.catalog);
  state->epoch = opened.first_epoch;
  if (opened.metafile) state->metafile.emplace(std::move(*opened.metafile));
  state->session.writers = std::max(state->session.writers, state->catalog.max_writers());

  if (state->writable()) {
    container::WriterLog::Options log_options;
    log_options.buffer_bytes = options.buffer_bytes;
    std::uint32_t file = state->session.writer;
    bool own_files = true;
    if (state->aggregation_group) {
      // Only aggregators have files: their group's number, holding WRITE_FROM records.
      file = state->aggregation_group->data_file();
      own_files = state->aggregation_group->aggregator();
      log_options.own_writer = state->session.writer;
    }
    mpi::on_all(*state->comm, [&] {
      if (own_files) state->log.emplace(state->layout, state->id, file, opened.created, log_options);
    });
    record_opened(*state->comm, state->session, state->catalog, state->metafile);
    // A parallel session's open is one event (rank 0 tells it); a process without MPI is a writer alone.
    diagnostics::verbose_collective(
        state->comm->rank(), "opened '{}' (multifile, mode '{}'): {}, session {}, {} data files{}",
        state->layout.path(), to_string(mode),
        state->comm->is_parallel() ? fmt::format("{} ranks as writers", state->comm->size())
                                   : fmt::format("writer {} of {}", state->session.writer, state->session.writers),
        state->catalog.sessions().size() - 1, state->catalog.data_files(),
        state->aggregation_group ? fmt::format(", aggregation {}", to_string(aggregation)) : "");
  } else {
    // Readers build the index now, so that damage is reported at open, never silently.
    auto& index = state->fresh_index();
    for (const auto& d : index.damage()) {
      warn(fmt::format("{}: dropped {} bytes from offset {} ({})", d.file, d.bytes, d.offset, d.reason));
    }
    diagnostics::verbose_collective(state->comm->rank(),
                                    "opened '{}' (multifile, mode 'r'): {} sessions, {} datasets, {} records loaded "
                                    "from {} data files",
                                    state->layout.path(), state->catalog.sessions().size(),
                                    state->catalog.datasets().size(), index.record_count(),
                                    state->catalog.data_files());
  }
  return std::make_unique<MultifileDriver>(std::move(state));
}

}  // namespace h5mf::driver
