"""Pure-Python conveniences on top of the compiled results (pandas tables)."""
from __future__ import annotations

__all__: list[str] = []
