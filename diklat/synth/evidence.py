"""Evidence files for one cohort (attendance, guidance, deliverables) with known ground truth.

Everyone is a model participant (docs/milestone-rules.md never puts them at risk) except the few
given a planted fault; ``faults`` records what was planted (whose absences, on which days; which
stage came late, when), the ground truth a test turns into expected outcomes with its own reading of
the rules. Bad rows (which the gate must quarantine) are appended at the end of each file at the
reported row numbers (the header is row 1).

Seeded and clock-free: the same arguments give the same files. Nothing dated after ``as_of`` is
written, as if the files were exported that day.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd

from diklat.domain.calendar import Calendar, MilestoneSlot, SessionSlot, days_off_for
from diklat.synth.people import make_nip
from schemas.files import ATTENDANCE, DELIVERABLES, GUIDANCE, FileSpec
from schemas.template import Template

__all__ = [
    "BAD_ROW_KINDS",
    "DEFAULT_FAULTS",
    "FAULT_KINDS",
    "PlantedFault",
    "SynthEvidence",
    "make_evidence",
]

DAY = timedelta(days=1)
FIRST_DATA_ROW = 2  # the header is row 1, as the operator sees it in a spreadsheet

FAULT_KINDS = (
    "absent",
    "late_deliverable",
    "revision_not_cleared",
    "missing_deliverable",
    "coaching_gap",
    "rejected_deliverable",
)
WITHDRAWN = "withdrawn"
DEFAULT_FAULTS: Mapping[str, int] = {"absent": 2, "late_deliverable": 1, "coaching_gap": 1}
# Bad rows each file can get, cycled in a seeded order.
BAD_ROW_KINDS = {
    "attendance": ("unknown_nip", "outside_cohort", "not_session_day", "invalid_status", "duplicate"),
    "guidance": ("unknown_nip", "outside_cohort", "invalid_kind", "duplicate"),
    "deliverables": ("unknown_nip", "outside_cohort", "unknown_stage", "invalid_outcome", "duplicate"),
}


def _headers(spec: FileSpec) -> tuple[str, ...]:
    return tuple(c.aliases[0] for c in spec.columns if c.name != "quarantine_id")


ATTENDANCE_HEADERS = _headers(ATTENDANCE)  # NIP, TANGGAL, SESI, STATUS, JP
GUIDANCE_HEADERS = _headers(GUIDANCE)  # NIP, TANGGAL, JENIS, OLEH, TOPIK
DELIVERABLE_HEADERS = _headers(DELIVERABLES)  # NIP, TAHAP, TANGGAL, HASIL, CATATAN

TOPICS = (
    "Progres tahapan aksi perubahan",
    "Identifikasi dan pelibatan stakeholder",
    "Kendala implementasi dan solusinya",
    "Penyusunan laporan kemajuan",
    "Penguatan komitmen tim efektif",
    "Evaluasi capaian milestone jangka pendek",
    "Dokumentasi bukti dukung kegiatan",
    "Persiapan seminar evaluasi",
    "Strategi komunikasi dengan atasan dan pemangku kepentingan",
    "Rencana keberlanjutan aksi perubahan",
)
REVISION_NOTES = (
    "Perbaiki rumusan masalah dan indikator keberhasilan",
    "Lengkapi bukti dukung kegiatan",
    "Sesuaikan jadwal milestone dengan arahan mentor",
    "Perjelas peran stakeholder",
    "Tambahkan analisis manfaat aksi perubahan",
)
REJECT_NOTES = (
    "Tidak sesuai format dan substansi, susun ulang",
    "Isu yang diangkat bukan kewenangan peserta",
)
LATE_NOTE = "Terlambat dikumpulkan"
MODEL_EXCUSED_SHARE = 0.2  # share of model participants with one excused day (izin/sakit)
MODEL_REVISION_SHARE = 0.25  # share of stages a model participant first gets back for revision


@dataclass(frozen=True)
class PlantedFault:
    """One thing the generator made go wrong for one participant.

    ``stage`` and ``dates`` carry the ground truth a test needs: for ``absent`` the
    dates of the ``alpa`` sessions; for ``late_deliverable`` the late submission; for
    ``revision_not_cleared`` / ``rejected_deliverable`` the one record written; for ``coaching_gap``
    the last meeting (or the phase start) before the gap and the first meeting after it.
    """

    nip: str
    fault: str
    detail: str
    stage: str | None = None
    dates: tuple[date, ...] = ()


@dataclass(frozen=True)
class SynthEvidence:
    attendance: pd.DataFrame  # file content, all text, Indonesian headers
    guidance: pd.DataFrame
    deliverables: pd.DataFrame
    faults: tuple[PlantedFault, ...]
    bad_rows: dict[str, list[int]]  # file kind -> row numbers (header = row 1) that must be quarantined
    withdrawn: tuple[str, ...]  # evidence stops before their withdrawal date
    as_of: date | None = None  # the day the files were "exported": nothing later is in them
    withdrawal_dates: dict[str, date] = field(default_factory=dict)


# --- small helpers -----------------------------------------------------------------------------


def _fmt(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def _days(lo: date, hi: date) -> list[date]:
    return [lo + i * DAY for i in range((hi - lo).days + 1)] if lo <= hi else []


def _is_working(day: date, days_off: set[date]) -> bool:
    return day.weekday() < 5 and day not in days_off


def _pick_day(rng: random.Random, lo: date, hi: date, days_off: set[date]) -> date:
    """A working day in ``lo … hi`` when there is one, else any day there (``lo`` if the range is empty)."""
    days = _days(lo, hi)
    if not days:
        return lo
    working = [d for d in days if _is_working(d, days_off)]
    return rng.choice(working or days)


def _year_earlier(day: date) -> date:
    """The operator's typo: the right day and month, last year."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _minimum(template: Template) -> Decimal:
    return Decimal(template.attendance_minimum_percent)


