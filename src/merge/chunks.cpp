#include "merge/chunks.hpp"

#include <hdf5.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "container/reader.hpp"
#include "format/encoding.hpp"
#include "h5mf/error.hpp"
#include "hdf5/handle.hpp"
#include "merge/chunk_filters.hpp"

namespace h5mf::merge_detail {
namespace {

using hdf5::Handle;

// One encoded chunk on its way to the writer.
struct EncodedChunk {
  std::uint64_t dataset = 0;
  Extent offset;           // element coordinates of the chunk's first element
  std::uint32_t mask = 0;  // H5Dwrite_chunk's filter mask
  std::uint64_t raw_bytes = 0;
  std::vector<std::byte> bytes;
};

// Producers (the worker threads) to one consumer (the rank's main thread), bounded by bytes. A
// chunk larger than the bound still passes when the queue is empty, so that nothing waits forever.
class ChunkQueue {
 public:
  ChunkQueue(std::size_t capacity, unsigned producers) : capacity_(capacity), producers_(producers) {}

  void push(EncodedChunk chunk) {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [&] { return items_.empty() || bytes_ + chunk.bytes.size() <= capacity_; });
    bytes_ += chunk.bytes.size();
    items_.push_back(std::move(chunk));
    ready_.notify_one();
  }
  void producer_done() {
    std::lock_guard lock(mutex_);
    --producers_;
    ready_.notify_all();
  }
  // The next chunk, or nullopt after `wait` without one (or when every producer is done).
  std::optional<EncodedChunk> pop(std::chrono::milliseconds wait) {
    std::unique_lock lock(mutex_);
    ready_.wait_for(lock, wait, [&] { return !items_.empty() || producers_ == 0; });
    if (items_.empty()) return std::nullopt;
    EncodedChunk out = std::move(items_.front());
    items_.pop_front();
    bytes_ -= out.bytes.size();
    room_.notify_all();
    return out;
  }
  bool finished() {
    std::lock_guard lock(mutex_);
    return producers_ == 0 && items_.empty();
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_, room_;
  std::deque<EncodedChunk> items_;
  std::size_t bytes_ = 0;
  const std::size_t capacity_;
  unsigned producers_;
};

constexpr int kTagChunks = 7101, kTagDone = 7102;

void append_chunk(std::vector<std::byte>& batch, const EncodedChunk& c) {
  format::Encoder out(batch);
  out.u64(c.dataset);
  out.u32(static_cast<std::uint32_t>(c.offset.size()));
  out.extent(c.offset);
  out.u32(c.mask);
  out.u64(c.raw_bytes);
  out.u64(c.bytes.size());
  out.raw(c.bytes);
}

std::vector<EncodedChunk> decode_batch(const std::vector<std::byte>& batch, int from) {
  std::vector<EncodedChunk> out;
  std::size_t at = 0;
  const auto need = [&](std::size_t bytes) {
    if (batch.size() - at < bytes) {
      throw FormatError(fmt::format("a batch of chunks from rank {} ends early at byte {}", from, at));
    }
  };
  const auto u32 = [&] {
    need(4);
    at += 4;
    return format::get_u32(batch.data() + at - 4);
  };
  const auto u64 = [&] {
    need(8);
    at += 8;
    return format::get_u64(batch.data() + at - 8);
  };
  while (at < batch.size()) {
    EncodedChunk c;
    c.dataset = u64();
    const std::uint32_t rank = u32();
    if (rank > 32) throw FormatError(fmt::format("a batch of chunks from rank {}: rank {}", from, rank));
    for (std::uint32_t d = 0; d < rank; ++d) c.offset.push_back(u64());
    c.mask = u32();
    c.raw_bytes = u64();
    const std::uint64_t n = u64();
    need(static_cast<std::size_t>(n));
    c.bytes.assign(batch.begin() + static_cast<std::ptrdiff_t>(at),
                   batch.begin() + static_cast<std::ptrdiff_t>(at + n));
    at += static_cast<std::size_t>(n);
    out.push_back(std::move(c));
  }
  return out;
}

// Copies the elements of a `count`-shaped box (row-major, in `box`) into a `chunk`-shaped buffer.
void place_box(std::span<const std::byte> box, const Extent& count, const Extent& chunk, std::size_t esize,
               std::span<std::byte> out) {
  const std::size_t rank = chunk.size();
  const std::size_t run = static_cast<std::size_t>(count[rank - 1]) * esize;
  if (run == 0) return;
  Extent at(rank, 0);  // odometer over all dimensions but the last
  std::size_t from = 0;
  while (true) {
    std::uint64_t to = 0;
    for (std::size_t d = 0; d < rank; ++d) to = to * chunk[d] + at[d];
    std::memcpy(out.data() + to * esize, box.data() + from, run);
    from += run;
    std::size_t d = rank - 1;
    while (d-- > 0) {
      if (++at[d] < count[d]) break;
      at[d] = 0;
    }
    if (d == static_cast<std::size_t>(-1)) break;
  }
}

// The chunk indices a hyperslab touches along one dimension, sorted and unique.
std::vector<std::uint64_t> touched_along(std::uint64_t start, std::uint64_t stride, std::uint64_t count,
                                         std::uint64_t block, std::uint64_t chunk) {
  std::vector<std::uint64_t> out;
  if (count == 0 || block == 0) return out;
  stride = std::max<std::uint64_t>(stride, 1);
  auto add_range = [&](std::uint64_t lo, std::uint64_t hi) {  // elements [lo, hi)
    for (std::uint64_t c = lo / chunk; c <= (hi - 1) / chunk; ++c) {
      if (out.empty() || out.back() < c) out.push_back(c);
    }
  };
  if (stride <= block) {  // the blocks touch or overlap: one range
    add_range(start, start + (count - 1) * stride + block);
  } else {
    for (std::uint64_t i = 0; i < count; ++i) add_range(start + i * stride, start + i * stride + block);
  }
  return out;
}

}  // namespace

std::vector<std::uint64_t> staged_datasets(const container::Catalog& catalog) {
  std::vector<std::uint64_t> out;
  const container::MergedNames names = catalog.merged_names();  // one no name reaches is not merged
  for (auto id : catalog.datasets()) {
    const auto& o = catalog.object(id);
    if (!names.contains(id) || o.chunk.empty() || catalog.in_base(id) || selection::num_elements(o.dims) == 0) continue;
    // Variable-length elements are pointers in memory: libhdf5 writes those (plan.cpp).
    if (Datatype::decode(o.type).is_variable_length()) continue;
    out.push_back(id);
  }
  return out;
}

std::vector<std::uint64_t> touched_chunks(const container::DatasetWrites& writes, const Extent& dims,
                                          const Extent& chunk) {
  const std::size_t rank = dims.size();
  Extent grid(rank);
  for (std::size_t d = 0; d < rank; ++d) grid[d] = (dims[d] + chunk[d] - 1) / chunk[d];
  std::vector<std::uint64_t> out;
  for (const auto& w : writes.in_replay_order()) {
    const Selection s = w.record.selection.get();
    if (s.kind() == Selection::Kind::Points) {
      const auto& flat = s.flat_points();
      for (std::size_t p = 0; p + rank <= flat.size() && rank > 0; p += rank) {
        std::uint64_t index = 0;
        bool inside = true;  // a write made before a shrink may reach beyond the grid
        for (std::size_t d = 0; d < rank; ++d) {
          inside = inside && flat[p + d] / chunk[d] < grid[d];
          index = index * grid[d] + flat[p + d] / chunk[d];
        }
        if (inside) out.push_back(index);
      }
      continue;
    }
    const Hyperslab& h = s.slab();
    if (h.start.size() != rank) continue;
    std::vector<std::vector<std::uint64_t>> along(rank);
    bool empty = false;
    for (std::size_t d = 0; d < rank; ++d) {
      along[d] = touched_along(h.start[d], h.stride.empty() ? 1 : h.stride[d], h.count[d],
                               h.block.empty() ? 1 : h.block[d], chunk[d]);
      // A write made before a shrink may reach beyond the grid: what lies there was discarded.
      std::erase_if(along[d], [&](std::uint64_t c) { return c >= grid[d]; });
      empty = empty || along[d].empty();
    }
    if (empty) continue;
    std::vector<std::size_t> at(rank, 0);  // odometer over the product of the per-dimension sets
    while (true) {
      std::uint64_t index = 0;
      for (std::size_t d = 0; d < rank; ++d) index = index * grid[d] + along[d][at[d]];
      out.push_back(index);
      std::size_t d = rank;
      while (d-- > 0) {
        if (++at[d] < along[d].size()) break;
        at[d] = 0;
      }
      if (d == static_cast<std::size_t>(-1)) break;
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

namespace {

// What every dataset needs, made on the main thread (Datatype calls libhdf5).
struct Staged {
  std::uint64_t id = 0;
  std::size_t element_size = 0;
  Extent grid;
  const container::DatasetWrites* writes = nullptr;
  std::unique_ptr<ChunkEncoder> encoder;
};

struct Task {
  std::uint32_t dataset;  // index into `staged`
  std::uint64_t chunk;    // index into its chunk grid
};

struct StagedWork {
  std::vector<Staged> staged;
  std::vector<Task> tasks;  // every touched chunk of every staged dataset, in one order on every rank
};

// The first error of any thread, and the flag that stops the others.
struct StageFailure {
  std::atomic<bool> failed{false};
  std::mutex mutex;
  std::exception_ptr error;

  // In a catch block: keeps the first error.
  void note() {
    std::lock_guard lock(mutex);
    if (!error) error = std::current_exception();
    failed = true;
  }
};

// The datasets the stage writes, and the chunks of each that some record touched: made before any
// thread starts, on the main thread, because Datatype calls libhdf5.
StagedWork stage_datasets(const ChunkStageInput& input) {
  const container::Catalog& catalog = *input.catalog;
  StagedWork work;
  for (auto id : staged_datasets(catalog)) {
    const auto it = input.writes->find(id);
    if (it == input.writes->end() || it->second.size() == 0) continue;
    const auto& o = catalog.object(id);
    Staged s;
    s.id = id;
    const Datatype type = Datatype::decode(o.type);
    s.element_size = type.size();
    for (std::size_t d = 0; d < o.dims.size(); ++d) s.grid.push_back((o.dims[d] + o.chunk[d] - 1) / o.chunk[d]);
    s.writes = &it->second;
    s.encoder = std::make_unique<ChunkEncoder>(o.filters, type, o.chunk, o.fill, catalog.path_of(id));
    for (auto chunk : touched_chunks(it->second, o.dims, o.chunk)) {
      work.tasks.push_back({static_cast<std::uint32_t>(work.staged.size()), chunk});
    }
    work.staged.push_back(std::move(s));
  }
  return work;
}

// This rank's share of `n` tasks: a contiguous run [first, second), so that ranks split them evenly.
std::pair<std::uint64_t, std::uint64_t> task_share(std::uint64_t n, const mpi::Comm& comm) {
  const auto ranks = static_cast<std::uint64_t>(comm.size());
  const auto r = static_cast<std::uint64_t>(comm.rank());
  auto boundary = [&](std::uint64_t k) { return (n / ranks) * k + (n % ranks) * k / ranks; };
  return {boundary(r), boundary(r + 1)};
}

// One chunk, assembled from the records (an edge chunk padded with the fill value) and encoded with
// the dataset's filters: the unit of work that runs on every thread.
EncodedChunk make_chunk(const Task& task, Staged& s, const container::Catalog& catalog, container::DataReader& reader,
                        std::vector<std::byte>& box, std::vector<std::byte>& scratch) {
  const auto& o = catalog.object(s.id);
  const std::size_t rank = o.dims.size();
  Extent coords(rank), start(rank), count(rank);
  std::uint64_t rest = task.chunk;
  for (std::size_t d = rank; d-- > 0;) {
    coords[d] = rest % s.grid[d];
    rest /= s.grid[d];
  }
  bool whole = true;
  for (std::size_t d = 0; d < rank; ++d) {
    start[d] = coords[d] * o.chunk[d];
    count[d] = std::min(o.chunk[d], o.dims[d] - start[d]);
    whole = whole && count[d] == o.chunk[d];
  }
  const container::ElementLayout layout{o.dims, s.element_size, o.fill, false, 0, false, &o.shapes};
  const Selection selection = Selection::hyperslab(start, count).resolved(o.dims);
  std::vector<std::byte> data(static_cast<std::size_t>(selection::num_elements(o.chunk)) * s.element_size);
  if (whole) {
    reader.read(*s.writes, selection, layout, data);
  } else {  // an edge chunk: the part inside the dataset, the rest the fill value
    box.resize(static_cast<std::size_t>(selection::num_elements(count)) * s.element_size);
    reader.read(*s.writes, selection, layout, box);
    container::fill_elements(data, o.fill, s.element_size);
    place_box(box, count, o.chunk, s.element_size, data);
  }
  EncodedChunk c;
  c.dataset = s.id;
  c.offset = start;
  c.raw_bytes = data.size();
  c.mask = s.encoder->encode(data, scratch);
  c.bytes = std::move(data);
  return c;
}

// A worker thread: makes the chunks of this rank's share that it takes from `next` (up to `end`)
// and hands them to the queue, until the share is done or any thread failed.
void encode_chunks(const ChunkStageInput& input, StagedWork& work, std::atomic<std::uint64_t>& next, std::uint64_t end,
                   unsigned threads, ChunkQueue& queue, StageFailure& failure, ChunkStats& stats) {
  try {
    container::DataReader reader(*input.layout, input.window_bytes,
                                 std::max<std::size_t>(1, input.max_open_files / threads));
    std::vector<std::byte> box, scratch;
    for (std::uint64_t i = next++; i < end && !failure.failed; i = next++) {
      const Task& task = work.tasks[i];
      EncodedChunk c = make_chunk(task, work.staged[task.dataset], *input.catalog, reader, box, scratch);
      stats.chunks += 1;
      stats.bytes_raw += c.raw_bytes;
      stats.bytes_stored += c.bytes.size();
      queue.push(std::move(c));
    }
  } catch (...) {
    failure.note();
  }
  queue.producer_done();
}

// After a failure: take what the workers still push, so that none waits for room forever.
void drain(ChunkQueue& queue) {
  while (!queue.finished()) queue.pop(std::chrono::milliseconds(10));
}

// Rank 0's main thread writes every chunk, its own threads' and the other ranks' batches, with
// H5Dwrite_chunk (libhdf5 is not thread-safe, its direct chunk write serial) until every rank is done.
void write_chunks(ChunkQueue& queue, const ChunkStageInput& input, const container::MergedNames& names, mpi::Comm& comm,
                  StageFailure& failure) {
  const container::Catalog& catalog = *input.catalog;
  const bool parallel = comm.is_parallel();
  std::optional<Handle> file;
  std::map<std::uint64_t, Handle> datasets;
  bool writing = true;
  auto write = [&](const EncodedChunk& c) {
    if (!writing) return;
    try {
      std::lock_guard lock(libhdf5_mutex());
      if (!file) {
        file.emplace(hdf5::check_id(H5Fopen(input.output.c_str(), H5F_ACC_RDWR, H5P_DEFAULT),
                                    fmt::format("cannot open merge output '{}' to write chunks", input.output)));
      }
      auto it = datasets.find(c.dataset);
      if (it == datasets.end()) {
        const std::string path = names.path(c.dataset);
        it = datasets
                 .emplace(c.dataset, Handle(hdf5::check_id(H5Dopen2(file->get(), path.c_str(), H5P_DEFAULT),
                                                           fmt::format("open '{}' in '{}'", path, input.output))))
                 .first;
      }
      std::vector<hsize_t> offset(c.offset.begin(), c.offset.end());
      hdf5::check(H5Dwrite_chunk(it->second.get(), H5P_DEFAULT, c.mask, offset.data(), c.bytes.size(), c.bytes.data()),
                  fmt::format("write the chunk at [{}] of '{}' in '{}'", fmt::join(c.offset, ","),
                              catalog.path_of(c.dataset), input.output));
    } catch (...) {
      writing = false;
      failure.failed = true;  // the local workers stop; the other ranks' chunks are still drained
      failure.note();
    }
  };
  int done_ranks = 0;
  while (true) {
    if (auto c = queue.pop(std::chrono::milliseconds(parallel ? 2 : 100))) write(*c);
    while (parallel) {
      int flag = 0;
      MPI_Status status;
      mpi::check(MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, comm.handle(), &flag, &status), "MPI_Iprobe");
      if (!flag) break;
      int size = 0;
      mpi::check(MPI_Get_count(&status, MPI_BYTE, &size), "MPI_Get_count");
      std::vector<std::byte> batch(static_cast<std::size_t>(size));
      mpi::check(
          MPI_Recv(batch.data(), size, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG, comm.handle(), MPI_STATUS_IGNORE),
          "MPI_Recv");
      if (status.MPI_TAG == kTagDone) {
        ++done_ranks;
      } else {
        for (const auto& c : decode_batch(batch, status.MPI_SOURCE)) write(c);
      }
    }
    if (done_ranks == comm.size() - 1 && queue.finished()) break;
    // Only other ranks' chunks to wait for: leave the CPU to the threads that make them.
    if (parallel && queue.finished()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (file) {
    std::lock_guard lock(libhdf5_mutex());
    datasets.clear();
    if (writing) file->close(fmt::format("close merge output '{}' after writing chunks", input.output));
  }
}

// Another rank's main thread sends its threads' chunks to rank 0 in batches of about a window, and
// then, whatever failed, DONE, so that rank 0 stops waiting.
void send_chunks(ChunkQueue& queue, const ChunkStageInput& input, mpi::Comm& comm, StageFailure& failure) {
  std::vector<std::byte> batch;
  auto send = [&](int tag) {
    if (batch.size() > static_cast<std::size_t>(INT_MAX)) {
      throw Unsupported(fmt::format("a chunk of {} bytes is too large to send to rank 0", batch.size()));
    }
    mpi::check(MPI_Send(batch.data(), static_cast<int>(batch.size()), MPI_BYTE, 0, tag, comm.handle()), "MPI_Send");
    batch.clear();
  };
  try {
    while (!queue.finished()) {
      if (auto c = queue.pop(std::chrono::milliseconds(100))) {
        append_chunk(batch, *c);
        if (batch.size() >= input.window_bytes) send(kTagChunks);
      }
    }
    if (!batch.empty()) send(kTagChunks);
  } catch (...) {
    failure.failed = true;
    failure.note();
    drain(queue);
  }
  batch.clear();
  send(kTagDone);  // always, so that rank 0 stops waiting
}

// The totals of this rank's threads.
ChunkStats total_of(const std::vector<ChunkStats>& stats) {
  ChunkStats sum;
  for (const auto& s : stats) {
    sum.chunks += s.chunks;
    sum.bytes_raw += s.bytes_raw;
    sum.bytes_stored += s.bytes_stored;
  }
  return sum;
}

}  // namespace

ChunkStats run_chunk_stage(const ChunkStageInput& input, mpi::Comm& comm) {
  const container::MergedNames names = input.catalog->merged_names();
  StagedWork work = stage_datasets(input);
  // (Not a structured binding: clang 14, the fuzz build's compiler, cannot capture one in a lambda.)
  const std::pair<std::uint64_t, std::uint64_t> share = task_share(work.tasks.size(), comm);
  const std::uint64_t end = share.second;

  // Every thread of every rank assembles and encodes chunks of the rank's share.
  const unsigned threads = std::max(1u, input.threads);
  ChunkQueue queue(std::max<std::size_t>(input.window_bytes, 1) * threads, threads);
  std::atomic<std::uint64_t> next{share.first};
  StageFailure failure;
  std::vector<ChunkStats> stats(threads);
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] { encode_chunks(input, work, next, end, threads, queue, failure, stats[t]); });
  }

  // The consumer. Whatever fails, the protocol runs to its end (every rank's DONE reaches rank 0),
  // so that no rank waits forever; the error is rethrown afterwards.
  try {
    if (comm.rank() == 0) {
      write_chunks(queue, input, names, comm, failure);
    } else {
      send_chunks(queue, input, comm, failure);
    }
  } catch (...) {
    failure.failed = true;
    failure.note();
    drain(queue);
  }
  for (auto& t : workers) t.join();
  if (failure.error) std::rethrow_exception(failure.error);
  return total_of(stats);
}

}  // namespace h5mf::merge_detail
