#include "driver/multifile/aggregation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "format/checksum.hpp"
#include "h5mf/error.hpp"
#include "mpi/bound.hpp"
#include "mpi/comm.hpp"
#include "selection/runs.hpp"

namespace h5mf::driver {
namespace {

// Tags of the group's messages. Members send pieces of their stream of entries; the aggregator
// answers kSync pieces with an empty kAck once it has written everything before them out.
constexpr int kPiece = 0x4801;  // part of a member's stream, nothing more to say
constexpr int kSync = 0x4802;   // the member waits for kAck
constexpr int kFinal = 0x4803;  // the member's last piece before a collective call
constexpr int kAck = 0x4804;

// A stream entry: u32 length, a WRITE_FROM payload of that length (data_offset 0), the data.
constexpr std::size_t kLengthBytes = 4;

}  // namespace

Aggregation effective_aggregation(const Aggregation& option) {
  if (option.kind != Aggregation::Kind::Off) return option;
  const char* text = std::getenv("H5MF_AGGREGATE");
  return text == nullptr ? option : parse_aggregation(text);
}

AggregationPlan plan_aggregation(MPI_Comm comm, const Aggregation& aggregation) {
  int rank = 0, size = 1;
  mpi::check(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
  mpi::check(MPI_Comm_size(comm, &size), "MPI_Comm_size");
  AggregationPlan plan;
  switch (aggregation.kind) {
    case Aggregation::Kind::Off: throw InvalidArgument("plan_aggregation: aggregation is off");
    case Aggregation::Kind::Node: {
      // The ranks of one node; its lowest rank numbers the node's file by counting the nodes of
      // lower ranks.
      MPI_Comm node = MPI_COMM_NULL;
      mpi::check(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node), "MPI_Comm_split_type");
      int node_rank = 0;
      mpi::check(MPI_Comm_rank(node, &node_rank), "MPI_Comm_rank");
      const unsigned leader = node_rank == 0 ? 1 : 0;
      unsigned before = 0, nodes = 0;
      mpi::check(MPI_Exscan(&leader, &before, 1, MPI_UNSIGNED, MPI_SUM, comm), "MPI_Exscan");
      if (rank == 0) before = 0;  // MPI_Exscan leaves rank 0's result undefined
      mpi::check(MPI_Allreduce(&leader, &nodes, 1, MPI_UNSIGNED, MPI_SUM, comm), "MPI_Allreduce");
      mpi::check(MPI_Bcast(&before, 1, MPI_UNSIGNED, 0, node), "MPI_Bcast");
      plan.data_file = before;
      plan.data_files = nodes;
      plan.group = node;
      return plan;
    }
    case Aggregation::Kind::GroupSize: {
      const auto n = static_cast<std::uint32_t>(std::max(aggregation.count, 1));
      plan.data_file = static_cast<std::uint32_t>(rank) / n;
      plan.data_files = (static_cast<std::uint32_t>(size) + n - 1) / n;
      break;
    }
    case Aggregation::Kind::Files: {
      // Consecutive ranks, as even as can be; every file gets at least one rank.
      const auto m = static_cast<std::uint64_t>(std::clamp(aggregation.count, 1, size));
      plan.data_file =
          static_cast<std::uint32_t>(static_cast<std::uint64_t>(rank) * m / static_cast<std::uint64_t>(size));
      plan.data_files = static_cast<std::uint32_t>(m);
      break;
    }
  }
  mpi::check(MPI_Comm_split(comm, static_cast<int>(plan.data_file), rank, &plan.group), "MPI_Comm_split");
  return plan;
}

AggregationGroup::AggregationGroup(AggregationPlan plan, std::uint32_t writer, std::size_t buffer_bytes)
    : plan_(plan), writer_(writer), buffer_bytes_(std::clamp<std::size_t>(buffer_bytes, 4096, std::size_t{1} << 30)) {
  mpi::check(MPI_Comm_rank(plan_.group, &group_rank_), "MPI_Comm_rank");
  mpi::check(MPI_Comm_size(plan_.group, &group_size_), "MPI_Comm_size");
  if (aggregator()) {
    inbound_.resize(static_cast<std::size_t>(group_size_));
  } else {
    buffer_.reserve(buffer_bytes_);
  }
}

AggregationGroup::~AggregationGroup() {
  if (plan_.group != MPI_COMM_NULL && mpi::mpi_initialised()) MPI_Comm_free(&plan_.group);
}

void AggregationGroup::send(std::span<const std::byte> bytes, int tag) {
  mpi::check(MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, 0, tag, plan_.group), "MPI_Send");
}

