"""The machine a student trains on: how many cores are free, whether bf16 pays off, CUDA,
peak memory, and the versions and hardware recorded beside every trained adapter."""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import os
import platform
import resource
import time
from pathlib import Path
from typing import Any

from protege.students.cpu import cpu_flags, cpu_name


def resolve_bf16(setting: bool | None) -> bool:
    """bf16 autocast only pays off where the CPU has native bf16 instructions."""
    if setting is not None:
        return setting
    flags = cpu_flags()
    return "avx512_bf16" in flags or "amx_bf16" in flags


def idle_cores(sample_seconds: float = 0.5) -> int:
    """Cores not busy with *other* work right now (at least one).

    Measured here: with another process busy on one of two cores, 2 torch threads ran a step
    ~8x slower than 1 thread (the threads wait on each other at every op), while on an idle
    machine 2 threads beat 1. The 1-minute load average is the wrong signal: it lags by a
    minute and counts this process's own work (the teacher calls just before training), which
    made a quiet machine train on one thread at half speed. So the machine's busy time is
    sampled from /proc/stat over a short window, minus this process's own; the load average is
    the fallback where /proc is absent.
    """
    cores = os.cpu_count() or 1
    try:
        busy = _others_busy_cores(sample_seconds)
    except OSError:
        try:
            busy = os.getloadavg()[0]
        except OSError:
            busy = 0.0
    return max(1, min(cores, cores - round(busy)))


def _others_busy_cores(seconds: float) -> float:
    """Cores' worth of CPU time other processes used over ``seconds`` (Linux /proc)."""

    def machine() -> tuple[int, int]:
        with open("/proc/stat") as f:
            values = [int(v) for v in f.readline().split()[1:]]
        idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
        return sum(values[:8]) - idle, sum(values[:8])

    def own() -> int:
        with open("/proc/self/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime, all threads

    busy0, total0, own0 = *machine(), own()
    time.sleep(seconds)
    busy1, total1, own1 = *machine(), own()
    cores = os.cpu_count() or 1
    if total1 <= total0:
        return 0.0
    return max(0.0, (busy1 - busy0 - (own1 - own0)) / (total1 - total0) * cores)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """The process's resident memory now (Linux; 0 where /proc is missing)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def release_freed_memory() -> bool:
    """Hand the heap's free pages back to the OS (glibc ``malloc_trim``); False where there is
    no glibc. Training needs it: batches of different widths free and allocate differently sized
    activations, the freed blocks stay in glibc's heap, and resident memory grows step by step
    although the live tensors do not (bench/bases.md, where training memory goes)."""
    trim = _glibc_malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True


@functools.cache
def _glibc_malloc_trim() -> Any:
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def environment() -> dict[str, Any]:
    """Versions and hardware, so a student can be traced to where it was made."""
    import peft
    import torch
    import transformers

    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "peft": peft.__version__,
        "threads": torch.get_num_threads(),
        "cpu": cpu_name(),
        "cuda": cuda_available(),
    }


def cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def qlora_kwargs() -> dict[str, Any]:
    """4-bit base weights (QLoRA) on CUDA machines; bitsandbytes needs a GPU."""
    import torch
    from transformers import BitsAndBytesConfig

    if importlib.util.find_spec("bitsandbytes") is None:
        return {"device_map": {"": 0}}  # plain LoRA on the GPU
    return {
        "device_map": {"": 0},
        "quantization_config": BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.bfloat16
        )
    }
