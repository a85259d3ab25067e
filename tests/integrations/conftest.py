"""Fixtures of the Jac byLLM tests (see jacrun.py). Without the Jac environment they skip, or
fail when CI is set: CI builds it, so missing means its setup is broken."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from jacrun import JAC_ENV, OPTIONS, JacRunner


@pytest.fixture(scope="session")
def jac_env() -> Path:
    if not (JAC_ENV / "bin" / "jac").exists():
        message = f"no Jac environment at {JAC_ENV}: run `bash scripts/setup-jac.sh`"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI builds it: missing means the setup is broken, not optional
        pytest.skip(message)
    return JAC_ENV


@pytest.fixture
def jac(jac_env, tmp_path, monkeypatch) -> JacRunner:
    import protege
    from protege.store import Store

    monkeypatch.setenv("PROTEGE_SITE_OPTIONS", str(OPTIONS))
    protege.configure(home=tmp_path / ".protege", db_url=None, redact=True, redact_terms=())
    yield JacRunner(jac_env, tmp_path)
    Store.forget_default()
