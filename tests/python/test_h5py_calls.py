"""Issue 18, "Missing" and "Errors": everyday h5py calls, run through h5py 3.7 on a plain file and
through h5mf (the multifile driver, one process with writers=1, and sec2), compared call by call
(values, dtypes, shapes, exception types); after h5mf.merge, h5py reads the merged file as it reads
its own. The collective ones run at 2 and 4 ranks in test_mpi_h5py_calls.py."""

import os

import numpy as np
import pytest

import h5mf
from parity import Recorder, assert_same_files, assert_same_outcomes, describe_dataset

h5py = pytest.importorskip('h5py')

DRIVERS = ['multifile', 'sec2']


def open_both(tmp_path, driver, mode='w'):
    """(h5mf's file, h5py's plain file), both new."""
    os.makedirs(tmp_path / 'mine', exist_ok=True)
    os.makedirs(tmp_path / 'ref', exist_ok=True)
    kw = {'writers': 1} if driver == 'multifile' else {}
    mine = h5mf.File(str(tmp_path / 'mine' / 'f.h5'), mode, driver=driver, **kw)
    ref = h5py.File(str(tmp_path / 'ref' / 'f.h5'), mode)
    return mine, ref


def run_both(tmp_path, driver, scenario):
    """Runs scenario(h, f, record) with h5mf and with h5py, compares the outcomes, closes both
    files, merges h5mf's and compares the files as h5py reads them."""
    mine, ref = open_both(tmp_path, driver)
    outcomes = []
    for module, f in ((h5mf, mine), (h5py, ref)):
        record = Recorder()
        with f:
            scenario(module, f, record)
        outcomes.append(record.outcomes)
    assert_same_outcomes(*outcomes)
    path = str(tmp_path / 'mine' / 'f.h5')
    if driver == 'multifile':
        h5mf.merge(path)
    with h5py.File(path, 'r') as a, h5py.File(str(tmp_path / 'ref' / 'f.h5'), 'r') as b:
        assert_same_files(a, b)
    return outcomes[0]


# -- 1. errors -------------------------------------------------------------------------------------