def _below(attended: int, scheduled: int, minimum: Decimal) -> bool:
    """attended / scheduled < minimum %, exactly."""
    return scheduled > 0 and Decimal(attended) * 100 < minimum * scheduled


def _workplace(calendar: Calendar) -> tuple[date, date] | None:
    coaching = next((m for m in calendar.milestones if m.kind == "coaching"), None)
    if coaching is not None:
        span = calendar.phase(coaching.phase)
        return span.first_day, span.last_day
    span = next((p for p in calendar.phases if p.kind == "workplace"), None)
    return (span.first_day, span.last_day) if span else None


def _stage_milestones(calendar: Calendar) -> list[MilestoneSlot]:
    return [m for m in calendar.milestones if m.kind in ("deliverable", "seminar") and m.rule.get("stage")]


def _revision_days(milestone: MilestoneSlot) -> int:
    return int(milestone.rule.get("revision_days") or 0)


# --- one participant's evidence ------------------------------------------------------------------

AttRow = tuple[str, date, str, str, int]  # nip, date, session, status, jp
GuiRow = tuple[str, date, str, str, str]  # nip, date, kind, by, topic
DelRow = tuple[str, str, date, str, str]  # nip, stage, date, outcome, notes


@dataclass
class _Person:
    nip: str
    statuses: dict[str, tuple[str, int]]  # session code -> (status, jp attended)
    meetings: list[date]
    stages: dict[str, list[tuple[date, str, str]]]  # stage -> (date, outcome, notes)
    excused: bool = False


@dataclass(frozen=True)
class _Ctx:
    calendar: Calendar
    template: Template
    as_of: date
    days_off: set[date]

    @property
    def max_gap(self) -> int:
        return self.template.coaching.max_gap_days


def _meetings_after(rng: random.Random, begin: date, end: date, is_meeting: bool, days_off: set[date]) -> list[date]:
    """Coaching/mentoring every 5–10 days after ``begin`` so that the last one is at most 7 days before ``end``."""
    out: list[date] = []
    last = begin
    lo, hi = (5, 10) if is_meeting else (1, 7)
    while (end - last).days > 7:
        nxt = _pick_day(rng, last + lo * DAY, min(last + hi * DAY, end), days_off)
        out.append(nxt)
        last = nxt
        lo, hi = 5, 10
    return out


