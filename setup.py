"""Builds the native inspection core (gateway/native/_core.pyx) when a C
compiler is present; without one the package installs with the pure-Python
path only. Everything else is in pyproject.toml."""

import importlib.util
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent


def _source_digest() -> str:
    spec = importlib.util.spec_from_file_location(
        "_pgw_sources", ROOT / "gateway" / "native" / "sources.py")
    if spec is None or spec.loader is None:
        raise RuntimeError("gateway/native/sources.py cannot be loaded")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.source_digest())


class OptionalBuildExt(build_ext):
    """A failed compile is a warning: the pure-Python path stays available."""

    def build_extensions(self) -> None:
        built = []
        for ext in self.extensions:
            try:
                self.build_extension(ext)
                built.append(ext)
            except Exception as exc:  # any compiler failure: the pure-Python path
                sys.stderr.write(f"WARNING: the native core was not built ({exc}); "
                                 "pii-gateway will use its pure-Python path\n")
        self.extensions = built


def _extensions() -> list[Extension]:
    try:
        from Cython.Build import cythonize
    except ImportError:
        sys.stderr.write("WARNING: Cython is missing; the native core is not built\n")
        return []
    core = Extension(
        "gateway.native._core", ["gateway/native/_core.pyx"],
        define_macros=[("PGW_SOURCE_DIGEST", f'"{_source_digest()}"')],
        extra_compile_args=["-O2"],
    )
    # the generated C goes to build/, not beside the sources (and not into the wheel)
    return list(cythonize([core], language_level=3, quiet=True, build_dir="build/cython"))


setup(ext_modules=_extensions(), cmdclass={"build_ext": OptionalBuildExt})