void AggregationGroup::ship(int tag) {
  send(buffer_, tag);
  buffer_.clear();
  shipped_since_ack_ = true;
}

void AggregationGroup::add(std::uint64_t dataset, std::uint64_t epoch, const Selection& selection,
                           std::span<const std::byte> data) {
  format::WriteFromRecord record;
  record.writer = writer_;
  record.write.dataset = dataset;
  record.write.epoch = epoch;
  record.write.sequence = sequence_++;
  record.write.data_length = data.size();
  record.write.data_checksum = format::checksum(data);  // by the member: the aggregator only copies
  record.write.selection = selection;
  const format::Bytes payload = format::encode(record);
  format::Bytes head;
  format::Encoder(head).u32(static_cast<std::uint32_t>(payload.size()));
  head.insert(head.end(), payload.begin(), payload.end());

  const std::size_t entry = head.size() + data.size();
  if (buffer_.size() + entry > buffer_bytes_ && !buffer_.empty()) ship(kPiece);
  if (entry <= buffer_bytes_) {
    buffer_.insert(buffer_.end(), head.begin(), head.end());
    buffer_.insert(buffer_.end(), data.begin(), data.end());
    return;
  }
  // Larger than the buffer: its header, then its data from the caller's memory, piece by piece.
  send(head, kPiece);
  for (std::size_t at = 0; at < data.size(); at += buffer_bytes_) {
    send(data.subspan(at, std::min(buffer_bytes_, data.size() - at)), kPiece);
  }
  shipped_since_ack_ = true;
}

void AggregationGroup::prepare_read() {
  if (aggregator() || !shipped_since_ack_) return;
  ship(kSync);
  mpi::check(MPI_Recv(nullptr, 0, MPI_BYTE, 0, kAck, plan_.group, MPI_STATUS_IGNORE), "MPI_Recv");
  shipped_since_ack_ = false;
}

void AggregationGroup::overlay(std::uint64_t dataset, const Selection& resolved, const Extent& shape,
                               std::size_t element_size, std::span<std::byte> out) const {
  // The buffer holds whole entries, in the order they were written (later ones win).
  std::size_t at = 0;
  while (at < buffer_.size()) {
    const std::uint32_t length = format::get_u32(buffer_.data() + at);
    const auto record =
        format::decode_write_from(format::ByteView(buffer_).subspan(at + kLengthBytes, length), "a member's buffer");
    const std::byte* data = buffer_.data() + at + kLengthBytes + length;
    at += kLengthBytes + length + record.write.data_length;
    if (record.write.dataset != dataset) continue;
    selection::RunCursor source(record.write.selection, shape);
    selection::TargetCursor target(resolved, shape);
    selection::intersect(source, target, [&](const selection::Overlap& o) {
      std::memcpy(out.data() + o.target_index * element_size, data + o.source_index * element_size,
                  o.length * element_size);
    });
  }
}

bool AggregationGroup::buffers_writes_to(std::uint64_t dataset) const {
  for (std::size_t at = 0; at < buffer_.size();) {
    const std::uint32_t length = format::get_u32(buffer_.data() + at);
    const auto record =
        format::decode_write_from(format::ByteView(buffer_).subspan(at + kLengthBytes, length), "a member's buffer");
    if (record.write.dataset == dataset) return true;
    at += kLengthBytes + length + record.write.data_length;
  }
  return false;
}

void AggregationGroup::drain(container::WriterLog& log) {
  if (!aggregator() || group_size_ == 1) return;  // nobody to hear from: no probe on every write
  for (;;) {
    int arrived = 0;
    MPI_Status status;
    mpi::check(MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, plan_.group, &arrived, &status), "MPI_Iprobe");
    if (!arrived) break;
    receive(status, log);
  }
  rethrow_failure();
}

