"""A service's transaction is the outer boundary: durable.

A service opens `with durable():` around its writes: Django's `transaction.atomic(durable=True)`,
which raises RuntimeError when it would begin inside another transaction. So one service cannot
silently run inside another's transaction (its commit would be a savepoint, and its audit event
would roll back with the caller's failure): a context that must act inside another's write does it
through a receiver that opens no transaction of its own (`core/hooks.py`).

One exception, for the interfaces: an interface that must write in the same transaction as the
service it calls opens `interface_boundary()` (itself durable) and calls one service directly
inside it; that service joins the boundary instead of refusing it. The idempotent create marks its
`Idempotency-Key` done beside the created record (`core/api.py`); the admin's change form saves
through a service inside the transaction Django's admin opens (`web/admin_site.py`). A service
called from inside that service is refused as anywhere else.

The test suite runs each test inside transactions that Django marks as the test case's; a durable
block may open directly inside them (Django's own rule), so services run unchanged in tests, and a
test that opens `transaction.atomic()` around a service sees the refusal.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

_boundary: ContextVar[object | None] = ContextVar("liaison_interface_boundary", default=None)


def durable() -> transaction.Atomic:
    """The transaction of a service that is the outer boundary of its work."""
    blocks = transaction.get_connection().atomic_blocks
    if blocks and blocks[-1] is _boundary.get():
        return transaction.atomic()  # directly inside an interface's boundary: join it
    return transaction.atomic(durable=True)


@contextmanager
def interface_boundary() -> Iterator[None]:
    """A durable transaction opened by an interface, which the service it calls directly joins."""
    with transaction.atomic(durable=True):
        token = _boundary.set(transaction.get_connection().atomic_blocks[-1])
        try:
            yield
        finally:
            _boundary.reset(token)


@contextmanager
def composite() -> Iterator[None]:
    """One transaction for a service of an upper context that writes through the services of lower
    ones (a patrol's finding becomes an information item, and the patrol records the link): a
    boundary that each of those services joins in turn, then the upper service's own rows beside
    them. Directly inside an interface's boundary (an idempotent create), that boundary is used."""
    blocks = transaction.get_connection().atomic_blocks
    if blocks and blocks[-1] is _boundary.get():
        yield
        return
    with interface_boundary():
        yield
