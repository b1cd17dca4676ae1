"""ORM queries built and compiled once per process, then run with new values.

On the hottest paths (every turn of a live call runs a tool call) Django spent more time
building and compiling a query than PostgreSQL spent answering it: a filter is resolved, joined
and turned into SQL on every call, though its SQL never changes. A `PreparedQuery` is written
with the ORM like any other query, as a function of its parameters; the first run builds it
with placeholder values, compiles it, and remembers the SQL, where each parameter goes and the
columns' converters. Every later run binds the new values and executes: one round trip, no ORM
work. The SQL is exactly what the ORM would send, so there is no SQL string to keep in step.
On PostgreSQL the values are bound server-side, so the server keeps the statement prepared per
connection too (statement_cursor), and after a few runs reuses one plan for every value.

That plan is made without the values, so it can only use what the SQL itself says: the ORM
binds a query's constants too (`recurrence=""` becomes `recurrence = %s`), and a plan blind to
them can't use a partial index whose condition names them (the schedule window's series index,
`WHERE recurrence <> ''`): it read every event of a 10,000-event user, 2.5 times slower than a
plan made for each call. So on PostgreSQL a constant (text, a number, a boolean) is written into
the SQL as a literal when the query is compiled, and only the parameters stay bound.

A parameter must reach the SQL unchanged: `start__gt=start - MAX_EVENT_LENGTH` computes a new
value from it, which the compiled query could not follow. Such a query is refused when it is
compiled (it is compiled twice with different placeholders, and a value that changed without
being a placeholder is a derived one); pass the derived value as a parameter of its own.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import QuerySet


def row_id(value) -> int | None:
    """`value` as an id a row can have (a positive 64-bit integer), or None: no row has any
    other, and PostgreSQL refuses a bound integer beyond 64 bits, so a caller answers "not
    found" without a query."""
    try:
        pk = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return pk if 0 < pk < 2**63 else None


def values_for_save(instance, fields, connection, *, add: bool) -> list:
    """`fields`' values of `instance` as Model.save() would send them (each field's pre_save,
    then its database preparation), for a statement written out instead of saved by the ORM."""
    return [f.get_db_prep_save(f.pre_save(instance, add), connection) for f in fields]


def statement_cursor(connection):
    """A cursor for a statement that runs again and again: on PostgreSQL one whose statements
    the server keeps prepared (drako.db.postgresql), elsewhere an ordinary one."""
    prepared = getattr(connection, "statement_cursor", None)
    return prepared() if prepared is not None else connection.cursor()


def _placeholders(kinds: dict[str, type], round_: int) -> dict[str, object]:
    """Values no real call passes, different in each compile round, one per parameter."""
    values = {}
    for i, (name, kind) in enumerate(kinds.items()):
        n = 1_700_000_000 + round_ * 100_000 + i  # within a 32-bit integer column's range
        if kind is int:
            values[name] = n
        elif kind is str:
            values[name] = f"prepared-placeholder-{round_}-{i}"
        elif kind is datetime:
            values[name] = datetime(2099, 1, 1, tzinfo=UTC) + timedelta(seconds=n)
        else:
            raise ImproperlyConfigured(f"A prepared query's {name!r} must be int, str or datetime.")
    return values


def _same(value, value_2) -> bool:
    # A database adapter's wrapper (psycopg's Jsonb) compares by identity: compare its repr.
    return value == value_2 or (type(value) is type(value_2) and repr(value) == repr(value_2))


def _bound(slot: tuple, params: dict, adapt) -> object:
    kind, value = slot
    if kind == "param":
        return params[value]
    if kind == "datetime":
        return adapt(params[value])
    return value


_PLACEHOLDER = re.compile(r"%%|%s")


def _plain(value) -> str | int | bool | None:
    """A constant as the plain text, number or boolean a literal says exactly (a choice's
    value, not the enum member), or None for what stays bound (JSON, anything else)."""
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        return str.__str__(value)
    return None


def _constants_written_in(sql: str, slots: list, connection) -> tuple[str, list]:
    """`sql` with its constant slots written in as literals (quoted by the database adapter,
    as the ORM quotes a value in its logged SQL); the slots left are the parameters."""
    kept, parts, slot_of = [], [], iter(slots)
    position = 0
    for match in _PLACEHOLDER.finditer(sql):
        parts.append(sql[position : match.start()])
        position = match.end()
        if match.group() == "%%":
            parts.append("%%")
            continue
        slot = next(slot_of)
        constant = _plain(slot[1]) if slot[0] == "constant" else None
        if constant is not None:
            literal = connection.ops.compose_sql("%s", [constant])
            parts.append(literal.replace("%", "%%"))  # the SQL still goes through %-binding
        else:
            parts.append("%s")
            kept.append(slot)
    parts.append(sql[position:])
    return "".join(parts), kept


@dataclass(frozen=True)
class _Compiled:
    sql: str
    slots: tuple  # per SQL parameter: ("param" or "datetime", name) or ("constant", value)
    compiler: object  # the ORM's compiler, kept for its column converters
    converters: dict


class PreparedQuery:
    """`build(**params)` returns a QuerySet (usually `.values_list(...)`); `rows(**params)`
    returns its rows as tuples, with each column converted as the ORM would convert it."""

    def __init__(self, build: Callable[..., QuerySet], **kinds: type):
        self.build, self.kinds = build, kinds
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, using: str) -> _Compiled:
        rounds = []
        for round_ in (1, 2):
            values = _placeholders(self.kinds, round_)
            compiler = self.build(**values).query.get_compiler(using=using)
            sql, params = compiler.as_sql()
            rounds.append((values, compiler, sql, params))
        (first, compiler, sql, params), (second, _, sql_2, params_2) = rounds
        if sql != sql_2 or len(params) != len(params_2):
            raise ImproperlyConfigured(f"{self.build.__qualname__}: its SQL depends on values.")
        adapt = connections[using].ops.adapt_datetimefield_value
        names = {}
        for name, value in first.items():
            names[type(value), value] = ("param", name)
            if isinstance(value, datetime):  # SQLite binds a datetime as text
                names.setdefault((type(adapt(value)), adapt(value)), ("datetime", name))
        slots = []
        for value, value_2 in zip(params, params_2, strict=True):
            slot = names.get((type(value), value))
            if slot is not None and _bound(slot, second, adapt) == value_2:
                slots.append(slot)
            elif _same(value, value_2):
                slots.append(("constant", value))
            else:
                raise ImproperlyConfigured(
                    f"{self.build.__qualname__}: a value computed from a parameter reaches the "
                    f"SQL ({value!r}); pass it as a parameter of its own."
                )
        missing = set(self.kinds) - {slot[1] for slot in slots if slot[0] != "constant"}
        if missing:
            raise ImproperlyConfigured(f"{self.build.__qualname__}: unused {sorted(missing)}.")
        if connections[using].vendor == "postgresql":
            sql, slots = _constants_written_in(sql, slots, connections[using])
        columns = [column for column, _, _ in compiler.select[: compiler.col_count]]
        converters = compiler.get_converters(columns)
        return _Compiled(sql, tuple(slots), compiler, converters)

    def rows(self, *, using: str = "default", **params) -> list[tuple]:
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using)
        connection = connections[using]
        adapt = connection.ops.adapt_datetimefield_value
        values = [_bound(slot, params, adapt) for slot in compiled.slots]
        with statement_cursor(connection) as cursor:
            cursor.execute(compiled.sql, values)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = [
                tuple(row) for row in compiled.compiler.apply_converters(rows, compiled.converters)
            ]
        return rows
