"""Which llama.cpp build fits this CPU, and whether the one installed does.

ggml's AMX kernels (``ggml_backend_amx_mul_mat``) segfault on the first forward pass on the
Intel Xeons these machines sometimes are (flags amx_tile / amx_int8; llama.cpp#20824,
ollama#17249). A ``-march=native`` build turns them on wherever the CPU has AMX, and it also
ties the library to the CPU it was built on: built on an AVX512 Xeon, it dies with SIGILL on
an AVX2-only EPYC. So we never build native. ``scripts/setup.sh`` asks this module for explicit
instruction-set switches read from ``/proc/cpuinfo`` — everything the CPU has that ggml can use,
AMX always off — and keys the built wheel by them, so a venv moved to another CPU kind is
rebuilt instead of crashing. At run time :func:`runtime_problem` compares llama.cpp's own
system info with the CPU, so a mismatched build is refused with a message, not a crash.

Standard library only: setup.sh runs this file by path before protege is installed::

    python src/protege/students/cpu.py cmake-args   # the CMAKE_ARGS for llama-cpp-python
    python src/protege/students/cpu.py build-key    # names the wheel built with them
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import sys
from pathlib import Path

LLAMA_CPP_PYTHON = "0.3.36"

# ggml's CMake switch -> the /proc/cpuinfo flags it compiles in (all of them must be present).
_SWITCHES: dict[str, tuple[str, ...]] = {
    "GGML_SSE42": ("sse4_2",),
    "GGML_AVX": ("avx",),
    "GGML_F16C": ("f16c",),
    "GGML_FMA": ("fma",),
    "GGML_BMI2": ("bmi2",),
    "GGML_AVX2": ("avx2",),
    "GGML_AVX_VNNI": ("avx_vnni",),
    "GGML_AVX512": ("avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw"),
    "GGML_AVX512_VBMI": ("avx512vbmi",),
    "GGML_AVX512_VNNI": ("avx512_vnni",),
    "GGML_AVX512_BF16": ("avx512_bf16",),
}
# Never built, whatever the CPU has: the path that crashes.
_NEVER = ("GGML_AMX_TILE", "GGML_AMX_INT8", "GGML_AMX_BF16")
# One build for every x86-64 CPU these machines come as (Haswell level), for a shared venv.
_PORTABLE = ("GGML_SSE42", "GGML_AVX", "GGML_F16C", "GGML_FMA", "GGML_BMI2", "GGML_AVX2")

# llama.cpp's system-info feature name -> the cpuinfo flags the code behind it executes.
_SYSTEM_INFO_NEEDS: dict[str, tuple[str, ...]] = {
    "SSE3": ("pni",),
    "SSSE3": ("ssse3",),
    "AVX": ("avx",),
    "AVX_VNNI": ("avx_vnni",),
    "AVX2": ("avx2",),
    "F16C": ("f16c",),
    "FMA": ("fma",),
    "BMI2": ("bmi2",),
    "AVX512": ("avx512f",),
    "AVX512_VBMI": ("avx512vbmi",),
    "AVX512_VNNI": ("avx512_vnni",),
    "AVX512_BF16": ("avx512_bf16",),
    "AMX_INT8": ("amx_int8", "amx_tile"),
}
CRASHING_FEATURES = ("AMX_INT8",)


def cpu_flags(cpuinfo: str | None = None) -> frozenset[str]:
    """The instruction-set flags of this CPU (the first ``flags`` line of /proc/cpuinfo)."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            return frozenset()
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            return frozenset(line.split(":", 1)[1].split())
    return frozenset()


def is_x86() -> bool:
    return platform.machine().lower() in ("x86_64", "amd64")


def cmake_args(flags: frozenset[str] | None = None, *, portable: bool = False) -> list[str]:
    """The llama.cpp CMake switches for this CPU: no ``-march=native``, no AMX.

    ``portable`` builds for the Haswell level (AVX2), which every x86-64 CPU here runs.
    Off x86 the native build is kept: ggml has no AMX path there.
    """
    if not is_x86():
        return ["-DGGML_NATIVE=ON"]
    flags = cpu_flags() if flags is None else flags
    args = ["-DGGML_NATIVE=OFF"]
    for switch, needs in _SWITCHES.items():
        on = all(flag in flags for flag in needs) and (not portable or switch in _PORTABLE)
        args.append(f"-D{switch}={'ON' if on else 'OFF'}")
    args += [f"-D{switch}=OFF" for switch in _NEVER]
    return args


def build_key(args: list[str]) -> str:
    """Names one build: llama-cpp-python's version, the Python it is for, and the switches."""
    python = f"py{sys.version_info[0]}{sys.version_info[1]}"
    digest = hashlib.sha256(" ".join([LLAMA_CPP_PYTHON, python, *args]).encode()).hexdigest()[:12]
    return f"{LLAMA_CPP_PYTHON}-{python}-{digest}"


def system_features(system_info: str) -> frozenset[str]:
    """The features a llama.cpp build reports as on (``AVX2 = 1 | ...``)."""
    return frozenset(name for name, value in re.findall(r"([A-Z0-9_]+) = (\d+)", system_info) if value != "0")


def runtime_problem(system_info: str, flags: frozenset[str] | None = None) -> str | None:
    """Why the installed llama.cpp must not run on this CPU, or None when it may.

    Two ways to fail: a feature known to crash (AMX), or code for instructions this CPU lacks
    (a library built elsewhere, which would die with SIGILL).
    """
    features = system_features(system_info)
    crashing = sorted(f for f in CRASHING_FEATURES if f in features)
    fix = "rebuild it for this CPU with `bash scripts/setup.sh`"
    if crashing:
        return (
            f"llama.cpp was built with {', '.join(crashing)}, whose kernels crash on this CPU "
            f"(ggml's AMX path); {fix}"
        )
    flags = cpu_flags() if flags is None else flags
    if not flags or not is_x86():
        return None
    missing = sorted(f for f in features if any(n not in flags for n in _SYSTEM_INFO_NEEDS.get(f, ())))
    if missing:
        return f"llama.cpp was built for a CPU with {', '.join(missing)}, which this one lacks; {fix}"
    return None


def cpu_name(cpuinfo: str | None = None) -> str:
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            return platform.processor() or platform.machine()
    for line in cpuinfo.splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.machine()


def _main(argv: list[str]) -> int:
    portable = os.environ.get("PROTEGE_LLAMA_CPU", "").lower() == "portable"
    args = cmake_args(portable=portable)
    if argv[:1] == ["cmake-args"]:
        print(" ".join(args))
    elif argv[:1] == ["build-key"]:
        print(build_key(args))
    else:
        print("usage: cpu.py cmake-args|build-key", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
