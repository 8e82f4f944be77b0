"""One settings object for the whole application, read from DIKLAT_* environment variables."""

from __future__ import annotations

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

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'diklat.db').resolve()}"

    @property
    def inbox(self) -> Path:
        return self.inbox_dir or self.data_dir / "inbox"

    @property
    def outputs(self) -> Path:
        return self.output_dir or self.data_dir / "output"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once (tests clear the cache to change them)."""
    return Settings()
