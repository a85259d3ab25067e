"""A real llama.cpp OpenAI-compatible server on the bundled SmolLM2, for tests that need a
teacher or an upstream over HTTP (imported by name: tests/ is on sys.path via its conftest)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def llama_server(*extra_args: str, alias: str = "smollm2") -> Iterator[str]:
    """Start ``python -m llama_cpp.server`` on a free port; yield its ``/v1`` URL; stop it."""
    from protege.students.base import resolve_base_model

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(resolve_base_model().gguf_path),
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--model_alias", alias, *extra_args],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/models", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail("llama.cpp server exited at start")
                if time.time() > deadline:
                    pytest.fail("llama.cpp server did not start in 60 s")
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


JAC_ENV = Path(os.environ.get("PROTEGE_JAC_VENV", Path(__file__).resolve().parents[1] / ".venv-jac"))
"""The Jac environment (Python 3.12) that scripts/setup-jac.sh builds."""


def require_jac_env() -> Path:
    """The Jac environment; a test without it skips, or fails when CI is set (CI builds it, so
    missing means its setup is broken, not optional)."""
    if not (JAC_ENV / "bin" / "jac").exists():
        message = f"no Jac environment at {JAC_ENV}: run `bash scripts/setup-jac.sh`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return JAC_ENV
