"""protege: each LLM call site in your program becomes a small local model of its own.

    import protege

    @protege.llm(teacher="openai:gpt-4o-mini")
    def create_next_level(last_levels: list[Level], difficulty: int) -> Level:
        '''Create the next level, a little harder than the last ones.'''

Importing protege has no side effects: nothing is opened or loaded until the first call.

This module is the public API: apps (ours and third-party) import from here (and, for CLI
plugins, ``protege.cli.common``), never from protege's modules. Serving names are imported
eagerly; the training and evaluation entry points (``train_site``, ``TrainConfig``,
``build_dataset``, ``evaluate_version``, ``gate_site``, ``GateOutcome``, ``report_css``, and the evaluator
for an app's own eval cases: ``Evaluator``, ``EvalPlugin``, ``CaseAnswer``, ``student_answerer``,
``gguf_answerer``, ``teacher_answerer``) load on first use, so a
program that only serves never loads the trainer, the evaluator or torch.
"""

from importlib import import_module
from typing import Any

from protege.answering import Fallback, FallbackReason
from protege.callsite import CallSite
from protege.config import configure, settings
from protege.decorator import llm
from protege.errors import (
    CallSiteError,
    OutputParseError,
    ProtegeError,
    StoreError,
    TeacherError,
)
from protege.evaluate.gate import GateConfig
from protege.evaluate.metrics import percentile_nearest_rank
from protege.graduation import Graduation
from protege.redact import redact_text, redact_value
from protege.registry import ModelVersion, Registry, RegistryError
from protege.router import Router, default_router, drain, forget_state, last_call
from protege.store import ExampleIn, Store, inputs_hash
from protege.students.base import resolve_base_model
from protege.students.runtime import StudentAnswer, StudentLoadError, StudentRuntime
from protege.teachers import Teacher, TeacherReply, TeacherRequest, resolve_teacher
from protege.validators import Validator, Verdict, validator

_ON_FIRST_USE = {
    "train_site": "protege.train.pipeline",
    "TrainConfig": "protege.train.recipe",
    "build_dataset": "protege.dataset",
    "evaluate_version": "protege.evaluate.runner",
    "gate_site": "protege.evaluate.promote",
    "GateOutcome": "protege.evaluate.promote",
    "report_css": "protege.evaluate.report",
    "EvalPlugin": "protege.evaluate.plugin",
    "CaseAnswer": "protege.evaluate.plugin",
    "Evaluator": "protege.evaluate.plugin",
    "student_answerer": "protege.evaluate.runner",
    "gguf_answerer": "protege.evaluate.runner",
    "teacher_answerer": "protege.evaluate.runner",
}


def __getattr__(name: str) -> Any:
    if name in _ON_FIRST_USE:
        value = getattr(import_module(_ON_FIRST_USE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'protege' has no attribute {name!r}")


__all__ = [
    "CallSite",
    "CallSiteError",
    "CaseAnswer",
    "EvalPlugin",
    "Evaluator",
    "ExampleIn",
    "Fallback",
    "FallbackReason",
    "GateConfig",
    "GateOutcome",
    "Graduation",
    "ModelVersion",
    "OutputParseError",
    "ProtegeError",
    "Registry",
    "RegistryError",
    "Router",
    "StoreError",
    "Store",
    "StudentAnswer",
    "StudentLoadError",
    "StudentRuntime",
    "Teacher",
    "TeacherError",
    "TeacherReply",
    "TeacherRequest",
    "TrainConfig",
    "Validator",
    "Verdict",
    "build_dataset",
    "configure",
    "default_router",
    "drain",
    "evaluate_version",
    "forget_state",
    "gate_site",
    "gguf_answerer",
    "inputs_hash",
    "last_call",
    "llm",
    "percentile_nearest_rank",
    "redact_text",
    "redact_value",
    "report_css",
    "resolve_base_model",
    "resolve_teacher",
    "settings",
    "student_answerer",
    "teacher_answerer",
    "train_site",
    "validator",
]
__version__ = "0.1.0"
