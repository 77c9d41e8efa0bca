// Errors: one root exception and the few categories users catch. Python maps them as
// InvalidArgument -> ValueError, NotFound -> KeyError, IoError/FormatError -> OSError,
// Busy -> BlockingIOError (errno EAGAIN, as h5py for a file another process has locked),
// CollectiveMismatch -> RuntimeError, Unsupported -> NotImplementedError.
#pragma once

#include <stdexcept>
#include <string>

namespace h5mf {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The operating system or the HDF5 library failed an operation (open, write, disk full...).
class IoError : public Error {
 public:
  using Error::Error;
};

// Another process holds the container (open, or being merged or replaced): the operation would
// destroy or race with its work, so it is refused. The message names the holder where it can.
class Busy : public IoError {
 public:
  using IoError::IoError;
};

// Bytes on disk are not what the format says: bad magic, checksum, truncated, newer version.
class FormatError : public IoError {
 public:
  using IoError::IoError;
};

// The caller asked for something invalid: out-of-bounds selection, wrong buffer size, bad mode.
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

// A named object (group, dataset, attribute) does not exist, or already exists.
class NotFound : public Error {
 public:
  using Error::Error;
};
class AlreadyExists : public InvalidArgument {
 public:
  using InvalidArgument::InvalidArgument;
};

// Ranks made different collective calls (names, shapes, types or order differ).
class CollectiveMismatch : public Error {
 public:
  using Error::Error;
};

// The operation does not apply to this driver or this kind of object.
class Unsupported : public Error {
 public:
  using Error::Error;
};

}  // namespace h5mf