def errors(h, f, record):
    f['x'] = np.arange(3)
    f.create_group('g')
    f['s'] = 5.0
    f.create_dataset('c', (4,), maxshape=(10,), dtype='i4', chunks=(2,))
    m = f.create_dataset('m', (2, 3), dtype='i4')
    record('require_group on a dataset', lambda: f.require_group('x'))
    record('require_dataset on a group', lambda: f.require_dataset('g', (3,), 'i8'))
    record('require_dataset other shape', lambda: f.require_dataset('x', (4,), 'i8'))
    record('require_dataset unsafe cast', lambda: f.require_dataset('x', (3,), 'f8'))
    record('require_dataset inexact', lambda: f.require_dataset('x', (3,), 'i4', exact=True))
    record('require_dataset same', lambda: f.require_dataset('x', (3,), 'i4').shape)
    record('resize contiguous', lambda: f['x'].resize((4,)))
    record('resize contiguous on an axis', lambda: f['x'].resize(4, axis=0))
    record('resize other rank', lambda: f['c'].resize((4, 2)))
    record('resize bad axis', lambda: f['c'].resize(2, axis=1))
    record('resize negative axis', lambda: f['c'].resize(2, axis=-1))
    record('resize beyond maxshape', lambda: f['c'].resize((20,)))
    record('resize not a number', lambda: f['c'].resize(('a',)))
    record('resize by axis', lambda: (f['c'].resize(6, axis=0), f['c'].shape))
    record('negative shape', lambda: f.create_dataset('b1', (-1,)))
    record('shape of letters', lambda: f.create_dataset('b2', 'abc'))
    record('shape with a letter', lambda: f.create_dataset('b3', (2, 'a')))
    record('float shape', lambda: f.create_dataset('b3f', 3.5))
    record('shape and data differ', lambda: f.create_dataset('b4', (3,), data=np.arange(4)))
    record('maxshape smaller', lambda: f.create_dataset('b5', (3,), maxshape=(2,)))
    record('maxshape rank', lambda: f.create_dataset('b6', (3,), maxshape=(3, 4)))
    record('maxshape letter', lambda: f.create_dataset('b6l', (3,), maxshape='x'))
    record('maxshape negative', lambda: f.create_dataset('b6n', (3,), maxshape=(-1,)))
    record('chunks larger than fixed shape', lambda: f.create_dataset('b7', (3,), chunks=(4,)))
    record('chunks rank', lambda: f.create_dataset('b7r', (3,), chunks=(1, 1)))
    record('chunks zero', lambda: f.create_dataset('b8', (3,), chunks=(0,)))
    record('unknown dtype', lambda: f.create_dataset('b9', (3,), dtype='nope'))
    record('fillvalue not a number', lambda: f.create_dataset('b12', (3,), fillvalue='x'))
    record('scalar with chunks', lambda: f.create_dataset('b13', (), chunks=True))
    record('scalar with maxshape', lambda: f.create_dataset('b14', data=5, maxshape=(None,)))
    record('track_times not a bool', lambda: f.create_dataset('b15', (3,), track_times=5))
    record('65-bit shape', lambda: f.create_dataset('b16', (2 ** 70,)))
    record('negative filter id', lambda: f.create_dataset('b17', (3,), compression=-1))
    record('filter id too large', lambda: f.create_dataset('b18', (3,), compression=70000))
    record('scale factor too large', lambda: f.create_dataset('b19', (3,), dtype='i4', scaleoffset=2 ** 40))
    record('resize to 65 bits', lambda: f['c'].resize(2 ** 70, axis=0))
    record('attribute of a negative shape', lambda: f.attrs.create('a1', [1], shape=(-1,)))
    record('attribute of a letter shape', lambda: f.attrs.create('a2', [1], shape='x'))
    record('index out of range', lambda: f['x'][5])
    record('negative index out of range', lambda: f['x'][-5])
    record('too many indices', lambda: f['x'][0, 0])
    record('float index', lambda: f['x'][1.5])
    record('field of a non-compound', lambda: f['x']['a'])
    record('negative step', lambda: f['x'][::-1])
    record('decreasing list', lambda: f['x'][[2, 1]])
    record('list out of range', lambda: f['x'][[5]])
    record('repeated list', lambda: f['x'][[1, 1]])
    record('newaxis', lambda: f['x'][None])
    record('two ellipses', lambda: f['x'][..., ...])
    record('slice beyond the end', lambda: f['x'][0:10])
    record('mask of another length', lambda: f['x'][np.array([True, False])])
    record('mask of another shape', lambda: m[np.ones((3, 3), bool)])
    record('2-d index list', lambda: m[[[0, 1]]])
    record('index of a scalar', lambda: f['s'][0])
    record('slice of a scalar', lambda: f['s'][:])
    record('write out of range', lambda: f['x'].__setitem__(5, 1))
    record('write of another shape', lambda: f['x'].__setitem__(slice(0, 2), [1, 2, 3]))
    record('write of letters', lambda: f['x'].__setitem__(slice(0, 3), 'abc'))
    record('missing name', lambda: f['nope'])
    record('empty name', lambda: f[''])
    record('invalid mode', lambda: h.File('q.h5', 'z'))
    record('mode not a str', lambda: h.File('q.h5', 5))


@pytest.mark.parametrize('driver', DRIVERS)
def test_errors_as_h5py(tmp_path, driver):
    outcomes = run_both(tmp_path, driver, errors)
    raised = {label: type(value) for label, how, value in outcomes if how == 'raised'}
    assert raised['resize contiguous'] is TypeError and raised['require_group on a dataset'] is TypeError
    assert not any('incompatible function arguments' in str(v) for _, _, v in outcomes)


