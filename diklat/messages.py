"""The operator's wording of every problem code, marked for translation.

A problem is stored as a code plus parameters and turned into words only when shown, in the
operator's language, so the same quarantine reads correctly in Indonesian and English.
"""

from __future__ import annotations

from typing import Any

from diklat.domain.problems import Problem
from diklat.i18n import N_, translator
from schemas.files import SPECS

MESSAGES: dict[str, str] = {
    # whole file
    "file.not_found": N_("The file {file} was not found. Check the path and the file name."),
    "file.unsupported_type": N_(
        "The file {file} has type '{suffix}', which cannot be read. Save it as .xlsx or .csv and try again."
    ),
    "file.unreadable": N_(
        "The file {file} cannot be opened ({detail}). Open it in a spreadsheet program, save it again as .xlsx "
        "or .csv, and try again."
    ),
    "form.no_alumnus": N_(
        "The form export {file} has no column with the alumnus's NIP. Add a question 'NIP Alumni' to the form "
        "(or a column with that header to the file), then send it again."
    ),
    "form.unknown_questions": N_(
        "The form export {file} has questions diklat cannot match to an item of the evaluation instrument: "
        "{value}. Word them as the instrument does, or map them in the agency's instrument version "
        "(questions), then send the file again."
    ),
    "form.no_questions": N_("The form export {file} has no question of the evaluation instrument."),
    "form.question_twice": N_(
        "The form export {file} asks the same instrument item twice (column '{value}'). Keep one column per item."
    ),
    "form.no_wave": N_(
        "The form export {file} does not say which wave its answers belong to. Choose the wave in the form "
        "(e.g. 3m), or add a GELOMBANG column."
    ),
    "file.empty": N_("The file {file} has no data rows. Fill in at least one row below the header row."),
    "file.missing_columns": N_(
        "The file {file} is missing the required column(s): {expected}. Add them to the header row "
        "(the first row) with these names."
    ),
    "file.duplicate_column": N_("The file {file} has several columns for {column}: {headers}. Keep only one of them."),
    "file.mostly_invalid": N_(
        "{bad} of the {read} rows of {file} ({percent}%) cannot be used, so nothing of the file was saved: it is "
        "probably the wrong file, or its columns are shifted. The commonest reason, first seen on row {row}:"
    ),
    "file.mostly_invalid_start": N_(
        "{bad} of the first {read} rows of {file} ({percent}%) cannot be used, so the file was refused without "
        "reading further and nothing of it was saved: it is probably the wrong file, or its columns are shifted. "
        "The commonest reason, first seen on row {row}:"
    ),
    "file.wrong_kind": N_("The file {file} does not look like a {kind} file: {detail}."),
    # NIP
    "nip.missing": N_("{column} is empty. Fill in the 18-digit NIP."),
    "nip.scientific": N_(
        "{column} '{value}' was turned into a number by the spreadsheet and its last digits were lost. "
        "Format the column as Text and type the full 18-digit NIP again."
    ),
    "nip.float_digits_lost": N_(
        "{column} '{value}' was stored as a number by the spreadsheet, so its digits may be wrong. "
        "Format the column as Text and type the full 18-digit NIP again."
    ),
    "nip.not_digits": N_("{column} '{value}' contains characters other than digits. A NIP has 18 digits."),
    "nip.length": N_("{column} '{value}' has {length} digits; a NIP has 18. Check for a missing or extra digit."),
    "nip.birth_date": N_(
        "{column} '{value}': its first 8 digits are not a plausible birth date (YYYYMMDD). Check the NIP."
    ),
    "nip.tmt": N_(
        "{column} '{value}': digits 9 to 14 (TMT CPNS, YYYYMM) must be a month between the birth date "
        "and today. Check the NIP."
    ),
    "nip.gender": N_("{column} '{value}': digit 15 must be 1 (male) or 2 (female). Check the NIP."),
    # rank
    "golongan.missing": N_("{column} is empty. Fill in the rank, e.g. III/b."),
    "golongan.unknown": N_("{column} '{value}' is not a known rank. Write it like III/b (I/a to IV/e)."),
    "golongan.below_minimum": N_("{column} '{value}' is below the minimum rank {minimum} for this training."),
    # other columns
    "name.missing": N_("{column} is empty. Fill in the full name with academic titles (gelar)."),
    "value.too_long": N_("{column} is longer than {max} characters. Shorten it."),
    "email.invalid": N_("{column} '{value}' is not a valid e-mail address. Correct it or leave it empty."),
    "phone.invalid": N_("{column} '{value}' is not a valid phone number. Use digits only, e.g. 081234567890."),
    "guidance.not_guide": N_(
        "{column} '{value}' is neither this participant's coach nor their mentor. Check the NIP, or give the "
        "coaches list (or the roster's NIP ATASAN) first."
    ),
    "score.too_precise": N_(
        "{column} '{value}' has more than {places} decimal places, which cannot be kept exactly. Round it as "
        "the assessment rules say (e.g. 85,125) and send the sheet again."
    ),
    "superior.self": N_("{column} is the participant's own NIP. Fill in the NIP of the direct superior."),
    "date.missing": N_("{column} is empty. Fill in a date such as 14/07/2022."),
    "date.invalid": N_("{column} '{value}' is not a date. Write it like 14/07/2022 or 14 Juli 2022."),
    # rows against each other and against the database
    "row.duplicate_nip": N_("This NIP already appears in row {first_row} of this file. Keep only one row."),
    "enrolment.in_running_cohort": N_(
        "This official is already enrolled in a running cohort ({cohort}). Withdraw them there first."
    ),
    "capacity.exceeded": N_(
        "The cohort is full ({capacity} participants). This row was not enrolled; open another cohort for it."
    ),
    "gate.expectation_failed": N_("{column} failed the check '{expectation}'."),
    # later stages: cohorts, evidence, operator decisions, scores
    "evaluation.not_alumnus": N_("{column} '{value}' is not an alumnus of this cohort. Check the NIP."),
    "evaluation.item_not_for_role": N_("Item '{value}' is not asked of role {role}. Only {allowed} answer it."),
    "evaluation.wrong_wave": N_(
        "Item '{item}' (level {level}) cannot be answered during the course. Use a wave after the course: {allowed}."
    ),
    "evaluation.self_as_peer": N_(
        "{column} is the alumnus's own NIP: an alumnus cannot rate themselves as a peer (rekan). "
        "Use role alumni, or the colleague's NIP or code."
    ),
    "evaluation.respondent_not_self": N_(
        "{column} '{value}' is not the alumnus: for role alumni leave it empty or write the alumnus's own NIP."
    ),
    "cohort.start_differs": N_(
        "Cohort {cohort} was already opened with start date {recorded}. Use that date, or another cohort number."
    ),
    "programme.name_taken": N_(
        "The programme name '{name}' is too close to the existing programme '{existing}' (they would share "
        "one folder and one certificate numbering). Use exactly '{existing}', or a clearly different name."
    ),
    "programme.name_invalid": N_("The programme name '{name}' has no letters or digits. Give it a real name."),
    "template.changed": N_(
        "Template {key} was changed after cohorts opened under it. Publish the change as a new version."
    ),
    "template.unknown": N_("There is no programme template '{name}'. Known templates: {known}."),
    "evidence.not_participant": N_(
        "{column} '{value}' is not a participant of this cohort. Check the NIP, or enrol the official first."
    ),
    "evidence.outside_cohort": N_("{column} {value} is outside the cohort ({start} to {end}). Check the date."),
    "session.none_on_date": N_(
        "There is no classical session on {value} (weekend, holiday or outside the classical phases). Check the date."
    ),
    "session.mismatch": N_("{column} '{value}' does not match the session of that date ({expected})."),
    "value.missing": N_("{column} is empty."),
    "value.not_allowed": N_("{column} '{value}' is not allowed. Use one of: {allowed}."),
    "jp.invalid": N_("{column} '{value}' is not a whole number of lesson hours (JP)."),
    "jp.over_session": N_("{column} {value} is more than the session's {max} JP."),
    "row.duplicate_key": N_("This row repeats row {first_row} of this file (same participant and key). Keep one."),
    "programme.unknown": N_("There is no programme '{program}'. Check its name as the cohorts were opened with."),
    "day_off.attendance_recorded": N_(
        "{cohort} already has attendance recorded on {date}, a classical day this day off would move. A day "
        "that was held cannot be declared off afterwards; if the records are wrong, correct the attendance first."
    ),
    "cohort.unknown": N_("There is no cohort {cohort} in programme '{program}'. Open it first with open-cohort."),
    "action.not_participant": N_("This NIP is not a participant of {cohort}."),
    "action.participant_unknown": N_(
        "No participant of {cohort} has seat number or masked NIP '{value}'. Check the participant list."
    ),
    "action.participant_ambiguous": N_(
        "'{value}' matches more than one participant (seats {seats}). Give the seat number instead."
    ),
    "action.unknown_milestone": N_("There is no milestone '{value}' in this cohort. Known milestones: {known}."),
    "action.date_outside": N_("The date {value} is outside the cohort ({start} to {end})."),
    "phone.leading_zero": N_(
        "{column} '{value}' lost its leading 0 (the spreadsheet stored it as a number). "
        "Format the column as Text and type the number again, e.g. 0812…"
    ),
    "score.invalid": N_("{column} '{value}' is not a number. Write a score such as 85 or 85,5."),
    "score.out_of_range": N_("{column} '{value}' is outside {min} to {max}."),
    "assessor.unknown": N_(
        "{column} '{value}' is not a known assessor of this cohort. Use the NIP or name of a coach, or add the "
        "assessor to the assessors file."
    ),
    "manifest.cohort_invalid": N_(
        "Row {row} of the cohort list {file}: {column} '{value}' is not a cohort number (1 to 9999)."
    ),
    "manifest.cohort_repeated": N_(
        "Row {row} of the cohort list {file}: cohort {value} is already listed in row {first_row}. List it once."
    ),
    "manifest.value_missing": N_("Row {row} of the cohort list {file}: {column} is empty. Fill it in."),
    "manifest.date_invalid": N_(
        "Row {row} of the cohort list {file}: {column} '{value}' is not a date. Write it like 14/07/2022."
    ),
    # the inbox (notes left beside a file that was not taken)
    "inbox.misplaced": N_(
        "The file {file} is not in a cohort's folder. Put it in <programme>/angkatan-<number>/ (a personnel "
        "export in <programme>/), for example 'PKP Kota Jambi 2022/angkatan-1/'."
    ),
    "inbox.unknown_kind": N_(
        "diklat cannot tell what {file} is: no header row among its first rows matches a known file. Check that "
        "the header row has the columns of docs/file-formats.md (e.g. NIP, NAMA, ...), then drop it again."
    ),
    "inbox.ambiguous_kind": N_(
        "{file} could be any of: {kinds}. Rename a header so only one fits (e.g. 'NIP PENILAI' for assessors, "
        "'NIP COACH' for coaches), then drop it again."
    ),
    "inbox.no_run": N_(
        "{file} was taken, but no run started for it (the announcement was lost three times). Start the {step} "
        "form in the Prefect UI and give this file's name as: {name}"
    ),
    "inbox.cohort_not_open": N_(
        "Cohort {cohort} of '{program}' has not been opened yet, so {file} has no start date. Open it with the "
        "open-cohort form, or name the folder 'angkatan-{cohort} mulai YYYY-MM-DD', then drop the file again."
    ),
    "inbox.for_a_form": N_(
        "A {kind} file is not processed on its own: it is kept here for the {step} form. In that form, type "
        "this file's name as: {name}"
    ),
    "inbox.already_processed": N_(
        "{file} was already processed on {when} (the same content, SHA-256 {sha}). Nothing was started again."
    ),
    # the cohort lock
    "lock.waiting": N_(
        "Cohort {cohort} of '{program}' is being processed by run '{run}' (since {since} UTC). This run waits "
        "until that one ends (at most {minutes} minutes)."
    ),
    "lock.timeout": N_(
        "Cohort {cohort} of '{program}' stayed busy with run '{run}' for {minutes} minutes, so this run stopped "
        "without changing anything. Check that run in the Prefect UI, then start this one again."
    ),
    "lock.holder_died": N_(
        "This run stopped holding its lock on cohort {cohort} of '{program}' (its process on {host} ended or "
        "stopped answering), so run '{run}' took over. Every step is one transaction: nothing half-done was kept."
    ),
    "run.no_heartbeat": N_(
        "This run gave no sign of life for {seconds} seconds (its process or machine was stopped), so it was "
        "marked Crashed. Start it again: every step is one transaction, so it ends as an uninterrupted run would."
    ),
    "action.not_deferred": N_("This participant of {cohort} has no deferred pass (lulus tertunda) to clear."),
    "action.no_certificate": N_(
        "This participant of {cohort} has no issued certificate (STTP). A certificate is issued when the final "
        "assessment gives a final pass."
    ),
}


