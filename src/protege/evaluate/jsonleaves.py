"""Compare two JSON values leaf by leaf.

A student answer and the reference (teacher) answer are JSON documents. We compare them
at two levels:

- exact match: equality after normalisation (key order ignored, ``1`` equals ``1.0``, strings
  in Unicode NFC). No numeric tolerance: this is the strict criterion.
- leaves: each document is flattened to ``{path: scalar}``. Paths are dotted keys with list
  indices in brackets, e.g. ``items[0].name``; keys that are not plain identifiers are quoted,
  e.g. ``labels["pt-BR"]``; a scalar root is ``$``; an empty list or object is a leaf of its
  own. Numbers agree within a :class:`NumericTolerance`; everything else must be equal.

Per-field statistics are reported on the *collapsed* path (``items[*].name``), so fields of
lists of different lengths still add up to one row per field in a report.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ROOT = "$"
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
_INDEX = re.compile(r"\[\d+\]")

LeafStatus = Literal["agree", "mismatch", "missing", "extra"]


class NumericTolerance(BaseModel):
    """How close two numbers must be to agree: ``|a - b| <= max(abs, rel * max(|a|, |b|))``."""

    model_config = ConfigDict(frozen=True)

    abs: float = Field(default=1e-9, ge=0.0, description="Absolute tolerance.")
    rel: float = Field(default=1e-6, ge=0.0, description="Relative tolerance (0.01 = 1 %).")

    @classmethod
    def coerce(cls, value: NumericTolerance | float | int | None) -> NumericTolerance:
        """Accept a tolerance object, a bare number (taken as absolute tolerance) or None."""
        if value is None:
            return cls()
        if isinstance(value, NumericTolerance):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return cls(abs=float(value), rel=0.0)
        raise TypeError(f"numeric_tolerance must be a NumericTolerance or a number, got {value!r}")


class LeafComparison(BaseModel):
    """One leaf of the reference and/or the answer, and whether they agree."""

    path: str
    field: str  # the collapsed path, e.g. items[*].name
    status: LeafStatus
    expected: Any = None
    got: Any = None

    @property
    def agree(self) -> bool:
        return self.status == "agree"


def normalize(value: Any) -> Any:
    """Canonical form of a JSON value: integral floats become ints, strings NFC, keys sorted."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else value
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {str(k): normalize(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, (list, tuple)):
        return [normalize(v) for v in value]
    return value


def canonical_json(value: Any) -> str:
    """A stable string for a JSON value; equal strings mean an exact match."""
    return json.dumps(normalize(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def key_path(prefix: str, key: str) -> str:
    part = key if _IDENT.match(key) else f"[{json.dumps(key, ensure_ascii=False)}]"
    if not prefix:
        return part
    return f"{prefix}{part}" if part.startswith("[") else f"{prefix}.{part}"


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Flatten a JSON value to ``{path: leaf}`` (see the module docstring for the path syntax)."""
    out: dict[str, Any] = {}
    if isinstance(value, dict) and value:
        for key, child in value.items():
            out.update(flatten(child, key_path(prefix, str(key))))
    elif isinstance(value, (list, tuple)) and value:
        for i, child in enumerate(value):
            out.update(flatten(child, f"{prefix}[{i}]"))
    else:
        out[prefix or ROOT] = value
    return out


def collapse(path: str) -> str:
    """``items[3].tags[0]`` -> ``items[*].tags[*]``: the field a leaf belongs to."""
    return _INDEX.sub("[*]", path)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def leaves_agree(expected: Any, got: Any, tolerance: NumericTolerance) -> bool:
    """Two leaf values agree: numbers within tolerance, anything else equal when normalised.

    Booleans are not numbers here (in Python ``True == 1``; in a JSON answer they differ).
    """
    if isinstance(expected, bool) or isinstance(got, bool):
        return type(expected) is type(got) and expected == got
    if _is_number(expected) and _is_number(got):
        if not (math.isfinite(expected) and math.isfinite(got)):
            return expected == got
        allowed = max(tolerance.abs, tolerance.rel * max(abs(expected), abs(got)))
        return abs(expected - got) <= allowed
    return normalize(expected) == normalize(got)


def compare_leaves(
    reference: Any, answer: Any | None, tolerance: NumericTolerance
) -> list[LeafComparison]:
    """Compare every leaf of ``reference`` and ``answer`` (``None`` = no parsable answer).

    Leaves only in the reference are ``missing``; leaves only in the answer are ``extra``
    (an answer that invents fields does not agree with the reference).
    """
    expected = flatten(reference)
    got = flatten(answer) if answer is not None else {}
    out: list[LeafComparison] = []
    for path, exp in expected.items():
        if path not in got:
            out.append(
                LeafComparison(path=path, field=collapse(path), status="missing", expected=exp)
            )
            continue
        status: LeafStatus = "agree" if leaves_agree(exp, got[path], tolerance) else "mismatch"
        out.append(
            LeafComparison(
                path=path, field=collapse(path), status=status, expected=exp, got=got[path]
            )
        )
    for path, value in got.items():
        if path not in expected:
            out.append(LeafComparison(path=path, field=collapse(path), status="extra", got=value))
    return out
