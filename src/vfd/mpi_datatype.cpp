#include "vfd/mpi_datatype.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "h5mf/error.hpp"
#include "mpi/comm.hpp"

namespace h5mf::vfd {
namespace {

void append(std::vector<ByteRun>& runs, std::int64_t offset, std::uint64_t length) {
  if (length == 0) return;
  if (!runs.empty() && runs.back().offset + static_cast<std::int64_t>(runs.back().length) == offset) {
    runs.back().length += length;
  } else {
    runs.push_back({offset, length});
  }
}

// `count` copies of `one` (the runs of one element), each `stride` bytes after the previous, at `at`.
void repeat(std::vector<ByteRun>& out, const std::vector<ByteRun>& one, std::uint64_t count, std::int64_t stride,
            std::int64_t at) {
  if (one.size() == 1 && one[0].offset == 0 && static_cast<std::int64_t>(one[0].length) == stride) {
    append(out, at, one[0].length * count);  // contiguous elements: one run
    return;
  }
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::int64_t base = at + static_cast<std::int64_t>(i) * stride;
    for (const ByteRun& r : one) append(out, base + r.offset, r.length);
  }
}

MPI_Aint extent_of(MPI_Datatype type) {
  MPI_Aint lb = 0, extent = 0;
  mpi::check(MPI_Type_get_extent(type, &lb, &extent), "MPI_Type_get_extent");
  return extent;
}

// Types that MPI_Type_get_contents returns are freed unless predefined.
struct Contents {
  std::vector<int> ints;
  std::vector<MPI_Aint> addresses;
  std::vector<MPI_Datatype> types;
  ~Contents() {
    for (MPI_Datatype& t : types) {
      int n_ints = 0, n_addresses = 0, n_types = 0, combiner = 0;
      if (MPI_Type_get_envelope(t, &n_ints, &n_addresses, &n_types, &combiner) == MPI_SUCCESS &&
          combiner != MPI_COMBINER_NAMED) {
        MPI_Type_free(&t);
      }
    }
  }
};

std::vector<ByteRun> flatten_one(MPI_Datatype type);

void elements(std::vector<ByteRun>& out, MPI_Datatype type, std::uint64_t count, std::int64_t at) {
  repeat(out, flatten_one(type), count, extent_of(type), at);
}

std::vector<ByteRun> flatten_one(MPI_Datatype type) {
  int n_ints = 0, n_addresses = 0, n_types = 0, combiner = 0;
  mpi::check(MPI_Type_get_envelope(type, &n_ints, &n_addresses, &n_types, &combiner), "MPI_Type_get_envelope");
  std::vector<ByteRun> out;
  if (combiner == MPI_COMBINER_NAMED) {
    int size = 0;
    mpi::check(MPI_Type_size(type, &size), "MPI_Type_size");
    append(out, 0, static_cast<std::uint64_t>(size));
    return out;
  }
  Contents c;
  c.ints.resize(static_cast<std::size_t>(n_ints));
  c.addresses.resize(static_cast<std::size_t>(n_addresses));
  c.types.resize(static_cast<std::size_t>(n_types));
  mpi::check(
      MPI_Type_get_contents(type, n_ints, n_addresses, n_types, c.ints.data(), c.addresses.data(), c.types.data()),
      "MPI_Type_get_contents");
  const auto& ints = c.ints;
  const auto& addrs = c.addresses;
  const auto& types = c.types;
  const auto u = [](int v) { return static_cast<std::uint64_t>(v); };
  switch (combiner) {
    case MPI_COMBINER_DUP:
    case MPI_COMBINER_RESIZED:  // the extent changes, not the bytes
      return flatten_one(types[0]);
    case MPI_COMBINER_CONTIGUOUS: elements(out, types[0], u(ints[0]), 0); return out;
    case MPI_COMBINER_VECTOR:
    case MPI_COMBINER_HVECTOR: {
      const MPI_Aint extent = extent_of(types[0]);
      const std::int64_t stride = combiner == MPI_COMBINER_VECTOR ? ints[2] * extent : addrs[0];
      const auto block = [&] {
        std::vector<ByteRun> b;
        elements(b, types[0], u(ints[1]), 0);
        return b;
      }();
      repeat(out, block, u(ints[0]), stride, 0);
      return out;
    }
    case MPI_COMBINER_INDEXED:
    case MPI_COMBINER_HINDEXED: {
      const MPI_Aint extent = extent_of(types[0]);
      const int count = ints[0];
      for (int i = 0; i < count; ++i) {
        const std::int64_t at = combiner == MPI_COMBINER_INDEXED ? ints[1 + count + i] * extent : addrs[i];
        elements(out, types[0], u(ints[1 + i]), at);
      }
      return out;
    }
    case MPI_COMBINER_INDEXED_BLOCK:
    case MPI_COMBINER_HINDEXED_BLOCK: {
      const MPI_Aint extent = extent_of(types[0]);
      const int count = ints[0];
      for (int i = 0; i < count; ++i) {
        const std::int64_t at = combiner == MPI_COMBINER_INDEXED_BLOCK ? ints[2 + i] * extent : addrs[i];
        elements(out, types[0], u(ints[1]), at);
      }
      return out;
    }
    case MPI_COMBINER_STRUCT: {
      const int count = ints[0];
      for (int i = 0; i < count; ++i) elements(out, types[static_cast<std::size_t>(i)], u(ints[1 + i]), addrs[i]);
      return out;
    }
    default:
      throw Unsupported(
          fmt::format("the h5mf file driver cannot lay out an MPI datatype made by combiner {} "
                      "(known: contiguous, vector, hvector, indexed, hindexed, indexed_block, "
                      "hindexed_block, struct, resized, dup)",
                      combiner));
  }
}

}  // namespace

std::vector<ByteRun> flatten(MPI_Datatype type, std::uint64_t count) {
  std::vector<ByteRun> out;
  elements(out, type, count, 0);
  return out;
}

std::uint64_t type_bytes(MPI_Datatype type, std::uint64_t count) {
  MPI_Count size = 0;
  mpi::check(MPI_Type_size_x(type, &size), "MPI_Type_size_x");
  return static_cast<std::uint64_t>(size) * count;
}

std::vector<ByteRun> file_runs(MPI_Datatype file_type, std::uint64_t address, std::uint64_t bytes) {
  std::vector<ByteRun> out;
  if (bytes == 0) return out;
  const std::vector<ByteRun> one = flatten_one(file_type);
  const std::uint64_t per_type = type_bytes(file_type, 1);
  if (per_type == 0) throw InvalidArgument("a collective transfer of data through an empty MPI file datatype");
  const MPI_Aint extent = extent_of(file_type);
  std::uint64_t left = bytes;
  for (std::int64_t base = static_cast<std::int64_t>(address); left > 0; base += extent) {
    for (const ByteRun& r : one) {
      const std::uint64_t take = std::min(left, r.length);
      append(out, base + r.offset, take);
      left -= take;
      if (left == 0) break;
    }
  }
  return out;
}

}  // namespace h5mf::vfd
