"""Call sites defined outside Python: built from types plus a contract (the Jac plugin's path)
and rebuilt from the store's record (how protege's own environment trains and gates them)."""

from __future__ import annotations

from enum import Enum

import pytest
from pydantic import BaseModel

from protege import CallSite, OutputParseError
from protege.cli.common import load_site


class Color(Enum):
    RED = "red"
    BLACK = "black"


class Choice(BaseModel):
    color: Color
    shade: float | None = None


def site(contract: dict | None = None, docstring: str = "Name the color.") -> CallSite:
    return CallSite.from_types("prog:pick_color", parameters=[("text", str), ("n", int)], return_type=Choice,
                               docstring=docstring, contract=contract, origin="prog.jac:7")


def test_from_types_fingerprints_the_contract():
    base = site({"meaning": {"fields": [{"name": "color", "semstr": "the color asked for"}]}})
    assert base.fingerprint == site({"meaning": {"fields": [{"name": "color", "semstr": "the color asked for"}]}}).fingerprint
    assert base.fingerprint != site({"meaning": {"fields": [{"name": "color", "semstr": "the colour"}]}}).fingerprint
    assert base.fingerprint != site(base.contract, docstring="Name one color.").fingerprint
    assert base.fingerprint != site(None).fingerprint
    assert base.bind((), {"text": "red", "n": 2}) == ({"text": "red", "n": 2}, {"text": "red", "n": 2})
    assert base.origin == "prog.jac:7" and base.function_name == "pick_color"


def test_a_recorded_site_validates_like_the_typed_one(store):
    typed = site({"meaning": "x"})
    store.register_site(typed.name, typed.fingerprint, typed.input_schema, typed.output_schema)
    recorded = load_site(typed.name)  # its module cannot be imported: the store's record
    assert (recorded.fingerprint, recorded.output_schema, recorded.input_schema) == (
        typed.fingerprint, typed.output_schema, typed.input_schema)
    assert recorded.student_prompt({"text": "red", "n": 2}) == typed.student_prompt({"text": "red", "n": 2})
    good = {"color": "red", "shade": 0.5}
    assert recorded.parse('{"color": "red", "shade": 0.5}') == good
    assert recorded.normal_form(recorded.validate(good)) == good
    for bad in ('{"color": "blue"}', '{"shade": 1}', '{"color": "red", "shade": "dark"}', '["red"]'):
        with pytest.raises(OutputParseError):
            recorded.parse(bad)
        with pytest.raises(OutputParseError):
            typed.parse(bad)
    assert load_site("prog:unknown_site") is None
