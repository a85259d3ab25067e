"""Call sites: a typed function whose body an LLM provides.

``@protege.llm`` turns the function's signature, docstring and return type into everything the
rest of protege needs: a stable identity (``module:qualname``), a fingerprint that changes when
any part of the contract changes, the input and output JSON schemas, both prompts, and the parser
that turns an answer into a validated return value. The decorated function calls the router,
which decides who answers (teacher or student) and records the call; the decorator itself is
:func:`protege.decorator.llm`.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import re
import typing
from collections.abc import Callable, Sequence
from typing import Any

import pydantic
from pydantic import TypeAdapter

from protege.errors import CallSiteError, OutputParseError
from protege.parsing import NoJSONFound, canonical_json, extract_json
from protege.prompts import (
    PROMPT_TEMPLATE_VERSION,
    render_student_prompt,
    render_teacher_messages,
)
from protege.schema_types import type_from_schema
from protege.validators import Validator, as_validators


class CallSite:
    """Everything protege knows about one decorated function."""

    second_look: Callable[[dict, Any, Callable[[dict], Any]], Any] | None = None
    """``second_look(inputs, answer, ask)``: the site's second look at a student answer (JSON)
    before it is judged; ``ask(other_inputs)`` asks the student again (greedy; the JSON answer, or
    None). Returns the answer to keep, another answer (a refusal, say), or None: none to serve.
    Not fingerprinted; see :func:`protege.answering.looked_again`."""

    def __init__(
        self,
        fn: Callable,
        *,
        teacher: Any = None,
        validators: Sequence[Callable | Validator] = (),
        name: str | None = None,
        graduation: Any = None,
        student_inputs: Sequence[str] | None = None,
        contract: dict | None = None,
        decode_schema: dict | Callable[[dict], dict] | None = None,
        decode_for: Callable[[dict, dict], dict] | None = None,
        student_hints: Callable[[dict], dict] | None = None,
        second_look: Callable[[dict, Any, Callable[[dict], Any]], Any] | None = None,
    ):
        self.fn = fn
        self.is_async = inspect.iscoroutinefunction(fn)
        code = getattr(fn, "__code__", None)
        self.origin = f"{code.co_filename}:{code.co_firstlineno}" if code else ""
        """Where the function is defined (``file:line``): shown with its calls, never fingerprinted."""
        self._define(
            name=name or f"{fn.__module__}:{fn.__qualname__}", function_name=fn.__name__,
            docstring=fn.__doc__, signature=inspect.signature(fn), hints=_type_hints(fn), teacher=teacher,
            validators=validators, graduation=graduation, student_inputs=student_inputs, contract=contract,
        )
        self._narrow_decoding(decode_schema)
        self.decode_for = decode_for
        self.second_look = second_look
        self.student_hints = student_hints
        """A function of the shown inputs returning fields that replace or join them in the
        student's prompt: what a small model needs spelled out (a gloss for each name on the
        operator's screen, say). Not fingerprinted; recorded by name with every trained version."""

    @classmethod
    def from_types(
        cls,
        name: str,
        *,
        parameters: Sequence[tuple[str, Any]],
        return_type: Any,
        docstring: str = "",
        function_name: str | None = None,
        contract: dict | None = None,
        teacher: Any = None,
        validators: Sequence[Callable | Validator] = (),
        graduation: Any = None,
        decode_for: Callable[[dict, dict], dict] | None = None,
        second_look: Callable[[dict, Any, Callable[[dict], Any]], Any] | None = None,
        origin: str = "",
    ) -> CallSite:
        """A call site defined elsewhere than a Python function body: a Jac ``by llm`` function,
        say. ``parameters`` are (name, annotation) in call order; ``contract`` holds whatever else
        defines the contract there (semantic strings, the framework's own output schema) and
        enters the fingerprint; ``origin`` says where it is defined (``file:line``)."""
        site = cls.__new__(cls)
        site.fn, site.is_async, site.origin, site.decode_for = None, False, origin, decode_for
        site.student_hints, site.second_look = None, second_look
        params = [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=a) for n, a in parameters]
        site._define(
            name=name, function_name=function_name or name.rpartition(":")[2].rpartition(".")[2],
            docstring=docstring, signature=inspect.Signature(params),
            hints={**{n: a for n, a in parameters}, "return": return_type}, teacher=teacher,
            validators=validators, graduation=graduation, student_inputs=None, contract=contract,
        )
        return site

    @classmethod
    def recorded(cls, name: str, fingerprint: str, input_schema: dict, output_schema: dict, *,
                 validators: Sequence[Callable | Validator] = (), graduation: Any = None,
                 decode_for: Callable[[dict, dict], dict] | None = None,
                 second_look: Callable[[dict, Any, Callable[[dict], Any]], Any] | None = None) -> CallSite:
        """A call site as the store recorded it, for training and evaluation in a process that
        cannot import its definition (a Jac program's site, trained from protege's own
        environment). Inputs and answers are plain JSON validated against the recorded schemas;
        the fingerprint is the recorded one, so the data and versions are the same."""
        site = cls.__new__(cls)
        site.fn, site.is_async, site.origin, site.decode_for = None, False, "", decode_for
        site.second_look = second_look
        site.name, site.function_name, site.docstring = name, name.rpartition(":")[2], ""
        site.teacher_spec, site.student_inputs, site.student_hints = None, None, None
        site.validators, site.graduation = as_validators(validators), graduation
        site.contract = None
        site.return_type = type_from_schema(output_schema)
        site.output_adapter = TypeAdapter(site.return_type)
        site.output_schema, site._decode_schema = output_schema, None
        site._scalar_output = output_schema.get("type") not in ("object", "array", None)
        properties = input_schema.get("properties", {})
        required = set(input_schema.get("required", ()))
        site._params = [
            (inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                               default=inspect.Parameter.empty if n in required else sub.get("default")),
             Any, TypeAdapter(type_from_schema({**sub, "$defs": input_schema.get("$defs", {})})))
            for n, sub in properties.items()
        ]
        site.signature = inspect.Signature([p for p, _, _ in site._params])
        site.input_schema = input_schema
        site.fingerprint = fingerprint
        return site

    @classmethod
    def latest_recorded(cls, store: Any, name: str, **options: Any) -> CallSite | None:
        """:meth:`recorded` for the newest fingerprint the store has of ``name`` (None when it
        has none); ``options`` are the site's validators, graduation, decode_for and second_look."""
        known = store.site_fingerprints(name)
        if not known:
            return None
        newest = known[0]
        return cls.recorded(name, newest["fingerprint"], newest["input_schema"], newest["output_schema"], **options)

    def _narrow_decoding(self, decode_schema: dict | Callable[[dict], dict] | None) -> None:
        if decode_schema is not None:
            self._decode_schema = decode_schema(self.output_schema) if callable(decode_schema) else decode_schema

    @property
    def decode_schema(self) -> dict:
        """What the student decodes under: the output schema, or a narrower one the site gives
        (``decode_schema=``) to keep words out of free text. Validation always uses the output
        schema; not fingerprinted (it only narrows), recorded with every trained version."""
        return self._decode_schema if self._decode_schema is not None else self.output_schema

    def decode_schema_for(self, inputs: dict) -> dict:
        """What the student decodes under for one call: :attr:`decode_schema`, narrowed by the
        site's ``decode_for(schema, inputs)`` where the inputs fix part of the answer (a map's
        coordinates within the level's width and height, say)."""
        return self.decode_for(self.decode_schema, inputs) if self.decode_for is not None else self.decode_schema

    def _define(self, *, name, function_name, docstring, signature, hints, teacher, validators, graduation,
                student_inputs, contract) -> None:
        self.name = name
        self.function_name = function_name
        self.docstring = inspect.cleandoc(docstring or "")
        self.teacher_spec = teacher
        self.validators = as_validators(validators)
        self.graduation = graduation
        """A :class:`protege.graduation.Graduation`; None means the defaults."""
        self.student_inputs = tuple(student_inputs) if student_inputs is not None else None
        """Dotted input paths the student's prompt shows (None: all inputs). Not part of the
        fingerprint — the data contract is unchanged — but recorded with every trained version."""
        self.contract = contract
        """What else defines the contract (e.g. a Jac function's semantic strings); fingerprinted."""
        self.signature = signature
        if "return" not in hints or hints["return"] in (None, type(None)):
            raise CallSiteError(
                f"{self.name}: add a return type annotation, e.g. `-> MyModel` where MyModel is a "
                "pydantic BaseModel; protege validates every answer against it"
            )
        self.return_type = hints["return"]
        self.output_adapter = _adapter_or_error(self.return_type, f"{self.name}: return type")
        try:
            self.output_schema = compact_schema(self.output_adapter.json_schema())
        except Exception as exc:
            raise CallSiteError(
                f"{self.name}: pydantic cannot make a JSON schema of the return type "
                f"{self.return_type!r} ({exc}); return a pydantic BaseModel instead"
            ) from exc
        self._scalar_output = self.output_schema.get("type") not in ("object", "array", None)
        self._decode_schema: dict | None = None
        self._params = []
        for p in self.signature.parameters.values():
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                raise CallSiteError(f"{self.name}: *args and **kwargs cannot be described to a model; name each argument")
            annotation = hints.get(p.name, Any)
            self._params.append((p, annotation, _adapter_or_error(annotation, f"{self.name}: argument {p.name!r}")))
        unknown = sorted({path.split(".")[0] for path in self.student_inputs or ()} - {p.name for p, _, _ in self._params})
        if unknown:
            raise CallSiteError(f"{self.name}: student_inputs name {unknown}, which are not arguments of the function")
        self.input_schema = self._build_input_schema()
        self.fingerprint = self._compute_fingerprint()

    # ----- identity
    def _build_input_schema(self) -> dict:
        fields = {
            p.name: (annotation, ... if p.default is p.empty else p.default)
            for p, annotation, _ in self._params
        }
        model = pydantic.create_model(f"{self.function_name}_inputs", **fields)  # type: ignore[call-overload]
        return model.model_json_schema()

    def _compute_fingerprint(self) -> str:
        contract = {
            "parameters": [(p.name, str(p.kind)) for p, _, _ in self._params],
            "docstring": self.docstring,
            "input_schema": self.input_schema,
            "output_schema": self.output_schema,
            "prompt_template": PROMPT_TEMPLATE_VERSION,
        }
        if self.contract:  # only when given, so every existing fingerprint stays as it was
            contract["defined_by"] = self.contract
        return hashlib.sha256(canonical_json(contract).encode()).hexdigest()[:16]

    # ----- inputs and prompts
    def bind(self, args: tuple, kwargs: dict) -> tuple[dict, dict]:
        """Bind a call's arguments: (python values by name, JSON-ready inputs by name)."""
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        values = dict(bound.arguments)
        inputs = {p.name: adapter.dump_python(values[p.name], mode="json") for p, _, adapter in self._params}
        return values, inputs

    def teacher_messages(self, inputs: dict) -> list[dict]:
        arguments = [(p.name, _type_label(annotation), inputs[p.name]) for p, annotation, _ in self._params]
        return render_teacher_messages(
            function_name=self.function_name,
            docstring=self.docstring,
            arguments=arguments,
            output_schema=self.output_schema,
        )

    def student_prompt(self, inputs: dict) -> str:
        return render_student_prompt(inputs, self.student_inputs, self.student_hints)

    @property
    def hints_name(self) -> str | None:
        """The recorded name of :attr:`student_hints` (``module:qualname``), or None."""
        hints = self.student_hints
        return f"{hints.__module__}:{hints.__qualname__}" if hints is not None else None

    def student_view_changed(self, train_config: dict | None) -> str | None:
        """Why a version trained with ``train_config`` would see other prompts than it learned
        on (its student_inputs or student_hints differ from the site's), or None when they match.
        Versions from before student_inputs existed recorded none and saw every input; versions
        from before hints existed were trained without them."""
        config = train_config or {}
        if "student_inputs" in config:
            trained = tuple(config["student_inputs"]) if config["student_inputs"] is not None else None
            if trained != self.student_inputs:
                return (f"this version was trained on student_inputs={list(trained) if trained else 'all'}, "
                        f"the site now shows {list(self.student_inputs) if self.student_inputs else 'all'}; "
                        "retrain it")
        hints = config.get("student_hints")
        if hints != self.hints_name:
            return (f"this version was trained with student_hints={hints or 'none'}, the site now adds "
                    f"{self.hints_name or 'none'}; retrain it, or set the site's hints back")
        return None

    # ----- outputs
    def parse(self, text: str) -> Any:
        """Validated return value from an answer's text, or :class:`OutputParseError`."""
        try:
            value = extract_json(text, scalar_ok=self._scalar_output)
        except NoJSONFound as exc:
            raise OutputParseError(f"{self.name}: {exc}", kind="invalid_json", raw_text=text) from exc
        return self.validate(value, raw_text=text)

    def validate(self, value: Any, *, raw_text: str | None = None) -> Any:
        try:
            return self.output_adapter.validate_python(value)
        except pydantic.ValidationError as exc:
            errors = exc.errors(include_url=False, include_context=False)
            raise OutputParseError(
                f"{self.name}: answer does not match the return type: {_short_errors(errors)}",
                kind="schema_invalid",
                raw_text=raw_text if raw_text is not None else json.dumps(value, default=str),
                errors=[{"loc": list(e["loc"]), "msg": e["msg"]} for e in errors],
            ) from exc

    def dump_output(self, output: Any) -> Any:
        """The stored form of an answer: the fields it set, as JSON. It always validates again
        (a full dump may hold ``None`` for fields that are optional but not nullable)."""
        return self.output_adapter.dump_python(output, mode="json", exclude_unset=True)

    def normal_form(self, output: Any) -> Any:
        """Every field, defaults included: the form two answers are compared in."""
        return self.output_adapter.dump_python(output, mode="json")

    def __repr__(self) -> str:
        return f"CallSite({self.name!r}, fingerprint={self.fingerprint!r})"


