"""Running Jac programs for the byLLM tests: `jac run` in the Jac environment (.venv-jac, made by
scripts/setup-jac.sh) with a store in a temporary folder, and protege's CLI of the main
environment on the same store, as a user's two environments would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PROGRAMS = Path(__file__).parent / "jac"
OPTIONS = PROGRAMS / "colors_options.py"


class JacRunner:
    """Runs programs in the Jac environment with one protege home (its store) per test."""

    def __init__(self, env: Path, home: Path):
        self.env, self.home = env, home

    def environ(self, **extra: str) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PROTEGE_", "OPENAI_", "VIRTUAL_ENV"))}
        env.update(PROTEGE_HOME=str(self.home / ".protege"), PROTEGE_SITE_OPTIONS=str(OPTIONS),
                   PROTEGE_CACHE_DIR=os.environ.get("PROTEGE_CACHE_DIR", str(self.home / "cache")),
                   LITELLM_LOCAL_MODEL_COST_MAP="True", PYTHONUNBUFFERED="1", **extra)
        return env

    def run(self, program: Path, *, model: str = "mockllm", outputs=(), calls=(), timeout=300, fails=False,
            **env) -> list[dict]:
        """``jac run program`` with a JAC_SCRIPT; the printed JSON answer lines (with ``fails``:
        the run must fail, and its stderr is the last item)."""
        script = self.home / f"script-{os.getpid()}-{len(list(self.home.glob('script-*')))}.json"
        script.write_text(json.dumps({"model": model, "outputs": list(outputs), "calls": list(calls)}))
        done = subprocess.run([str(self.env / "bin" / "jac"), "run", str(program)], check=False, cwd=self.home,
                              env=self.environ(JAC_SCRIPT=str(script), **env),
                              capture_output=True, text=True, timeout=timeout)
        assert (done.returncode != 0) == fails, f"jac run exit {done.returncode}:\n{done.stdout}\n{done.stderr}"
        printed = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
        return printed + [done.stderr] if fails else printed

    def python(self, script: Path, *, timeout=120, **env) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.env / "bin" / "python"), str(script)], check=False, cwd=self.home,
                              env=self.environ(**env), capture_output=True, text=True, timeout=timeout)

    def protege(self, *args: str, timeout=1800) -> str:
        """The main environment's CLI on the same store."""
        done = subprocess.run([sys.executable, "-m", "protege", *args], check=False, cwd=self.home, env=self.environ(),
                              capture_output=True, text=True, timeout=timeout)
        assert done.returncode == 0, f"protege {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout


def program_copy(tmp: Path, replace: dict[str, str] | None = None, name: str = "colors.jac") -> Path:
    """colors.jac (module ``colors``) in its own folder, with text replaced."""
    text = (PROGRAMS / "colors.jac").read_text()
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    folder = tmp / f"prog{len(list(tmp.glob('prog*')))}"
    folder.mkdir()
    path = folder / name
    path.write_text(text)
    return path
