"""Several versions of an instrument read together (a report over waves that ran with different ones)."""

from __future__ import annotations

from collections.abc import Sequence

from schemas.instrument import Instrument


def merged_instrument(versions: Sequence[Instrument]) -> Instrument:
    """The last version given, plus the items only earlier versions asked (in their level).

    Answers are stored by item code, so a report over waves of different versions must know every
    item any of them asked; an item's latest wording and settings win.
    """
    if not versions:
        raise ValueError("no instrument")
    base = versions[-1]
    known = set(base.item_levels())
    levels = {lv.level: lv for lv in base.levels}
    for older in reversed(versions[:-1]):
        for lv in older.levels:
            extra = [item for item in lv.items if item.code not in known]
            if not extra:
                continue
            known.update(item.code for item in extra)
            if lv.level in levels:
                levels[lv.level] = levels[lv.level].model_copy(update={"items": (*levels[lv.level].items, *extra)})
            else:
                levels[lv.level] = lv.model_copy(update={"items": tuple(extra)})
    return base.model_copy(update={"levels": tuple(levels[n] for n in sorted(levels))})
