"""llama.cpp builds side by side: prefill and decode speed of the same GGUF, one child process
per build and measurement, builds interleaved round by round so machine noise hits them alike.

Each build is a Python interpreter whose llama-cpp-python was built a given way::

    python bench/llama_builds.py --build ours=.venv/bin/python \\
        --build native-no-amx=/tmp/variants/venv-native-noamx/bin/python \\
        --build native=/tmp/variants/venv-native/bin/python --rounds 5 --threads 1 2

A build that crashes is reported with its signal (the native build does, on an AMX Xeon).
Prints a Markdown table with the median tokens/s and each build's ratio to the first.
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from protege.students.cpu import cpu_flags, cpu_name, system_features  # noqa: E402

_CHILD = r"""
import json, sys, time
import llama_cpp
path, threads, n_decode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
llm = llama_cpp.Llama(model_path=path, n_ctx=512, n_batch=512, n_threads=threads, n_threads_batch=threads, verbose=False)
prompt = ("Operator message: deixa o clima mais premium com luzes douradas e um pouco de fumaca no palco, "
          "depois anuncia a proxima banda com energia. Show state: doors open, next cue golden_hour, "
          "pending approvals none. Answer with the ShowIntent JSON only.")
ids = llm.tokenize(prompt.encode(), add_bos=True)
llm.reset(); llm.eval(ids[:8])  # the first decode allocates compute buffers: keep it out of the timing
llm.reset()
t = time.perf_counter(); llm.eval(ids); prefill = time.perf_counter() - t
t = time.perf_counter()
for _ in range(n_decode):
    llm.eval([llm.sample(temp=0.0)])
decode = time.perf_counter() - t
print(json.dumps({"info": llama_cpp.llama_print_system_info().decode(), "prompt": len(ids),
                  "prefill_tps": len(ids) / prefill, "decode_tps": n_decode / decode}))
llm.close()
"""


def measure(python: str, model: str, threads: int, n_decode: int) -> dict:
    done = subprocess.run([python, "-c", _CHILD, model, str(threads), str(n_decode)],
                          capture_output=True, text=True, timeout=600)
    if done.returncode < 0:
        return {"crash": signal.Signals(-done.returncode).name}
    if done.returncode != 0:
        return {"crash": f"exit {done.returncode}: {(done.stderr.strip().splitlines() or [''])[-1]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", action="append", required=True, help="NAME=PYTHON (first is the reference)")
    parser.add_argument("--model", help="GGUF file (default: the bundled SmolLM2-135M base)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--decode", type=int, default=64, help="tokens decoded per measurement")
    args = parser.parse_args()
    if args.model is None:
        from protege.students.base import resolve_base_model

        args.model = str(resolve_base_model().gguf_path)
    builds = dict(b.split("=", 1) for b in args.build)
    runs: dict[tuple[str, int], list[dict]] = {(n, t): [] for n in builds for t in args.threads}
    for r in range(args.rounds):
        for threads in args.threads:
            for name, python in builds.items():
                result = measure(python, args.model, threads, args.decode)
                runs[(name, threads)].append(result)
                print(f"round {r + 1} {name} t={threads}: {result.get('crash') or round(result['decode_tps'], 1)}",
                      file=sys.stderr)
    flags = [f for f in ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile", "amx_int8") if f in cpu_flags()]
    print(f"CPU: {cpu_name()} ({' '.join(flags)}); model {Path(args.model).name}; "
          f"{args.rounds} interleaved rounds, {args.decode} decoded tokens each\n")
    print("| build | threads | prefill tok/s (median) | decode tok/s (median) | decode vs first | llama.cpp features |")
    print("|---|---|---|---|---|---|")
    reference: dict[int, float] = {}
    for threads in args.threads:
        for name in builds:
            found = runs[(name, threads)]
            crashes = [x["crash"] for x in found if "crash" in x]
            ok = [x for x in found if "crash" not in x]
            if not ok:
                print(f"| {name} | {threads} | crashed: {crashes[0]} ({len(crashes)}/{len(found)}) | | | |")
                continue
            pp = statistics.median(x["prefill_tps"] for x in ok)
            tg = statistics.median(x["decode_tps"] for x in ok)
            reference.setdefault(threads, tg)
            features = " ".join(sorted(f for f in system_features(ok[0]["info"]) if "AVX" in f or "AMX" in f))
            print(f"| {name} | {threads} | {pp:.0f} | {tg:.1f} | {tg / reference[threads]:.3f} | {features} |")


if __name__ == "__main__":
    main()
