#include "driver/multifile/collective_log.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>

#include "format/checksum.hpp"

namespace h5mf::driver {
namespace {

std::uint64_t mix(std::uint64_t running, format::ByteView encoded) {
  format::Bytes bytes(8 + encoded.size());
  format::put_u64(bytes.data(), running);
  std::memcpy(bytes.data() + 8, encoded.data(), encoded.size());
  return format::checksum(bytes);
}

std::vector<std::byte> to_bytes(const std::string& s) {
  std::vector<std::byte> out(s.size());
  std::memcpy(out.data(), s.data(), s.size());
  return out;
}

std::string ranks_text(const std::vector<int>& ranks) {
  std::string out = ranks.size() == 1 ? "rank " : "ranks ";
  for (std::size_t i = 0; i < ranks.size() && i < 8; ++i) out += (i ? "," : "") + std::to_string(ranks[i]);
  if (ranks.size() > 8) out += fmt::format(",... ({} ranks)", ranks.size());
  return out;
}

}  // namespace

void CollectiveLog::record(const std::string& description, format::ByteView encoded, std::uint64_t metafile_offset) {
  running_ = mix(running_, encoded);
  ++calls_;
  cumulative_.push_back(running_);
  descriptions_.push_back(description);
  offsets_.push_back(metafile_offset);
}

std::optional<CollectiveLog::Disagreement> CollectiveLog::handshake(mpi::Comm& comm, const std::string& container,
                                                                    const std::string& operation,
                                                                    const Leaving* leaving) {
  auto since_check = [this] {
    cumulative_.clear();
    descriptions_.clear();
    offsets_.clear();
  };
  ++handshakes_;
  if (!comm.is_parallel()) {
    since_check();
    return std::nullopt;
  }
  // One allreduce (maximum) tells every rank whether the structure hashes and the operations agree
  // (max of x and of ~x give max and min) and the lowest rank that leaves (size: none).
  const auto size = static_cast<std::uint64_t>(comm.size());
  const std::uint64_t structure = running_ ^ (calls_ * 0x9E3779B97F4A7C15ull) ^ (handshakes_ * 0xC2B2AE3D27D4EB4Full);
  const std::uint64_t doing = format::checksum(to_bytes(operation));
  std::array<std::uint64_t, 5> seen{structure, ~structure, doing, ~doing,
                                    ~(leaving ? static_cast<std::uint64_t>(comm.rank()) : size)};
  comm.max_nonblocking(seen, leaving ? leaving->bound : nullptr);
  const bool structure_agrees = seen[0] == ~seen[1];
  const bool operations_agree = seen[2] == ~seen[3];
  const std::uint64_t first_leaving = ~seen[4];
  const bool someone_leaves = first_leaving != size;
  if (!someone_leaves && structure_agrees && operations_agree) {
    since_check();
    return std::nullopt;
  }
  // From here every rank knows the same three facts, so they all make the same calls below.

  // Who leaves, and how many structure calls each rank made since the last check.
  constexpr std::uint64_t kLeaves = std::uint64_t{1} << 63;
  const auto counts = comm.all_gather(cumulative_.size() | (leaving ? kLeaves : 0));
  auto leaves = [&](int r) { return (counts[static_cast<std::size_t>(r)] & kLeaves) != 0; };
  auto calls_of = [&](int r) { return counts[static_cast<std::size_t>(r)] & ~kLeaves; };
  std::vector<int> leavers;
  for (int r = 0; r < comm.size(); ++r) {
    if (leaves(r)) leavers.push_back(r);
  }

  constexpr std::uint64_t kNever = ~std::uint64_t{0};
  std::uint64_t k = kNever;  // the first structure call since the last check that differs
  if (!structure_agrees) {
    // The reference: the lowest rank that stays (rank 0 when nobody leaves), or, when every rank
    // leaves, the one that made the most calls. Its per-call hashes reach everyone; each rank
    // finds the first call where it differs. A leaving rank that made fewer calls stopped early:
    // the calls it did not make are no disagreement.
    int reference = -1;
    for (int r = 0; r < comm.size() && reference < 0; ++r) {
      if (!leaves(r)) reference = r;
    }
    if (reference < 0) {
      reference = 0;
      for (int r = 1; r < comm.size(); ++r) {
        if (calls_of(r) > calls_of(reference)) reference = r;
      }
    }
    std::vector<std::byte> hashes(cumulative_.size() * 8);
    for (std::size_t i = 0; i < cumulative_.size(); ++i) format::put_u64(hashes.data() + 8 * i, cumulative_[i]);
    comm.broadcast(hashes, reference);
    const std::size_t theirs = hashes.size() / 8, mine = cumulative_.size();
    std::uint64_t first = kNever;
    for (std::size_t i = 0; i < std::min(theirs, mine); ++i) {
      if (format::get_u64(hashes.data() + 8 * i) != cumulative_[i]) {
        first = i;
        break;
      }
    }
    if (first == kNever && mine != theirs && !(mine < theirs && leaving)) first = std::min(mine, theirs);
    k = comm.min_max(first).min;
  }
  const bool structure_differs = k != kNever;

  // Each rank's call number k (or, when structure calls agree, its operation), grouped.
  std::string what;
  if (structure_differs || !someone_leaves) {
    const std::string mine_text = !structure_differs         ? operation
                                  : k < descriptions_.size() ? descriptions_[k]
                                                             : std::string("no further structure call");
    const auto hashes = comm.all_gather(format::checksum(to_bytes(mine_text)));
    std::map<std::uint64_t, std::vector<int>> groups;
    for (int r = 0; r < comm.size(); ++r) groups[hashes[static_cast<std::size_t>(r)]].push_back(r);
    std::vector<std::pair<int, std::string>> sides;  // first rank of a group, its description
    for (const auto& [hash, ranks] : groups) {
      sides.emplace_back(ranks.front(), comm.broadcast_text(mine_text, ranks.front()));
    }
    std::sort(sides.begin(), sides.end());
    for (const auto& [first_rank, text] : sides) {
      what += fmt::format("; {} made {}", ranks_text(groups[hashes[static_cast<std::size_t>(first_rank)]]), text);
    }
  }

  Disagreement out;
  const std::string differs =
      fmt::format("structure call #{} since the last check differs between ranks{}", k + 1, what);
  if (someone_leaves) {
    const int first = static_cast<int>(first_leaving);
    const std::string reason = comm.broadcast_text(leaving ? leaving->reason : std::string(), first);
    out.message = leavers.size() == 1 ? fmt::format("container '{}': rank {} left the file with an exception: {}",
                                                    container, first, reason)
                                      : fmt::format("container '{}': {} left the file with an exception; rank {}'s: {}",
                                                    container, ranks_text(leavers), first, reason);
    out.message += fmt::format(
        ". The file is closed on every rank (at {} here); what each rank wrote before is kept in the container",
        operation);
    if (structure_differs) {
      out.message += fmt::format(", and the structure up to the last call all ranks agreed on: {}", differs);
    }
  } else if (structure_differs) {
    out.message = fmt::format(
        "container '{}': mismatched collective calls, found at {}: {}. Group, dataset, attribute and resize calls must "
        "be made by every rank with the same arguments, in the same order. The container keeps the structure up to "
        "the last call all ranks agreed on",
        container, operation, differs);
  } else {
    out.message = fmt::format(
        "container '{}': mismatched collective calls: the ranks are not making the same call{}. flush(), close() "
        "and setting atomic must be called by every rank, in the same order",
        container, what);
  }
  if (structure_differs && k < offsets_.size()) out.metafile_cut = offsets_[k];
  since_check();
  return out;
}

}  // namespace h5mf::driver
