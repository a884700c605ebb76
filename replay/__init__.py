"""Local replay of real recorded Federal Register API responses, for tests and the offline demo.

Crawling recordings over real HTTP (rather than mocking the downloader) keeps the whole Scrapy
stack honest: headers, HTTP caching with conditional requests, retries and error handling all run
as they would against federalregister.gov.
"""

from replay.manifest import DEFAULT_MANIFEST, Recording, Route, load_manifest, recorded_since
from replay.server import FAULT_KINDS, ReplayServer, RequestRecord

__all__ = [
    "DEFAULT_MANIFEST",
    "FAULT_KINDS",
    "Recording",
    "ReplayServer",
    "RequestRecord",
    "Route",
    "load_manifest",
    "recorded_since",
]
