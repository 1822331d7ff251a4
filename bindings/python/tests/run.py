"""ctest entry point: run.py TEST_FILE [pytest args...].

Exits 77 (ctest: skipped) with a SKIP line when this interpreter lacks
pytest or python-h2 (Debian: python3-pytest, python3-h2), else runs the
file with pytest. The environment set by CMake names the library
(H2WIRE_LIBRARY) and the directory of the example programs (H2W_BIN_DIR).
"""

import os
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
for module, package in (("pytest", "python3-pytest"), ("h2", "python3-h2")):
    try:
        __import__(module)
    except ImportError:
        print(f"SKIP: {sys.executable} cannot import {module} (apt-get install {package})")
        sys.exit(77)

import pytest  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
binding = os.path.dirname(here)
sys.path.insert(0, binding)
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (binding, os.environ.get("PYTHONPATH")) if p
)
os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
args = sys.argv[1:] or [here]
sys.exit(pytest.main(["-q", "-rs", "-p", "no:cacheprovider", "--rootdir", here] + args))
