// The parallel part of the merge: contiguous datasets cut into windows of the output, each window
// produced by exactly one thread of one rank, in replay order, with no locks on the hot path.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "container/catalog.hpp"
#include "container/index.hpp"
#include "container/layout.hpp"
#include "merge/passing_checks.hpp"
#include "merge/plan.hpp"

namespace h5mf::merge_detail {

struct Window {
  std::uint64_t dataset = 0;
  std::uint64_t first = 0, count = 0;  // elements of the dataset's linear order
  std::uint64_t address = 0;           // output file offset of element `first`
  std::uint64_t bytes = 0;
  bool from_base = false;  // the output already holds the base file's bytes here
};

// What a window costs per record whose data start in it, besides its bytes: a piece of the window's
// resolution (a map node and its copy) and the record's place in the candidate list.
inline constexpr std::uint64_t kBytesPerRecordInWindow = 128;

// Every contiguous dataset cut into windows of at most `window_bytes`, and of at most
// window_bytes / kBytesPerRecordInWindow records starting in each, in output order. Windows of a
// dataset with a zero fill value that no record's bounding range reaches are left out: that space is
// allocated and never written, so zero already (docs/design.md, "Hostile files": a dataset declared
// 2^60 bytes costs its records, not 2^60 / window_bytes windows).
std::vector<Window> cut_windows(const Plan& plan, const container::Catalog& catalog,
                                const std::map<std::uint64_t, container::DatasetWrites>& writes,
                                std::size_t window_bytes);

// The windows [begin, end) of rank `rank`: consecutive output byte ranges of equal size.
std::pair<std::size_t, std::size_t> share_of(const std::vector<Window>& windows, int rank, int ranks);

// Copies `length` bytes between files inside the kernel (copy_file_range: on XFS with reflinks and
// btrfs it shares blocks). Returns false (nothing copied) where the kernel or file system cannot,
// so that the caller falls back to read and write; `output` names the target in errors.
bool kernel_copy(int from, std::uint64_t from_offset, int to, std::uint64_t to_offset, std::uint64_t length,
                 const std::string& output);

struct EngineStats {
  std::uint64_t bytes_written = 0, bytes_kernel_copied = 0, windows = 0, windows_skipped = 0;
  std::uint64_t bytes_shared = 0;  // of bytes_kernel_copied, blocks shared with the data files (reflinks)
};

struct EngineInput {
  const container::Layout* layout = nullptr;
  const container::Catalog* catalog = nullptr;
  const std::map<std::uint64_t, container::DatasetWrites>* writes = nullptr;  // prepared
  std::string output;
  unsigned threads = 1;
  std::size_t window_bytes = 0;
  bool kernel_copy = true;
  std::size_t max_open_files = 256;  // over all threads
  // Records to check as their bytes pass through (the verification fused into the copy); null: none.
  PassingChecks* checks = nullptr;
  // Write the fill value where nobody wrote even where the output should already hold it: a second
  // pass after records were dropped must overwrite what the first pass took from them.
  bool rewrite_unwritten = false;
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;  // from one thread
  // Whether checked records may still try to share blocks with the data files (FICLONERANGE);
  // cleared by the first refusal, so that a file system without reflinks is asked once. Null: never.
  std::atomic<bool>* shares_blocks = nullptr;
};

// Produces windows [begin, end) into `output`. Throws the first error any thread met (the other
// threads stop at their next window).
EngineStats run_engine(const EngineInput& input, const std::vector<Window>& windows, std::size_t begin,
                       std::size_t end);

}  // namespace h5mf::merge_detail
