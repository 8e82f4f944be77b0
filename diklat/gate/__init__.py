"""The validation gate: Great Expectations suites over whole frames, failures mapped back to rows."""

from diklat.gate.deferred import defer

# Before anything here imports Great Expectations: what its unused expectations import waits for use.
defer("scipy.stats", "altair")
