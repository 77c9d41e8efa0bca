#include "mpi/shared_outcome.hpp"

#include <fmt/format.h>

#include <cstring>
#include <exception>
#include <string>

#include "h5mf/error.hpp"

namespace h5mf::mpi {
namespace {

// The exception categories, so that the same type is rethrown on every rank.
enum class Code : std::uint8_t { None, Error, Io, Format, Invalid, NotFound, Exists, Mismatch, Unsupported, Busy };

struct Outcome {
  Code code = Code::None;
  std::string message;
};

Outcome capture(const std::function<void()>& step) {
  try {
    step();
    return {};
  } catch (const FormatError& e) {
    return {Code::Format, e.what()};
  } catch (const Busy& e) {
    return {Code::Busy, e.what()};
  } catch (const IoError& e) {
    return {Code::Io, e.what()};
  } catch (const AlreadyExists& e) {
    return {Code::Exists, e.what()};
  } catch (const InvalidArgument& e) {
    return {Code::Invalid, e.what()};
  } catch (const NotFound& e) {
    return {Code::NotFound, e.what()};
  } catch (const CollectiveMismatch& e) {
    return {Code::Mismatch, e.what()};
  } catch (const Unsupported& e) {
    return {Code::Unsupported, e.what()};
  } catch (const std::exception& e) {
    return {Code::Error, e.what()};
  }
}

[[noreturn]] void raise(const Outcome& o) {
  switch (o.code) {
    case Code::Io: throw IoError(o.message);
    case Code::Format: throw FormatError(o.message);
    case Code::Busy: throw Busy(o.message);
    case Code::Invalid: throw InvalidArgument(o.message);
    case Code::NotFound: throw NotFound(o.message);
    case Code::Exists: throw AlreadyExists(o.message);
    case Code::Mismatch: throw CollectiveMismatch(o.message);
    case Code::Unsupported: throw Unsupported(o.message);
    case Code::Error:
    case Code::None: break;
  }
  throw Error(o.message);
}

Outcome share(Comm& comm, int root, const Outcome& local) {
  std::vector<std::byte> bytes;
  if (comm.rank() == root) {
    bytes.resize(1 + local.message.size());
    bytes[0] = static_cast<std::byte>(local.code);
    std::memcpy(bytes.data() + 1, local.message.data(), local.message.size());
  }
  comm.broadcast(bytes, root);
  Outcome out;
  out.code = static_cast<Code>(bytes.at(0));
  out.message.assign(reinterpret_cast<const char*>(bytes.data() + 1), bytes.size() - 1);
  return out;
}

}  // namespace

void on_root(Comm& comm, int root, const std::function<void()>& step) {
  Outcome local;
  if (comm.rank() == root) local = capture(step);
  if (!comm.is_parallel()) {
    if (local.code != Code::None) raise(local);
    return;
  }
  const Outcome shared = share(comm, root, local);
  if (shared.code != Code::None) raise(shared);
}

void on_all(Comm& comm, const std::function<void()>& step) {
  const Outcome local = capture(step);
  if (!comm.is_parallel()) {
    if (local.code != Code::None) raise(local);
    return;
  }
  const auto size = static_cast<std::uint64_t>(comm.size());
  const std::uint64_t first_failed =
      comm.min_max(local.code == Code::None ? size : static_cast<std::uint64_t>(comm.rank())).min;
  if (first_failed == size) return;
  const Outcome shared = share(comm, static_cast<int>(first_failed), local);
  if (local.code != Code::None) raise(local);
  raise(Outcome{shared.code, fmt::format("{} (on rank {})", shared.message, first_failed)});
}

}  // namespace h5mf::mpi
