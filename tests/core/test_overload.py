"""A request that finds every database connection of its process busy gets 503 with Retry-After,
not a 500, in the API (problem details) and on pages. The pool timeout here is real: a psycopg
pool of one connection to the test database, held, asked for a second."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.db.utils import DatabaseErrorWrapper, OperationalError
from django.test import RequestFactory

from liaison.api import api
from liaison.core.middleware import DomainErrorMiddleware

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the pool is PostgreSQL's")


def real_pool_timeout() -> OperationalError:
    """The exception Django raises when its pool times out: psycopg_pool's PoolTimeout wrapped in
    django.db.utils.OperationalError by the same wrapper Django uses."""
    from psycopg_pool import ConnectionPool

    params = connection.get_connection_params()
    conninfo = " ".join(
        f"{k}={v}" for k, v in params.items() if k in ("dbname", "host", "port", "user") and v
    )
    with ConnectionPool(conninfo, min_size=1, max_size=1, timeout=0.2, open=True) as pool:
        with pool.connection():
            try:
                with DatabaseErrorWrapper(connection):
                    pool.getconn()
            except OperationalError as exc:
                return exc
    raise AssertionError("the pool handed out a second connection")


def test_the_api_answers_503_with_retry_after_when_no_connection_is_free(db):
    exc = real_pool_timeout()
    response = api.on_exception(RequestFactory().get("/api/v1/items"), exc)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = json.loads(response.content)
    assert body["code"] == "overloaded" and body["status"] == 503


def test_a_page_answers_503_without_touching_the_database(db):
    exc = real_pool_timeout()
    response = DomainErrorMiddleware(lambda r: None).process_exception(RequestFactory().get("/"), exc)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Hệ thống đang bận" in response.content.decode()


def test_other_database_errors_are_not_called_overload(db):
    with pytest.raises(OperationalError):
        api.on_exception(
            RequestFactory().get("/api/v1/items"), OperationalError("server closed the connection")
        )
