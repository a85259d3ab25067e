"""Evaluate a student against reference answers, gate its promotion, and write reports.

All functions here are pure: plain rows in, plain reports out. The caller runs the model,
parses and validates each answer, and stores the results.
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
from protege.evaluate.report import Comparison, compare, render_html, write_html, write_json
from protege.evaluate.schema_paths import enum_fields_from_schema
from protege.evaluate.stats import clopper_pearson_interval, proportion_interval, wilson_interval

__all__ = [
    "CRITERIA",
    "Comparison",
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
    "compare",
    "decide",
    "detect_enum_fields",
    "enum_fields_from_schema",
    "evaluate_rows",
    "percentile_nearest_rank",
    "proportion_interval",
    "render_html",
    "rolling_agreement",
    "should_demote",
    "wilson_interval",
    "write_html",
    "write_json",
]
