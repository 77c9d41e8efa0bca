"""The library's warnings as Python warnings: ``h5mf.H5mfWarning`` through the ``warnings``
module, so that ``warnings.simplefilter``, ``pytest.warns`` and ``-W error`` apply to them."""

import atexit

from . import _core


class H5mfWarning(UserWarning):
    """Something went wrong without stopping the work: records dropped from a damaged container,
    overlapping writes of two writers in one epoch, a file not closed, a setting ignored."""


_core._install_warning_handler(H5mfWarning)
# After the interpreter is gone, warnings (from destructors at exit) go to stderr again.
atexit.register(_core._restore_warning_handler)
