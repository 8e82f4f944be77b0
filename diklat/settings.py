"""One settings object for the whole application, read from DIKLAT_* environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
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
    template_dir: Path | None = Field(None, description="Extra folder of programme templates.")
    chunk_rows: int = Field(50_000, ge=1_000, description="Rows per bulk write chunk.")

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'diklat.db').resolve()}"

    @property
    def outputs(self) -> Path:
        return self.output_dir or self.data_dir / "output"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once (tests clear the cache to change them)."""
    return Settings()
