#include "merge/engine.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "container/posix_file.hpp"
#include "container/reader.hpp"
#include "container/scratch.hpp"
#include "h5mf/error.hpp"

namespace h5mf::merge_detail {
namespace {

bool zero_fill(const std::vector<std::byte>& fill) {
  for (auto b : fill) {
    if (b != std::byte{0}) return false;
  }
  return true;
}

// Makes bytes [to_offset, to_offset + length) of `to` share the blocks of bytes [from_offset, ...)
// of `from` (FICLONERANGE: XFS with reflinks, btrfs; both offsets and the length whole blocks).
// Returns false where the file systems cannot share blocks, so that the caller copies instead.
bool share_blocks(int from, std::uint64_t from_offset, int to, std::uint64_t to_offset, std::uint64_t length,
                  const std::string& output) {
  file_clone_range range{};
  range.src_fd = from;
  range.src_offset = from_offset;
  range.src_length = length;
  range.dest_offset = to_offset;
  if (::ioctl(to, FICLONERANGE, &range) == 0) return true;
  if (errno == EOPNOTSUPP || errno == ENOTTY || errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
      errno == EPERM || errno == ETXTBSY) {
    return false;
  }
  throw IoError(fmt::format("cannot share {} bytes of a data file with '{}' at offset {}: {}", length, output,
                            to_offset, container::errno_text(errno)));
}

// One thread's tools: its own file descriptors and buffer.
struct Worker {
  Worker(const EngineInput& in, container::PosixFile& out)
      : input(in),
        output(out),
        reader(*in.layout, in.window_bytes, std::max<std::size_t>(1, in.max_open_files / std::max(in.threads, 1u))) {
    struct stat st {};
    if (::fstat(out.fd(), &st) == 0 && st.st_blksize > 0) block = static_cast<std::uint64_t>(st.st_blksize);
  }

  // A large record that is still to be checked, on a file system that shares blocks between files
  // (`input.shares_blocks`, cleared at the first refusal): its whole blocks are shared with the
  // data file, the partial blocks at its ends copied, and every byte read once to check it (a read
  // costs far less than a write, and cloned blocks cost no space). A record whose bytes fail is
  // handled like one checked in the buffer: its dataset is produced again without it. Returns false
  // (nothing done) where the record's bytes and their place in the output are not at the same
  // offset within a block, or the file systems refuse.
  bool share_checked(std::uint32_t data_file, std::uint64_t source, std::uint64_t to, std::uint64_t bytes,
                     EngineStats& stats) {
    if (!input.shares_blocks || !input.shares_blocks->load(std::memory_order_relaxed)) return false;
    if (source % block != to % block) return false;
    const std::uint64_t head = std::min(bytes, (block - to % block) % block);
    const std::uint64_t middle = (bytes - head) / block * block;
    if (middle == 0) return false;
    const int from_fd = reader.data_file(data_file).fd();
    if (!share_blocks(from_fd, source + head, output.fd(), to + head, middle, output.path())) {
      input.shares_blocks->store(false, std::memory_order_relaxed);
      return false;
    }
    PassingChecks::Stream stream(*input.checks, data_file, source, bytes);
    staging.resize(static_cast<std::size_t>(std::min(bytes, kStagingBytes)));
    for (std::uint64_t done = 0; done < bytes;) {
      // Parts end at the edges of the shared middle, so that only the ends are written.
      const std::uint64_t limit = done < head ? head : done < head + middle ? head + middle : bytes;
      const auto part =
          std::span(staging).first(static_cast<std::size_t>(std::min<std::uint64_t>(limit - done, staging.size())));
      reader.data_file(data_file).read_at(source + done, part);
      stream.feed(part);
      if (done < head || done >= head + middle) output.write_at(to + done, part);
      done += part.size();
    }
    stats.bytes_written += bytes;
    stats.bytes_kernel_copied += middle;
    stats.bytes_shared += middle;
    return true;
  }

