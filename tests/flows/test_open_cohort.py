"""open-cohort on a Prefect test server, against SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from diklat.bootstrap import services
from diklat.synth.roster import coaches_frame, make_roster, write_table
from flows.open_cohort import open_cohort
from schemas import tables as t
from tests.helpers import open_params, snapshot

pytestmark = [pytest.mark.flows, pytest.mark.usefixtures("prefect_harness")]

START = date(2022, 7, 14)


def _enrolled(cohort_number: int = 1) -> int:
    with services().unit_of_work() as session:
        return session.scalar(
            select(func.count()).select_from(t.Enrolment).join(t.Cohort).where(t.Cohort.number == cohort_number)
        )


def _open_quarantine() -> list[tuple[int, list]]:
    with services().unit_of_work() as session:
        return session.execute(
            select(t.QuarantinedRow.row_number, t.QuarantinedRow.reasons)
            .where(t.QuarantinedRow.status == "open")
            .order_by(t.QuarantinedRow.row_number)
        ).all()


def test_thirty_rows_with_five_faults_open_a_cohort_of_25_then_30_after_the_fix(settings, tmp_path: Path) -> None:
    synth = make_roster(30, seed=5, today=START, faults=5)
    roster = write_table(synth.frame, tmp_path / "roster.xlsx")
    coaches = write_table(coaches_frame(3, seed=2), tmp_path / "coaches.csv")
    params = open_params(roster, coaches=str(coaches))

    state = open_cohort(params, return_state=True)
    summary = state.result()
    assert state.is_completed()
    assert (summary.counts.rows_read, summary.counts.rows_accepted, summary.counts.rows_quarantined) == (30, 25, 5)
    assert _enrolled() == 25
    quarantined = _open_quarantine()
    assert [row for row, _ in quarantined] == sorted(f.row_number for f in synth.faults)
    assert all(reasons for _, reasons in quarantined)
    expected_codes = {
        "nip_scientific": "nip.scientific",
        "nip_short": "nip.length",
        "golongan_unknown": "golongan.unknown",
        "name_missing": "name.missing",
        "duplicate_nip": "row.duplicate_nip",
    }
    by_row = {row: {r["code"] for r in reasons} for row, reasons in quarantined}
    for fault in synth.faults:
        assert expected_codes[fault.fault] in by_row[fault.row_number], fault
    assert summary.without_coach == 0 and summary.without_mentor == 0
    assert summary.sessions == 36 and summary.milestones == 10

    # The same file again changes nothing at all.
    before = snapshot(settings.sqlalchemy_url)
    again = open_cohort(params, return_state=True).result()
    assert again.counts.already_processed
    assert snapshot(settings.sqlalchemy_url) == before

    # The operator fixes the rejected-rows file and sends it back: the cohort reaches 30.
    rejected = pd.read_excel(summary.rejected_file, dtype=str)
    assert len(rejected) == 5 and rejected["ID KARANTINA"].notna().all()
    fixed = synth.clean_frame.iloc[[f.row_number - 2 for f in sorted(synth.faults, key=lambda f: f.row_number)]]
    fixed = fixed.assign(**{"ID KARANTINA": rejected["ID KARANTINA"].to_numpy()})
    resubmitted = open_cohort(
        params.model_copy(update={"roster": str(write_table(fixed, tmp_path / "fixed.xlsx"))}),
        return_state=True,
    ).result()
    assert (resubmitted.counts.rows_accepted, resubmitted.counts.rows_resolved) == (5, 5)
    assert _enrolled() == 30
    assert _open_quarantine() == []


def test_the_clean_file_resubmitted_in_full_adds_only_the_missing_rows(settings, tmp_path: Path) -> None:
    synth = make_roster(30, seed=8, today=START, faults=3)
    open_cohort(open_params(write_table(synth.frame, tmp_path / "a.csv")), return_state=True)
    result = open_cohort(open_params(write_table(synth.clean_frame, tmp_path / "b.csv")), return_state=True).result()
    assert result.counts.rows_accepted == 30
    assert result.counts.rows_unchanged == 27
    assert _enrolled() == 30
    assert _open_quarantine() == []


def test_a_file_without_the_nip_column_stops_the_run_with_one_message(settings, tmp_path: Path) -> None:
    synth = make_roster(5, seed=1, today=START)
    roster = write_table(synth.frame.drop(columns=["NIP"]), tmp_path / "roster.csv")
    state = open_cohort(open_params(roster), return_state=True)
    assert state.is_failed()
    assert "roster.csv" in state.message and "NIP" in state.message
    assert _enrolled() == 0


def test_a_second_cohort_quarantines_officials_still_running_in_the_first(settings, tmp_path: Path) -> None:
    first = make_roster(10, seed=3, today=START)
    open_cohort(open_params(write_table(first.frame, tmp_path / "one.csv")), return_state=True)
    second = make_roster(10, seed=4, today=START).frame
    second.iloc[0] = first.frame.iloc[0]
    result = open_cohort(
        open_params(write_table(second, tmp_path / "two.csv"), cohort=2, start=date(2022, 8, 22)),
        return_state=True,
    ).result()
    assert (result.counts.rows_accepted, result.counts.rows_quarantined) == (9, 1)
    [(row, reasons)] = _open_quarantine()
    assert row == 2 and reasons[0]["code"] == "enrolment.in_running_cohort"


def test_a_new_template_version_never_changes_a_running_cohort(settings, tmp_path: Path, monkeypatch) -> None:
    import yaml

    from diklat.settings import get_settings
    from diklat.templates import resolve_template, template_body

    open_cohort(
        open_params(write_table(make_roster(3, seed=1, today=START).frame, tmp_path / "a.csv")), return_state=True
    )
    newer = template_body(resolve_template("PKP"))
    newer.update(version="2023.1", capacity=40)
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "pkp-2023.1.yaml").write_text(yaml.safe_dump(newer))
    monkeypatch.setenv("DIKLAT_TEMPLATE_DIR", str(folder))
    get_settings.cache_clear()

    more = write_table(make_roster(3, seed=2, today=START).frame, tmp_path / "b.csv")
    open_cohort(open_params(more), return_state=True)  # top-up of cohort 1: still 2019.2
    open_cohort(open_params(more, cohort=2, start=date(2022, 8, 22)), return_state=True)  # new: 2023.1
    with services().unit_of_work() as session:
        rows = session.execute(
            select(t.Cohort.number, t.Cohort.capacity, t.ProgrammeTemplate.version)
            .join(t.ProgrammeTemplate)
            .order_by(t.Cohort.number)
        ).all()
    assert rows == [(1, 30, "2019.2"), (2, 40, "2023.1")]


def test_a_template_version_whose_body_changed_is_refused(settings, tmp_path: Path, monkeypatch) -> None:
    import yaml

    from diklat.settings import get_settings
    from diklat.templates import resolve_template, template_body

    open_cohort(
        open_params(write_table(make_roster(3, seed=1, today=START).frame, tmp_path / "a.csv")), return_state=True
    )
    edited = template_body(resolve_template("PKP"))
    edited["capacity"] = 35  # same version 2019.2, different body
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "edited.yaml").write_text(yaml.safe_dump(edited))
    monkeypatch.setenv("DIKLAT_TEMPLATE_DIR", str(folder))
    get_settings.cache_clear()
    state = open_cohort(
        open_params(
            write_table(make_roster(3, seed=2, today=START).frame, tmp_path / "b.csv"),
            cohort=2,
            start=date(2022, 8, 22),
        ),
        return_state=True,
    )
    assert state.is_failed()
    assert "PKP@2019.2" in state.message and "new version" in state.message


def test_a_coaches_file_passes_the_gate_its_bad_rows_quarantined_and_its_typed_nips_normalised(
    settings, tmp_path: Path
) -> None:
    synth = make_roster(10, seed=6, today=START)
    coaches = coaches_frame(3, seed=4)
    good = coaches["NIP"].iloc[0]
    coaches.loc[0, "NIP"] = f"{good[:8]} {good[8:14]} {good[14]} {good[15:]}"  # typed with spaces
    coaches.loc[1, "NIP"] = coaches["NIP"].iloc[1][:15]  # lost digits
    coaches.loc[2, "NAMA"] = ""  # no name
    params = open_params(
        write_table(synth.frame, tmp_path / "r.csv"), coaches=str(write_table(coaches, tmp_path / "c.csv"))
    )

    summary = open_cohort(params, return_state=True).result()
    assert (summary.coaches.rows_read, summary.coaches.rows_accepted, summary.coaches.rows_quarantined) == (3, 1, 2)
    assert summary.coaches_rejected_file and Path(summary.coaches_rejected_file).is_file()
    assert summary.without_coach == 0  # the one coach left has room for all ten
    with services().unit_of_work() as session:
        assigned = set(session.scalars(select(t.Assignment.person_nip).where(t.Assignment.role == "coach")))
        kinds = dict(
            session.execute(
                select(t.QuarantinedRow.row_number, t.QuarantinedRow.kind).where(t.QuarantinedRow.status == "open")
            ).all()
        )
    assert assigned == {good}  # stored as 18 digits, never as typed
    assert kinds == {3: "coaches", 4: "coaches"}

    again = open_cohort(params, return_state=True).result()  # the same files again change nothing
    assert again.coaches.already_processed and again.counts.already_processed
    assert len(_open_quarantine()) == 2


def test_the_rosters_superior_contact_makes_the_mentor_reachable_and_a_bad_address_is_quarantined(
    settings, tmp_path: Path
) -> None:
    from diklat.store.participants import guide_contacts

    frame = make_roster(4, seed=12, today=START).frame
    frame["NAMA ATASAN"] = [f"Atasan {i}" for i in range(4)]
    frame["EMAIL ATASAN"] = ["atasan0@jambikota.go.id", "atasan1@jambikota.go.id", "atasan2@", ""]
    summary = open_cohort(open_params(write_table(frame, tmp_path / "r.csv")), return_state=True).result()
    assert (summary.counts.rows_accepted, summary.counts.rows_quarantined) == (3, 1)
    [(row, reasons)] = _open_quarantine()
    assert row == 4 and [(r["code"], r["column"]) for r in reasons] == [("email.invalid", "superior_email")]

    def mentor_emails() -> dict[str, str | None]:
        with services().unit_of_work() as session:
            contacts = guide_contacts(session, list(session.scalars(select(t.Cohort.id))))
            names = dict(session.execute(select(t.Enrolment.id, t.Enrolment.nip)).all())
        return {
            names[r.enrolment_id]: r.mentor_email if isinstance(r.mentor_email, str) else None
            for r in contacts.itertuples()
        }

    nips = frame["NIP"].str.replace(" ", "").tolist()
    assert mentor_emails() == {nips[0]: "atasan0@jambikota.go.id", nips[1]: "atasan1@jambikota.go.id", nips[3]: None}

    # a later roster without the columns does not erase what is known of the mentors
    fixed = frame.drop(columns=["NAMA ATASAN", "EMAIL ATASAN"])
    open_cohort(open_params(write_table(fixed, tmp_path / "r2.csv")), return_state=True)
    assert mentor_emails()[nips[0]] == "atasan0@jambikota.go.id"
