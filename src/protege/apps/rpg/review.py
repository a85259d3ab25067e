"""Manual correctness assessment (the seed's rubric): a person scores a teacher map and a student
map for the same level, shown side by side as ASCII, blinded.

A pair is the newest teacher answer and the newest student answer that the store recorded for
the same inputs of the map call site (same fingerprint). The two maps are shown as ``A`` and
``B`` in an order drawn at random when the pair is first opened; the store keeps which was which,
so a resumed session shows a half-scored pair the same way round. Every answer is written to the
store as soon as it is typed: Ctrl-C, the end of input or ``q`` loses nothing already answered,
and pairs already scored are skipped the next time.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import TypeAdapter, ValidationError

import protege
from protege.apps.rpg.render import render_map
from protege.apps.rpg.schema import AnyLevel, LegacyLevel, Map, time_limit

RUBRIC = (
    ("gameplay", "gameplay viability and fun"),
    ("structure", "structural correctness and consistency"),
    ("adherence", "adherence to the requested constraints and theme"),
)
"""The seed's three rubric items: (key stored with each score, what the reviewer is asked)."""
LABELS = ("A", "B")
SCALE = "1 (poor) to 5 (excellent)"
GAP = " " * 6
_LEVEL = TypeAdapter(AnyLevel)


class Stop(Exception):
    """The reviewer stopped (``q``, end of input): everything answered so far is stored."""


@dataclass
class Pair:
    teacher: dict
    """The teacher's call row."""
    student: dict
    """The student's call row, same fingerprint and inputs."""
    requested: object
    """The level the map was asked for (either Level form)."""

    def answer(self, role: str) -> Map:
        return Map.model_validate((self.teacher if role == "teacher" else self.student)["parsed_output"])


def find_pairs(store: protege.Store, site: str, *, limit: int = 5000) -> list[Pair]:
    """(teacher, student) answers to the same inputs among the newest ``limit`` calls of each
    role, the newest answer of each role per inputs, oldest student answer first. Calls without a
    parsed map (a failed teacher, a student answer that never parsed) are left out."""
    newest: dict[str, dict[tuple[str, str], dict]] = {}
    for role in ("teacher", "student"):
        found = newest.setdefault(role, {})
        for call in store.calls(site, limit=limit, role=role):  # newest first
            if (role == "teacher" and call["error"]) or not _parses(call["parsed_output"]):
                continue
            found.setdefault((call["fingerprint"], protege.inputs_hash(call["inputs"])), call)
    pairs = []
    for key, student in newest["student"].items():
        teacher = newest["teacher"].get(key)
        level = (student["inputs"] or {}).get("level")
        if teacher is None or level is None:
            continue
        try:
            pairs.append(Pair(teacher, student, _LEVEL.validate_python(level)))
        except ValidationError:
            continue
    return sorted(pairs, key=lambda p: p.student["id"])


def _parses(output) -> bool:
    try:
        Map.model_validate(output)
    except ValidationError:
        return False
    return True


def level_lines(level) -> list[str]:
    """A level in a few short lines (either form)."""
    retries = "" if isinstance(level, LegacyLevel) else f", {level.n_retries_allowed} retries"
    return [f'"{level.name}"', f"difficulty {level.difficulty}, {level.width}x{level.height}",
            f"{level.num_wall} walls, {level.num_enemies} enemies", f"{time_limit(level)} s{retries}"]


def map_column(label: str, m: Map) -> list[str]:
    """One side of a pair: its label, the drawn map, and the level the map carries."""
    try:
        drawn = render_map(m)
    except ValueError as exc:
        drawn = [f"(not drawn: {exc})"]
    return [label] + drawn + level_lines(m.level)


def side_by_side(left: list[str], right: list[str]) -> list[str]:
    width = max(map(len, left), default=0)
    rows = max(len(left), len(right))
    left, right = left + [""] * (rows - len(left)), right + [""] * (rows - len(right))
    return [(a.ljust(width) + GAP + b).rstrip() for a, b in zip(left, right)]


def show_pair(pair: Pair, by_label: dict[str, str], number: int, total: int) -> str:
    """The text a reviewer sees: the request, then map A and map B side by side (no model names)."""
    asked = ", ".join(level_lines(pair.requested))
    columns = [map_column(label, pair.answer(by_label[label])) for label in LABELS]
    return "\n".join([f"== pair {number} of {total}", f"asked for: {asked}", *side_by_side(*columns),
                      "B wall or obstacle, E enemy, P player, . floor"])


def parse_score(text: str) -> int | None:
    text = text.strip()
    return int(text) if text in {"1", "2", "3", "4", "5"} else None


@dataclass
class SessionResult:
    pairs: int
    """Pairs of teacher and student answers found."""
    already: int
    """Pairs this reviewer had scored before the session."""
    scored: int
    """Pairs scored in this session."""
    stopped: bool


def run_session(store: protege.Store, site: str, reviewer: str, *, read: Callable[[str], str],
                write: Callable[[str], None], rng: random.Random, limit: int = 5000) -> SessionResult:
    """Ask ``reviewer`` the rubric for every pair not scored yet. ``read(prompt)`` returns a line
    and raises EOFError at the end of input; KeyboardInterrupt goes through to the caller."""
    pairs = find_pairs(store, site, limit=limit)
    result = SessionResult(len(pairs), 0, 0, False)
    for number, pair in enumerate(pairs, 1):
        teacher_label = rng.choice(LABELS)  # drawn for every pair, so a seed fixes the whole order
        labels = {"teacher": teacher_label, "student": "B" if teacher_label == "A" else "A"}
        rows = store.open_review(site, reviewer, pair.teacher["id"], pair.student["id"], labels)
        if all(row["answered_at"] is not None for row in rows.values()):
            result.already += 1
            continue
        by_label = {row["label"]: row for row in rows.values()}
        write(show_pair(pair, {label: row["role"] for label, row in by_label.items()}, number, len(pairs)))
        try:
            _ask_rubric(store, by_label, read, write)
        except (Stop, EOFError):
            result.stopped = True
            return result
        result.scored += 1
    return result


def _ask_rubric(store: protege.Store, by_label: dict[str, dict], read: Callable[[str], str],
                write: Callable[[str], None]) -> None:
    for key, question in RUBRIC:
        for label in LABELS:
            row = by_label[label]
            if key in row["scores"]:
                continue
            score = _ask(f"{question}, {label} [1-5]: ", parse_score, f"answer with a whole number from {SCALE}",
                         read, write)
            store.answer_review(row["id"], scores={key: score})
            row["scores"] = {**row["scores"], key: score}
    for label in LABELS:
        row = by_label[label]
        if row["answered_at"] is None:
            note = _ask(f"note on {label} (Enter for none): ", lambda text: text.strip(), "", read, write)
            store.answer_review(row["id"], note=note, answered=True)
            row["answered_at"] = True


def _ask(prompt: str, parse: Callable[[str], object], hint: str, read: Callable[[str], str],
         write: Callable[[str], None]):
    while True:
        text = read(prompt)
        if text.strip().lower() == "q":
            raise Stop()
        value = parse(text)
        if value is not None:
            return value
        write(f"{text.strip()!r} is not a score: {hint} (q to stop; what you answered so far is kept)")
