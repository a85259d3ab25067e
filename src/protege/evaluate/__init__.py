"""Evaluate a student against reference answers, gate its promotion, and write reports.

The names here are pure: plain rows in, plain reports out; serving uses them (agreement, the
gate's live statistics). Reports (``evaluate.report``), running a version on examples
(``evaluate.runner``), promotion (``evaluate.promote``) and the evaluator an app runs on its own
cases with its plug-in (``evaluate.plugin``) are imported from their modules, so serving never
loads them.
"""

from protege.evaluate.gate import (
    GateCheck,
    GateConfig,
    GateDecision,
    decide,
    rolling_agreement,
    should_demote,
)
from protege.evaluate.jsonleaves import NumericTolerance
from protege.evaluate.metrics import (
    agreement,
    detect_enum_fields,
    evaluate_rows,
    percentile_nearest_rank,
)
from protege.evaluate.models import CRITERIA, Criterion, EvalReport, EvalRow, ValidatorVerdict
from protege.evaluate.schema_paths import enum_fields_from_schema
from protege.evaluate.stats import clopper_pearson_interval, proportion_interval, wilson_interval

__all__ = [
    "CRITERIA",
    "Criterion",
    "EvalReport",
    "EvalRow",
    "GateCheck",
    "GateConfig",
    "GateDecision",
    "NumericTolerance",
    "ValidatorVerdict",
    "agreement",
    "clopper_pearson_interval",
    "decide",
    "detect_enum_fields",
    "enum_fields_from_schema",
    "evaluate_rows",
    "percentile_nearest_rank",
    "proportion_interval",
    "rolling_agreement",
    "should_demote",
    "wilson_interval",
]
