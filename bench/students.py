"""The students benchmark of issue 3, in one run: training (ours vs a plain HF Trainer baseline on
the full teacher prompt) then serving (StudentRuntime vs raw llama-cpp-python on the same GGUF),
each printing its numbers side by side. Run on a quiet machine; not part of the tests.

    .venv/bin/python bench/students.py [--gguf A_TRAINED_STUDENT.gguf] [--threads N]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gguf", help="student GGUF for the serving half (default: the base model)")
    parser.add_argument("--threads", type=int, help="threads for both halves (default: each tool's own)")
    parser.add_argument("--train-steps", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    threads = ["--threads", str(args.threads)] if args.threads else []
    print("== training: protege recipe vs plain HF Trainer on the full teacher prompt ==", flush=True)
    subprocess.run([sys.executable, str(HERE / "train_bench.py"), "--steps", str(args.train_steps), *threads], check=True)
    print("\n== serving: StudentRuntime vs raw llama-cpp-python, same GGUF and prompts ==", flush=True)
    gguf = ["--gguf", args.gguf] if args.gguf else []
    subprocess.run([sys.executable, str(HERE / "runtime_bench.py"), "--rounds", str(args.rounds), *gguf, *threads], check=True)


if __name__ == "__main__":
    main()
