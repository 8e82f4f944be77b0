"""What counts as an empty cell: the one rule every reader (NIP, dates, rank, answers) shares."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from diklat.domain.values import is_missing

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("raw", [None, float("nan"), np.nan, pd.NA, pd.NaT, Decimal("NaN"), "", "   ", "\t\n"])
def test_nothing_nan_likes_and_blank_text_are_missing(raw):
    assert is_missing(raw)


@pytest.mark.parametrize("raw", [0, 0.0, False, "0", "-", " x ", date(2022, 7, 14), Decimal("0")])
def test_zero_a_dash_and_any_other_value_are_given(raw):
    assert not is_missing(raw)
