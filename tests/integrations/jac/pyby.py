"""byLLM's Python `by` decorator beside protege's: run with the Jac environment's Python.

``byllm.lib.by`` calls the model directly and skips jaclang's hooks, so its functions are not
call sites; ``protege.integrations.byllm.by`` is the drop-in that routes them. Prints one JSON
line per call."""

import json
from dataclasses import dataclass

from byllm.lib import Model
from byllm.lib import by as byllm_by

from protege.integrations.byllm import by


@dataclass
class Summary:
    title: str
    words: int


llm = Model(model_name="mockllm", config={"outputs": [Summary("Red paint", 3), Summary("Two words", 2),
                                                       Summary("Untracked", 1)]})


@by(llm)
def summarize(text: str) -> Summary:
    """Summarize the text as a short title and its word count."""


@byllm_by(llm)
def summarize_untracked(text: str) -> Summary:
    """Summarize the text as a short title and its word count."""


for name, fn, text in [("summarize", summarize, "paint it red"), ("summarize", summarize, "two words"),
                       ("summarize_untracked", summarize_untracked, "untracked")]:
    result = fn(text)
    print(json.dumps({"fn": name, "type": type(result).__name__, "title": result.title, "words": result.words}))
