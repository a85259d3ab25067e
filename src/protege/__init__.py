"""protege: each LLM call site in your program becomes a small local model of its own.

    import protege

    @protege.llm(teacher="openai:gpt-4o-mini")
    def create_next_level(last_levels: list[Level], difficulty: int) -> Level:
        '''Create the next level, a little harder than the last ones.'''

Importing protege has no side effects: nothing is opened or loaded until the first call.
"""

from protege.callsite import CallSite, llm
from protege.config import configure, settings
from protege.errors import CallSiteError, OutputParseError, ProtegeError, StoreError, TeacherError
from protege.validators import Validator, Verdict, validator

__all__ = [
    "CallSite",
    "CallSiteError",
    "OutputParseError",
    "ProtegeError",
    "StoreError",
    "TeacherError",
    "Validator",
    "Verdict",
    "configure",
    "llm",
    "settings",
    "validator",
]
__version__ = "0.1.0"
