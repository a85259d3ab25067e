"""Import and export of examples as JSONL rows of ``{"inputs": {...}, "output": {...}}``.

Import is all-or-nothing by default: every row is checked first, every bad row is reported with
its line number, and nothing is written unless all rows are good (or ``skip_invalid`` is set).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from protege.store import SOURCES, ExampleIn, ExampleRow


@dataclass
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportResult:
    rows: list[ExampleIn] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


class ImportRowsError(ValueError):
    def __init__(self, errors: list[RowError]):
        shown = "\n".join(f"  {e}" for e in errors[:20])
        more = f"\n  ... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(
            f"{len(errors)} bad row(s); nothing was imported (pass --skip-invalid to import the good rows):\n{shown}{more}"
        )
        self.errors = errors


def read_jsonl_examples(
    lines: Iterable[str],
    *,
    validate_output: Callable[[Any], Any] | None = None,
    required_inputs: Iterable[str] = (),
    source: str = "import",
) -> ImportResult:
    """Check each JSONL row; good rows become ExampleIn, bad rows RowError."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}")
    required = list(required_inputs)
    result = ImportResult()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            result.errors.append(RowError(number, f"not valid JSON ({exc.msg} at column {exc.colno})"))
            continue
        problem = _row_problem(row, required)
        if problem is None and validate_output is not None:
            try:
                validate_output(row["output"])
            except Exception as exc:
                problem = f"output does not match the call site's return type: {exc}"
        if problem:
            result.errors.append(RowError(number, problem))
            continue
        result.rows.append(
            ExampleIn(
                inputs=row["inputs"], output=row["output"], source=source,  # type: ignore[arg-type]
                approved=bool(row.get("approved", True)), tags=list(row.get("tags", [])),
                provenance={"import_line": number, **row.get("provenance", {})},
            )
        )
    return result


def _row_problem(row: Any, required: list[str]) -> str | None:
    if not isinstance(row, dict):
        return "a row must be a JSON object with keys inputs and output"
    if not isinstance(row.get("inputs"), dict):
        return "missing 'inputs' (an object of argument values)"
    if "output" not in row:
        return "missing 'output'"
    missing = [name for name in required if name not in row["inputs"]]
    if missing:
        return f"inputs lack argument(s) {', '.join(missing)}"
    return None


def write_jsonl_examples(rows: list[ExampleRow], path: Path | None) -> str:
    """Rows as JSONL (to ``path``, or returned as text)."""
    text = "".join(
        json.dumps(
            {"inputs": r.inputs, "output": r.output, "source": r.source, "approved": r.approved,
             "split": r.split, "tags": r.tags, "id": r.id},
            ensure_ascii=False,
        ) + "\n"
        for r in rows
    )
    if path is not None:
        path.write_text(text, encoding="utf-8")
    return text
