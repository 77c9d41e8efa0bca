"""The compiled module h5mf._core for `pip install --no-build-isolation ./python` (pyproject.toml).

It is built by the project's CMake, not by setuptools, from one of:
- H5MF_PREBUILT=<build>/python/h5mf: the module an existing build of the project made (nothing
  is compiled). From a build with a shared libh5mf, the module loads libh5mf.so through that
  build's RPATH or from an installed h5mf.
- otherwise: the project (this directory's parent) configured in build/cmake/ here with a static
  libh5mf, so the module needs no libh5mf.so at run time, and only the module's target built.
  H5MF_CMAKE_ARGS adds arguments to that configure (e.g. -DCMAKE_CXX_COMPILER_LAUNCHER=ccache).
"""
import glob
import os
import shlex
import shutil
import subprocess

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))


class BuildWithCMake(build_ext):
    def build_extension(self, ext):
        module_dir = os.environ.get('H5MF_PREBUILT') or self._cmake_build()
        built = glob.glob(os.path.join(module_dir, '_core*.so'))
        if len(built) != 1:
            raise RuntimeError(f'expected one _core*.so in {module_dir}, found {built or "none"}')
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(built[0], target)

    def _cmake_build(self):
        source = os.path.dirname(HERE)
        if not os.path.exists(os.path.join(source, 'CMakeLists.txt')):
            raise RuntimeError(f'{HERE} is not in an h5mf source tree; set H5MF_PREBUILT to a build\'s python/h5mf')
        build = os.path.join(HERE, 'build', 'cmake')
        subprocess.check_call(['cmake', '-S', source, '-B', build, '-DCMAKE_BUILD_TYPE=Release',
                               '-DBUILD_SHARED_LIBS=OFF', '-DH5MF_BUILD_TESTS=OFF', '-DH5MF_BUILD_EXAMPLES=OFF',
                               *shlex.split(os.environ.get('H5MF_CMAKE_ARGS', ''))])
        subprocess.check_call(['cmake', '--build', build, '--target', 'h5mf_python', '-j', str(os.cpu_count() or 1)])
        return os.path.join(build, 'python', 'h5mf')


setup(ext_modules=[Extension('h5mf._core', sources=[])], cmdclass={'build_ext': BuildWithCMake})
