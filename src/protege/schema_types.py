"""Python types from JSON schemas, for call sites known only by their recorded contract.

A call site defined outside this process (a Jac program in its own environment, a proxy site)
reaches training and evaluation as what the store recorded: its name, fingerprint and input
and output JSON schemas. :func:`type_from_schema` turns such a schema back into a type pydantic
validates against, so those sites parse, validate and compare answers exactly like decorated
Python ones. Values stay plain JSON (dicts, lists, scalars).

It covers what protege and byLLM write: objects (properties, required, additionalProperties),
arrays, scalars, enum, const, anyOf/oneOf, nullable types and ``$ref`` into ``$defs``. Anything
else becomes ``Any``: accepted as it is, never silently rejected.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Optional, Union

import pydantic

_SCALARS: dict[str, Any] = {"string": str, "integer": int, "number": float, "boolean": bool, "null": type(None)}


def type_from_schema(schema: dict, *, name: str = "Output") -> Any:
    """A type whose pydantic validation follows ``schema`` and keeps the value as given."""
    checker = pydantic.TypeAdapter(_Builder(schema).build(schema, name))

    def check(value: Any) -> Any:
        checker.validate_python(value, strict=True)
        return value

    return Annotated[Any, pydantic.AfterValidator(check)]


class _Builder:
    def __init__(self, root: dict):
        self.defs = {**root.get("definitions", {}), **root.get("$defs", {})}
        self.made: dict[str, Any] = {}

    def build(self, node: Any, name: str) -> Any:
        if not isinstance(node, dict) or not node:
            return Any
        if "$ref" in node:
            return self.ref(node["$ref"])
        if "const" in node:
            return Literal[node["const"]]
        if "enum" in node:
            return Literal[tuple(node["enum"])]
        for key in ("anyOf", "oneOf"):
            if key in node:
                options = tuple(self.build(sub, f"{name}{i}") for i, sub in enumerate(node[key]))
                return Union[options] if len(options) > 1 else options[0]
        kind = node.get("type")
        if isinstance(kind, list):
            options = tuple(self.build({**node, "type": k}, name) for k in kind)
            return Union[options] if len(options) > 1 else options[0]
        if kind == "object":
            return self.object(node, name)
        if kind == "array":
            return list[self.build(node.get("items", {}), f"{name}Item")]  # type: ignore[misc]
        return _SCALARS.get(kind, Any)

    def ref(self, ref: str) -> Any:
        key = ref.rsplit("/", 1)[-1]
        if key not in self.defs:
            return Any
        if key not in self.made:
            self.made[key] = Any  # a recursive reference validates loosely rather than looping
            self.made[key] = self.build(self.defs[key], key)
        return self.made[key]

    def object(self, node: dict, name: str) -> Any:
        properties = node.get("properties")
        extra = node.get("additionalProperties", True)
        if not properties:
            if isinstance(extra, dict):
                return dict[str, self.build(extra, f"{name}Value")]  # type: ignore[misc]
            return dict[str, Any]
        required = set(node.get("required", ()))
        fields: dict[str, Any] = {}
        for i, (field, sub) in enumerate(properties.items()):
            # f0, f1...: a field may be named like a BaseModel attribute ("json", "copy")
            annotation = self.build(sub, f"{name}_{i}")
            if field in required:
                fields[f"f{i}"] = (annotation, pydantic.Field(alias=field))
            else:
                fields[f"f{i}"] = (Optional[annotation], pydantic.Field(None, alias=field))
        config = pydantic.ConfigDict(extra="forbid" if extra is False else "allow", strict=True)
        return pydantic.create_model(re.sub(r"\W", "_", name), __config__=config, **fields)  # type: ignore[call-overload]
