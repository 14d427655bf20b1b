"""CrampLab: EMG analysis for muscle-cramp and fatigue research.

NumPy in, NumPy out: signals are 1-D ``(n_samples,)`` or 2-D ``(n_channels, n_samples)``
float64 arrays with time on the last axis; every parameter after the data is keyword-only and
carries its unit in its name (``fs_hz``, ``window_s``). The numerical work happens in the C++
library libemg (``cramplab._core``), with the GIL released.
"""
from __future__ import annotations

from . import _core
from ._core import ConfigError, FormatError, IoError, get_num_threads, set_num_threads

__version__ = _core.__version__


def _reexport(module) -> list[str]:
    names = [n for n in dir(module) if not n.startswith("_")]
    for n in names:
        globals()[n] = getattr(module, n)
    return names


__all__ = ["ConfigError", "FormatError", "IoError", "get_num_threads", "set_num_threads", "__version__"]
for _sub in (_core.core, _core.filters, _core.amplitude, _core.mains, _core.spectral):
    __all__ += _reexport(_sub)
del _sub

from ._results import *  # noqa: E402,F401,F403
from ._results import __all__ as _results_all  # noqa: E402

__all__ += _results_all