def compact_schema(node: Any, *, in_properties: bool = False) -> Any:
    """A JSON schema without pydantic's generated ``title`` keywords and ``"default": null``:
    they say nothing a model needs and cost tokens in every teacher prompt and grammar."""
    if isinstance(node, list):
        return [compact_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    if in_properties:  # keys here are field names (a field may well be called "title")
        return {name: compact_schema(sub) for name, sub in node.items()}
    return {
        key: compact_schema(value, in_properties=key in ("properties", "$defs", "definitions"))
        for key, value in node.items()
        if not (key == "title" and isinstance(value, str)) and not (key == "default" and value is None)
    }


def _type_hints(fn: Callable) -> dict:
    try:
        return typing.get_type_hints(fn, include_extras=True)
    except Exception as exc:
        raise CallSiteError(f"{fn.__qualname__}: cannot resolve its type annotations ({exc})") from exc


def _adapter_or_error(annotation: Any, what: str) -> TypeAdapter:
    try:
        adapter = TypeAdapter(annotation)
        adapter.json_schema()
        return adapter
    except Exception as exc:
        raise CallSiteError(
            f"{what} {annotation!r} is not a type pydantic can describe as JSON ({type(exc).__name__}); "
            "use a pydantic BaseModel, dataclass, enum, primitive, or a list/dict of them"
        ) from exc


def _type_label(annotation: Any) -> str:
    if annotation is Any:
        return "any"
    if isinstance(annotation, type) and not typing.get_args(annotation):
        return annotation.__name__
    # "list[myapp.models.Level]" -> "list[Level]": the teacher needs the shape, not our modules
    return re.sub(r"\b(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*)", r"\1", str(annotation))


def _short_errors(errors: list) -> str:
    parts = [f"{'.'.join(str(x) for x in e['loc']) or '(root)'}: {e['msg']}" for e in errors[:5]]
    more = f" (+{len(errors) - 5} more)" if len(errors) > 5 else ""
    return "; ".join(parts) + more
