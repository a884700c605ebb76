"""One service per database, on SQLite (a file lock) and on PostgreSQL (an advisory lock)."""

import pytest

from storage.database import make_engine
from storage.instance_lock import AlreadyRunning, service_lock


def test_a_second_service_on_the_same_database_is_refused(database_url: str) -> None:
    first, second = make_engine(database_url), make_engine(database_url)
    with (service_lock(first),
          pytest.raises(AlreadyRunning, match="another TREWS service is running"),
          service_lock(second)):
        pass
    with service_lock(second):  # released when the first service stops
        pass
    first.dispose()
    second.dispose()
