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
from functools import cache

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction
from django.db.models import DO_NOTHING, SET_NULL, QuerySet
from django.db.models.deletion import get_candidate_relations_to_delete
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.db.models.sql import UpdateQuery


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

    def _compiler(self, built, using: str):
        return built.query.get_compiler(using=using)

    def _compile(self, using: str) -> _Compiled:
        rounds = []
        for round_ in (1, 2):
            values = _placeholders(self.kinds, round_)
            compiler = self._compiler(self.build(**values), using)
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
        selected = (compiler.select or [])[: getattr(compiler, "col_count", None)]  # an UPDATE: []
        converters = compiler.get_converters([column for column, _, _ in selected])
        return _Compiled(sql, tuple(slots), compiler, converters)

    def _execute(self, cursor, using: str, params: dict) -> None:
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using)
        adapt = connections[using].ops.adapt_datetimefield_value
        cursor.execute(compiled.sql, [_bound(slot, params, adapt) for slot in compiled.slots])

    def rows(self, *, using: str = "default", **params) -> list[tuple]:
        with statement_cursor(connections[using]) as cursor:
            self._execute(cursor, using, params)
            rows = cursor.fetchall()
        compiled = self._compiled[using]
        if compiled.converters:
            rows = [
                tuple(row) for row in compiled.compiler.apply_converters(rows, compiled.converters)
            ]
        return rows


class PreparedUpdate(PreparedQuery):
    """`build(**params)` returns `(queryset, values)`; `run(**params)` does
    `queryset.update(**values)` and returns how many rows it changed. The queryset filters its
    own table only (an UPDATE that needs a join or a second table is the ORM's to do)."""

    def _compiler(self, built, using: str):
        queryset, values = built
        query = queryset.query.chain(UpdateQuery)
        query.add_update_values(values)
        if query.related_updates or query.count_active_tables() != 1:
            raise ImproperlyConfigured(f"{self.build.__qualname__}: not one table's UPDATE.")
        return query.get_compiler(using=using)

    def run(self, *, using: str = "default", **params) -> int:
        # As QuerySet.update(): a failure inside an atomic block marks it for rollback.
        connection = connections[using]
        with transaction.mark_for_rollback_on_error(using), statement_cursor(connection) as cursor:
            self._execute(cursor, using, params)
            return cursor.rowcount


def insert(instance, *, using: str = "default") -> None:
    """Saves a new `instance` as `Model.save()` saves one, in one INSERT prepared on the server:
    pre_save, each field's own pre_save (auto_now_add) and preparation, the columns the database
    fills (the key) read back with RETURNING, post_save. What this doesn't cover is saved by the
    ORM itself: a key set beforehand, a database default or an expression to write, a model
    with parents, a database that can't return inserted columns."""
    model, connection = type(instance), connections[using]
    sql, fields, returning = _insert_statement(model, using)
    if (
        instance.pk is not None
        or not returning
        or model._meta.parents
        or not connection.features.can_return_columns_from_insert
        or any(_is_expression(getattr(instance, f.attname)) for f in fields)
    ):
        instance.save(force_insert=True, using=using)
        return
    instance._prepare_related_fields_for_save(operation_name="save")
    pre_save.send(model, instance=instance, raw=False, using=using, update_fields=None)
    # As save_base: anything failing from here inside an atomic block marks it for rollback.
    with transaction.mark_for_rollback_on_error(using):
        values = values_for_save(instance, fields, connection, add=True)
        if any(_is_expression(value) for value in values):  # a pre_save receiver's doing
            raise ImproperlyConfigured(f"{model.__name__}: an expression is the ORM's to save.")
        with statement_cursor(connection) as cursor:
            cursor.execute(sql, values)
            row = cursor.fetchone()
    for field, value in zip(returning, row, strict=True):
        column = field.get_col(model._meta.db_table)  # converted as the ORM converts it
        for convert in connection.ops.get_db_converters(column) + column.get_db_converters(
            connection
        ):
            value = convert(value, column, connection)
        setattr(instance, field.attname, value)
    instance._state.adding, instance._state.db = False, using
    post_save.send(model, instance=instance, created=True, update_fields=None, raw=False,
                   using=using)  # fmt: skip


def _is_expression(value) -> bool:
    # F(), a database default (DatabaseDefault), a function: SQL only the ORM can write.
    return hasattr(value, "resolve_expression")


@cache
def _insert_statement(model, using: str) -> tuple[str, list, list]:
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field and not f.generated]
    returning = list(meta.db_returning_fields)
    quote = connections[using].ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    values = ", ".join(["%s"] * len(fields))
    back = ", ".join(quote(f.column) for f in returning)
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({values}) RETURNING {back}"  # noqa: S608 (names from _meta)
    return sql, fields, returning


