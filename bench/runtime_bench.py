"""Student runtime vs raw llama-cpp-python, side by side on one GGUF and one set of prompts.

    .venv/bin/python bench/runtime_bench.py [--gguf PATH] [--threads N] [--rounds R] [--ablations]

Per prompt, in turn (so background load hits every variant alike):
  (c) StudentRuntime.answer                      schema-constrained, our decoder
  (a) raw create_completion + LlamaGrammar        llama.cpp's own JSON-schema grammar
  (b) raw create_completion, no grammar           forced to emit exactly as many tokens as (c)
Raw llama-cpp-python also reuses the KV prefix between calls, so the comparison is fair.
`--ablations` adds StudentRuntime runs with one speed-up switched off at a time.
Prints p50/p95 latency, output tokens per second, schema-valid rate, the overhead ratio of (c)
over (b), and peak RSS. Not run in CI.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import time
from typing import Annotated, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from protege.prompts import render_student_prompt
from protege.students.base import resolve_base_model
from protege.students.chat import chat_template_of, render_chat
from protege.students.runtime import StudentRuntime, default_threads


class ChangeMood(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["change_mood"]
    mood: str = Field(min_length=1)
    palette: list[str] = Field(default_factory=list, max_length=8)
    intensity: float = Field(0.5, ge=0, le=1)
    duration_seconds: Optional[float] = Field(None, gt=0)


class ArmEffect(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["arm_effect"]
    effect: Literal["fog", "hazer", "strobe", "confetti_sim", "blackout", "laser"]
    duration_seconds: Optional[float] = Field(None, gt=0)
    intensity: Optional[float] = Field(None, ge=0, le=1)
    timing: Optional[Literal["now", "next_drop", "next_phrase", "manual"]] = None


class Announce(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["announce"]
    text: str = Field(min_length=1)
    tone: Optional[Literal["neutral", "premium", "hype", "calm"]] = None


class ShowIntent(BaseModel):
    model_config = ConfigDict(extra="forbid")
    intent: Annotated[Union[ChangeMood, ArmEffect, Announce], Field(discriminator="type")]
    confidence: float = Field(ge=0, le=1)
    needs_operator_review: bool


MESSAGES = [
    "fog for 3 seconds at 0.35 please", "announce the next band, hype tone", "strobe now!!",
    "make the mood calm blue and slow", "Olá pessoal, bem-vindos ao show", "confetti on the drop",
    "set a warm golden mood at 0.8 for 20 s", "hazer light, 2 s, low", "thank you everyone, good night",
    "mood: neon pink and cyan, high energy", "announce: bar closes in 10 minutes",
    "deixa o clima mais calmo", "fade to ember red for two minutes", "quick hype shout for the DJ",
    "premium intro for the sponsor", "calm down the lights, crowd is tired",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class Variant:
    def __init__(self, name: str) -> None:
        self.name, self.ms, self.tokens, self.valid = name, [], [], 0

    def add(self, ms: float, tokens: int, valid: bool) -> None:
        self.ms.append(ms)
        self.tokens.append(tokens)
        self.valid += valid

    def row(self) -> str:
        tok_s = sum(self.tokens) / (sum(self.ms) / 1000)
        return (
            f"{self.name:<34} {percentile(self.ms, .5):8.1f} {percentile(self.ms, .95):8.1f} "
            f"{statistics.mean(self.tokens):7.1f} {tok_s:8.1f} {self.valid:>4}/{len(self.ms)}"
        )


def is_valid(text: str) -> bool:
    try:
        ShowIntent.model_validate_json(text)
        return True
    except ValidationError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gguf", default=None, help="model file (default: the base SmolLM2 GGUF)")
    parser.add_argument("--threads", type=int, default=None, help="default: the runtime's default")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the prompts")
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--ablations", action="store_true")
    args = parser.parse_args()

    import llama_cpp

    path = args.gguf or str(resolve_base_model().gguf_path)
    threads = args.threads or default_threads()
    schema = ShowIntent.model_json_schema()
    template = chat_template_of(path)
    prompts = [render_student_prompt({"message": m, "chat_role": "operator"}) for m in MESSAGES]
    load_before = os.getloadavg()[0]

    runtime = StudentRuntime.load(path, n_threads=threads)
    rss_runtime = rss_mb()
    # one raw context per raw variant, so each sees the prompts in the same order as (c) and
    # none gets the previous variant's identical prompt from the KV cache
    raw_grammar, raw_free = (
        llama_cpp.Llama(model_path=path, n_ctx=2048, n_batch=512, n_threads=threads,
                        n_threads_batch=threads, verbose=False)
        for _ in range(2)
    )
    grammar = llama_cpp.LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False)
    eos = raw_free.token_eos()

    ablations = {
            "(c') no prefix KV reuse": "reset",
        "(c') no fast-forward of forced tok": {"fast_forward": False},
        "(c') mask every step": {"top_token_first": False},
    } if args.ablations else {}
    variants = {k: Variant(k) for k in ["(c) StudentRuntime", "(a) raw + llama.cpp json grammar", "(b) raw, no grammar", *ablations]}

    def run_raw(raw: llama_cpp.Llama, name: str, prompt: str, **kwargs) -> None:
        started = time.perf_counter()
        out = raw.create_completion(render_chat(template, prompt), temperature=0.0, **kwargs)
        variants[name].add((time.perf_counter() - started) * 1000, out["usage"]["completion_tokens"], is_valid(out["choices"][0]["text"]))

    for _ in range(args.rounds):
        for prompt in prompts:
            answer = runtime.answer(prompt, schema, max_tokens=args.max_tokens)
            variants["(c) StudentRuntime"].add(answer.latency_ms, answer.tokens_out, is_valid(answer.text))
            run_raw(raw_grammar, "(a) raw + llama.cpp json grammar", prompt, max_tokens=args.max_tokens, grammar=grammar)
            run_raw(raw_free, "(b) raw, no grammar", prompt, max_tokens=answer.tokens_out, logit_bias={eos: -1e9})
            for name, option in ablations.items():
                # start each ablation from the cache state (c) started from, not from (c)'s answer
                keep = 0 if option == "reset" else answer.tokens_cached
                runtime._llm._ctx.kv_cache_seq_rm(-1, keep, -1)
                runtime._llm.n_tokens = keep
                runtime._decode_options = {} if option == "reset" else option
                ablated = runtime.answer(prompt, schema, max_tokens=args.max_tokens)
                runtime._decode_options = {}
                variants[name].add(ablated.latency_ms, ablated.tokens_out, is_valid(ablated.text))

    print(f"model {path}\nthreads {threads}, {len(prompts)} prompts x {args.rounds} rounds, "
          f"load average {load_before:.2f} before / {os.getloadavg()[0]:.2f} after")
    print(f"{'variant':<34} {'p50 ms':>8} {'p95 ms':>8} {'out tok':>7} {'tok/s':>8} {'valid':>9}")
    for variant in variants.values():
        print(variant.row())
    c, b = variants["(c) StudentRuntime"], variants["(b) raw, no grammar"]
    a = variants["(a) raw + llama.cpp json grammar"]
    per_call = [x / y for x, y in zip(c.ms, b.ms)]
    print(f"overhead (c)/(b): p50 latency ratio {percentile(c.ms, .5) / percentile(b.ms, .5):.2f}x, "
          f"median per-call ratio {statistics.median(per_call):.2f}x")
    print(f"speed-up (a)/(c): {percentile(a.ms, .5) / percentile(c.ms, .5):.2f}x at p50")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"RSS after loading the runtime {rss_runtime:.0f} MB; peak RSS (runtime + 2 raw contexts) {peak:.0f} MB")


if __name__ == "__main__":
    main()
