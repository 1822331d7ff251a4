"""Packaging for the h2wire ctypes binding.

`pip install --no-build-isolation --no-index ./bindings/python` (offline:
setuptools and wheel come from the system, nothing is downloaded) installs
the `h2wire` package with its own copy of libh2wire.so inside it, so that
`import h2wire` and `python3 -m h2wire.get` work without H2WIRE_LIBRARY.

Where that copy comes from, first match wins:
  H2WIRE_SETUP_LIBRARY=/path/libh2wire.so   bundle this already-built file;
  H2WIRE_SETUP_SYSTEM=1                     bundle nothing: the package then
                                            loads the installed library
                                            (pkg-config, the system loader);
  otherwise                                 build it with CMake from the
                                            h2wire source tree, which is
                                            H2WIRE_SOURCE_DIR or the
                                            directory two levels up (this
                                            file's place in a clone).
"""

import os
import re
import shutil
import subprocess
import sys

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
LIBNAME = "libh2wire.so"  # the name h2wire/_lib.py looks for beside itself


def source_dir():
    """The h2wire source tree (CMakeLists.txt and include/h2wire.h)."""
    d = os.environ.get("H2WIRE_SOURCE_DIR") or os.path.join(HERE, "..", "..")
    d = os.path.abspath(d)
    if not os.path.isfile(os.path.join(d, "include", "h2wire.h")):
        sys.exit(
            f"h2wire setup: no h2wire source tree at {d}: set H2WIRE_SOURCE_DIR, "
            "H2WIRE_SETUP_LIBRARY=/path/libh2wire.so or H2WIRE_SETUP_SYSTEM=1"
        )
    return d


def version():
    """The C library's version, from the committed h2wire_version.h: the
    binding is released with the library it declares the ABI of."""
    try:
        with open(os.path.join(source_dir(), "include", "h2wire_version.h")) as f:
            m = re.search(r'#define H2W_VERSION_STRING "([^"]+)"', f.read())
        return m.group(1) if m else "0"
    except SystemExit:
        return "0"


def cmake_build(build_temp):
    """Build only the shared library, Release, no tests/examples/docs; return
    the path of the real file (not a SONAME symlink)."""
    if not shutil.which("cmake"):
        sys.exit("h2wire setup: cmake not found (apt-get install -y cmake)")
    bdir = os.path.join(build_temp, "h2wire-cmake")
    subprocess.check_call(
        ["cmake", "-S", source_dir(), "-B", bdir, "-DCMAKE_BUILD_TYPE=Release",
         "-DH2W_BUILD_TESTS=OFF", "-DH2W_BUILD_EXAMPLES=OFF"]
    )
    jobs = os.environ.get("H2WIRE_SETUP_JOBS", "2")
    subprocess.check_call(["cmake", "--build", bdir, "--target", "h2wire", "-j", jobs])
    return os.path.realpath(os.path.join(bdir, "lib", LIBNAME))


class BuildPyWithLibrary(build_py):
    """build_py, then put libh2wire.so into the built package."""

    def run(self):
        super().run()
        if os.environ.get("H2WIRE_SETUP_SYSTEM") == "1":
            return
        lib = os.environ.get("H2WIRE_SETUP_LIBRARY")
        if lib:
            lib = os.path.realpath(lib)
        else:
            build_temp = self.get_finalized_command("build").build_temp
            lib = cmake_build(os.path.abspath(build_temp))
        if not os.path.isfile(lib):
            sys.exit(f"h2wire setup: {lib} does not exist")
        dest = os.path.join(self.build_lib, "h2wire", LIBNAME)
        self.copy_file(lib, dest)


class BinaryDistribution(Distribution):
    """The wheel holds a shared library: tag it for this platform, not
    py3-none-any."""

    def has_ext_modules(self):
        return os.environ.get("H2WIRE_SETUP_SYSTEM") != "1"


setup(
    name="h2wire",
    version=version(),
    description="ctypes binding of h2wire, an embeddable sans-I/O HTTP/2 library",
    license="See LICENSE in the h2wire repository",
    packages=["h2wire"],
    python_requires=">=3.8",
    cmdclass={"build_py": BuildPyWithLibrary},
    distclass=BinaryDistribution,
    zip_safe=False,
)
