"""The tools DRAKO's persona can call. Each is thin: validate, call a schedules service, answer.

Answers are for a voice: `say` is one or two short sentences with weekday and date read back in
the user's zone; errors say what to do next. Write tools answer with `change_id` and `state`.
Importing this package registers every tool (conversations/tools.py is the registry).
"""

from conversations.schedule_tools import decisions, reads, writes  # noqa: F401  (registers)
from conversations.schedule_tools.base import ToolContext, ToolInputError

__all__ = ["ToolContext", "ToolInputError"]
