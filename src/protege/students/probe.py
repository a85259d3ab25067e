"""Run llama.cpp once in a child process before this process trusts it with a model.

A crash inside llama.cpp (a segfault in a CPU kernel, an illegal instruction from a library
built for another CPU) cannot be caught in-process: it takes the caller with it. So before a
model file is first loaded here, a child Python loads it and decodes a few tokens. If the child
dies, or llama.cpp's system info shows a build that must not run on this CPU
(:func:`protege.students.cpu.runtime_problem`), the load is refused with a
:class:`RuntimeUnusable` that says what happened and what to do; callers that serve requests
turn that into a teacher fallback with the reason recorded.

A verdict is remembered per (model SHA-256, llama.cpp library files, CPU flags): in memory for
this process and, when the probe passed, in ``~/.cache/protege/runtime-probes.json`` so the
next process skips the child. A failure is not written to disk: a rebuild or a fixed driver
should be tried again by the next process.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from protege.config import cache_dir
from protege.students.cpu import cpu_flags, runtime_problem

PROBE_TIMEOUT_SECONDS = 180.0
PROBE_TOKENS = 8

# Runs in the child; llama_cpp only. Each stage is announced before it starts, so a crash
# is reported with the stage it happened in.
_CHILD = r"""
import json, sys, time
path, threads, tokens = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def say(kind, value): print(kind + " " + json.dumps(value), flush=True)
say("stage", "import")
import llama_cpp
say("info", llama_cpp.llama_print_system_info().decode("utf-8", "replace"))
say("stage", "load")
llm = llama_cpp.Llama(model_path=path, n_ctx=256, n_batch=256, n_threads=threads, n_threads_batch=threads, verbose=False)
say("stage", "decode")
started = time.perf_counter()
out = llm.create_completion("The capital of France is", max_tokens=tokens, temperature=0.0)
seconds = time.perf_counter() - started
say("ok", {"text": out["choices"][0]["text"], "tokens": out["usage"]["completion_tokens"], "seconds": seconds})
llm.close()
"""


class RuntimeUnusable(RuntimeError):
    """llama.cpp cannot run this model on this machine (it crashed, or the build does not fit)."""


@dataclass(frozen=True)
class ProbeResult:
    ok: bool
    stage: str
    """The last stage the child reached: import, load, decode, or done."""
    reason: str
    system_info: str
    seconds: float
    tokens: int = 0
    text: str = ""

    @property
    def tokens_per_second(self) -> float | None:
        return self.tokens / self.seconds if self.ok and self.seconds > 0 else None


_verdicts: dict[str, ProbeResult] = {}
_lock = threading.Lock()


def run_probe(gguf_path: str | Path, *, n_threads: int = 1, tokens: int = PROBE_TOKENS,
              timeout: float = PROBE_TIMEOUT_SECONDS) -> ProbeResult:
    """Load ``gguf_path`` in a child process and decode ``tokens`` tokens; never raises."""
    argv = _child_argv(str(gguf_path), n_threads, tokens)
    started = time.perf_counter()
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        stage, info, _ = _read(exc.stdout if isinstance(exc.stdout, str) else (exc.stdout or b"").decode())
        return ProbeResult(False, stage, f"llama.cpp did not finish the {stage} stage in {timeout:.0f} s",
                           info, time.perf_counter() - started)
    stage, info, ok = _read(done.stdout)
    problem = runtime_problem(info) if info else None
    elapsed = time.perf_counter() - started
    if done.returncode == 0 and ok is not None and problem is None:
        return ProbeResult(True, "done", "", info, elapsed, int(ok["tokens"]), ok["text"])
    if done.returncode < 0:
        reason = f"llama.cpp crashed with {signal.Signals(-done.returncode).name} during the {stage} stage"
    elif done.returncode != 0 and stage == "load":
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        reason = (f"llama.cpp could not load the file ({last}): it is corrupt or not a llama.cpp model; "
                  "re-export the student or re-install the base model")
    elif done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        reason = f"llama.cpp failed during the {stage} stage (exit {done.returncode}): {last}"
    elif ok is None:
        reason = "llama.cpp exited without decoding"
    else:
        reason = ""  # it ran, but the build must not (problem below)
    if problem:
        reason = f"{reason}; {problem}" if reason else problem
    return ProbeResult(False, stage, reason, info, elapsed)


def ensure_runs(gguf_path: str | Path, sha256: str, *, n_threads: int = 1) -> ProbeResult:
    """The verdict for this model on this machine, probing once; raises :class:`RuntimeUnusable`."""
    key = _key(sha256)
    with _lock:
        found = _verdicts.get(key) or _from_disk(key)
        if found is None:
            found = run_probe(gguf_path, n_threads=n_threads)
            if found.ok:
                _to_disk(key, found)
        _verdicts[key] = found
    if not found.ok:
        raise RuntimeUnusable(
            f"the student runtime cannot run {Path(gguf_path).name} here: {found.reason}. Until it can, "
            "its requests go to the teacher (`protege runtime check` tests the runtime)"
        )
    return found


def forget() -> None:
    """Drop this process's remembered verdicts (tests; after a rebuild)."""
    with _lock:
        _verdicts.clear()


def _child_argv(path: str, n_threads: int, tokens: int) -> list[str]:
    return [sys.executable, "-c", _CHILD, path, str(n_threads), str(tokens)]


def _read(stdout: str) -> tuple[str, str, dict | None]:
    stage, info, ok = "start", "", None
    for line in stdout.splitlines():
        kind, _, value = line.partition(" ")
        try:
            data = json.loads(value)
        except ValueError:
            continue
        if kind == "stage":
            stage = data
        elif kind == "info":
            info = data
        elif kind == "ok":
            ok, stage = data, "done"
    return stage, info, ok


def _key(sha256: str) -> str:
    parts = [sha256, _library_id(), hashlib.sha256(" ".join(sorted(cpu_flags())).encode()).hexdigest()]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _library_id() -> str:
    """The llama.cpp shared libraries in use, by name, size and time (without importing them)."""
    spec = importlib.util.find_spec("llama_cpp")
    if spec is None or not spec.submodule_search_locations:
        return "missing"
    lib = Path(list(spec.submodule_search_locations)[0]) / "lib"
    files = sorted(p for p in lib.glob("*") if p.is_file()) if lib.is_dir() else []
    return hashlib.sha256("".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns};" for p in files).encode()).hexdigest()


def cache_file() -> Path:
    return cache_dir() / "runtime-probes.json"


def _from_disk(key: str) -> ProbeResult | None:
    try:
        found = json.loads(cache_file().read_text()).get(key)
        return ProbeResult(**found) if found and found.get("ok") else None
    except (OSError, ValueError, TypeError):
        return None


def _to_disk(key: str, result: ProbeResult) -> None:
    path = cache_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            known = json.loads(path.read_text())
        except (OSError, ValueError):
            known = {}
        known[key] = asdict(result)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(known))
        os.replace(tmp, path)
    except OSError:
        pass  # no cache: the next process probes again
