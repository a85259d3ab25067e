"""Validators: one function, three uses — filtering training data, checking each student answer
before it is returned, and scoring evals. A validator takes the parsed output and returns a
:class:`Verdict` (or a bool). Validators marked ``safety`` have zero tolerance in the gate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""


@dataclass(frozen=True)
class Validator:
    fn: Callable[..., Any]
    name: str
    safety: bool = False

    def check(self, output: Any, inputs: dict | None = None) -> Verdict:
        try:
            result = self.fn(output, inputs) if _wants_inputs(self.fn) else self.fn(output)
        except Exception as exc:  # a crashing validator is a failed check, with the reason
            return Verdict(False, f"validator raised {type(exc).__name__}: {exc}")
        if isinstance(result, Verdict):
            return result
        if isinstance(result, tuple):
            return Verdict(bool(result[0]), str(result[1]) if len(result) > 1 else "")
        return Verdict(bool(result), "" if result else "failed")


def validator(fn: Callable | None = None, *, name: str | None = None, safety: bool = False):
    """Mark a function as a validator: ``@validator`` or ``@validator(safety=True)``.

    The function receives the parsed output, and the call's inputs (a dict) if it takes two
    parameters. It returns a Verdict, a bool, or a ``(ok, reason)`` tuple.
    """

    def wrap(f: Callable) -> Validator:
        return Validator(fn=f, name=name or f.__name__, safety=safety)

    return wrap(fn) if fn is not None else wrap


def as_validators(items: Sequence[Callable | Validator]) -> tuple[Validator, ...]:
    return tuple(v if isinstance(v, Validator) else Validator(fn=v, name=v.__name__) for v in items)


def run_validators(validators: Sequence[Validator], output: Any, inputs: dict | None = None) -> dict:
    """``{name: {"ok": bool, "reason": str, "safety": bool}}`` for each validator."""
    verdicts = {}
    for v in validators:
        verdict = v.check(output, inputs)
        verdicts[v.name] = {"ok": verdict.ok, "reason": verdict.reason, "safety": v.safety}
    return verdicts


@lru_cache(maxsize=None)
def _wants_inputs(fn: Callable) -> bool:
    import inspect

    try:
        params = [
            p for p in inspect.signature(fn).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        return False
    return len(params) >= 2
