"""The Examples sections of the docstrings run and print what they show (doctest)."""
import doctest

import numpy as np
import pytest

import cramplab
from cramplab import _core, _results
from cramplab import io as cramplab_io
from cramplab import simulate as cramplab_simulate
from cramplab import cramp as cramplab_cramp
from cramplab import plot as cramplab_plot
from cramplab import onsets as cramplab_onsets

SUBMODULES = [_core.core, _core.filters, _core.amplitude, _core.mains, _core.spectral, _core.io, cramplab_io, _results,
              cramplab_simulate, cramplab_cramp, cramplab_plot, cramplab_onsets]


@pytest.mark.parametrize("module", SUBMODULES, ids=lambda m: m.__name__)
def test_docstring_examples(module):
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = finder.find(module, module.__name__, globs={"np": np, "cramplab": cramplab})
    examples = sum(len(t.examples) for t in tests)
    assert examples > 0, f"{module.__name__} has no docstring examples"
    for t in tests:
        runner.run(t)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} docstring examples failed in {module.__name__}"
