"""The assistant: what happens when the persona's LLM (or a person's click) asks for something.

context    what a call runs with              answers    the one shape of every answer
calls      running one call exactly once      proposals  proposed changes: create, decide, expire
decisions  confirm / discard / undo, one path  tools/     the tools, by kind: reads, writes, changes
playground staff try the tools without Tavus

The tool registry itself is personas.tools (persona sync sends it to Tavus); the tools register
there when conversations' AppConfig imports conversations.assistant.tools.
"""
