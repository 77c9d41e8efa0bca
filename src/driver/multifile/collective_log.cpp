#include "driver/multifile/collective_log.hpp"

#include <fmt/format.h>

#include <algorithm>
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
                                                                    const std::string& operation) {
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
  const std::uint64_t mine = running_ ^ (calls_ * 0x9E3779B97F4A7C15ull) ^ (handshakes_ * 0xC2B2AE3D27D4EB4Full) ^
                             format::checksum(to_bytes(operation));
  const auto seen = comm.min_max(mine);
  if (seen.min == seen.max) {
    since_check();
    return std::nullopt;
  }
  const char* at = operation.c_str();

  // Rank 0's per-call hashes reach everyone; the first call where any rank differs from them is
  // the one to name.
  std::vector<std::byte> reference(cumulative_.size() * 8);
  for (std::size_t i = 0; i < cumulative_.size(); ++i) format::put_u64(reference.data() + 8 * i, cumulative_[i]);
  comm.broadcast(reference, 0);
  const std::size_t theirs = reference.size() / 8;
  std::uint64_t first = ~std::uint64_t{0};
  for (std::size_t i = 0; i < std::max(theirs, cumulative_.size()); ++i) {
    if (i >= theirs || i >= cumulative_.size() || format::get_u64(reference.data() + 8 * i) != cumulative_[i]) {
      first = i;
      break;
    }
  }
  const std::uint64_t k = comm.min_max(first).min;  // ranks in step with rank 0 said "never"
  const bool structure_differs = k != ~std::uint64_t{0};

  // Each rank's call number k (or, when structure calls agree, its operation), grouped.
  const std::string mine_text = !structure_differs        ? operation
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
  std::string what;
  for (const auto& [first_rank, text] : sides) {
    what += fmt::format("; {} made {}", ranks_text(groups[hashes[static_cast<std::size_t>(first_rank)]]), text);
  }

  Disagreement out;
  if (structure_differs) {
    out.message = fmt::format(
        "container '{}': mismatched collective calls, found at {}: structure call #{} since the last check differs "
        "between ranks{}. Group, dataset, attribute and resize calls must be made by every rank with the same "
        "arguments, in the same order. The container keeps the structure up to the last call all ranks agreed on",
        container, at, k + 1, what);
    if (k < offsets_.size()) out.metafile_cut = offsets_[k];
  } else {
    out.message = fmt::format(
        "container '{}': mismatched collective calls: the ranks are not making the same call{}. flush(), close() "
        "and setting atomic must be called by every rank, in the same order",
        container, what);
  }
  since_check();
  return out;
}

}  // namespace h5mf::driver
