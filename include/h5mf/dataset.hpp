// A dataset: shape, type, and data transfer by selection. Data writes are independent (any writer,
// any time); resize is collective.
#pragma once

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "h5mf/attributes.hpp"
#include "h5mf/datatype.hpp"
#include "h5mf/error.hpp"
#include "h5mf/filters.hpp"
#include "h5mf/selection.hpp"
#include "h5mf/storage.hpp"

namespace h5mf {

namespace driver {
class DatasetNode;
}

// Frees the strings a raw read of a variable-length string dataset returned (read_raw with a
// variable-length string memory type fills an array of char*, each allocated with std::malloc, or
// null for HDF5's NULL string and for elements never written) and sets the pointers to null. The
// caller owns those strings, as after libhdf5's H5Dread; this is h5mf's H5Dvlen_reclaim.
void reclaim_strings(char** strings, std::size_t count) noexcept;
// The same for variable-length sequences: read_raw with a sequence memory type fills hvl_t whose
// `p` the caller owns (std::malloc'd; null when empty).
void reclaim_sequences(hvl_t* sequences, std::size_t count) noexcept;
// The same for compounds with variable-length members: read_raw with such a compound memory type
// `type` fills `count` elements whose strings and sequences the caller owns (std::malloc'd).
void reclaim_members(const Datatype& type, void* elements, std::size_t count);

// What create_dataset needs: h5py's create_dataset arguments.
struct DatasetCreate {
  Datatype dtype;  // a memory type (Datatype::of<T>()) or an explicit file type
  Extent shape;
  Extent maxshape;  // empty: same as shape; kUnlimited for unlimited dimensions
  // One element of fill_type (dtype when not set), or empty for zeros (HDF5's default). For a
  // variable-length fill_type (a string or sequence type, for datasets of one), the value: a u32
  // little-endian length and that many bytes, a string's characters or a sequence's elements of
  // fill_type's base (fill_value(std::string), fill_value(std::vector<T>) make it). For a compound
  // with variable-length members, the element self-contained, as an attribute's value holds it
  // (AttributeData::from_elements(fill_type, {}, &element).bytes).
  std::vector<std::byte> fill;
  Datatype fill_type;  // the type of `fill`; converted to the dataset's type with HDF5's routines
  Extent chunks;       // empty: contiguous (chosen automatically when maxshape != shape or filters)
  // HDF5 filters in pipeline order (h5py's order is scaleoffset, shuffle, deflate/szip, fletcher32).
  // Filters need chunks: without a chunk shape one is chosen like h5py's guess_chunk.
  FilterPipeline filters;
  bool contiguous_layout = false;  // contiguous() was asked: no chunks, so no filters nor resizing
  // HDF5's null dataspace (H5S_NULL, h5py's Empty): a type and no elements, never written. The
  // shape, maxshape, chunks and filters stay empty.
  bool null = false;
  // The path of a named datatype of the same file (absolute, or relative to the group that
  // creates the dataset) that the dataset is made with, as h5py's `dtype=f['t']`: the dataset
  // shares it (HDF5's committed datatype); `dtype` may be left unset, else must equal its type.
  std::string named_type;

  // cd_values[0] of a scaleoffset filter meaning "by the dataset's type" (resolved at creation).
  static constexpr std::uint32_t kScaleOffsetByType = ~std::uint32_t{0};

  static constexpr std::uint64_t kUnlimited = ~std::uint64_t{0};