def _model_stage(rng: random.Random, m: MilestoneSlot, ctx: _Ctx) -> list[tuple[date, str, str]]:
    due, start = m.due_date, ctx.calendar.start_date
    lead = 2 if m.kind == "seminar" else 5
    revise = rng.random() < MODEL_REVISION_SHARE
    first_lo, first_hi = max(start, due - 7 * DAY), due - 2 * DAY
    if revise and first_lo <= first_hi:
        returned = _pick_day(rng, first_lo, first_hi, ctx.days_off)
        accepted = _pick_day(
            rng, returned + DAY, min(due + _revision_days(m) * DAY, ctx.calendar.end_date), ctx.days_off
        )
        return [(returned, "revisi", rng.choice(REVISION_NOTES)), (accepted, "diterima", "")]
    return [(_pick_day(rng, max(start, due - lead * DAY), due, ctx.days_off), "diterima", "")]


def _model(nip: str, seed: int, ctx: _Ctx) -> _Person:
    """A model participant: present, guided regularly, every stage accepted in time."""
    rng = random.Random(f"{seed}:evidence:{nip}")
    cal = ctx.calendar
    statuses = {s.code: ("hadir", s.jp) for s in cal.sessions}
    excused = False
    if rng.random() < MODEL_EXCUSED_SHARE and cal.sessions:
        session = rng.choice(cal.sessions)
        status = rng.choice(("izin", "sakit"))
        # one excused session must leave the minimum reachable, or the model would be a fault
        total = sum(s.jp for s in cal.sessions)
        if not _below(total - session.jp, total, _minimum(ctx.template)):
            statuses[session.code] = (status, 0)
            excused = True
    span = _workplace(cal)
    meetings = _meetings_after(rng, span[0], span[1], False, ctx.days_off) if span else []
    stages = {m.rule["stage"]: _model_stage(rng, m, ctx) for m in _stage_milestones(cal)}
    return _Person(nip, statuses, meetings, stages, excused)


def _prefer(candidates: list[MilestoneSlot], observable: Callable[[MilestoneSlot], bool]) -> list[MilestoneSlot]:
    seen = [m for m in candidates if observable(m)]
    return seen or candidates


def _plant(person: _Person, kind: str, rng: random.Random, ctx: _Ctx) -> PlantedFault:
    """Overlay one fault on a model participant; the fault says what was planted."""
    cal, as_of = ctx.calendar, ctx.as_of
    nip = person.nip
    stages = _stage_milestones(cal)
    if kind == "absent":
        return _plant_absent(person, rng, ctx)
    if kind == "coaching_gap":
        return _plant_gap(person, rng, ctx)
    if not stages:
        raise ValueError(f"the template has no deliverable or seminar to plant {kind}")
    if kind == "late_deliverable":
        possible = [m for m in stages if m.due_date < cal.end_date]
        if not possible:
            raise ValueError("no stage is due before the cohort ends, so none can be late")
        m = rng.choice(_prefer(possible, lambda m: m.due_date < as_of))
        last = min(m.due_date + 7 * DAY, cal.end_date)
        if m.due_date < as_of:
            last = min(last, as_of)
        day = _pick_day(rng, m.due_date + DAY, last, ctx.days_off)
        person.stages[m.rule["stage"]] = [(day, "diterima", LATE_NOTE)]
        detail = f"{m.rule['stage']} due {m.due_date}, submitted late on {day} and accepted"
        return PlantedFault(nip, kind, detail, m.rule["stage"], (day,))
    if kind == "missing_deliverable":
        m = rng.choice(_prefer(stages, lambda m: m.due_date < as_of))
        person.stages[m.rule["stage"]] = []
        return PlantedFault(nip, kind, f"{m.rule['stage']} due {m.due_date}, never submitted", m.rule["stage"])
    if kind in ("revision_not_cleared", "rejected_deliverable"):
        if kind == "revision_not_cleared":
            m = rng.choice(_prefer(stages, lambda m: m.due_date + _revision_days(m) * DAY < as_of))
        else:
            m = rng.choice(_prefer(stages, lambda m: m.due_date < as_of))
        day = _pick_day(rng, max(cal.start_date, m.due_date - 5 * DAY), m.due_date, ctx.days_off)
        if kind == "revision_not_cleared":
            person.stages[m.rule["stage"]] = [(day, "revisi", rng.choice(REVISION_NOTES))]
            detail = (
                f"{m.rule['stage']} due {m.due_date}: returned for revision on {day}, never accepted "
                f"(allowance {_revision_days(m)} days)"
            )
        else:
            person.stages[m.rule["stage"]] = [(day, "ditolak", rng.choice(REJECT_NOTES))]
            detail = f"{m.rule['stage']} due {m.due_date}: rejected on {day}, nothing after"
        return PlantedFault(nip, kind, detail, m.rule["stage"], (day,))
    raise ValueError(f"unknown fault: {kind}")


