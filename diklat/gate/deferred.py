"""Modules imported at start-up but used by nothing diklat runs: loaded on first use, not on import.

Great Expectations 1.x imports every core expectation when it starts. Two of them, which diklat's
suites never use (the KL-divergence and Kolmogorov-Smirnov checks), import ``scipy.stats`` (with
scipy's linear algebra, optimisation and spatial packages) and ``altair`` at module level, and touch
them only inside their methods. That is about a third of GX's import time, paid by every CLI
command, every cold flow-run process and every test subprocess.

The standard library's ``importlib.util.LazyLoader`` cannot defer them on Python 3.11: the import
system reads ``__spec__`` of a module it finds in ``sys.modules``, and that first attribute access
makes a lazy module load. A :class:`Deferred` module carries its spec itself, so ``import altair`` and
``from scipy import stats`` bind it without loading anything; the first other attribute anyone reads
imports the real module, puts it in ``sys.modules`` and is answered from it. Code that does use
these modules therefore still works, only later.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types


class Deferred(types.ModuleType):
    """Stands in ``sys.modules`` for a module not imported yet; any attribute read imports it."""

    def __getattr__(self, name: str) -> object:  # only called for what the stand-in lacks
        real = self.__dict__.get("_real") or _load(self)
        return getattr(real, name)


def _load(stand_in: Deferred) -> types.ModuleType:
    module_name = stand_in.__name__
    if sys.modules.get(module_name) is stand_in:
        del sys.modules[module_name]
    real = importlib.import_module(module_name)
    stand_in.__dict__["_real"] = real  # references bound before the load go on answering from it
    return real


def defer(*names: str) -> list[str]:
    """Put a stand-in for each module not imported yet; the names deferred (absent or loaded ones are not)."""
    deferred = []
    for name in names:
        if name in sys.modules:
            continue
        try:
            spec = importlib.util.find_spec(name)  # imports a dotted name's parent package (cheap)
        except (ImportError, ValueError):
            spec = None
        if spec is None:
            continue  # not installed: importing it fails as it always would
        stand_in = Deferred(name)
        stand_in.__spec__ = spec
        stand_in.__loader__ = spec.loader
        stand_in.__package__ = spec.parent
        sys.modules[name] = stand_in
        deferred.append(name)
    return deferred
