"""What a request handler needs from the app: a database session, the sectors, the labels."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from rules.sectors import SectorIndex, index_for
from web.labels import PageLabels
from web.templating import page_language

# Ids fit the databases' 32-bit integer keys; a larger one is refused, not sent to SQLite.
MAX_ID = 2**31 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


def db_session(request: Request) -> Iterator[Session]:
    """One read session per request, closed when the response is sent."""
    with request.app.state.sessions() as session:
        yield session


def sector_index(request: Request) -> SectorIndex:
    return index_for(request.app.state.sectors)


def page_labels(request: Request) -> PageLabels:
    return PageLabels(page_language(request), request.app.state.sector_names)


SessionDep = Annotated[Session, Depends(db_session)]
IndexDep = Annotated[SectorIndex, Depends(sector_index)]
LabelsDep = Annotated[PageLabels, Depends(page_labels)]
