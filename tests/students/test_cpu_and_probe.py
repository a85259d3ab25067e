"""The llama.cpp build on this CPU, and the child-process probe that keeps a llama.cpp crash
out of the caller: real builds, real models, and a real segfault in the child."""

from __future__ import annotations

import json
import shutil
import sys

import pytest
from typer.testing import CliRunner

from protege.cli import app
from protege.students import probe
from protege.students.cpu import build_key, cmake_args, cpu_flags, runtime_problem, system_features

AMX_XEON = frozenset(
    "pni ssse3 sse4_2 avx f16c fma bmi2 avx2 avx_vnni avx512f avx512cd avx512vl avx512dq avx512bw avx512vbmi "
    "avx512_vnni avx512_bf16 amx_tile amx_int8 amx_bf16".split()
)
AVX2_EPYC = frozenset("pni ssse3 sse4_2 avx f16c fma bmi2 avx2".split())
SEGFAULT_IN_LOAD = "import ctypes, json; print('stage ' + json.dumps('load'), flush=True); ctypes.string_at(0)"


def switches(args: list[str]) -> dict[str, str]:
    return dict(a[2:].split("=") for a in args)


def test_build_switches_follow_the_cpu_and_never_turn_on_amx_or_native():
    xeon, epyc = switches(cmake_args(AMX_XEON)), switches(cmake_args(AVX2_EPYC))
    assert xeon["GGML_NATIVE"] == epyc["GGML_NATIVE"] == "OFF"
    assert all(xeon[f"GGML_AMX_{k}"] == "OFF" for k in ("TILE", "INT8", "BF16"))
    assert xeon["GGML_AVX512"] == xeon["GGML_AVX512_BF16"] == xeon["GGML_AVX_VNNI"] == "ON"
    assert epyc["GGML_AVX2"] == epyc["GGML_FMA"] == "ON" and epyc["GGML_AVX512"] == epyc["GGML_AVX_VNNI"] == "OFF"
    portable = switches(cmake_args(AMX_XEON, portable=True))
    assert portable["GGML_AVX2"] == "ON" and portable["GGML_AVX512"] == "OFF"
    # a venv moved to another CPU kind gets another wheel, never this one
    assert build_key(cmake_args(AMX_XEON)) != build_key(cmake_args(AVX2_EPYC))


def test_a_build_that_must_not_run_here_is_named():
    native_on_amx = "CPU : SSE3 = 1 | AVX = 1 | AVX2 = 1 | AVX512 = 1 | AMX_INT8 = 1 | OPENMP = 1 |"
    assert "AMX_INT8" in runtime_problem(native_on_amx, AMX_XEON)
    built_on_xeon = "CPU : SSE3 = 1 | AVX2 = 1 | AVX512 = 1 | AVX512_BF16 = 1 | REPACK = 1 |"
    problem = runtime_problem(built_on_xeon, AVX2_EPYC)
    assert problem and "AVX512, AVX512_BF16" in problem and "setup.sh" in problem
    assert runtime_problem(built_on_xeon, AMX_XEON) is None
    assert system_features("AVX = 1 | AVX512 = 0 | REPACK = 1") == {"AVX", "REPACK"}


def test_the_installed_llama_cpp_has_no_amx_path_and_fits_this_cpu():
    llama_cpp = pytest.importorskip("llama_cpp")
    info = llama_cpp.llama_print_system_info().decode()
    assert "AMX_INT8" not in system_features(info), info
    assert runtime_problem(info) is None, info
    if "avx2" in cpu_flags():
        assert "AVX2" in system_features(info)  # not a lowest-common-denominator build on this CPU


@pytest.fixture
def fresh_verdicts(tmp_path, monkeypatch):
    monkeypatch.setenv("PROTEGE_CACHE_DIR", str(tmp_path / "cache"))
    probe.forget()
    yield tmp_path / "cache" / "runtime-probes.json"
    probe.forget()


def test_the_probe_decodes_the_base_model_and_remembers_it(fresh_verdicts):
    pytest.importorskip("llama_cpp")
    from protege.students.base import file_sha256, resolve_base_model

    path = resolve_base_model().gguf_path
    result = probe.ensure_runs(path, file_sha256(path))
    assert result.ok and result.tokens > 0 and result.tokens_per_second > 0
    assert "AVX" in result.system_info
    remembered = json.loads(fresh_verdicts.read_text())
    assert len(remembered) == 1 and next(iter(remembered.values()))["ok"] is True


def test_a_segfault_in_llama_cpp_fails_the_load_not_the_process(fresh_verdicts, monkeypatch, tmp_path):
    pytest.importorskip("llama_cpp")
    from protege.students.base import resolve_base_model
    from protege.students.runtime import StudentLoadError, StudentRuntime

    monkeypatch.setattr(probe, "_child_argv", lambda *a: [sys.executable, "-c", SEGFAULT_IN_LOAD])
    result = probe.run_probe("any.gguf")
    assert not result.ok and result.stage == "load" and "SIGSEGV" in result.reason

    copy = tmp_path / "student.gguf"  # a path this process has not loaded yet
    shutil.copyfile(resolve_base_model().gguf_path, copy)
    with pytest.raises(StudentLoadError, match="crashed with SIGSEGV during the load stage"):
        StudentRuntime.load(copy)
    assert not fresh_verdicts.exists()  # a failure is not remembered across processes


def test_runtime_check_command(fresh_verdicts):
    pytest.importorskip("llama_cpp")
    result = CliRunner().invoke(app, ["runtime", "check", "--tokens", "8", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] and report["tokens"] > 0 and report["decode_tokens_per_second"] > 0
    assert "AMX_INT8 = 1" not in report["llama_system_info"]


def test_runtime_check_fails_with_what_to_do(fresh_verdicts, monkeypatch):
    monkeypatch.setattr(probe, "_child_argv", lambda *a: [sys.executable, "-c", SEGFAULT_IN_LOAD])
    pytest.importorskip("llama_cpp")
    result = CliRunner().invoke(app, ["runtime", "check"])
    assert result.exit_code == 1
    assert "SIGSEGV" in result.stderr and "scripts/setup.sh" in result.stderr
