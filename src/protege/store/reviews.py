"""Manual reviews: a person's scores for answers of a call site, one row per answer scored.

A review pairs a teacher call with a student call for the same inputs; each side gets its own
row with the label the reviewer saw it under (``A`` or ``B``), so the blinding is on record. The
rubric is the app's: ``scores`` is a JSON object of ``{item: score}`` that grows as answers come
in, and ``answered_at`` is set once the app has asked everything about that side.
"""

from __future__ import annotations

import sqlalchemy as sa

from protege.store.tables import now, reviews

ROLES = ("teacher", "student")



class ReviewQueries:
    """Mixed into :class:`protege.store.Store`; ``self.engine`` is the store's engine."""

    engine: sa.Engine

    def open_review(self, site: str, reviewer: str, teacher_call_id: int, student_call_id: int,
                    labels: dict[str, str]) -> dict[str, dict]:
        """The two review rows of a (teacher call, student call) pair for ``reviewer``, by role,
        created with ``labels`` (``{"teacher": "A", "student": "B"}``) the first time; a pair
        opened before keeps the labels it was first shown under."""
        if set(labels) != set(ROLES):
            raise ValueError(f"labels must name both roles {ROLES}, not {sorted(labels)}")
        where = (reviews.c.reviewer == reviewer, reviews.c.teacher_call_id == teacher_call_id,
                 reviews.c.student_call_id == student_call_id)
        try:
            with self.engine.begin() as conn:
                if conn.execute(sa.select(reviews.c.id).where(*where)).first() is None:
                    t = now()
                    for role in ROLES:
                        conn.execute(reviews.insert().values(
                            site=site, reviewer=reviewer, teacher_call_id=teacher_call_id,
                            student_call_id=student_call_id, role=role, label=labels[role], scores={},
                            note=None, created_at=t, answered_at=None))
        except sa.exc.IntegrityError:
            pass  # the same reviewer opened it at the same moment elsewhere: theirs stands
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(reviews).where(*where)).mappings().all()
        return {row["role"]: dict(row) for row in rows}

    def answer_review(self, review_id: int, *, scores: dict | None = None, note: str | None = None,
                      answered: bool = False) -> None:
        """Add scores (merged into those already given) and a note to one review row; with
        ``answered``, mark the row complete."""
        with self.engine.begin() as conn:
            found = conn.execute(sa.select(reviews.c.scores).where(reviews.c.id == review_id)).first()
            if found is None:
                raise KeyError(f"no review {review_id}")
            values: dict = {"scores": {**(found.scores or {}), **(scores or {})}}
            if note is not None:
                values["note"] = note
            if answered:
                values["answered_at"] = now()
            conn.execute(reviews.update().where(reviews.c.id == review_id).values(**values))

    def reviews(self, site: str, *, reviewer: str | None = None) -> list[dict]:
        """Every review row of a site (of one reviewer when given), oldest first."""
        query = sa.select(reviews).where(reviews.c.site == site).order_by(reviews.c.id)
        if reviewer is not None:
            query = query.where(reviews.c.reviewer == reviewer)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]