@pytest.mark.parametrize('driver', DRIVERS)
def test_existing_file_and_read_only_errors_as_h5py(tmp_path, driver):
    mine, ref = open_both(tmp_path, driver)
    outcomes = []
    for module, f in ((h5mf, mine), (h5py, ref)):
        path, record = f.filename, Recorder()
        with f:
            f['x'] = np.arange(3)
            f.create_dataset('c', (4,), maxshape=(None,), chunks=(2,))
            f.attrs['a'] = 1
        record("'w-' on an existing file", lambda: module.File(path, 'w-'))
        record("'x' on an existing file", lambda: module.File(path, 'x'))
        with module.File(path, 'r') as f:
            # (before the attempts: h5py's failed modify changes the value it reads afterwards)
            record('reads work', lambda: (f['x'][...], f.attrs['a']))
            record('create_group', lambda: f.create_group('h'))
            record('create_dataset', lambda: f.create_dataset('y', (3,)))
            record('require_group', lambda: f.require_group('h'))
            record('dataset write', lambda: f['x'].__setitem__(0, 1))
            record('write_direct', lambda: f['x'].write_direct(np.zeros(3, 'i8')))
            record('attribute set', lambda: f.attrs.__setitem__('b', 1))
            record('attribute create', lambda: f.attrs.create('b', 1))
            record('attribute modify', lambda: f.attrs.modify('a', 3))
            record('attribute delete', lambda: f.attrs.__delitem__('a'))
            record('hard link', lambda: f.__setitem__('al', f['x']))
            record('resize contiguous', lambda: f['x'].resize((4,)))
            record('resize chunked', lambda: f['c'].resize((5,)))
        outcomes.append(record.outcomes)
    assert_same_outcomes(*outcomes)
    assert isinstance(outcomes[0][0][2], FileExistsError)


# -- 2. names --------------------------------------------------------------------------------------

def names(h, f, record):
    f['x'] = np.arange(3)
    f.create_group('g/h')
    record("'' in f", lambda: '' in f)
    record("'x' in f", lambda: 'x' in f)
    record("b'x' in f", lambda: b'x' in f)
    record("'g/h' in f", lambda: 'g/h' in f)
    record('get missing', lambda: f.get('nope'))
    record('get missing with a default', lambda: f.get('nope', 3))
    record('get missing, class', lambda: f.get('nope', 3, getclass=True))
    record('get missing, link', lambda: f.get('nope', 3, getlink=True))
    record('get a dataset', lambda: describe_dataset(f.get('x')))
    record('get a group', lambda: f.get('g/h').name)
    record('class of a dataset', lambda: f.get('x', getclass=True))
    record('class of a group', lambda: f['g'].get('h', getclass=True))
    record('link', lambda: type(f.get('x', getlink=True)))
    record('link class', lambda: f.get('g', getclass=True, getlink=True))
    record('get by keyword', lambda: f.get('x', default=None, getclass=True, getlink=False))


@pytest.mark.parametrize('driver', DRIVERS)
def test_names_as_h5py(tmp_path, driver):
    outcomes = run_both(tmp_path, driver, names)
    assert dict((label, value) for label, _, value in outcomes)["'' in f"] is False
    assert h5mf.HardLink.__name__ == 'HardLink'


# -- 3. datasets -----------------------------------------------------------------------------------

