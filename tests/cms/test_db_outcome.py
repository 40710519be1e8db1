"""A database failure while a transaction commits is told apart from one before it (`cms.db.during_commit`):
the first may have been stored (an in-doubt commit), so its 503 says the outcome is unknown, not "nothing was
changed" (`cms.api.exceptions.unexpected_error`)."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection, connections, transaction

from cms import db, errors
from cms.api.exceptions import unexpected_error


class BrokenCommit:
    """Stands for the driver's connection: everything as the real one, but COMMIT fails."""

    def __init__(self, real) -> None:
        self.real = real

    def commit(self):
        raise connection.Database.OperationalError("server closed the connection unexpectedly")

    def __getattr__(self, name):
        return getattr(self.real, name)


@pytest.mark.django_db(transaction=True)
def test_a_failure_at_commit_is_an_unknown_outcome_and_one_before_it_is_not():
    wrapper = connections["default"]
    wrapper.ensure_connection()
    real = wrapper.connection
    wrapper.connection = BrokenCommit(real)
    try:
        with pytest.raises(OperationalError) as at_commit, transaction.atomic():
            wrapper.cursor().execute("SELECT 1")
    finally:
        wrapper.connection = real
    assert db.during_commit(at_commit.value)

    def fails_before_commit():
        raise OperationalError("server closed the connection unexpectedly")

    with pytest.raises(OperationalError) as before, transaction.atomic():
        fails_before_commit()
    assert not db.during_commit(before.value)


def test_the_503_says_so(monkeypatch):
    monkeypatch.setattr(db, "is_outage", lambda exc: True)
    monkeypatch.setattr(db, "during_commit", lambda exc: True)
    error = unexpected_error(OperationalError("lost"), "a test")
    assert isinstance(error, errors.ServiceUnavailable) and error.as_envelope() == {
        "error": {"code": "service_unavailable", "message": errors.OUTCOME_UNKNOWN}
    }
    monkeypatch.setattr(db, "during_commit", lambda exc: False)
    assert unexpected_error(OperationalError("lost"), "a test").message == errors.ServiceUnavailable.default_message
