"""Find the enum-valued fields of an output type from its JSON schema.

Confusion matrices are most useful for labels: a discriminator (``type`` of a ShowIntent), a
``Literal[...]`` or an ``Enum`` field. The schema names them exactly, which beats guessing from
the data (see :func:`protege.evaluate.metrics.detect_enum_fields`), so the evaluator should pass
``enum_fields=enum_fields_from_schema(site.output_schema)`` when it has the schema.
Paths use the report's collapsed syntax: ``type``, ``target.kind``, ``items[*].effect``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from protege.evaluate.jsonleaves import ROOT, key_path

_MAX_DEPTH = 64  # a guard against pathological schemas; recursion is cut by $ref below


def enum_fields_from_schema(schema: dict[str, Any]) -> list[str]:
    """Field paths whose values are string labels (``enum``/``const``, 2 labels or more,
    counting every member of a union at the same path).

    A recursive type (``history: list[Envelope]``) is not unrolled: a ``$ref`` already being
    walked is not entered again, so only the first level of it is reported.
    """
    defs = {**schema.get("definitions", {}), **schema.get("$defs", {})}
    labels: dict[str, set[str]] = defaultdict(set)
    not_labels: set[str] = set()

    def walk(node: Any, path: str, active: frozenset[str], depth: int) -> None:
        if not isinstance(node, dict) or depth > _MAX_DEPTH:
            return
        if "$ref" in node:
            name = str(node["$ref"]).rsplit("/", 1)[-1]
            if name not in defs:
                raise ValueError(f"schema reference {node['$ref']!r} not found in $defs")
            if name not in active:
                walk(defs[name], path, active | {name}, depth + 1)
            return
        values = list(node.get("enum", [])) + ([node["const"]] if "const" in node else [])
        for value in values:
            if isinstance(value, str):
                labels[path].add(value)
            elif value is not None:
                not_labels.add(path)
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in node.get(key, []):
                walk(sub, path, active, depth + 1)
        for name, sub in node.get("properties", {}).items():
            walk(sub, key_path(path, str(name)), active, depth + 1)
        items = node.get("items")
        if isinstance(items, dict):
            walk(items, f"{path}[*]", active, depth + 1)
        for sub in node.get("prefixItems", []):
            walk(sub, f"{path}[*]", active, depth + 1)

    walk(schema, "", frozenset(), 0)
    return sorted(
        path or ROOT for path, found in labels.items() if len(found) >= 2 and path not in not_labels
    )