def datasets(h, f, record):
    s = f.create_dataset('s', data=3)
    d = f.create_dataset('d', data=np.arange(10, dtype='i4'))
    record('scalar [...]', lambda: s[...])
    record('scalar [()]', lambda: s[()])
    record('scalar array', lambda: np.array(s))
    record('element [0, ...]', lambda: d[0, ...])
    record('astype slice', lambda: d.astype('f8')[0:5])
    record('astype all', lambda: d.astype('f8')[...])
    record('astype element', lambda: d.astype('f8')[3])
    record('astype numpy', lambda: np.array(d.astype('i2')))
    record('astype points', lambda: d.astype('u1')[[1, 2]])
    record('astype len', lambda: len(d.astype('f4')))
    record('astype scalar', lambda: s.astype('f4')[()])
    record('astype scalar [...]', lambda: s.astype('f4')[...])
    c = f.create_dataset('c', (10, 7), chunks=(3, 4), dtype='i2')
    c[...] = np.arange(70).reshape(10, 7)
    record('iter_chunks contiguous', lambda: list(d.iter_chunks()))
    record('iter_chunks', lambda: list(c.iter_chunks()))
    record('iter_chunks of a selection', lambda: list(c.iter_chunks(np.s_[2:9, 1:6])))
    record('iter_chunks of a selection with steps', lambda: list(c.iter_chunks(np.s_[2:9:2, 1:6])))
    record('iter_chunks of one axis', lambda: list(c.iter_chunks((slice(2, 9),))))
    record('iter_chunks reads', lambda: [c[sel].sum() for sel in c.iter_chunks()])
    z = f.create_dataset('z', (100, 50), maxshape=(None, 50), dtype='f4', compression='gzip', compression_opts=3,
                         fillvalue=7, shuffle=True)
    z.attrs['a'] = 1
    record('like', lambda: describe_dataset(f.create_dataset_like('l1', c)))
    record('like a filtered one', lambda: describe_dataset(f.create_dataset_like('l2', z)))
    record('no attributes copied', lambda: len(f['l2'].attrs))
    record('like, updated', lambda: describe_dataset(f.create_dataset_like('l3', z, shape=(10, 50), dtype='i2',
                                                                            chunks=(5, 5))))
    record('like, larger', lambda: describe_dataset(f.create_dataset_like('l4', z, shape=(200, 50))))
    record('like a contiguous one', lambda: describe_dataset(f.create_dataset_like('l5', d)))
    record('like, in a group', lambda: describe_dataset(f.create_group('g').create_dataset_like('l6', s)))
    record('track_times=False', lambda: f.create_dataset('t1', (3,), track_times=False).shape)
    record('track_times=True', lambda: f.create_dataset('t2', (3,), track_times=True).shape)
    record('track_order', lambda: (f.create_dataset('t3', (3,), track_order=True).shape,
                                   f.create_group('t4', track_order=True).name))
    record('chunks=True', lambda: f.create_dataset('k1', (100, 100), chunks=True).chunks)
    record('chunks for maxshape', lambda: f.create_dataset('k2', (0,), maxshape=(None,)).chunks)
    record('chunks for a fixed maxshape', lambda: f.create_dataset('k3', (10,), maxshape=(10,)).chunks)
    record('chunks for gzip', lambda: f.create_dataset('k4', (1000, 30), compression='gzip').chunks)
    record('chunks for shuffle', lambda: f.create_dataset('k5', (7, 9, 11), dtype='u1', shuffle=True).chunks)
    record('chunks beyond an unlimited shape', lambda: f.create_dataset('k6', (100,), chunks=(200,),
                                                                         maxshape=(None,)).chunks)
    record('chunks of an int', lambda: f.create_dataset('k7', (3,), chunks=2).chunks)
    record('chunks of floats', lambda: f.create_dataset('k8', (3,), chunks=(1.5,)).chunks)
    record('maxshape of an int', lambda: f.create_dataset('k9', (3,), maxshape=4).maxshape)


@pytest.mark.parametrize('driver', DRIVERS)
def test_datasets_as_h5py(tmp_path, driver):
    outcomes = dict((label, value) for label, _, value in run_both(tmp_path, driver, datasets))
    assert isinstance(outcomes['scalar [...]'], np.ndarray) and outcomes['scalar [...]'].shape == ()
    assert outcomes['astype slice'].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert outcomes['iter_chunks of a selection'][0] == (slice(2, 3, 1), slice(1, 4, 1))


@pytest.mark.parametrize('driver', DRIVERS)
def test_iter_chunks_errors(tmp_path, driver):
    def scenario(h, f, record):
        c = f.create_dataset('c', (4,), chunks=(2,))
        record('iter_chunks of an integer', lambda: list(c.iter_chunks(1)))
        record('iter_chunks beyond the shape', lambda: list(c.iter_chunks(np.s_[0:9])))
        record('iter_chunks of an empty dataset', lambda: list(f.create_dataset(
            'e', (0,), maxshape=(None,), chunks=(3,)).iter_chunks()))
    mine, ref = open_both(tmp_path, driver)
    outcomes = []
    for module, f in ((h5mf, mine), (h5py, ref)):
        record = Recorder()
        with f:
            scenario(module, f, record)
        outcomes.append(record.outcomes)
    assert_same_outcomes(*outcomes)