  // Each stretch of the window is decided by the last write covering it (resolve_window). Large
  // stretches are copied file to file by the kernel; small ones are gathered into the buffer and
  // written in runs; stretches nobody wrote are left alone where the output already holds the right
  // bytes (the base file's, or never-written space, which reads as zeros) and filled otherwise.
  void produce(const Window& w, EngineStats& stats) {
    const container::CatalogObject& o = input.catalog->object(w.dataset);
    static const container::DatasetWrites none;
    const auto it = input.writes->find(w.dataset);
    const container::DatasetWrites& writes = it == input.writes->end() ? none : it->second;
    const std::size_t esize = w.bytes / w.count;
    const container::ElementLayout layout{o.dims, esize, o.fill, false, 0, false, &o.shapes};
    const bool unwritten_is_right = w.from_base || (!input.rewrite_unwritten && zero_fill(o.fill));
    ++stats.windows;
    const auto pieces = container::DataReader::resolve_window(writes, w.first, w.count, layout);
    if (pieces.size() == 1 && !pieces.front().written && unwritten_is_right) {
      ++stats.windows_skipped;
      return;
    }
    // The window's buffer is touched only where small pieces or fills are staged in it: a window of
    // large pieces never faults its pages in (32 MiB per thread, zeroed by the kernel on first touch).
    const std::span<std::byte> buffer = window_buffer.first(w.bytes);
    if (w.bytes / pieces.size() < kSmallPieceBytes) {
      // Many small pieces (interleaved or strided writes): one read of each record's span beats a
      // read per piece, and the window is written whole.
      if (w.from_base) output.read_at(w.address, buffer);
      reader.read_linear(writes, w.first, w.count, {o.dims, esize, o.fill, w.from_base, 0, false, &o.shapes}, buffer);
      output.write_at(w.address, buffer);
      stats.bytes_written += w.bytes;
      return;
    }
    std::uint64_t run_start = 0, run_end = 0;  // a run of staged bytes in the buffer, not yet written
    auto write_run = [&] {
      if (run_end > run_start) {
        output.write_at(w.address + run_start, buffer.subspan(run_start, run_end - run_start));
        stats.bytes_written += run_end - run_start;
      }
      run_start = run_end = 0;
    };
    auto stage = [&](std::uint64_t from, std::uint64_t to) {
      if (run_end != from) {
        write_run();
        run_start = from;
      }
      run_end = to;
    };
    for (const auto& p : pieces) {
      const std::uint64_t from = p.first * esize, bytes = p.count * esize;
      if (!p.written) {
        if (unwritten_is_right) {
          write_run();
          continue;
        }
        container::fill_elements(buffer.subspan(from, bytes), o.fill, esize);
        stage(from, from + bytes);
        continue;
      }
      // Records still to be checked pass through the buffer, where they are checked on the way:
      // one read of their bytes instead of a checking read and a kernel copy.
      const bool check_here = input.checks != nullptr && input.checks->holds_whole_record(p.data_file, p.source, bytes);
      if (check_here && input.kernel_copy && bytes >= kKernelCopyBytes &&
          share_checked(p.data_file, p.source, w.address + from, bytes, stats)) {
        write_run();
        continue;
      }
      if (!check_here && input.kernel_copy && bytes >= kKernelCopyBytes &&
          kernel_copy(reader.data_file(p.data_file).fd(), p.source, output.fd(), w.address + from, bytes,
                      output.path())) {
        write_run();
        stats.bytes_written += bytes;
        stats.bytes_kernel_copied += bytes;
        continue;
      }
      if (bytes >= kKernelCopyBytes) {
        // A large piece passes in parts through a buffer that stays in the CPU's cache from read
        // to check to write; through its place in the window's buffer (cold memory, as large as
        // the window) the check would wait on memory.
        std::optional<PassingChecks::Stream> stream;
        if (check_here) stream.emplace(*input.checks, p.data_file, p.source, bytes);
        staging.resize(static_cast<std::size_t>(std::min(bytes, kStagingBytes)));
        for (std::uint64_t done = 0; done < bytes;) {
          const auto part =
              std::span(staging).first(static_cast<std::size_t>(std::min<std::uint64_t>(bytes - done, staging.size())));
          reader.data_file(p.data_file).read_at(p.source + done, part);
          if (stream) stream->feed(part);
          output.write_at(w.address + from + done, part);
          done += part.size();
        }
        stats.bytes_written += bytes;
        continue;
      }
      const auto bytes_read = buffer.subspan(from, bytes);
      reader.data_file(p.data_file).read_at(p.source, bytes_read);
      if (check_here) input.checks->observe(p.data_file, p.source, bytes_read);
      stage(from, from + bytes);
    }
    write_run();
  }

