# Sourced by scripts/setup.sh and scripts/setup-jac.sh: install llama-cpp-python into a venv,
# built for this CPU and never -march=native (that turns on ggml's AMX kernels, which segfault
# on AMX Xeons, and ties the library to the CPU it was built on). src/protege/students/cpu.py
# reads this CPU's instruction sets and names the build (its key includes the Python version);
# the wheel is kept per build outside the venv, so a machine that changes CPU kind rebuilds once
# instead of crashing, and a second venv of the same Python reuses the wheel.
#
#   install_llama_cpp VENV_DIR      (run from the repository root)
install_llama_cpp() {
  local venv=$1 py="$1/bin/python"
  # pip's notes about the machine's unreachable local indexes are noise here
  _llama_pip() { "$py" -m pip --disable-pip-version-check -q "$@" 2> >(grep -v "WARNING: Location" >&2); }
  local args key version wheels
  args=$("$py" src/protege/students/cpu.py cmake-args)
  key=$("$py" src/protege/students/cpu.py build-key)
  version=${key%%-*}
  wheels=${PROTEGE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/protege}/llama-cpp-python/$key
  if [ "$(cat "$venv/.llama-build" 2>/dev/null)" = "$key" ]; then
    return 0
  fi
  if ! ls "$wheels"/llama_cpp_python-*.whl >/dev/null 2>&1; then
    echo "building llama.cpp for this CPU (about 5 minutes on 2 cores, once per CPU kind and Python): $args"
    rm -rf "$wheels.part"
    CMAKE_ARGS="$args" CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2} \
      _llama_pip wheel --no-deps --no-cache-dir \
      --no-binary llama-cpp-python "llama-cpp-python==$version" -w "$wheels.part"
    rm -rf "$wheels" && mv "$wheels.part" "$wheels"
  fi
  _llama_pip install --no-deps --force-reinstall \
    "$wheels"/llama_cpp_python-*.whl
  echo "$key" > "$venv/.llama-build"
}
