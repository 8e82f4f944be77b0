"""Who guides whom: coaches (widyaiswara) spread evenly, mentors are the direct superiors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def assign_coaches(
    participants: Sequence[str], coaches: Sequence[str], load: Mapping[str, int], max_per_coach: int
) -> dict[str, str]:
    """Give each participant (in the order given) the least-loaded coach with room left.

    Ties go to the coach listed first, so the same inputs always give the same assignment.
    Participants left over when every coach is full stay unassigned (the caller reports them).
    """
    current = {c: load.get(c, 0) for c in coaches}
    out: dict[str, str] = {}
    for nip in participants:
        room = [c for c in coaches if current[c] < max_per_coach]
        if not room:
            break
        coach = min(room, key=lambda c: (current[c], coaches.index(c)))
        out[nip] = coach
        current[coach] += 1
    return out


def mentor_contacts(superiors: Sequence[object], names: Sequence[object], emails: Sequence[object]) -> dict[str, tuple]:
    """Mentor NIP -> (name, e-mail) as the roster gives them; the first row that gives a value wins.

    Several participants usually share one superior; a row that leaves the name or address empty
    does not erase what another row gave.
    """
    out: dict[str, list] = {}
    for nip, name, email in zip(superiors, names, emails, strict=True):
        if not isinstance(nip, str):
            continue
        found = out.setdefault(nip, [None, None])
        for i, value in enumerate((name, email)):
            if found[i] is None and isinstance(value, str) and value:
                found[i] = value
    return {nip: tuple(v) for nip, v in out.items() if v != [None, None]}