def column_label(column: str | None, kind: str = "roster") -> str:
    """The header an operator knows the column by (the first alias of its file format)."""
    if column is None:
        return ""
    spec = SPECS.get(kind)
    for col in spec.columns if spec else ():
        if col.name == column:
            return col.aliases[0]
    return column.upper()


# A file kind named in a message, in the operator's words (a code such as "coaches" is not).
KIND_LABELS = {
    "roster": N_("participants list"),
    "coaches": N_("coaches (widyaiswara)"),
    "attendance": N_("attendance"),
    "guidance": N_("coaching and mentoring log"),
    "deliverables": N_("change-project deliverables"),
    "scores": N_("score sheet"),
    "assessors": N_("examiners"),
    "responses": N_("survey answers"),
    "personnel": N_("personnel roster"),
    "manifest": N_("cohort list"),
}


def render(problem: Problem, kind: str = "roster", language: str | None = None) -> str:
    """One problem in the operator's words."""
    _ = translator(language)
    # "detail" values are themselves marked messages (e.g. why a file could not be opened).
    params: dict[str, Any] = {k: _(v) if k == "detail" else _join(v) for k, v in problem.params.items()}
    for key in ("kind", "kinds"):  # file kinds named by their code: say them in words
        value = problem.params.get(key)
        if isinstance(value, str | list | tuple) and value:
            codes = [value] if isinstance(value, str) else value
            params[key] = ", ".join(_(KIND_LABELS[c]) if c in KIND_LABELS else str(c) for c in codes)
    params.setdefault("column", column_label(problem.column, kind))
    text = _(MESSAGES.get(problem.code, MESSAGES["gate.expectation_failed"]))
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return f"{params.get('column', '')}: {problem.code}"


def _join(value: Any) -> Any:
    return ", ".join(map(str, value)) if isinstance(value, list | tuple) else value
