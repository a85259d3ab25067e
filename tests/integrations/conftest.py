"""Fixtures of the Jac byLLM tests (see jacrun.py). Without the Jac environment they skip, or
fail when CI is set: CI builds it, so missing means its setup is broken."""

from __future__ import annotations

from pathlib import Path

import pytest
from jacrun import OPTIONS, JacRunner
from servers import require_jac_env


@pytest.fixture(scope="session")
def jac_env() -> Path:
    return require_jac_env()


@pytest.fixture
def jac(jac_env, tmp_path, monkeypatch) -> JacRunner:
    import protege
    from protege.store import Store

    monkeypatch.setenv("PROTEGE_SITE_OPTIONS", str(OPTIONS))
    protege.configure(home=tmp_path / ".protege", db_url=None, redact=True, redact_terms=())
    yield JacRunner(jac_env, tmp_path)
    Store.forget_default()