def update_fields(instance, fields: list[str], *, using: str = "default") -> None:
    """`instance.save(update_fields=fields)` in one UPDATE prepared on the server: pre_save,
    each field's own pre_save and preparation, post_save; a row that is gone is save()'s
    NotUpdated. Models with parents are saved by the ORM itself."""
    model, connection = type(instance), connections[using]
    if not fields:
        return  # as save(update_fields=[]): nothing to write, no signal
    if model._meta.parents:
        instance.save(update_fields=fields, using=using)
        return
    if instance.pk is None:
        raise ValueError("Cannot force an update in save() with no primary key.")
    sql, concrete = _update_statement(model, tuple(fields), using)
    names = frozenset(fields)
    instance._prepare_related_fields_for_save(operation_name="save")
    pre_save.send(model, instance=instance, raw=False, using=using, update_fields=names)
    with transaction.mark_for_rollback_on_error(using):
        values = values_for_save(instance, concrete, connection, add=False)
        if any(_is_expression(value) for value in values):
            raise ImproperlyConfigured(f"{model.__name__}: an expression is the ORM's to save.")
        with statement_cursor(connection) as cursor:
            cursor.execute(sql, [*values, instance.pk])
            changed = cursor.rowcount
        if not changed:
            raise model.NotUpdated("Save with update_fields did not affect any rows.")
    instance._state.adding, instance._state.db = False, using
    post_save.send(model, instance=instance, created=False, update_fields=names, raw=False,
                   using=using)  # fmt: skip


@cache
def _update_statement(model, fields: tuple[str, ...], using: str) -> tuple[str, list]:
    meta = model._meta
    by_name = {f.name: f for f in meta.local_concrete_fields} | {
        f.attname: f for f in meta.local_concrete_fields
    }
    unknown = [name for name in fields if name not in by_name or by_name[name].primary_key]
    if unknown:
        raise ValueError(f"{model.__name__} has no field(s) to update named {unknown}.")
    concrete = list(dict.fromkeys(by_name[name] for name in fields))
    quote = connections[using].ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in concrete)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608 (names from _meta)
    return sql, concrete


def delete(instance, *, using: str = "default") -> None:
    """`instance.delete()` in one statement prepared on the server, where Django's collector
    would only clear the links to it (SET_NULL) and leave others (DO_NOTHING): on PostgreSQL,
    one DELETE whose WITH clauses clear the links, instead of a statement for each link and
    one for the row, each built by the collector. Anything else - another on_delete, a
    receiver of pre_delete or post_delete, many-to-many fields, parents, another database - is
    deleted by the ORM itself. As delete() does, the instance's key is None afterwards."""
    model, connection = type(instance), connections[using]
    sql, links, senders = _delete_statement(model, using)
    listened = any(pre_delete.has_listeners(m) or post_delete.has_listeners(m) for m in senders)
    if sql is None or connection.vendor != "postgresql" or listened or instance.pk is None:
        instance.delete(using=using)
        return
    with transaction.mark_for_rollback_on_error(using), statement_cursor(connection) as cursor:
        cursor.execute(sql, [instance.pk] * (links + 1))
    setattr(instance, model._meta.pk.attname, None)


@cache
def _delete_statement(model, using: str) -> tuple[str | None, int, tuple]:
    """The statement (None when the collector would do more), how many links it clears, and
    the models whose delete signals would hear of it."""
    meta = model._meta
    relations = list(get_candidate_relations_to_delete(meta))
    senders = (model, *(relation.related_model for relation in relations))
    if meta.parents or meta.many_to_many or meta.private_fields:
        return None, 0, senders
    quote = connections[using].ops.quote_name
    clears = []
    for relation in relations:
        if relation.on_delete is DO_NOTHING:
            continue
        if relation.on_delete is not SET_NULL or relation.field.many_to_many:
            return None, 0, senders
        table, column = relation.related_model._meta.db_table, relation.field.column
        clears.append(
            f"clear_{len(clears)} AS (UPDATE {quote(table)} SET {quote(column)} = NULL "  # noqa: S608 (names from _meta)
            f"WHERE {quote(column)} = %s)"
        )
    with_clause = f"WITH {', '.join(clears)} " if clears else ""
    pk = quote(meta.pk.column)
    sql = f"{with_clause}DELETE FROM {quote(meta.db_table)} WHERE {pk} = %s"  # noqa: S608
    return sql, len(clears), senders
