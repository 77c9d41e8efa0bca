// Aggregation (docs/design.md, "Aggregation"): groups of ranks funnel their writes to one
// aggregator per group, which appends them to its data file pair as WRITE_FROM records, so that N
// ranks make M file pairs.
//
// Writes are independent, so a member cannot hand each one over as it is made. A member gathers its
// writes (record and data) in a buffer of `buffer_bytes` and ships it to its aggregator with MPI
// point-to-point messages: when the buffer is full, when it reads (so that it reads its own
// writes, unless its buffer holds them all: then its reads overlay the buffer), and at every
// communicating collective call (flush, close, set_atomic), where the aggregator receives
// everything its members shipped. A write larger than the buffer is shipped
// straight from the caller's memory in pieces of at most `buffer_bytes`. The aggregator receives
// whatever has arrived at each of its own h5mf calls, and everything at the collective calls.
//
// Memory: a member holds at most one buffer; an aggregator one message of at most `buffer_bytes`
// besides its WriterLog's buffers. The price of the bound: a member whose buffer is full, or that
// reads after shipping a full buffer, waits until its aggregator makes an h5mf call.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <exception>
#include <span>
#include <vector>

#include "container/writer_log.hpp"
#include "format/encoding.hpp"
#include "format/records.hpp"
#include "h5mf/options.hpp"
#include "h5mf/selection.hpp"
#include "mpi/bound.hpp"

namespace h5mf::driver {

// Which group a rank is in: computed collectively over the job's communicator.
struct AggregationPlan {
  std::uint32_t data_file = 0;     // the group's file pair `<f>`, `<f>.offset`
  std::uint32_t data_files = 0;    // M, over the job
  MPI_Comm group = MPI_COMM_NULL;  // the group's communicator (owned by the caller); rank 0 aggregates
};

// Collective over `comm`. Groups are numbered in the order of their lowest rank.
AggregationPlan plan_aggregation(MPI_Comm comm, const Aggregation& aggregation);

// The aggregation setting in effect: the option, or H5MF_AGGREGATE when the option is Off.
Aggregation effective_aggregation(const Aggregation& option);

class AggregationGroup {
 public:
  AggregationGroup(AggregationPlan plan, std::uint32_t writer, std::size_t buffer_bytes);
  ~AggregationGroup();
  AggregationGroup(const AggregationGroup&) = delete;
  AggregationGroup& operator=(const AggregationGroup&) = delete;

  bool aggregator() const { return group_rank_ == 0; }
  std::uint32_t data_file() const { return plan_.data_file; }
  std::uint32_t data_files() const { return plan_.data_files; }

  // A member: buffers one write (in the dataset's file type); ships the buffer when it is full.
  void add(std::uint64_t dataset, std::uint64_t epoch, const Selection& selection, std::span<const std::byte> data);
  // A member, before it reads: when it shipped writes since the last collective call, ships the
  // rest and waits until its aggregator has written them all out (the files then hold every write
  // it made). Otherwise its writes since then are all in its buffer, and overlay() adds them to
  // what it reads from the files: no waiting.
  void prepare_read();
  // Paints the buffered writes to `dataset` that `resolved` (a selection of `shape`) covers over
  // `out` (its elements in selection order, `element_size` bytes each, in the file type).
  void overlay(std::uint64_t dataset, const Selection& resolved, const Extent& shape, std::size_t element_size,
               std::span<std::byte> out) const;
  // Whether the buffer holds writes to `dataset` (a variable-length dataset's cannot be painted:
  // their slots point into the record that carries them).
  bool buffers_writes_to(std::uint64_t dataset) const;
  std::uint64_t buffered_bytes() const { return buffer_.size(); }

  // An aggregator: appends whatever its members shipped so far to `log` (answering members that
  // wait in sync()). Never waits.
  void drain(container::WriterLog& log);

  // Collective over the group, at every communicating collective call: members ship everything;
  // the aggregator appends it all to `log` (nullptr on members). A failure to write is kept, not
  // thrown, so that the aggregator still receives every member's messages (the group never hangs):
  // rethrow_failure() raises it where the outcome is agreed on. With `bound` (a rank leaving on an
  // error, see mpi::Bound), its waits for the rest of the group end at the bound's deadline.
  void exchange(container::WriterLog* log, const mpi::Bound* bound = nullptr);
  void rethrow_failure();

 private:
  // Per-member progress through its stream of shipped bytes (entries may span messages).
  struct Inbound {
    format::Bytes head;              // the entry header read so far (u32 length, then WRITE_FROM)
    bool in_data = false;            // reading the current entry's data
    format::WriteFromRecord record;  // the current entry
    std::uint64_t received = 0;      // of its data
    bool reserved = false;
  };
  void ship(int tag);
  void send(std::span<const std::byte> bytes, int tag);
  // Receives the probed message and appends what it holds; answers kSync, counts kFinal.
  void receive(const MPI_Status& status, container::WriterLog& log);
  void consume(Inbound& in, std::span<const std::byte> bytes, container::WriterLog& log);

  AggregationPlan plan_;
  int group_rank_ = 0, group_size_ = 1;
  std::uint32_t writer_;
  std::size_t buffer_bytes_;
  std::uint64_t sequence_ = 0;
  format::Bytes buffer_;  // a member's entries not shipped yet
  bool shipped_since_ack_ = false;
  std::vector<Inbound> inbound_;  // an aggregator's, by group rank
  format::Bytes message_;         // an aggregator's receive buffer
  int finals_ = 0;                // members' final pieces received since the last exchange
  std::exception_ptr failure_;
};

}  // namespace h5mf::driver
