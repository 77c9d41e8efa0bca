// Shared pieces of the MPI test programs: the job's ranks, per-test scratch directories, verdicts
// that every rank agrees on, and reading HDF5 files back with libhdf5 to compare them.
#pragma once

#include <mpi.h>

#include <hdf5.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "h5mf/h5mf.hpp"

namespace h5mf_test {

int rank();
int size();
void barrier();
// The same as unsigned counts, for selection arithmetic.
inline std::uint64_t ranks() { return static_cast<std::uint64_t>(size()); }
inline std::uint64_t me() { return static_cast<std::uint64_t>(rank()); }

// Every rank of MPI_COMM_WORLD on one multifile container.
inline h5mf::FileOptions parallel() {
  h5mf::FileOptions o;
  o.comm = MPI_COMM_WORLD;
  o.driver = h5mf::Driver::Multifile;
  return o;
}

// The program's scratch directory (main's --scratch=DIR; rank 0 creates it empty).
const std::filesystem::path& scratch_root();
void set_scratch_root(std::filesystem::path root);
// A fresh directory for the running gtest test, `<scratch>/<Suite>.<Test>`, empty on every rank.
std::filesystem::path test_dir();

// Rank 0's text on every rank (verdicts computed by rank 0 alone, e.g. after a merge).
std::string shared(const std::string& text_on_rank0);
// Every rank's text, joined in rank order, on every rank ("rank r: text" for non-empty texts).
std::string gathered(const std::string& local);

// Runs `step`; an exception becomes "what: message" text instead of escaping. Used where one rank
// alone does work (merging, comparing) and must still reach the next collective call.
std::string capture(const std::string& what, const std::function<void()>& step);

// Runs a shell command; returns its exit status (-1 when it did not exit normally). The combined
// output lands in `output` when given.
int run(const std::string& command, std::string* output = nullptr);
std::string quoted(const std::string& s);

// Every difference between two HDF5 files, as lines of text; empty when the files hold the same
// groups, datasets (type, shape, maximum shape, fill value, every element) and attributes (type,
// shape, value), read back with libhdf5.
std::string compare_hdf5(const std::string& actual, const std::string& expected);

// Paths of every dataset in a file ("/a/b/data"), sorted.
std::vector<std::string> dataset_paths(const std::string& file);

// A dataset read whole with libhdf5, as bytes of its file type.
struct DatasetBytes {
  std::vector<std::uint64_t> dims;
  std::size_t element_size = 0;
  std::vector<unsigned char> bytes;
};
DatasetBytes read_dataset(const std::string& file, const std::string& path);

// Byte-wise read of a dataset's elements converted to `memory_type` (libhdf5's conversion).
std::vector<unsigned char> read_converted(const std::string& file, const std::string& path, hid_t memory_type,
                                          std::size_t element_size);

// A dataset read whole as T (memory_type is T's native HDF5 type).
template <class T>
std::vector<T> read_as(const std::string& file, const std::string& path, hid_t memory_type) {
  const auto raw = read_converted(file, path, memory_type, sizeof(T));
  std::vector<T> out(raw.size() / sizeof(T));
  std::copy(raw.begin(), raw.end(), reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

// Merge options that write to `output` (the rest: the defaults).
h5mf::MergeOptions merge_to(const std::string& output);

// Tool paths from CMake.
const char* h5diff();
const char* h5dump();
const char* python();
std::string h5py_compare_script();

}  // namespace h5mf_test
