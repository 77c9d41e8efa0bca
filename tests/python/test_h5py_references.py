"""Issue 18: object and region references (h5py.ref_dtype, regionref_dtype, obj.ref,
dset.regionref) are refused with a NotImplementedError naming them, on every driver, and nothing is
stored instead (no object dtype's slots as raw bytes, no half-made dataset or attribute)."""

import h5py
import numpy as np
import pytest

import h5mf

DRIVERS = ['multifile', 'sec2']


def _calls(f, module):
    """Labelled calls that make or use references; `module` gives ref_dtype and regionref_dtype."""
    d = f['d']
    return [
        ('dataset of ref_dtype', lambda: f.create_dataset('r', (2,), dtype=module.ref_dtype), 'r'),
        ('dataset of regionref_dtype', lambda: f.create_dataset('rr', (2,), dtype=module.regionref_dtype), 'rr'),
        ('compound with a reference', lambda: f.create_dataset(
            'c', (2,), dtype=np.dtype([('a', 'i4'), ('r', module.ref_dtype)])), 'c'),
        ('subarray of references', lambda: f.create_dataset('s', (2,), dtype=np.dtype((module.ref_dtype, (2,)))), 's'),
        ('data of ref_dtype', lambda: f.create_dataset('rd', data=np.empty(0, dtype=module.ref_dtype)), 'rd'),
        ('attribute of ref_dtype', lambda: f.attrs.create('a', np.empty(0, dtype=object), dtype=module.ref_dtype), None),
        ('dset.ref', lambda: d.ref, None),
        ('group.ref', lambda: f.ref, None),
        ('dset.regionref', lambda: d.regionref, None),
    ]


def test_h5py_makes_references(tmp_path):
    """The yardstick: h5py 3.7 accepts every call below on a plain file (so h5mf's refusal is a
    difference python/README.md lists, not a mistake of the test)."""
    with h5py.File(tmp_path / 'plain.h5', 'w') as f:
        f.create_dataset('d', data=np.arange(4))
        for label, call, _ in _calls(f, h5py):
            call()
        f.attrs['ref'] = f['d'].ref
        assert f[f.attrs['ref']] == f['d'], 'h5py follows its own references'


@pytest.mark.parametrize('driver', DRIVERS)
def test_references_refused(tmp_path, driver):
    path = str(tmp_path / f'{driver}.h5')
    with h5mf.File(path, 'w', driver=driver) as f:
        f.create_dataset('d', data=np.arange(4))
        for module in (h5mf, h5py):  # h5mf's own dtypes and h5py's
            for label, call, name in _calls(f, module):
                with pytest.raises(NotImplementedError, match='reference') as e:
                    call()
                assert 'h5mf does not support HDF5' in str(e.value), label
                if name is not None:
                    assert name not in f, f'{label}: nothing may be created'
        with h5py.File(tmp_path / 'other.h5', 'w') as other:
            with pytest.raises(NotImplementedError, match='object references'):
                f.attrs['b'] = other.ref  # an h5py Reference as a value
            with pytest.raises(NotImplementedError, match='references'):
                f.attrs['c'] = [other.ref]
        assert list(f.attrs) == []
    if driver == 'multifile':
        h5mf.merge(path)
    with h5py.File(path, 'r') as f:
        assert list(f) == ['d'] and list(f.attrs) == []


def test_reference_dtypes_as_h5py():
    """h5mf.ref_dtype and regionref_dtype are object dtypes whose metadata names the class, as
    h5py's, so that scripts spelling them h5mf.* import."""
    assert h5mf.ref_dtype.kind == 'O' and h5mf.ref_dtype.metadata['ref'] is h5mf.Reference
    assert h5mf.regionref_dtype.metadata['ref'] is h5mf.RegionReference