  template <class T>
  static DatasetCreate of(Extent shape) {
    DatasetCreate spec;
    spec.dtype = Datatype::of<T>();
    spec.shape = std::move(shape);
    return spec;
  }
  // A dataset with a null dataspace (h5py's `create_dataset(name, data=h5py.Empty(dtype))`).
  static DatasetCreate empty(Datatype dtype) {
    DatasetCreate spec;
    spec.dtype = std::move(dtype);
    spec.null = true;
    return spec;
  }
  // The fill value in any numeric type; it is converted to the dataset's type, as h5py does.
  template <class T>
  DatasetCreate& fill_value(const T& value) {
    const auto* p = reinterpret_cast<const std::byte*>(&value);
    fill_type = Datatype::of<T>();
    fill.assign(p, p + sizeof(T));
    return *this;
  }
  // The fill value of a variable-length string dataset (h5py's fillvalue=b'xy'): its bytes as
  // they are, in the dataset's character set. Unwritten elements read as it.
  DatasetCreate& fill_value(const std::string& value) {
    return fill_variable(Datatype::variable_string(), value.data(), value.size());
  }
  DatasetCreate& fill_value(const char* value) { return fill_value(std::string(value)); }
  // The fill value of a variable-length sequence dataset: its elements are converted to the
  // dataset's base type.
  template <class T>
  DatasetCreate& fill_value(const std::vector<T>& value) {
    return fill_variable(Datatype::sequence_of(Datatype::of<T>()), value.data(), value.size() * sizeof(T));
  }
  // Either, untyped: `type` a variable-length string or sequence type, `bytes` the value's
  // characters or elements of type's base.
  DatasetCreate& fill_variable(Datatype type, const void* bytes, std::size_t size) {
    if (size > 0xFFFFFFFFu) throw InvalidArgument("a variable-length fill value of 4 GiB or more");
    const auto n = static_cast<std::uint32_t>(size);
    fill.clear();
    for (int shift = 0; shift < 32; shift += 8) fill.push_back(static_cast<std::byte>((n >> shift) & 0xFF));
    const auto* p = static_cast<const std::byte*>(bytes);
    fill.insert(fill.end(), p, p + size);
    fill_type = std::move(type);
    return *this;
  }
  DatasetCreate& max_shape(Extent m) {
    maxshape = std::move(m);
    return *this;
  }
  DatasetCreate& chunk_shape(Extent c) {
    chunks = std::move(c);
    return *this;
  }
  // A contiguous dataset, refused together with filters or a resizable shape.
  DatasetCreate& contiguous() {
    contiguous_layout = true;
    return *this;
  }

  // h5py's compression='gzip', compression_opts=level (0-9).
  DatasetCreate& deflate(unsigned level = 4) { return filter(H5Z_FILTER_DEFLATE, H5Z_FLAG_OPTIONAL, {level}); }
  DatasetCreate& shuffle() { return filter(H5Z_FILTER_SHUFFLE, H5Z_FLAG_OPTIONAL, {}); }
  DatasetCreate& fletcher32() { return filter(H5Z_FILTER_FLETCHER32, H5Z_FLAG_MANDATORY, {}); }
  // h5py's scaleoffset=value: for integer types the number of bits to keep (0: as few as the data
  // need), for floating-point types the number of decimal digits kept after the point (lossy).
  DatasetCreate& scaleoffset(unsigned value) {
    return filter(H5Z_FILTER_SCALEOFFSET, H5Z_FLAG_OPTIONAL, {kScaleOffsetByType, value});
  }
  // h5py's compression='szip', compression_opts=(coding, pixels_per_block): coding is
  // H5_SZIP_NN_OPTION_MASK or H5_SZIP_EC_OPTION_MASK, pixels_per_block even and at most 32. As
  // H5Pset_szip records it.
  DatasetCreate& szip(unsigned coding = H5_SZIP_NN_OPTION_MASK, unsigned pixels_per_block = 8) {
    const unsigned mask = (coding & ~unsigned{H5_SZIP_CHIP_OPTION_MASK}) | H5_SZIP_ALLOW_K13_OPTION_MASK;
    return filter(H5Z_FILTER_SZIP, H5Z_FLAG_OPTIONAL, {mask, pixels_per_block});
  }
  // Any filter libhdf5 has registered, as H5Pset_filter takes it.
  DatasetCreate& filter(std::uint32_t id, std::uint32_t flags, std::vector<std::uint32_t> cd_values) {
    filters.push_back({id, flags, std::move(cd_values)});
    return *this;
  }
};

class Dataset {
 public:
  Dataset(std::shared_ptr<detail::FileState> file, std::shared_ptr<driver::DatasetNode> node);