SHAPES = [(1,), (7,), (1000,), (1 << 20,), (10 ** 7,), (0,), (100, 100), (1, 1, 1), (3, 1000, 1000),
          (0, 5), (5, 0, 7), (17, 33, 65, 129), (2 ** 31, 3), (123456, 789), (1024, 1024, 8)]
DTYPES = ['u1', 'i2', 'f4', 'f8', 'S100', np.dtype([('a', 'f8'), ('b', 'i4', (10,))])]


def test_chunk_guess_is_h5pys(tmp_path):
    """chunks=True and the chunks that maxshape or filters need: h5py's guess for many shapes and
    dtypes (the guess itself, and the datasets it makes)."""
    from h5py._hl.filters import guess_chunk
    from h5mf._group import guess_chunks
    for shape in SHAPES:
        for dtype in DTYPES:
            itemsize = np.dtype(dtype).itemsize
            assert guess_chunks(shape, itemsize) == guess_chunk(shape, None, itemsize), (shape, dtype)
    with h5mf.File(str(tmp_path / 'mine.h5'), 'w', driver='multifile', writers=1) as mine, \
            h5py.File(str(tmp_path / 'ref.h5'), 'w') as ref:
        for i, shape in enumerate([(0,), (100, 100), (5, 0, 7), (17, 33, 65), (1 << 14,)]):
            for j, dtype in enumerate(DTYPES):
                for kw in ({'chunks': True}, {'maxshape': (None,) * len(shape)}, {'compression': 'gzip'}):
                    name = f'd{i}_{j}_{"_".join(kw)}'
                    a = mine.create_dataset(name, shape, dtype=dtype, **kw)
                    b = ref.create_dataset(name, shape, dtype=dtype, **kw)
                    assert a.chunks == b.chunks, (shape, dtype, kw)
    h5mf.merge(str(tmp_path / 'mine.h5'))
    with h5py.File(str(tmp_path / 'mine.h5'), 'r') as a, h5py.File(str(tmp_path / 'ref.h5'), 'r') as b:
        assert_same_files(a, b)


# -- 4. attributes ---------------------------------------------------------------------------------

def attributes(h, f, record):
    for owner in (f, f.create_dataset('d', (2,))):
        a = owner.attrs
        a['b'] = b'abc'
        a['ba'] = [b'abc', b'de']
        a['bs'] = np.bytes_(b'xy')
        a['s'] = 'héllo'
        a['sa'] = ['a', 'bé']
        a['bo'] = np.array([b'x', b'yz'], dtype=object)
        a.create('fs', np.array(b'hi', dtype=h.string_dtype('ascii', 5)))
        a.create('fu', np.array('hé'.encode(), dtype=h.string_dtype('utf-8', 5)))
        a.create('fa', np.array([b'a', b'bc'], dtype='S3'))
        a.create('fua', np.array(['é'.encode(), b'b'], dtype=h.string_dtype('utf-8', 3)))
        a.create('vb', b'xyz', dtype=h.string_dtype('ascii'))
        a.create('vu', 'xé', dtype=h.string_dtype('utf-8'))
        a.create('vba', [b'x', b'yz'], dtype=h.string_dtype('ascii'))
        a.create('vua', ['x', 'yé'], dtype=h.string_dtype('utf-8'))
        for key in ('b', 'ba', 'bs', 's', 'sa', 'bo', 'fs', 'fu', 'fa', 'fua', 'vb', 'vu', 'vba', 'vua'):
            record(f'{owner.name} read {key}', lambda: a[key])
        record('create reshaped', lambda: a.create('c1', data=np.arange(6), shape=(2, 3)))
        record('create of another size', lambda: a.create('c2', data=np.arange(6), shape=(4,)))
        record('create converted', lambda: a.create('c3', data=[1, 2, 3], dtype='f4'))
        record('create converted and reshaped', lambda: a.create('c9', data=[[1, 2], [3, 4]], shape=(4,),
                                                                 dtype='u1'))
        record('create truncated', lambda: a.create('c8', data=1.5, dtype='i4'))
        record('create an int shape', lambda: a.create('c10', data=[1, 2], shape=2))
        record('create letters as numbers', lambda: a.create('c11', data='abc', dtype='f4'))
        record('create of subarrays', lambda: a.create('c12', data=np.arange(6), shape=(2, 3),
                                                       dtype=np.dtype(('f4', (3,)))))
        record('create of subarrays, wrong shape', lambda: a.create('c13', data=np.arange(6), shape=(3, 2),
                                                                    dtype=np.dtype(('f4', (3,)))))
        for key in ('c1', 'c3', 'c9', 'c8', 'c10', 'c12'):
            record(f'{owner.name} read {key}', lambda: a[key])
        a['m'] = np.int16(5)
        a['ma'] = np.arange(3, dtype='f4')
        record('modify', lambda: a.modify('m', 7))
        record('modify converted', lambda: a.modify('m', 7.9))
        record('modify to another shape', lambda: a.modify('m', [1, 2]))
        record('modify a missing one', lambda: a.modify('new', np.float32(2)))
        record('modify an array', lambda: a.modify('ma', [9, 8, 7]))
        record('modify an array of another length', lambda: a.modify('ma', [1, 2]))
        record('modify with letters', lambda: a.modify('ma', 'abc'))
        record('modify a string', lambda: a.modify('s', 'new'))
        record('modify a fixed string', lambda: a.modify('fs', b'zz'))
        record('modify with an array of another shape', lambda: a.modify('m', np.arange(2.0)))
        record('modify an array of one', lambda: a.modify('one', np.array([3], 'u1')))
        record('modify an array of one with a scalar', lambda: a.modify('one', 4))
        for key in ('m', 'ma', 'new', 's', 'fs', 'one'):
            record(f'{owner.name} read {key} after modify', lambda: a[key])


