"""The validation gate: Great Expectations suites over whole frames, failures mapped back to rows."""
