"""A Jac ``by llm`` function as a protege call site, and byLLM's own model as its teacher.

byLLM hands its ``call_llm`` hook the model the program named and an ``MTRuntime``: the caller
function, its argument values, the return type, and the compile-time meaning-typed info
(semantic strings of the function, its parameters and the return type's fields). From these we
build a :class:`JacCallSite`:

- identity ``module:qualname`` as byLLM names the function (``jac run prog.jac`` runs it as
  ``__main__``; byLLM and we call its module ``prog``), with ``file:line`` kept as its origin;
- the fingerprint of protege's usual contract (parameters, docstring, input and output JSON
  schemas, prompt template) plus what only Jac has: the semantic strings, byLLM's own output
  schema (it carries the field semstrs) and byLLM's system prompt. Edit any and the site starts
  a new dataset generation;
- per call, a copy bound to that call's model and MTRuntime: the teacher is
  ``model.invoke(mt_run)``, so the prompt, the parsing and byLLM's retries stay byLLM's, and the
  prompt recorded with each teacher call is the one byLLM sent.

Answers travel through protege as JSON validated by pydantic against the Jac return type (Jac
archetypes are dataclasses), so a student's answer comes back as a real instance of that type.
"""

from __future__ import annotations

import copy
import inspect
import json
import sys
import typing
from pathlib import Path
from types import MethodType
from typing import Any

from pydantic import TypeAdapter

from protege import CallSite, TeacherError, TeacherReply, TeacherRequest, Validator


class Unsupported(Exception):
    """Why a byLLM call is passed straight to byLLM instead of being routed (the message says)."""


class JacCallSite(CallSite):
    """A ``by llm`` function; :meth:`for_call` binds it to one byLLM invocation."""

    invocation: ByLLMTeacher | None = None

    def for_call(self, model: Any, mt_run: Any) -> JacCallSite:
        bound = copy.copy(self)
        bound.invocation = ByLLMTeacher(model, mt_run, self.output_adapter)
        bound.teacher_spec = bound.invocation
        return bound

    def teacher_messages(self, inputs: dict) -> list[dict]:
        if self.invocation is None:
            return super().teacher_messages(inputs)
        return self.invocation.messages


class ByLLMTeacher:
    """The model a Jac program named, asked through byLLM's own ``invoke``."""

    def __init__(self, model: Any, mt_run: Any, output_adapter: TypeAdapter):
        self.llm = model
        self.model = str(getattr(model, "model_name", type(model).__name__))
        self.mt_run = mt_run
        self.adapter = output_adapter
        self._prompt = list(mt_run.messages)
        self.failure: Exception | None = None
        """byLLM's own exception when the model failed: the program gets it, as without protege."""
        self.messages = [_plain_message(m) for m in mt_run.get_msg_list()]

    def complete(self, request: TeacherRequest) -> TeacherReply:
        # every ask (a repair, a spot check after a student answer) starts from byLLM's prompt
        self.mt_run.messages[:] = self._prompt
        try:
            value = self.llm.invoke(mt_run=self.mt_run)
        except Exception as exc:
            self.failure = exc
            raise TeacherError(f"byLLM model {self.model} raised {type(exc).__name__}: {exc}") from exc
        finally:
            self.mt_run.messages[:] = self._prompt
        try:
            text = json.dumps(self.adapter.dump_python(value, mode="json"), ensure_ascii=False)
        except Exception:  # not an instance of the return type: let the router's parser judge it
            text = value if isinstance(value, str) else repr(value)
        return TeacherReply(text=text, model=self.model)


def site_name(caller: Any) -> str:
    """``module:qualname`` as byLLM itself names the function (``__main__`` -> the file's stem)."""
    func = caller.__func__ if isinstance(caller, MethodType) else caller
    module = getattr(func, "__module__", None) or "__main__"
    if module == "__main__":
        main_file = getattr(sys.modules.get("__main__"), "__file__", None) or (sys.argv[0] if sys.argv else "")
        stem = Path(main_file).stem if main_file else "__main__"
        for suffix in (".impl", ".cl", ".sv"):
            stem = stem.removesuffix(suffix)
        module = stem or "__main__"
    return f"{module}:{func.__qualname__}"


