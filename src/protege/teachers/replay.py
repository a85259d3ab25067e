"""Replay: answers from teacher calls already recorded in the store, so tests and CI run offline.

A recorded answer matches when the site, its fingerprint and the normalised inputs are the same.
"""

from __future__ import annotations

from protege.errors import TeacherError
from protege.store import Store, inputs_hash
from protege.teachers.base import TeacherReply, TeacherRequest


class ReplayTeacher:
    model = "replay"

    def __init__(self, store=None):
        self._store = store

    def complete(self, request: TeacherRequest) -> TeacherReply:
        store = self._store or Store.default()
        found = store.find_teacher_answer(request.site, request.fingerprint, inputs_hash(request.inputs))
        if found is None:
            raise TeacherError(
                f"replay: no recorded teacher answer for {request.site} with these inputs; "
                "run the call once with a live teacher to record it"
            )
        raw_output, model = found
        return TeacherReply(text=raw_output, model=f"replay:{model}")
