"""What fits in the database, per file kind: each stored text column's length, read from the tables.

Derived, never typed twice: widen a column in ``schemas/tables.py`` (and its migration) and the gate
accepts the longer values; a value over the limit is a quarantined row with its reason, on SQLite
(which would store it) as on PostgreSQL (which would refuse the whole file with a database error).
"""

from __future__ import annotations

from sqlalchemy.orm import InstrumentedAttribute

from schemas import tables as t


def _length(column: InstrumentedAttribute) -> int:
    return int(column.property.columns[0].type.length)


STORED_LENGTHS: dict[str, dict[str, int]] = {
    "roster": {
        "name": _length(t.Employee.name),
        "position": _length(t.Employee.position),
        "unit": _length(t.Employee.unit),
        "email": _length(t.Employee.email),
        "phone": _length(t.Employee.phone),
        "superior_name": _length(t.Assignment.person_name),
        "superior_email": _length(t.Assignment.email),
    },
    "coaches": {"name": _length(t.Assignment.person_name), "email": _length(t.Assignment.email)},
    "assessors": {"name": _length(t.Assessor.name)},
    "guidance": {"topic": _length(t.GuidanceLog.topic)},
    "deliverables": {"notes": _length(t.Deliverable.notes)},
    "scores": {"assessor": _length(t.Score.assessor)},
    "responses": {"answer": _length(t.SurveyAnswer.answer)},
}