  // Below this a kernel copy's fixed cost outweighs the copy through user space it saves.
  static constexpr std::uint64_t kKernelCopyBytes = 256u << 10;
  // Large pieces pass through `staging` (read, checked, written) in parts of this size.
  static constexpr std::uint64_t kStagingBytes = 1u << 20;
  // Windows whose pieces average less than this are gathered record by record instead.
  static constexpr std::uint64_t kSmallPieceBytes = 4u << 10;

  const EngineInput& input;
  container::PosixFile& output;
  container::DataReader reader;
  container::Scratch window_buffer;
  std::vector<std::byte> staging;
  std::uint64_t block = 4096;  // the output file system's block: the unit of sharing
};

}  // namespace

bool kernel_copy(int from, std::uint64_t from_offset, int to, std::uint64_t to_offset, std::uint64_t length,
                 const std::string& output) {
  auto in = static_cast<loff_t>(from_offset), out = static_cast<loff_t>(to_offset);
  while (length > 0) {
    const ssize_t n = ::copy_file_range(from, &in, to, &out, length, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) {
        if (in == static_cast<loff_t>(from_offset)) return false;  // nothing done yet: fall back
      }
      throw IoError(fmt::format("cannot copy {} bytes into '{}' at offset {}: {}", length, output, out,
                                container::errno_text(errno)));
    }
    if (n == 0) throw FormatError(fmt::format("a data file ended early while copying into '{}'", output));
    length -= static_cast<std::uint64_t>(n);
  }
  return true;
}

std::vector<Window> cut_windows(const Plan& plan, const container::Catalog& catalog,
                                const std::map<std::uint64_t, container::DatasetWrites>& writes,
                                std::size_t window_bytes) {
  std::vector<Window> windows;
  for (const auto& d : plan.contiguous) {
    const container::CatalogObject& o = catalog.object(d.id);
    const std::uint64_t total = selection::num_elements(o.dims);
    const std::uint64_t per_window = std::max<std::uint64_t>(1, window_bytes / d.element_size);
    // Window numbers [a, b] some record's bounding box reaches in the linear order.
    std::vector<std::pair<std::uint64_t, std::uint64_t>> reached;
    if (auto it = writes.find(d.id); it != writes.end()) {
      const Extent& shape = o.dims;
      auto linear = [&shape](const Extent& at) {
        std::uint64_t index = 0;
        for (std::size_t k = 0; k < shape.size(); ++k) index = index * shape[k] + at[k];
        return index;
      };
      reached.reserve(it->second.size());
      for (const auto& w : it->second.in_replay_order()) {
        const selection::Box box = w.box();
        if (box.lo.size() != shape.size() || box.hi.size() != shape.size()) continue;
        bool empty = false;
        Extent last(shape.size());
        for (std::size_t k = 0; k < shape.size(); ++k) {
          if (box.hi[k] <= box.lo[k] || box.hi[k] > shape[k])
            empty = true;
          else
            last[k] = box.hi[k] - 1;
        }
        if (empty) continue;
        reached.emplace_back(linear(box.lo) / per_window, linear(last) / per_window);
      }
    }
    std::sort(reached.begin(), reached.end());
    // A window costs memory per record in it, besides its bytes (DataReader::resolve_window's
    // pieces): one that more than window_bytes / kBytesPerRecordInWindow records start in is cut
    // into as many parts as keep each within that, so that small records honour the budget too.
    const std::uint64_t max_records = std::max<std::uint64_t>(1, window_bytes / kBytesPerRecordInWindow);
    std::map<std::uint64_t, std::uint64_t> starting;  // window number -> records starting there
    for (const auto& [a, b] : reached) ++starting[a];
    auto add = [&](std::uint64_t k) {
      const std::uint64_t first = k * per_window;
      const std::uint64_t count = std::min(per_window, total - first);
      const auto it = starting.find(k);
      const std::uint64_t parts =
          it == starting.end() ? 1 : std::min(count, (it->second + max_records - 1) / max_records);
      const std::uint64_t part = (count + parts - 1) / parts;
      for (std::uint64_t at = first; at < first + count; at += part) {
        const std::uint64_t n = std::min(part, first + count - at);
        windows.push_back({d.id, at, n, d.address + at * d.element_size, n * d.element_size, d.from_base});
      }
    };
    if (d.from_base || !zero_fill(o.fill)) {
      for (std::uint64_t k = 0; k * per_window < total; ++k) add(k);
      continue;
    }
    std::uint64_t next = 0;  // the first window number not yet cut
    for (const auto& [a, b] : reached) {
      for (std::uint64_t k = std::max(a, next); k <= b; ++k) add(k);
      next = std::max(next, b + 1);
    }
  }
  return windows;
}