@pytest.mark.parametrize('driver', DRIVERS)
def test_attributes_as_h5py(tmp_path, driver):
    outcomes = dict((label, value) for label, _, value in run_both(tmp_path, driver, attributes))
    assert outcomes['/ read b'] == 'abc' and outcomes['/ read m after modify'] == np.int16(7)


def test_attrs_create_without_data(mfile):
    """(h5py 3.7 refuses data=None; h5mf makes zeros of the shape and dtype.)"""
    mfile.attrs.create('z', shape=(2, 2), dtype='i2')
    assert mfile.attrs['z'].tolist() == [[0, 0], [0, 0]] and mfile.attrs['z'].dtype == np.int16
    with pytest.raises(TypeError, match='needs a shape and a dtype'):
        mfile.attrs.create('y', shape=(2,))


# -- 5. File keywords ------------------------------------------------------------------------------

H5PY_FILE_KEYWORDS = dict(libver='latest', userblock_size=512, swmr=False, rdcc_nslots=521, rdcc_nbytes=1 << 20,
                          rdcc_w0=0.75, track_order=True, fs_strategy='fsm', fs_persist=True, fs_threshold=1,
                          fs_page_size=4096, page_buf_size=None, min_meta_keep=0, min_raw_keep=0, locking=None,
                          alignment_threshold=1, alignment_interval=1)


@pytest.mark.parametrize('driver', DRIVERS)
def test_file_keywords_accepted(tmp_path, driver):
    kw = {'writers': 1} if driver == 'multifile' else {}
    path = str(tmp_path / 'k.h5')
    with h5py.File(str(tmp_path / 'ref.h5'), 'w', **H5PY_FILE_KEYWORDS) as f:
        f['x'] = np.arange(3)
    with h5mf.File(path, 'w', driver=driver, meta_block_size=4096, **H5PY_FILE_KEYWORDS, **kw) as f:
        f['x'] = np.arange(3)
    with h5mf.File(path, 'r', libver=('earliest', 'v110'), rdcc_nbytes=1024, locking=False) as f:
        assert f['x'][...].tolist() == [0, 1, 2]
    for bad, error in (({'libver': 'nope'}, KeyError), ({'userblock_size': 100}, ValueError),
                       ({'bogus': 1}, TypeError)):
        with pytest.raises(error):
            h5py.File(str(tmp_path / 'bad.h5'), 'w', **bad)
        with pytest.raises(error):
            h5mf.File(str(tmp_path / 'bad.h5'), 'w', driver=driver, **bad, **kw)
