"""Text out of published files: PDF gazettes and notices (EU OJ, ADC, national gazettes)."""

import io
import logging

from pypdf import PdfReader
from pypdf.errors import PyPdfError

# pypdf warns about every odd object of real gazettes; the text still comes out.
logging.getLogger("pypdf").setLevel(logging.ERROR)

MAX_PAGES = 200


class PdfError(ValueError):
    """The bytes are not a PDF this library can read."""


def pdf_text(data: bytes, max_pages: int = MAX_PAGES) -> str:
    """The text of the first `max_pages` pages, page after page."""
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages[:max_pages]]
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise PdfError(str(exc) or type(exc).__name__) from exc
    return "\n".join(pages)