std::pair<std::size_t, std::size_t> share_of(const std::vector<Window>& windows, int rank, int ranks) {
  std::uint64_t total = 0;
  for (const auto& w : windows) total += w.bytes;
  // Rank r takes the windows that start in [r * total / ranks, (r + 1) * total / ranks).
  auto first_at_or_after = [&](std::uint64_t byte) {
    std::uint64_t at = 0;
    std::size_t i = 0;
    while (i < windows.size() && at < byte) at += windows[i++].bytes;
    return i;
  };
  // r * total / n without overflow: (total / n) * r + (total % n) * r / n.
  const auto n = static_cast<std::uint64_t>(ranks);
  auto boundary = [&](std::uint64_t r) { return (total / n) * r + (total % n) * r / n; };
  const std::uint64_t lo = boundary(static_cast<std::uint64_t>(rank)),
                      hi = boundary(static_cast<std::uint64_t>(rank) + 1);
  return {first_at_or_after(lo), rank + 1 == ranks ? windows.size() : first_at_or_after(hi)};
}

EngineStats run_engine(const EngineInput& input, const std::vector<Window>& windows, std::size_t begin,
                       std::size_t end) {
  // The output is a path the user named (or the merge's own temporary beside the container).
  container::PosixFile output(input.output, container::PosixFile::Access::ReadWrite,
                              container::PosixFile::Links::Follow);
  std::uint64_t total = 0;
  for (std::size_t i = begin; i < end; ++i) total += windows[i].bytes;

  std::atomic<std::size_t> next{begin};
  std::atomic<std::uint64_t> done{0};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  std::exception_ptr error;
  std::vector<EngineStats> stats(std::max(1u, input.threads));

  auto work = [&](unsigned t) {
    try {
      Worker worker(input, output);
      for (std::size_t i = next++; i < end && !failed; i = next++) {
        worker.produce(windows[i], stats[t]);
        done += windows[i].bytes;
      }
    } catch (...) {
      std::lock_guard lock(error_mutex);
      if (!error) error = std::current_exception();
      failed = true;
    }
  };

  // Progress from a thread of its own, so that no worker ever waits for the terminal.
  std::mutex progress_mutex;
  std::condition_variable finished;
  bool all_done = false;
  std::thread reporter;
  if (input.progress) {
    reporter = std::thread([&] {
      std::unique_lock lock(progress_mutex);
      while (!finished.wait_for(lock, std::chrono::milliseconds(200), [&] { return all_done; })) {
        input.progress(done.load(), total);
      }
    });
  }

  std::vector<std::thread> threads;
  for (unsigned t = 1; t < stats.size(); ++t) threads.emplace_back(work, t);
  work(0);
  for (auto& t : threads) t.join();
  if (reporter.joinable()) {
    {
      std::lock_guard lock(progress_mutex);
      all_done = true;
    }
    finished.notify_all();
    reporter.join();
    input.progress(done.load(), total);
  }
  if (error) std::rethrow_exception(error);
  output.close();

  EngineStats sum;
  for (const auto& s : stats) {
    sum.bytes_written += s.bytes_written;
    sum.bytes_kernel_copied += s.bytes_kernel_copied;
    sum.bytes_shared += s.bytes_shared;
    sum.windows += s.windows;
    sum.windows_skipped += s.windows_skipped;
  }
  return sum;
}

}  // namespace h5mf::merge_detail
