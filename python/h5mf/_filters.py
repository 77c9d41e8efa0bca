"""HDF5's filter ids and flags (H5Zpublic.h), named once for the code that builds a dataset's
filter pipeline (_group.py) and the code that reports it as h5py does (_dataset.py)."""

FILTER_DEFLATE, FILTER_SHUFFLE, FILTER_FLETCHER32, FILTER_SZIP, FILTER_SCALEOFFSET = 1, 2, 3, 4, 6
FLAG_MANDATORY, FLAG_OPTIONAL = 0, 1
SZIP_ALLOW_K13, SZIP_EC, SZIP_NN = 1, 4, 32
SO_FLOAT_DSCALE, SO_INT = 0, 2
FILTER_LZF = 32000  # h5py's own filter, compiled into h5py, not into libhdf5
FILTER_MAX = 65535  # H5Z_FILTER_MAX