void AggregationGroup::exchange(container::WriterLog* log, const mpi::Bound* bound) {
  if (!aggregator()) {
    if (bound != nullptr) {
      // The aggregator may never come to receive it: wait for the send only until the deadline.
      MPI_Request request = MPI_REQUEST_NULL;
      mpi::check(
          MPI_Isend(buffer_.data(), static_cast<int>(buffer_.size()), MPI_BYTE, 0, kFinal, plan_.group, &request),
          "MPI_Isend");
      bound->wait(request, plan_.group);
      buffer_.clear();
    } else {
      ship(kFinal);
    }
    shipped_since_ack_ = false;  // written out by the aggregator before the collective call returns
    return;
  }
  while (finals_ < group_size_ - 1) {
    MPI_Status status;
    if (bound != nullptr) {
      for (int arrived = 0; !arrived;) {
        mpi::check(MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, plan_.group, &arrived, &status), "MPI_Iprobe");
        if (!arrived) {
          bound->check(plan_.group);
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
      }
    } else {
      mpi::check(MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, plan_.group, &status), "MPI_Probe");
    }
    receive(status, *log);
  }
  finals_ = 0;
}

void AggregationGroup::rethrow_failure() {
  if (failure_) std::rethrow_exception(failure_);
}

void AggregationGroup::receive(const MPI_Status& status, container::WriterLog& log) {
  int count = 0;
  mpi::check(MPI_Get_count(&status, MPI_BYTE, &count), "MPI_Get_count");
  message_.resize(static_cast<std::size_t>(count));
  mpi::check(
      MPI_Recv(message_.data(), count, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG, plan_.group, MPI_STATUS_IGNORE),
      "MPI_Recv");
  if (!failure_) {
    // After a failure the group goes on receiving (members must not hang) but writes nothing.
    try {
      consume(inbound_.at(static_cast<std::size_t>(status.MPI_SOURCE)), message_, log);
      if (status.MPI_TAG == kSync) log.flush(false);
    } catch (...) {
      failure_ = std::current_exception();
    }
  }
  if (status.MPI_TAG == kSync) {
    mpi::check(MPI_Send(nullptr, 0, MPI_BYTE, status.MPI_SOURCE, kAck, plan_.group), "MPI_Send");
  } else if (status.MPI_TAG == kFinal) {
    ++finals_;
  }
}

void AggregationGroup::consume(Inbound& in, std::span<const std::byte> bytes, container::WriterLog& log) {
  while (!bytes.empty()) {
    if (!in.in_data) {
      // The entry's header: its length first, then the WRITE_FROM payload.
      std::size_t want = kLengthBytes;
      if (in.head.size() >= kLengthBytes) want += format::get_u32(in.head.data());
      const std::size_t take = std::min(want - in.head.size(), bytes.size());
      in.head.insert(in.head.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
      bytes = bytes.subspan(take);
      if (in.head.size() < kLengthBytes || in.head.size() < kLengthBytes + format::get_u32(in.head.data())) continue;
      in.record = format::decode_write_from(format::ByteView(in.head).subspan(kLengthBytes), "a member's shipment");
      in.head.clear();
      in.in_data = true;
      in.received = 0;
      in.reserved = false;
      if (bytes.size() >= in.record.write.data_length) {
        // The whole entry is here: the log buffers it like a write of its own.
        const auto data = bytes.first(in.record.write.data_length);
        bytes = bytes.subspan(data.size());
        log.append_from(in.record, data);
        in.in_data = false;
        continue;
      }
      in.record.write.data_offset = log.reserve(in.record.write.data_length);
      in.reserved = true;
      continue;
    }
    // Data of an entry that spans messages: into its reserved bytes.
    const std::size_t take =
        static_cast<std::size_t>(std::min<std::uint64_t>(in.record.write.data_length - in.received, bytes.size()));
    log.write_reserved(in.record.write.data_offset + in.received, bytes.first(take));
    bytes = bytes.subspan(take);
    in.received += take;
    if (in.received == in.record.write.data_length) {
      log.commit(in.record);
      in.in_data = false;
    }
  }
}

}  // namespace h5mf::driver
