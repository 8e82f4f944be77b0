"""The natural key of evidence rows (``key_of``): one text per row, the same for the same values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd

from diklat.domain.evidence import key_of


def test_every_kind_of_value_becomes_its_text_and_a_missing_one_empty():
    frame = pd.DataFrame(
        {
            "nip": pd.Series(["198001012006041001", None, "199203152019032002", np.nan], dtype=object),
            "session": pd.Series([3, 4.5, None, "S-01"], dtype=object),
            "day": pd.Series([date(2022, 10, 3), None, Decimal("85.50"), pd.NA], dtype=object),
        }
    )

    keys = key_of(frame, ("nip", "session", "day"))

    assert keys.tolist() == [
        "198001012006041001|3|2022-10-03",
        "|4.5|",
        "199203152019032002||85.50",
        "|S-01|",
    ]
    assert keys.index.equals(frame.index)


def test_one_column_is_its_own_key_and_an_empty_frame_has_none():
    frame = pd.DataFrame({"nip": ["1", "2"]}, index=[7, 9])

    assert key_of(frame, ("nip",)).to_dict() == {7: "1", 9: "2"}
    assert key_of(frame.iloc[:0], ("nip", "nip")).empty


def test_equal_values_give_equal_keys_and_a_separator_keeps_parts_apart():
    frame = pd.DataFrame({"a": ["1", "1", "11", None], "b": ["1", "1", None, "11"]})

    keys = key_of(frame, ("a", "b")).tolist()

    assert keys[0] == keys[1]
    assert len({keys[0], keys[2], keys[3]}) == 3
