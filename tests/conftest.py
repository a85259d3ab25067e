from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest

from protege.students.bases import bases_dir  # noqa: E402

# The runtime probe remembers verdicts in a cache folder: keep the tests' out of the user's, but
# use the bases the user installed (`protege bases install`), which tests never write.
os.environ.setdefault("PROTEGE_BASES_DIR", str(bases_dir()))
if "PROTEGE_CACHE_DIR" not in os.environ:
    os.environ["PROTEGE_CACHE_DIR"] = tempfile.mkdtemp(prefix="protege-test-cache-")
    atexit.register(shutil.rmtree, os.environ["PROTEGE_CACHE_DIR"], ignore_errors=True)

import protege  # noqa: E402
from protege.store import Store  # noqa: E402


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fresh protege home (SQLite file store) in a temporary folder, used as the working dir."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PROTEGE_DB_URL", raising=False)
    protege.configure(home=tmp_path / ".protege", db_url=None, redact=True, redact_terms=())
    yield tmp_path
    Store.forget_default()


@pytest.fixture
def store(home) -> Store:
    return Store.default()


def _pg_bin(name: str) -> str | None:
    import glob
    import shutil

    found = shutil.which(name) or sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found if isinstance(found, str) else (found[-1] if found else None)


@pytest.fixture(scope="session")
def pg_url():
    """A throwaway PostgreSQL server started for this test session (skipped if none is installed)."""
    import os
    import pwd
    import socket
    import subprocess

    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip("PostgreSQL server binaries are not installed")
    pytest.importorskip("psycopg")
    import tempfile
    from pathlib import Path

    data = Path(tempfile.mkdtemp(prefix="protege-pg-")) / "data"  # pytest's tmp dirs are private to root
    run_as = []
    if os.geteuid() == 0:  # postgres refuses to run as root
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user")
        os.chown(data.parent, pwd.getpwnam("postgres").pw_uid, -1)
        run_as = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run(run_as + [initdb, "-D", str(data), "-A", "trust", "-U", "protege"], check=True, capture_output=True)
    subprocess.run(
        run_as + [pg_ctl, "-D", str(data), "-o", f"-p {port} -k /tmp -c listen_addresses=127.0.0.1", "-w", "start", "-l", str(data.parent / "log")],
        check=True, capture_output=True,
    )
    yield f"postgresql+psycopg://protege@127.0.0.1:{port}/postgres"
    subprocess.run(run_as + [pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
    import shutil

    shutil.rmtree(data.parent, ignore_errors=True)
