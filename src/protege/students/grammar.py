"""Turn a call site's output schema into a token-level constraint for the student.

We constrain decoding with llguidance rather than llama.cpp's GBNF converter because llguidance
enforces the parts of a Pydantic JSON schema that GBNF drops (number ``minimum``/``maximum`` and
``exclusiveMinimum``, ``maxItems`` on nested lists, ``$ref`` cycles, ``oneOf`` with a
discriminator), computes a token mask in microseconds instead of milliseconds, and tells us
which tokens the schema already forces (keys, punctuation, the tail of an enum value) so the
runtime can feed them in one batch instead of sampling them one by one.

Two choices here shape every answer, and training must make the same ones:

- JSON is compact: ``,`` and ``:`` with no whitespace, which is what Pydantic's
  ``model_dump_json()`` writes. Fewer tokens, and the student never wonders where to put spaces.
- Objects without an explicit ``additionalProperties`` get ``additionalProperties: false``.
  Pydantic ignores unknown keys by default, so forbidding them keeps every answer valid while
  sparing the model from inventing keys (a real failure of small models) and making each key
  name forced once the previous value is closed.
"""

from __future__ import annotations

import copy
import json
import warnings
from functools import lru_cache
from typing import Any

ITEM_SEPARATOR = ","
KEY_SEPARATOR = ":"

_COMPILE_OPTIONS = {
    "whitespace_flexible": False,
    "item_separator": ITEM_SEPARATOR,
    "key_separator": KEY_SEPARATOR,
    # Pydantic writes discriminated unions as oneOf; the discriminator's const makes the
    # branches disjoint, so treating them as anyOf accepts exactly the same documents.
    "coerce_one_of": True,
}


class SchemaGrammarError(ValueError):
    """An output schema that cannot be turned into a decoding constraint."""


def tighten_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``schema`` where objects that do not say otherwise forbid unknown keys.

    Every document valid for the result is valid for the input, so this only narrows what the
    student may write.
    """
    tightened = copy.deepcopy(schema)
    _forbid_extra_keys(tightened)
    return tightened


def _forbid_extra_keys(node: Any) -> None:
    if isinstance(node, dict):
        if "properties" in node and "additionalProperties" not in node:
            if "patternProperties" not in node:
                node["additionalProperties"] = False
        for value in node.values():
            _forbid_extra_keys(value)
    elif isinstance(node, list):
        for item in node:
            _forbid_extra_keys(item)


def schema_key(schema: dict[str, Any]) -> str:
    """A stable text key for caching per schema (dict order of properties matters: keep it)."""
    return json.dumps(schema, separators=(",", ":"), sort_keys=False)


@lru_cache(maxsize=256)
def grammar_for(schema_text: str) -> str:
    """The llguidance grammar for a schema given as JSON text; cached per process.

    A schema keyword llguidance does not implement is an error in strict mode; then we retry
    leniently (the keyword is ignored) and warn, because the caller still validates every answer
    with Pydantic and a looser constraint beats no student at all.
    """
    import llguidance

    schema = tighten_schema(json.loads(schema_text))
    grammar = llguidance.LLMatcher.grammar_from_json_schema(schema, overrides=_COMPILE_OPTIONS)
    is_error, messages = llguidance.LLMatcher.validate_grammar_with_warnings(grammar)
    if not is_error:
        return grammar
    lenient = llguidance.LLMatcher.grammar_from_json_schema(
        schema, overrides={**_COMPILE_OPTIONS, "lenient": True}
    )
    lenient_error, lenient_messages = llguidance.LLMatcher.validate_grammar_with_warnings(lenient)
    if lenient_error:
        raise SchemaGrammarError(
            f"cannot build a decoding constraint from this output schema: {messages[0]}; "
            "simplify the return type (plain objects, enums, lists, numbers, strings)"
        )
    warnings.warn(
        f"output schema uses keywords the student's decoder cannot enforce ({messages[0]}); "
        "they are ignored while decoding and checked only by validation",
        stacklevel=3,
    )
    return lenient
