"""The tools DRAKO's persona can call, by kind: reads, writes (proposals), changes (decisions).

Each is thin: validate (its input serializer), call a schedules service, answer in the one
shape of conversations.assistant.answers, with `say` for the person and `hint` for the LLM.
Importing this package registers every tool in personas.tools.
"""

from conversations.assistant.tools import changes, reads, writes  # noqa: F401  (registers)
