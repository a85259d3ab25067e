"""`protege runtime check`: does the student runtime (llama.cpp) run on this machine?"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from protege.cli.common import JSON_OPTION, console, fail
from protege.students.base import BaseModelError, resolve_base_model
from protege.students.cpu import cpu_flags, cpu_name
from protege.students.probe import run_probe
from protege.students.runtime import default_threads

app = typer.Typer(help="The student runtime (llama.cpp) on this machine.", no_args_is_help=True)

_SHOWN_FLAGS = ("avx2", "fma", "f16c", "avx_vnni", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_int8", "amx_bf16")


@app.command("check")
def check(
    model: Path = typer.Argument(None, help="A .gguf file (default: the bundled base model)."),
    threads: int = typer.Option(None, help="Decode threads (default: what students use)."),
    tokens: int = typer.Option(16, help="Tokens to decode."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Load a model in a child process and decode a few tokens; exit 1 if it cannot run here."""
    try:
        path = model or resolve_base_model().gguf_path
    except BaseModelError as exc:
        fail(str(exc))
    n_threads = threads or default_threads()
    result = run_probe(path, n_threads=n_threads, tokens=tokens)
    flags = cpu_flags()
    summary = {
        "ok": result.ok, "model": str(path), "cpu": cpu_name(), "threads": n_threads,
        "cpu_flags": [f for f in _SHOWN_FLAGS if f in flags], "llama_system_info": result.system_info.strip(),
        "stage": result.stage, "reason": result.reason, "tokens": result.tokens,
        "decode_tokens_per_second": round(result.tokens_per_second, 1) if result.tokens_per_second else None,
        "seconds": round(result.seconds, 2),
    }
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
    else:
        console.print(f"cpu: {summary['cpu']} ({' '.join(summary['cpu_flags']) or 'no x86 flags read'})")
        console.print(f"llama.cpp: {summary['llama_system_info'] or '(did not report)'}", markup=False)
        if result.ok:
            console.print(f"[green]ok[/]: {path.name} decoded {result.tokens} tokens on {n_threads} thread(s) "
                          f"at {summary['decode_tokens_per_second']} tok/s (load and decode {result.seconds:.1f} s)")
    if not result.ok:
        fail(f"the student runtime cannot run here: {result.reason}. Students fall back to the teacher "
             "until it can; rebuild llama.cpp for this CPU with `bash scripts/setup.sh`")
