"""One settings object for the whole application, read from DIKLAT_* environment variables."""

from __future__ import annotations

import os
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything that differs between a laptop, CI and production; defaults fit a laptop."""

    model_config = SettingsConfigDict(env_prefix="DIKLAT_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Local folder for the SQLite database and outputs.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default is a SQLite file in data_dir (diklat.db)."
    )
    output_dir: Path | None = Field(None, description="Where reports and rejected-row files go.")
    language: Literal["id", "en"] = Field("id", description="Language of operator-facing text.")
    timezone: str = Field("Asia/Jakarta", description="Agency time zone; 'today' is taken here.")
    template_dir: Path | None = Field(
        None, description="Extra folder of programme templates (and of evaluation instruments, in instruments/)."
    )
    instrument: str = Field(
        "KIRKPATRICK", description="Evaluation instrument new waves use: CODE (latest version), CODE@VERSION or a path."
    )
    inbox_dir: Path | None = Field(None, description="Folder operators drop files into (default data_dir/inbox).")
    inbox_poll_seconds: float = Field(5.0, gt=0, description="How often the inbox watcher looks for new files.")
    inbox_settle_seconds: float = Field(
        3.0, ge=0, description="A file is taken once its size and time have not changed for this long (copying)."
    )
    inbox_confirm_seconds: float = Field(
        60.0, gt=0, description="An announced file with no run after this long is announced again (3 times at most)."
    )
    chunk_rows: int = Field(50_000, ge=1_000, description="Rows per bulk write chunk.")
    cohorts_per_task: int = Field(250, ge=1, description="Cohorts one task of a many-cohort flow handles.")
    render_processes: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=1,
        description="Processes that render a large batch of certificates (default: one per CPU).",
    )
    worker_runs: int = Field(
        2,
        ge=1,
        description="Flow runs one worker carries at once (runs of one cohort still wait for each other).",
    )
    warm_runs: bool = Field(
        True,
        description=(
            "Start a worker's flow runs by fork from a process that imported the flows once (diklat.zygote);"
            " false starts each run as a fresh `python -m prefect.engine`."
        ),
    )
    refuse_bad_share: Decimal = Field(
        Decimal("0.5"),
        gt=0,
        le=1,
        description="A file with more than this share of its rows unusable is refused as a whole (wrong file, "
        "shifted columns) instead of being quarantined row by row.",
    )
    refuse_min_rows: int = Field(20, ge=1, description="Files shorter than this are never refused for their share.")
    cohort_artifacts_max: int = Field(
        50, ge=0, description="Up to this many cohorts a run shows one artifact per cohort; beyond, one overview."
    )
    notify_channels: list[Literal["log", "smtp"]] = Field(["log"], description="Where notifications go.")
    operator_email: str | None = Field(None, description="The operator's address for cohort digests.")
    smtp_host: str = Field("127.0.0.1", description="SMTP server for e-mail notifications.")
    smtp_port: int = Field(25, description="SMTP port.")
    smtp_sender: str = Field("diklat@localhost", description="From address of notifications.")
    smtp_user: str | None = Field(None, description="SMTP login, if the server needs one.")
    smtp_password: SecretStr | None = Field(None, description="SMTP password (never shown in logs or reprs).")
    smtp_starttls: bool = Field(False, description="Upgrade the SMTP connection with STARTTLS.")
    failure_webhook_url: str | None = Field(None, description="Webhook called on every failed or crashed run.")
    agency: str = Field("BKPSDMD Kota Jambi", description="The organising agency printed on certificates.")
    place: str = Field("Jambi", description="Place of issue printed on certificates.")
    signatory_name: str = Field("Kepala BKPSDMD", description="Who signs certificates.")
    signatory_title: str = Field("Kepala Badan", description="The signatory's title.")
    signatory_nip: str | None = Field(None, description="The signatory's NIP, printed under the name.")
    public_url: str = Field(
        "http://127.0.0.1:8470",
        description="Address of the public pages as respondents and certificate holders reach them (the HTTPS "
        "address in production): questionnaire links and certificates' QR codes point there.",
    )
    public_host: str = Field("127.0.0.1", description="Address the public pages listen on (behind the HTTPS proxy).")
    public_port: int = Field(8470, description="Port of the public pages (`diklat public`, also started by serve).")
    public_database_url: str | None = Field(
        None,
        description="Database URL the public pages use: on PostgreSQL a role of their own, read-only but for "
        "answers and invitations (`diklat public-role`). Default: database_url.",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Key questionnaire links are made with (HMAC). Default: a random key kept in "
        "data_dir/secret.key; set the same value for every worker and the public pages.",
    )
    verify_per_minute: int = Field(
        30, ge=1, description="Certificate lookups and questionnaire link attempts one client may make per minute."
    )
    contact: str = Field(
        "the training agency's secretariat",
        description="Whom a respondent with an expired link should contact (printed on the page).",
    )

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'diklat.db').resolve()}"

    def secret(self) -> bytes:
        """The link key: DIKLAT_SECRET_KEY, else a random key made once and kept in data_dir/secret.key (0600)."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        path = self.data_dir / "secret.key"
        if not path.exists():
            import secrets

            # Written whole under another name, then linked in place: two processes starting together
            # end with one key, and neither ever reads a half-written file.
            path.parent.mkdir(parents=True, exist_ok=True)
            draft = path.with_name(f".secret.key.{os.getpid()}")
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.write(fd, secrets.token_hex(32).encode())
            finally:
                os.close(fd)
            try:
                os.link(draft, path)
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        return path.read_text().strip().encode()

    @property
    def inbox(self) -> Path:
        return self.inbox_dir or self.data_dir / "inbox"

    @property
    def outputs(self) -> Path:
        return self.output_dir or self.data_dir / "output"

    @property
    def warm_dir(self) -> Path:
        """Where warm workers (diklat.zygote) name their sockets for this data folder's `diklat` commands."""
        return self.data_dir.resolve() / "warm"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once (tests clear the cache to change them)."""
    return Settings()
