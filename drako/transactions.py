"""Transactions for services that refuse before they write."""

from contextlib import contextmanager

from django.db import transaction


@contextmanager
def atomic_or_joined(using=None):
    """`transaction.atomic()`, or, inside a caller's transaction, simply part of it.

    For services that raise their refusals (a conflict, a stale proposal) before writing
    anything: nested in a caller's transaction (a tool call, a proposal being confirmed) they
    need no savepoint of their own, which costs two statements per level, and a refusal leaves
    the caller's transaction usable. A database error still aborts the whole outer transaction,
    as it should. Works as a decorator too.
    """
    if transaction.get_connection(using).in_atomic_block:
        yield
    else:
        with transaction.atomic(using=using):
            yield
