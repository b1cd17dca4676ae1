"""The schema's indexes: none that another index already provides.

A B-tree index on (a, b) serves every lookup, join and cascade on a alone, so a second index on a
only costs each INSERT and UPDATE of the table one more write. On the tables every tool call and
webhook writes (tool calls, proposals, Tavus events) that was a write per request for nothing.
"""

import pytest
from django.apps import apps
from django.db import connection, models

OURS = ("accounts", "calendars", "conversations", "drako", "personas", "schedules", "workers")


def _columns(model, names) -> tuple[str, ...]:
    return tuple(model._meta.get_field(name.lstrip("-")).column for name in names)


def _indexes(model) -> tuple[list[tuple[str, tuple[str, ...]]], list[tuple[str, ...]]]:
    """(name, columns) of each plain index, and the columns of every full B-tree index or
    unique constraint (the ones a lookup on their leading columns can use)."""
    plain, full = [], []
    for field in model._meta.local_concrete_fields:
        if field.db_index and not field.unique and not field.primary_key:
            plain.append((field.name, (field.column,)))
    for index in model._meta.indexes:
        if index.fields and index.condition is None and not index.opclasses:
            columns = _columns(model, index.fields)
            plain.append((index.name, columns))
            full.append(columns)
    for constraint in model._meta.constraints:
        plain_unique = isinstance(constraint, models.UniqueConstraint) and constraint.fields
        if plain_unique and constraint.condition is None and not constraint.expressions:
            full.append(_columns(model, constraint.fields))
    full += [_columns(model, names) for names in model._meta.unique_together]
    return plain, full


def _redundant(model) -> list[str]:
    plain, full = _indexes(model)
    return [
        f"{model._meta.label}: {name} {columns}"
        for name, columns in plain
        if any(other != columns and other[: len(columns)] == columns for other in full)
    ]


@pytest.mark.parametrize("app", OURS)
def test_no_index_repeats_the_leading_columns_of_another(app):
    models_ = [m for m in apps.get_app_config(app).get_models() if m._meta.managed]
    assert [found for model in models_ for found in _redundant(model)] == []


def test_the_check_finds_a_foreign_keys_index_that_a_composite_one_covers():
    class Meta:
        app_label = "conversations"
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="schema_probe_once")]

    probe = type(
        "SchemaProbe",
        (models.Model,),
        {
            "__module__": __name__,
            "Meta": Meta,
            "owner": models.ForeignKey("accounts.User", on_delete=models.CASCADE),
            "key": models.CharField(max_length=10),
        },
    )
    try:
        assert _redundant(probe) == ["conversations.SchemaProbe: owner ('owner_id',)"]
    finally:
        del apps.all_models["conversations"]["schemaprobe"]
        apps.clear_cache()


@pytest.mark.django_db
@pytest.mark.parametrize("app", OURS)
def test_every_constraint_and_index_the_models_declare_is_in_the_database(app):
    """What the migrations built is what the models say: a migration that drops one by
    accident (Django's AlterField of a foreign key's db_index drops a partial unique index on
    the same column) fails here."""
    missing = []
    with connection.cursor() as cursor:
        for model in apps.get_app_config(app).get_models():
            if not model._meta.managed:
                continue
            found = connection.introspection.get_constraints(cursor, model._meta.db_table)
            declared = [c.name for c in (*model._meta.constraints, *model._meta.indexes)]
            missing += [f"{model._meta.label}.{name}" for name in declared if name not in found]
    assert missing == []