def _plant_absent(person: _Person, rng: random.Random, ctx: _Ctx) -> PlantedFault:
    cal, template = ctx.calendar, ctx.template
    total = sum(s.jp for s in cal.sessions)
    eligible = [s for s in cal.sessions if s.date <= ctx.as_of]
    chosen: list[SessionSlot] = []
    lost = 0
    for session in rng.sample(eligible, len(eligible)):
        if _below(total - lost, total, _minimum(template)):
            break
        chosen.append(session)
        lost += session.jp
    chosen.sort(key=lambda s: s.date)
    person.statuses = {s.code: ("hadir", s.jp) for s in cal.sessions}
    person.excused = False
    for s in chosen:
        person.statuses[s.code] = ("alpa", 0)
    lost = sum(s.jp for s in chosen)
    allowed = f"{total - total * _minimum(template) / 100:f}"
    reached = (
        "" if _below(total - lost, total, _minimum(template)) else " (not yet unreachable: too few sessions by as_of)"
    )
    detail = (
        f"alpa at {', '.join(s.code for s in chosen) or 'no session'}: {lost} JP lost of {allowed} allowed{reached}"
    )
    return PlantedFault(person.nip, "absent", detail, None, tuple(s.date for s in chosen))


def _plant_gap(person: _Person, rng: random.Random, ctx: _Ctx) -> PlantedFault:
    span = _workplace(ctx.calendar)
    if span is None:
        raise ValueError("the calendar has no workplace phase for a coaching gap")
    w0, w1 = span
    gap = ctx.max_gap + 5
    room = (w1 - w0).days - gap
    if room < 2:
        raise ValueError("the workplace phase is too short for a coaching gap")
    target = w0 + min(room, max(0, room // 2 + rng.randint(-3, 3))) * DAY
    before = _meetings_after(rng, w0, target, False, ctx.days_off) if (target - w0).days > 7 else []
    before = [d for d in before if d <= target]
    gap_start = before[-1] if before else w0
    gap_end = gap_start + gap * DAY
    while not _is_working(gap_end, ctx.days_off) and gap_end < w1:
        gap_end += DAY
    person.meetings = [*before, gap_end, *_meetings_after(rng, gap_end, w1, True, ctx.days_off)]
    since = f"the last meeting on {gap_start}" if before else f"the phase start {w0}"
    detail = f"no coaching or mentoring from {since} until {gap_end} ({(gap_end - gap_start).days} days)"
    return PlantedFault(person.nip, "coaching_gap", detail, None, (gap_start, gap_end))


# --- files -------------------------------------------------------------------------------------


def _rows(person: _Person, seed: int, ctx: _Ctx, stop: date | None) -> tuple[list[AttRow], list[GuiRow], list[DelRow]]:
    """The participant's rows dated ≤ as_of (and before ``stop``, a withdrawal)."""
    rng = random.Random(f"{seed}:evidence:{person.nip}:text")

    def keep(day: date) -> bool:
        return day <= ctx.as_of and (stop is None or day < stop)

    att = [(person.nip, s.date, s.code, *person.statuses[s.code]) for s in ctx.calendar.sessions if keep(s.date)]
    gui = []
    for day in person.meetings:
        jenis = rng.choice(("coaching", "mentoring"))
        topic = rng.choice(TOPICS)
        if keep(day):
            gui.append((person.nip, day, jenis, "", topic))
    dlv = [
        (person.nip, stage, day, outcome, notes)
        for stage, records in person.stages.items()
        for day, outcome, notes in records
        if keep(day)
    ]
    return att, gui, dlv


def _fault_plan(faults: Mapping[str, int] | None) -> list[str]:
    faults = DEFAULT_FAULTS if faults is None else faults
    unknown = set(faults) - {*FAULT_KINDS, WITHDRAWN}
    if unknown:
        raise ValueError(f"unknown faults: {sorted(unknown)}")
    if any(n < 0 for n in faults.values()):
        raise ValueError("fault counts cannot be negative")
    return [kind for kind in (*FAULT_KINDS, WITHDRAWN) for _ in range(faults.get(kind, 0))]


def make_evidence(
    nips: Sequence[str],
    calendar: Calendar,
    template: Template,
    seed: int,
    as_of: date,
    faults: Mapping[str, int] | None = None,
    bad_rows: int = 0,
) -> SynthEvidence:
    """The three evidence files of a cohort as exported on ``as_of``, with planted faults and bad rows.

    ``faults`` counts per kind (each on a distinct participant; ``"withdrawn"`` too), default
    ``DEFAULT_FAULTS``. ``bad_rows`` rows are appended to each file (see ``BAD_ROW_KINDS``).
    """
    nips = list(nips)
    if len(set(nips)) != len(nips):
        raise ValueError("duplicate NIPs")
    if bad_rows < 0:
        raise ValueError("bad_rows cannot be negative")
    plan = _fault_plan(faults)
    if len(plan) > len(nips):
        raise ValueError(f"{len(plan)} faults need as many participants, there are {len(nips)}")
    ctx = _Ctx(calendar, template, as_of, days_off_for(template, calendar.start_date))
    rng = random.Random(f"{seed}:evidence:faults")
    assigned = dict(zip(rng.sample(nips, len(plan)), plan, strict=True))

    people: dict[str, _Person] = {}
    planted: list[PlantedFault] = []
    withdrawal: dict[str, date] = {}
    for nip in nips:
        person = _model(nip, seed, ctx)
        kind = assigned.get(nip)
        frng = random.Random(f"{seed}:evidence:{nip}:{kind}")
        if kind == WITHDRAWN:
            lo = calendar.start_date + 5 * DAY
            hi = min(as_of, calendar.end_date)
            withdrawal[nip] = frng.choice(_days(lo, hi)) if lo <= hi else max(calendar.start_date, hi)
        elif kind is not None:
            planted.append(_plant(person, kind, frng, ctx))
        people[nip] = person

    att: list[AttRow] = []
    gui: list[GuiRow] = []
    dlv: list[DelRow] = []
    for nip in nips:
        a, g, d = _rows(people[nip], seed, ctx, withdrawal.get(nip))
        att += a
        gui += g
        dlv += d
    order = {nip: i for i, nip in enumerate(nips)}
    stage_order = {m.rule["stage"]: i for i, m in enumerate(_stage_milestones(calendar))}
    att.sort(key=lambda r: (r[1], order[r[0]]))
    gui.sort(key=lambda r: (r[1], order[r[0]]))
    dlv.sort(key=lambda r: (r[2], stage_order.get(r[1], 0), order[r[0]]))

    model = [n for n in nips if n not in assigned]
    if bad_rows and not model:
        raise ValueError("bad rows need at least one participant without a planted fault")
    bad = _BadRows(seed, ctx, nips, model, people)
    att_text, att_bad = bad.attendance(att, bad_rows)
    gui_text, gui_bad = bad.guidance(gui, bad_rows)
    dlv_text, dlv_bad = bad.deliverables(dlv, bad_rows)

    return SynthEvidence(
        attendance=pd.DataFrame(att_text, columns=list(ATTENDANCE_HEADERS), dtype=str),
        guidance=pd.DataFrame(gui_text, columns=list(GUIDANCE_HEADERS), dtype=str),
        deliverables=pd.DataFrame(dlv_text, columns=list(DELIVERABLE_HEADERS), dtype=str),
        faults=tuple(planted),
        bad_rows={"attendance": att_bad, "guidance": gui_bad, "deliverables": dlv_bad},
        withdrawn=tuple(n for n in nips if n in withdrawal),
        as_of=as_of,
        withdrawal_dates=withdrawal,
    )


class _BadRows:
    """Realistic rows the gate must quarantine, appended after the good rows of each file.

    Rows that reuse a participant's key (a duplicate, or a ``telat`` row that replaces the
    participant's own row for that session) only touch model participants, at most one row each,
    and are chosen so that the participant stays clear of every at-risk reason even if the checker
    dropped the original row as well.
    """

    def __init__(self, seed: int, ctx: _Ctx, nips: list[str], model: list[str], people: dict[str, _Person]):
        self.seed, self.ctx, self.model, self.people = seed, ctx, model, people
        self.nips = set(nips)
        self.touched: set[str] = set()  # model participants with a key reused already
        self.unknown: set[str] = set()
        self.modelset = set(model)

    def _rng(self, kind: str) -> random.Random:
        return random.Random(f"{self.seed}:evidence:bad:{kind}")

    def _unknown_nip(self, rng: random.Random) -> str:
        while True:
            birth = date(rng.randint(1968, 1992), rng.randint(1, 12), rng.randint(1, 28))
            tmt = date(birth.year + rng.randint(23, 30), rng.randint(1, 12), 1)
            nip = make_nip(rng, birth, tmt, rng.choice("LP"))
            if nip not in self.nips and nip not in self.unknown:
                self.unknown.add(nip)
                return nip

    def _cohort_days(self) -> list[date]:
        return _days(self.ctx.calendar.start_date, min(self.ctx.as_of, self.ctx.calendar.end_date))

    def _fallback_day(self) -> date:
        """A day for a row that has nothing to copy (no evidence yet): last year's typo of the start."""
        return _year_earlier(min(self.ctx.as_of, self.ctx.calendar.start_date))

    def _cycle(self, rng: random.Random, file_kind: str, k: int, make: Callable[[str], tuple | None]) -> list[tuple]:
        kinds = list(BAD_ROW_KINDS[file_kind])
        rng.shuffle(kinds)
        out = []
        for i in range(k):
            for j in range(len(kinds)):
                row = make(kinds[(i + j) % len(kinds)])
                if row is not None:
                    out.append(row)
                    break
        return out

    @staticmethod
    def _finish(good: list[tuple], removed: set[int], bad: list[tuple], fmt: Callable[[tuple], list[str]]):
        kept = [fmt(r) for i, r in enumerate(good) if i not in removed]
        first = len(kept) + FIRST_DATA_ROW
        return kept + [fmt(r) for r in bad], list(range(first, first + len(bad)))

    # attendance: nip, date, session, status, jp
    def attendance(self, good: list[AttRow], k: int) -> tuple[list[list[str]], list[int]]:
        rng = self._rng("attendance")
        cal = self.ctx.calendar
        session_days = {s.date for s in cal.sessions}
        session_jp = {s.code: s.jp for s in cal.sessions}
        full_day = max(session_jp.values(), default=8)
        removed: set[int] = set()

        def usable() -> list[int]:
            return [
                i
                for i, r in enumerate(good)
                if r[0] in self.modelset
                and r[0] not in self.touched
                and not self.people[r[0]].excused
                and r[3] == "hadir"
                and i not in removed
            ]

        def make(kind: str) -> tuple | None:
            if kind == "unknown_nip":
                if good:
                    r = rng.choice(good)
                    return (self._unknown_nip(rng), r[1], r[2], "hadir", str(session_jp[r[2]]))
                return (self._unknown_nip(rng), self._fallback_day(), "", "hadir", str(full_day))
            if kind == "outside_cohort":
                model_rows = [r for r in good if r[0] in self.modelset]
                if model_rows:
                    r = rng.choice(model_rows)
                    return (r[0], _year_earlier(r[1]), "", r[3], str(r[4]))
                return (rng.choice(self.model), self._fallback_day(), "", "hadir", "8")
            if kind == "not_session_day":
                days = [
                    d for d in self._cohort_days() if d not in session_days and not _is_working(d, self.ctx.days_off)
                ]
                if not days:
                    return None
                return (rng.choice(self.model), rng.choice(days), "", "hadir", str(full_day))
            rows = usable()
            if not rows:
                return None
            i = rng.choice(rows)
            r = good[i]
            self.touched.add(r[0])
            if kind == "invalid_status":
                removed.add(i)  # the operator typed "telat" in the participant's own row
                return (r[0], r[1], r[2], "telat", str(r[4]))
            return (r[0], r[1], r[2], r[3], str(r[4]))  # duplicate: the same row pasted twice

        bad = self._cycle(rng, "attendance", k, make)
        return self._finish(good, removed, bad, lambda r: [r[0], _fmt(r[1]), r[2], r[3], str(r[4])])

    # guidance: nip, date, kind, by, topic
    def guidance(self, good: list[GuiRow], k: int) -> tuple[list[list[str]], list[int]]:
        rng = self._rng("guidance")
        span = _workplace(self.ctx.calendar)

        def removable(i: int) -> bool:
            """Dropping this meeting would still leave no stretch over the maximum by as_of."""
            nip, day = good[i][0], good[i][1]
            if span is None:
                return True
            meetings = sorted(d for n, d, *_ in good if n == nip)
            at = meetings.index(day)
            prev = meetings[at - 1] if at > 0 else span[0]
            nxt = meetings[at + 1] if at + 1 < len(meetings) else min(span[1], self.ctx.as_of)
            return (nxt - prev).days <= self.ctx.max_gap

        def make(kind: str) -> tuple | None:
            if kind == "unknown_nip":
                if good:
                    r = rng.choice(good)
                    return (self._unknown_nip(rng), r[1], r[2], "", r[4])
                return (self._unknown_nip(rng), self._fallback_day(), "coaching", "", rng.choice(TOPICS))
            if kind == "outside_cohort":
                model_rows = [r for r in good if r[0] in self.modelset]
                if model_rows:
                    r = rng.choice(model_rows)
                    return (r[0], _year_earlier(r[1]), r[2], "", r[4])
                return (rng.choice(self.model), self._fallback_day(), "mentoring", "", rng.choice(TOPICS))
            if kind == "invalid_kind":
                days = self._cohort_days()
                if not days:
                    return None
                nip = rng.choice(self.model)
                taken = {r[1] for r in good if r[0] == nip}
                free = [d for d in days if d not in taken] or days
                return (nip, rng.choice(free), "konsultasi", "", rng.choice(TOPICS))
            rows = [
                i for i, r in enumerate(good) if r[0] in self.modelset and r[0] not in self.touched and removable(i)
            ]
            if not rows:
                return None
            r = good[rng.choice(rows)]
            self.touched.add(r[0])
            return r

        bad = self._cycle(rng, "guidance", k, make)
        return self._finish(good, set(), bad, lambda r: [r[0], _fmt(r[1]), r[2], r[3], r[4]])

    # deliverables: nip, stage, date, outcome, notes
    def deliverables(self, good: list[DelRow], k: int) -> tuple[list[list[str]], list[int]]:
        rng = self._rng("deliverables")
        due = {m.rule["stage"]: m.due_date for m in _stage_milestones(self.ctx.calendar)}

        def harmless(r: DelRow) -> bool:
            """Losing this row changes nothing: a revision that was accepted in time, or a stage not due yet."""
            if due[r[1]] >= self.ctx.as_of:
                return True
            return r[3] == "revisi" and any(
                g[0] == r[0] and g[1] == r[1] and g[3] == "diterima" and g[2] <= due[r[1]] for g in good
            )

        def make(kind: str) -> tuple | None:
            if kind == "unknown_nip":
                if good:
                    r = rng.choice(good)
                    return (self._unknown_nip(rng), r[1], r[2], r[3], r[4])
                return (self._unknown_nip(rng), next(iter(due), "rancangan"), self._fallback_day(), "diterima", "")
            if kind == "outside_cohort":
                model_rows = [r for r in good if r[0] in self.modelset]
                if model_rows:
                    r = rng.choice(model_rows)
                    return (r[0], r[1], _year_earlier(r[2]), r[3], r[4])
                return (rng.choice(self.model), next(iter(due), "rancangan"), self._fallback_day(), "diterima", "")
            if kind in ("unknown_stage", "invalid_outcome"):
                days = self._cohort_days()
                if not days:
                    return None
                nip = rng.choice(self.model)
                if kind == "unknown_stage":
                    return (nip, "laporan_bulanan", rng.choice(days), "diterima", "")
                stage = rng.choice(list(due))
                taken = {r[2] for r in good if r[0] == nip and r[1] == stage}
                free = [d for d in days if d not in taken] or days
                return (nip, stage, rng.choice(free), "menunggu", "Menunggu penilaian coach")
            rows = [i for i, r in enumerate(good) if r[0] in self.modelset and r[0] not in self.touched and harmless(r)]
            if not rows:
                return None
            r = good[rng.choice(rows)]
            self.touched.add(r[0])
            return r

        bad = self._cycle(rng, "deliverables", k, make)
        return self._finish(good, set(), bad, lambda r: [r[0], r[1], _fmt(r[2]), r[3], r[4]])
