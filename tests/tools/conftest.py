"""Shared fixture of the CLI tests: the built `cramplab` binary.

It comes from $CRAMPLAB_EXE (set by ctest) or build/tools/cramplab; if neither exists every test
that needs it fails with a message saying so.
"""
from __future__ import annotations

import os
import pathlib

import pytest

REPO = pathlib.Path(os.environ.get("CRAMPLAB_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))


@pytest.fixture(scope="session")
def exe() -> pathlib.Path:
    env = os.environ.get("CRAMPLAB_EXE")
    path = pathlib.Path(env) if env else REPO / "build" / "tools" / "cramplab"
    if not path.exists():
        pytest.fail(f"cramplab binary not found: set CRAMPLAB_EXE or build it at {REPO / 'build/tools/cramplab'} "
                    f"(CRAMPLAB_EXE={env!r})", pytrace=False)
    return path
