"""Process-wide settings: where the store and the model files live, and what redaction masks.

Read lazily from the environment the first time they are needed, so importing protege has no side
effects. ``protege.configure(...)`` overrides them for this process.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    home: Path = Path(".protege")
    """Folder for the embedded database, model versions and reports."""
    db_url: str | None = None
    """SQLAlchemy URL of the store; default: SQLite at ``home/protege.db``."""
    redact: bool = True
    """Mask secrets and personal data before anything is stored."""
    redact_terms: tuple[str, ...] = ()
    """Extra literal terms to mask (client names, venue names)."""
    base_model: str | None = None
    """Default base model for students; None means the bundled SmolLM2-135M GGUF."""
    extra: dict = field(default_factory=dict)

    @property
    def resolved_db_url(self) -> str:
        return self.db_url or f"sqlite:///{(self.home / 'protege.db').resolve()}"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"


_settings: Settings | None = None
_listeners: list[Callable[[], None]] = []


def on_change(listener: Callable[[], None]) -> None:
    """Call ``listener`` after every :func:`configure` (the store and the router drop what
    belongs to the old settings)."""
    _listeners.append(listener)


def settings() -> Settings:
    global _settings
    if _settings is None:
        _settings = _from_env()
    return _settings


def configure(**changes) -> Settings:
    """Override settings for this process, e.g. ``configure(db_url="postgresql+psycopg://...")``."""
    global _settings
    if "home" in changes and changes["home"] is not None:
        changes["home"] = Path(changes["home"])
    if "redact_terms" in changes:
        changes["redact_terms"] = tuple(changes["redact_terms"])
    _settings = replace(settings(), **changes)
    for listener in _listeners:
        listener()
    return _settings


def cache_dir() -> Path:
    """Where protege keeps what belongs to the machine, not to a project: llama.cpp wheels built
    by setup, runtime probe verdicts, downloaded bases. ``PROTEGE_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/protege``, else ``~/.cache/protege`` (scripts/setup.sh uses the same rule)."""
    root = os.environ.get("PROTEGE_CACHE_DIR") or os.path.join(os.environ.get("XDG_CACHE_HOME") or "~/.cache", "protege")
    return Path(root).expanduser()


def _from_env() -> Settings:
    terms = tuple(t.strip() for t in os.environ.get("PROTEGE_REDACT_TERMS", "").split(",") if t.strip())
    return Settings(
        home=Path(os.environ.get("PROTEGE_HOME", ".protege")),
        db_url=os.environ.get("PROTEGE_DB_URL") or None,
        redact=os.environ.get("PROTEGE_REDACT", "1").lower() not in ("0", "false", "no", "off"),
        redact_terms=terms,
        base_model=os.environ.get("PROTEGE_BASE_MODEL") or None,
    )
