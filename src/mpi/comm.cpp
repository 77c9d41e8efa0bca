#include "mpi/comm.hpp"

#include <fmt/format.h>

#include <cstdio>

#include "h5mf/error.hpp"
#include "mpi/bound.hpp"

namespace h5mf::mpi {
namespace {

class SerialComm final : public Comm {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void barrier() override {}
  MinMax min_max(std::uint64_t value) override { return {value, value}; }
  std::uint64_t sum(std::uint64_t value) override { return value; }
  void max_nonblocking(std::span<std::uint64_t>, const Bound*) override {}
  std::vector<std::uint64_t> all_gather(std::uint64_t value) override { return {value}; }
  void all_or(std::vector<std::uint8_t>&) override {}
  void broadcast(std::vector<std::byte>&, int) override {}
  MPI_Comm handle() const override { return MPI_COMM_SELF; }
};

class MpiComm final : public Comm {
 public:
  explicit MpiComm(MPI_Comm comm) {
    check(MPI_Comm_dup(comm, &comm_), "MPI_Comm_dup");
    check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
    check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
  }
  MpiComm(const MpiComm&) = delete;
  MpiComm& operator=(const MpiComm&) = delete;
  ~MpiComm() override {
    int finalized = 0;
    MPI_Finalized(&finalized);
    // Freeing after MPI_Finalize is an error; the communicator is gone with MPI then anyway.
    if (!finalized) MPI_Comm_free(&comm_);
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void barrier() override { check(MPI_Barrier(comm_), "MPI_Barrier"); }
  MinMax min_max(std::uint64_t value) override {
    // One reduction: max of (value, ~value) gives max and ~min together.
    std::uint64_t in[2] = {value, ~value}, out[2] = {0, 0};
    check(MPI_Allreduce(in, out, 2, MPI_UINT64_T, MPI_MAX, comm_), "MPI_Allreduce");
    return {~out[1], out[0]};
  }
  std::uint64_t sum(std::uint64_t value) override {
    std::uint64_t out = 0;
    check(MPI_Allreduce(&value, &out, 1, MPI_UINT64_T, MPI_SUM, comm_), "MPI_Allreduce");
    return out;
  }
  void max_nonblocking(std::span<std::uint64_t> values, const Bound* bound) override {
    MPI_Request request = MPI_REQUEST_NULL;
    check(MPI_Iallreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_UINT64_T, MPI_MAX, comm_,
                         &request),
          "MPI_Iallreduce");
    if (bound != nullptr) {
      bound->wait(request, comm_);
    } else {
      check(MPI_Wait(&request, MPI_STATUS_IGNORE), "MPI_Wait");
    }
  }
  std::vector<std::uint64_t> all_gather(std::uint64_t value) override {
    std::vector<std::uint64_t> out(static_cast<std::size_t>(size_));
    check(MPI_Allgather(&value, 1, MPI_UINT64_T, out.data(), 1, MPI_UINT64_T, comm_), "MPI_Allgather");
    return out;
  }
  void all_or(std::vector<std::uint8_t>& flags) override {
    for (std::size_t done = 0; done < flags.size();) {
      const auto piece = static_cast<int>(std::min<std::size_t>(flags.size() - done, 1u << 30));
      check(MPI_Allreduce(MPI_IN_PLACE, flags.data() + done, piece, MPI_UINT8_T, MPI_BOR, comm_), "MPI_Allreduce");
      done += static_cast<std::size_t>(piece);
    }
  }
  void broadcast(std::vector<std::byte>& bytes, int root) override {
    std::uint64_t n = bytes.size();
    check(MPI_Bcast(&n, 1, MPI_UINT64_T, root, comm_), "MPI_Bcast");
    bytes.resize(n);
    // MPI counts are int: send in pieces of at most 1 GiB.
    for (std::uint64_t done = 0; done < n;) {
      const auto piece = static_cast<int>(std::min<std::uint64_t>(n - done, 1u << 30));
      check(MPI_Bcast(bytes.data() + done, piece, MPI_BYTE, root, comm_), "MPI_Bcast");
      done += static_cast<std::uint64_t>(piece);
    }
  }
  MPI_Comm handle() const override { return comm_; }

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0, size_ = 1;
};

}  // namespace

std::string Comm::broadcast_text(const std::string& text, int root) {
  std::vector<std::byte> bytes;
  if (rank() == root)
    bytes.assign(reinterpret_cast<const std::byte*>(text.data()),
                 reinterpret_cast<const std::byte*>(text.data()) + text.size());
  broadcast(bytes, root);
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::shared_ptr<Comm> serial() { return std::make_shared<SerialComm>(); }

std::shared_ptr<Comm> duplicate(MPI_Comm comm) {
  if (!mpi_initialised()) {
    throw InvalidArgument("an MPI communicator was given but MPI is not initialised (call MPI_Init first)");
  }
  return std::make_shared<MpiComm>(comm);
}

bool mpi_initialised() {
  int initialised = 0, finalized = 0;
  MPI_Initialized(&initialised);
  MPI_Finalized(&finalized);
  return initialised && !finalized;
}

void check(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw Error(fmt::format("{} failed: {}", call, std::string(text, static_cast<std::size_t>(length))));
}

}  // namespace h5mf::mpi