  std::string name() const;  // full path (the name it was opened by)
  // Its name now (h5py's `.name`, HDF5's H5Iget_name): name() while that still reaches it, else
  // (after a move or an unlink of it) another name that does; nullopt when none does.
  std::optional<std::string> current_name() const;
  // Equal for every name of one object (hard links, Group::create_hard_link).
  std::uint64_t object_id() const;
  Extent shape() const;  // empty for a scalar and for a null dataspace
  // HDF5's null dataspace (h5py's Empty): no elements (size() 0, rank() 0); reads and writes of
  // it are refused.
  bool is_null() const;
  Extent maxshape() const;
  Extent chunks() const;  // empty when contiguous
  // The filter pipeline, as recorded at creation (the sec2/mpio drivers: as libhdf5 reports it,
  // with the values its filters add, such as shuffle's element size).
  FilterPipeline filters() const;
  Datatype dtype() const;  // the file type
  // Whether it was made with a named datatype, whose type it shares (HDF5's H5Tcommitted on its
  // type, h5py's `dset.id.get_type().committed()`).
  bool type_committed() const { return named_type_id().has_value(); }
  // The identity of that named datatype (Group::named_type_id), nullopt when its type is its own.
  std::optional<std::uint64_t> named_type_id() const;
  std::size_t rank() const { return shape().size(); }
  std::uint64_t size() const;  // number of elements (0 when null)
  // One element in the file type; for a variable-length string or sequence dataset its value as
  // DatasetCreate::fill holds it (in the file's base type), for a compound with variable-length
  // members its element self-contained (in the file type); empty for HDF5's default.
  std::vector<std::byte> fill_value() const;
  // A variable-length string dataset's fill value; nullopt for HDF5's default (the NULL string).
  std::optional<std::string> fill_string() const;
  // A variable-length sequence dataset's fill value (empty for HDF5's default), as T.
  template <class T>
  std::vector<T> fill_sequence() const {
    const std::vector<std::byte> bytes = fill_sequence(Datatype::of<T>());
    std::vector<T> out(bytes.size() / sizeof(T));
    if (!bytes.empty()) std::memcpy(out.data(), bytes.data(), out.size() * sizeof(T));
    return out;
  }
  // The same, its elements converted to `element`.
  std::vector<std::byte> fill_sequence(const Datatype& element) const;
  StorageInfo storage() const;  // layout, size, fill and allocation times (h5dump -p)

  // `data` holds the selection's elements in order; its size must equal the selection's.
  template <class T>
  void write(std::span<const T> data, const Selection& selection = Selection::all());
  template <class T>
  void write(const std::vector<T>& data, const Selection& selection = Selection::all()) {
    if constexpr (std::is_same_v<T, bool>) {  // std::vector<bool> packs bits: unpack to bools
      const std::unique_ptr<bool[]> unpacked(new bool[data.size()]);
      std::copy(data.begin(), data.end(), unpacked.get());
      write(std::span<const bool>(unpacked.get(), data.size()), selection);
    } else {
      write(std::span<const T>(data), selection);
    }
  }
  template <class T>
  std::vector<T> read(const Selection& selection = Selection::all()) const;
  template <class T>
  void read(std::span<T> out, const Selection& selection = Selection::all()) const;

  // Untyped transfers: `buffer` holds count elements of `memory_type`, count = the selection's.
  // Variable-length string datasets take a variable-length string memory type and an array of
  // C strings (const char*; null for a NULL string); reads fill char* that the caller frees with
  // reclaim_strings.
  void write_raw(const void* buffer, const Datatype& memory_type, const Selection& selection);
  void read_raw(void* buffer, const Datatype& memory_type, const Selection& selection) const;
  // The same for a buffer of `count` elements: InvalidArgument unless the selection picks as many
  // (checked as the selection is resolved, once).
  void write_raw(const void* buffer, std::uint64_t count, const Datatype& memory_type, const Selection& selection);
  void read_raw(void* buffer, std::uint64_t count, const Datatype& memory_type, const Selection& selection) const;

  // Number of elements a selection picks from this dataset (validates it).
  std::uint64_t count(const Selection& selection) const;

  // Collective; within maxshape, chunked datasets only. A shrink discards the elements outside the
  // new shape, as HDF5 does: growing again shows the fill value there (every driver).
  void resize(const Extent& shape);
  void set_collective(bool collective);  // mpio: collective transfers (h5py's dset.collective)
  Attributes attrs() const;

