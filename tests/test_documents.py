"""PDF text extraction never fails in any other way than its own clear error."""

from hypothesis import given, settings
from hypothesis import strategies as st

from crawlers.documents import PdfError, pdf_text

PDF_HEADER = b"%PDF-1.4\n"


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2048), st.booleans())
def test_arbitrary_bytes_give_text_or_a_pdf_error(data: bytes, with_header: bool) -> None:
    try:
        text = pdf_text(PDF_HEADER + data if with_header else data)
    except PdfError as exc:
        assert str(exc)
    else:
        assert isinstance(text, str)
