// h5dump's DDL, written from h5mf's public API so that `h5mf dump` on a container prints what
// `h5dump` prints for the merged file, line for line. The formatting rules were read off h5dump
// 1.10.8 by experiment; they are summarised in ddl_printer.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "h5mf/file.hpp"

namespace h5mf::tools {

class ObjectIndex;
struct AttributeValue;

// Buffered text output to a stdio stream (flushed in large blocks).
class Output {
 public:
  explicit Output(std::FILE* stream) : stream_(stream) {}
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;
  ~Output();

  std::string& text() { return buffer_; }
  void line(std::size_t indent, std::string_view text);  // indent spaces, text, newline
  void maybe_flush() {
    if (buffer_.size() >= kFlushBytes) flush();
  }
  void flush();

 private:
  static constexpr std::size_t kFlushBytes = std::size_t{1} << 20;
  std::FILE* stream_;
  std::string buffer_;
};

// What a dump shows besides the structure and types, as h5dump's flags choose: everything
// (default), -A (attribute values, no dataset data), -H (neither: the header only).
enum class Contents { All, AttributeData, Header };

class DdlPrinter {
 public:
  // Dataset data is read in windows of about `window_bytes`, never the whole dataset at once.
  // `properties`: each dataset's storage layout, filters, fill value and allocation time (h5dump -p).
  // `objects`: the file's, for references, named datatypes and attributes as h5dump shows them.
  DdlPrinter(Output& out, const ObjectIndex& objects, std::size_t window_bytes = std::size_t{16} << 20,
             Contents contents = Contents::All, bool properties = false)
      : out_(out), objects_(&objects), window_bytes_(window_bytes), contents_(contents), properties_(properties) {}

  // Throws h5mf::Unsupported, naming the object, if anything under `group` (its attributes, its
  // datasets and theirs, recursively) has a type this printer cannot format, an element larger
  // than kMaxElementBytes, or groups nested deeper than h5mf::kMaxDepth. Called before any output
  // so that an unsupported file gives an error, not a partial dump. Returns the number of dataset
  // elements the dump would print (saturating), for the caller's bound on them.
  static std::uint64_t check_supported(const Group& group, const ObjectIndex& objects);
  static std::uint64_t check_supported(const Dataset& dataset, const ObjectIndex& objects);
  static void check_supported(const Attributes& attributes, const std::string& name, const std::string& owner,
                              const Dataset* dataset, const ObjectIndex& objects);

  // The largest element printed: each is read whole, and a declared type of gigabytes (a hostile
  // file; no one reads a 64 MiB element as text) must not become an allocation of that size.
  static constexpr std::size_t kMaxElementBytes = std::size_t{64} << 20;

  // `HDF5 "<shown_name>" {` ... `}`: the whole file, as `h5dump FILE`.
  void file(const File& file, std::string_view shown_name);

  // The pieces of `h5dump -d NAME... FILE`: begin(), one dataset block per name at indent 0 (the
  // name as given), end().
  void begin(std::string_view shown_name);
  void dataset(const Dataset& dataset, std::string_view shown_name, std::size_t indent);
  // `h5dump -g PATH` and `-a PATH`: a group block named as given, an attribute block by its name
  // (`dataset`: its owner when that is a dataset; `owner`: the owner's path).
  void group_block(const Group& group, std::string_view shown_name);
  void attribute(const Attributes& attributes, const std::string& name, const std::string& owner,
                 const Dataset* dataset, std::size_t indent);
  void end();

 private:
  static std::uint64_t check_supported(const Group& group, const ObjectIndex& objects, std::set<std::uint64_t>& seen,
                                       std::uint64_t depth);
  bool print_if_seen(const char* keyword, std::uint64_t object, const std::string& path, std::string_view shown_name,
                     std::size_t indent);
  void group(const Group& group, std::string_view shown_name, std::size_t indent);
  void external_target(const LinkInfo& link, std::size_t indent);
  void attributes(const Attributes& attributes, const std::string& owner, const Dataset* dataset, std::size_t indent);
  void attribute_block(const std::string& name, const AttributeValue& value, std::size_t indent);
  void named_type(const Group& group, const std::string& name, const std::string& path, std::size_t indent);
  // A dataset's DATA lines (at `indent`), read in windows.
  void data(const Dataset& dataset, std::size_t indent);
  // Elements of an object reference type, as h5dump prints them: each on a line of its own, and
  // a dataset's data under it (`DATASET 800 "/x"`, `DATA {`, its lines, `}`).
  void references(const std::byte* values, std::uint64_t count, std::size_t indent);
  void storage(const Dataset& dataset, std::size_t indent);

  Output& out_;
  const ObjectIndex* objects_;         // the file printed (an external link's target: its file)
  std::set<std::uint64_t> expanding_;  // datasets whose data a reference is printing (a cycle: refused)
  std::size_t window_bytes_;
  Contents contents_;
  bool properties_;
  std::map<std::uint64_t, std::string> first_paths_;  // object id -> the path it was printed at
  std::filesystem::path dir_;                         // of the file printed: external links are looked for there first
};

}  // namespace h5mf::tools
