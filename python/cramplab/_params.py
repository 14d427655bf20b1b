# SPDX-License-Identifier: GPL-3.0-or-later
"""Python values to the text form the C++ field tables parse (shared by cramp and simulate)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def field_text(function: str, key: str, value: Any) -> str:
    """``value`` as field text: bool -> true/false, integers exactly, floats shortest round-trip.

    ``function`` and ``key`` name the caller and the parameter in the error raised for a
    non-finite float (ValueError) or a value of another type (TypeError).
    """
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if not math.isfinite(v):
            raise ValueError(f"{function}: {key}={v!r} must be a finite number")
        return repr(v)
    if isinstance(value, str):
        return value
    raise TypeError(f"{function}: {key}={value!r} must be a number, a bool or a string")