def check_supported(mt_run: Any) -> None:
    """Raise :class:`Unsupported` for calls protege cannot answer the way byLLM would."""
    mtir = getattr(mt_run, "mtir", None)
    if mtir is None:
        raise Unsupported("no MTIR: byLLM built this call without its caller")
    if mt_run.tools:
        raise Unsupported("tool calls (ReAct): the answer is a conversation, not one output")
    if mt_run.stream:
        raise Unsupported("streaming: the caller consumes tokens as they come")
    if mt_run.call_params.get("conversation") is not None:
        raise Unsupported("conversation: the answer depends on a history outside the arguments")
    if mt_run.call_params.get("incl_info"):
        raise Unsupported("incl_info: inputs outside the function's arguments")
    if any(type(v).__module__.startswith("byllm") for v in mtir.args.values()):
        raise Unsupported("media (image/video) arguments")
    if mt_run.resp_type is None:
        raise Unsupported("no return type annotation")


def build_site(mt_run: Any, *, validators=(), graduation=None, decode_for=None, second_look=None) -> JacCallSite:
    """The call site of the function behind ``mt_run`` (see the module docstring)."""
    mtir = mt_run.mtir
    caller, info = mtir.caller, mtir.ir_info
    func = caller.__func__ if isinstance(caller, MethodType) else caller
    name = site_name(caller)
    hints = typing.get_type_hints(func)
    names = parameter_names(caller)
    parameters = [(n, hints.get(n, Any)) for n in names]
    if isinstance(caller, MethodType):
        parameters.insert(0, ("self", type(caller.__self__)))
    contract = {
        "meaning": meaning(info),
        "byllm_output_schema": mt_run.get_output_schema(),
        "byllm_system_prompt": _text(mt_run.messages[0]) if mt_run.messages else "",
    }
    code = func.__code__
    try:
        return JacCallSite.from_types(
            name, parameters=parameters, return_type=mt_run.resp_type, contract=contract,
            docstring=inspect.getdoc(func) or getattr(info, "semstr", None) or "", function_name=func.__name__,
            validators=json_validators(validators, mt_run.resp_type), graduation=graduation, decode_for=decode_for,
            second_look=second_look, origin=f"{code.co_filename}:{code.co_firstlineno}",
        )
    except Exception as exc:
        raise Unsupported(f"{name}: {exc}") from exc


def meaning(info: Any, seen: frozenset = frozenset()) -> Any:
    """Jac's compile-time meaning-typed info as JSON: names and semantic strings of the function,
    its parameters, the return type and its fields or enum members, all the way down."""
    if info is None or isinstance(info, (str, int, float, bool)):
        return info
    if isinstance(info, (tuple, list)):
        return [meaning(item, seen) for item in info]
    if id(info) in seen:  # a recursive type: name it once
        return getattr(info, "name", None)
    seen = seen | {id(info)}
    out = {"kind": type(info).__name__, "name": getattr(info, "name", None), "semstr": getattr(info, "semstr", None) or ""}
    for attr in ("params", "return_type", "type_info", "fields", "members", "base_classes"):
        value = getattr(info, attr, None)
        if value not in (None, [], ()):
            out[attr] = meaning(value, seen)
    return out


def json_validators(validators, return_type: Any) -> list[Validator]:
    """The site's validators, shown answers as JSON: they also run where the Jac type does not
    exist (training and gating in protege's environment; see :mod:`protege.site_options`)."""
    adapter = TypeAdapter(return_type)
    wrapped = []
    for v in validators:
        v = v if isinstance(v, Validator) else Validator(fn=v, name=v.__name__)

        def check(output: Any, inputs: dict, _v: Validator = v) -> Any:
            return _v.check(adapter.dump_python(output, mode="json"), inputs)

        wrapped.append(Validator(fn=check, name=v.name, safety=v.safety))
    return wrapped


def parameter_names(caller: Any) -> list[str]:
    return [p.name for p in inspect.signature(caller).parameters.values()]


def call_values(caller: Any, args: dict) -> dict:
    """byLLM's argument dict (names in Jac, positions in Python's ``by``) by parameter name."""
    names = parameter_names(caller)
    values = {}
    for key, value in args.items():
        if isinstance(key, int):
            if key >= len(names):
                raise Unsupported("more positional arguments than the function has parameters")
            key = names[key]
        values[key] = value
    if isinstance(caller, MethodType):
        values = {"self": caller.__self__, **values}
    return values


def _plain_message(message: Any) -> dict:
    if not isinstance(message, dict):
        return {"role": "assistant", "content": str(message)}
    return {"role": str(message.get("role", "user")), "content": _text(message)}


def _text(message: Any) -> str:
    content = message.get("content") if isinstance(message, dict) else getattr(message, "content", message)
    if isinstance(content, list):
        return "\n".join(part.get("text", "") if isinstance(part, dict) else str(getattr(part, "text", part))
                         for part in content)
    return str(content)