  // Dimension scales (HDF5's H5DS convention: h5py's make_scale and dims). Changes are
  // collective. The merged file holds CLASS, NAME, DIMENSION_LIST, REFERENCE_LIST and
  // DIMENSION_LABELS exactly as libhdf5's H5DS functions write them; where libhdf5 refuses a
  // change (a scale of its own, a dimension scale with scales) h5mf::Error says why.
  void make_scale(const std::string& name = "");  // H5DSset_scale: this dataset becomes a scale
  bool is_scale() const;
  std::string scale_name() const;  // its NAME ("" when it has none)
  // Attaches `scale`, a dataset of the same file, to dimension `dim` (making it a scale first if
  // it is not one); attaching it again does nothing, as in HDF5.
  void attach_scale(const Dataset& scale, std::size_t dim);
  void detach_scale(const Dataset& scale, std::size_t dim);  // it must be attached there
  std::vector<Dataset> scales(std::size_t dim) const;        // attached to `dim`, in HDF5's order
  std::string label(std::size_t dim) const;                  // "" when it has none
  void set_label(std::size_t dim, const std::string& label);

 private:
  friend class Group;  // links to it
  static constexpr std::uint64_t kAnyCount = ~std::uint64_t{0};
  std::uint32_t checked_dim(std::size_t dim) const;  // dim, when below the rank
  // Why libhdf5 would refuse to attach `scale` to (or detach it from) this dataset, or "".
  std::string scale_problem(const Dataset& scale, std::size_t dim, bool attach) const;
  // The selection made explicit against the current shape; names the dataset only on error.
  Selection resolve(const Selection& selection) const;
  // resolve(), then checks a buffer of `count` elements (kAnyCount: any) against the selection.
  Selection resolve_for(const Selection& selection, std::uint64_t count, const void* buffer) const;
  // `count` elements of `memory_type` (kAnyCount: as many as the selection has).
  void write_elements(const void* data, std::uint64_t count, const Datatype& memory_type, const Selection& selection);
  void read_elements(void* data, std::uint64_t count, const Datatype& memory_type, const Selection& selection) const;
  // std::string elements: variable-length strings (NULL and unwritten ones read as "").
  void write_strings(std::span<const std::string> data, const Selection& selection);
  void read_strings(std::span<std::string> out, const Selection& selection) const;
  std::shared_ptr<detail::FileState> file_;
  std::shared_ptr<driver::DatasetNode> node_;
};

template <class T>
void Dataset::write(std::span<const T> data, const Selection& selection) {
  if constexpr (std::is_same_v<std::remove_cv_t<T>, std::string>) {
    write_strings(data, selection);
  } else if constexpr (detail::is_vector<std::remove_cv_t<T>>::value) {
    // Variable-length sequences: hvl_t pointing into the vectors.
    using U = typename std::remove_cv_t<T>::value_type;
    std::vector<hvl_t> sequences(data.size());
    for (std::size_t i = 0; i < data.size(); ++i) {
      sequences[i] = hvl_t{data[i].size(), const_cast<U*>(data[i].data())};
    }
    write_elements(sequences.data(), sequences.size(), Datatype::sequence_of(Datatype::of<U>()), selection);
  } else {
    write_elements(data.data(), data.size(), Datatype::of<T>(), selection);
  }
}

template <class T>
std::vector<T> Dataset::read(const Selection& selection) const {
  const std::uint64_t n = count(selection);
  if constexpr (std::is_same_v<T, bool>) {  // std::vector<bool> packs bits
    const std::unique_ptr<bool[]> unpacked(new bool[n]);
    read(std::span<bool>(unpacked.get(), n), selection);
    return std::vector<bool>(unpacked.get(), unpacked.get() + n);
  } else {
    std::vector<T> out(n);
    read(std::span<T>(out), selection);
    return out;
  }
}

template <class T>
void Dataset::read(std::span<T> out, const Selection& selection) const {
  if constexpr (std::is_same_v<T, std::string>) {
    read_strings(out, selection);
  } else if constexpr (detail::is_vector<T>::value) {
    using U = typename T::value_type;
    std::vector<hvl_t> sequences(out.size(), hvl_t{0, nullptr});
    struct Reclaim {
      std::vector<hvl_t>& s;
      ~Reclaim() { reclaim_sequences(s.data(), s.size()); }
    } reclaim{sequences};
    read_elements(sequences.data(), sequences.size(), Datatype::sequence_of(Datatype::of<U>()), selection);
    for (std::size_t i = 0; i < out.size(); ++i) {
      const U* p = static_cast<const U*>(sequences[i].p);
      out[i].assign(p, p + sequences[i].len);
    }
  } else {
    read_elements(out.data(), out.size(), Datatype::of<T>(), selection);
  }
}

}  // namespace h5mf
