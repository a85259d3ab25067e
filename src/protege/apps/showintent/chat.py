"""How a chat request to ``protege serve`` becomes a ShowIntent call (the ``protege.chat`` entry
point ``showintent``; clients name it as model ``protege/showintent``).

The last user message may take any of the shapes the AI Party's clients send:

1. the seed's dry-run shape, as ``protege showintent run --params`` takes it:
   ``{"message": {"text", "chat_role", "user_role"[, "locale"]}[, "show_state", "cue_catalog_subset", "locale"]}``;
2. the call site's own inputs as JSON: ``{"message", "show_state", "cue_catalog_subset", "chat_role",
   "user_role", "locale"}``;
3. what the controller's Ollama client sends (its own system prompt before it):
   ``{"task", "locale", "show_state", "cue_catalog_subset", "operator_message"[, "chat_role", "user_role"]}``;
4. plain text: the operator's message itself.

Whatever is missing takes the defaults ``protege showintent run`` uses. The call then goes through
the router exactly as :func:`protege.apps.showintent.callsite.translate` sends it, and the answer
is the ShowIntent JSON as the message content; the policy runs in the client, as it does in the
controller.

The labelled teacher can answer only messages it has labels for: the demo's live messages (with
the demo's cue catalog or none, in the default show state) and the rows of
``PROTEGE_SHOWINTENT_LABELS`` (JSONL of ``{"inputs", "output"}``, the format of ``protege examples
export``). ``PROTEGE_SHOWINTENT_TEACHER`` labels everything with a real model.
"""

from __future__ import annotations

import json
import os
import typing
from pathlib import Path
from typing import Any

from protege.apps.showintent.callsite import (
    LABELS,
    ChatRole,
    Locale,
    UserRole,
    default_show_state,
    parse_show_intent,
)
from protege.apps.showintent.demo import LIVE_MESSAGES, SUBSET
from protege.apps.showintent.schema import intent_to_dict

CONTROLLER_KEYS = frozenset({"task", "operator_message"})


class ShowIntentChat:
    names = ("showintent",)
    function = parse_show_intent

    def __init__(self) -> None:
        self._labelled = False

    def inputs(self, messages: list[dict]) -> dict:
        if not self._labelled:  # on first use, not at import: importing has no side effects
            try:
                load_labels()
            except (OSError, ValueError) as exc:  # the server's labels file is broken, not the request
                raise RuntimeError(f"PROTEGE_SHOWINTENT_LABELS: {exc}") from exc
            self._labelled = True
        users = [m for m in messages if m.get("role") == "user"]
        if not users or not users[-1]["content"].strip():
            raise ValueError("send the operator's message (or its JSON) as the last user message")
        text = users[-1]["content"].strip()
        try:
            data = json.loads(text) if text[0] == "{" else {"message": text}
        except json.JSONDecodeError as exc:
            raise ValueError(f"the user message starts like JSON but is not ({exc.msg})") from exc
        if CONTROLLER_KEYS <= set(data):
            data = {**data, "message": data["operator_message"]}
        message = data.get("message")
        details = message if isinstance(message, dict) else {}
        if details:
            message = details.get("text")
        if not isinstance(message, str) or not message.strip():
            raise ValueError("no operator message: send message (a string or {text, chat_role, user_role}) "
                             "or operator_message")
        inputs = {
            "message": message,
            "show_state": data.get("show_state") if data.get("show_state") is not None else default_show_state(),
            "cue_catalog_subset": data.get("cue_catalog_subset") or [],
            "chat_role": details.get("chat_role") or data.get("chat_role") or "operator",
            "user_role": details.get("user_role") or data.get("user_role") or "foh",
            "locale": details.get("locale") or data.get("locale") or "pt-BR",
        }
        _check(inputs)
        return inputs

    def content(self, output: Any, inputs: dict) -> str:
        return json.dumps(intent_to_dict(output), ensure_ascii=False)


def _check(inputs: dict) -> None:
    for key, kind in (("chat_role", ChatRole), ("user_role", UserRole), ("locale", Locale)):
        allowed = typing.get_args(kind)
        if inputs[key] not in allowed:
            raise ValueError(f"{key} {inputs[key]!r} is not one of {', '.join(allowed)}")
    if not isinstance(inputs["show_state"], dict):
        raise ValueError("show_state must be an object")
    cues = inputs["cue_catalog_subset"]
    if not (isinstance(cues, list) and all(isinstance(cue, str) for cue in cues)):
        raise ValueError("cue_catalog_subset must be a list of cue names")


def load_labels() -> int:
    """Give the labelled teacher the demo's live messages and the rows of PROTEGE_SHOWINTENT_LABELS."""
    for message, chat_role, user_role, locale, label in LIVE_MESSAGES:
        for subset in (SUBSET, []):  # the demo's cue catalog, or none (a client that sends no catalog)
            LABELS.add({"message": message, "show_state": default_show_state(), "cue_catalog_subset": subset,
                        "chat_role": chat_role, "user_role": user_role, "locale": locale}, label)
    path = os.environ.get("PROTEGE_SHOWINTENT_LABELS")
    if path:
        for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                row = json.loads(line)
                if not isinstance(row, dict) or "inputs" not in row or "output" not in row:
                    raise ValueError(f"{path} line {number}: a row is {{\"inputs\": ..., \"output\": ...}}")
                LABELS.add(row["inputs"], row["output"])
    return len(LABELS)


adapter = ShowIntentChat()
