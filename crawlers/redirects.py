"""Redirects stay on the source's configured origin (scheme, host and port of its url).

Spiders only ask for URLs on the configured origin (SourceSpider.on_configured_origin), but a
server answers with whatever Location it likes: followed as is, a 302 from a feed to another host
had that host's RSS stored as the source's notices. These replace Scrapy's two redirect
middlewares (HTTP 3xx and meta refresh) in crawlers/settings.py: a redirect off the origin fails
the request, naming the source and the target, so it is counted against the source.
"""

from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from crawlers.spiders.base import SourceSpider

DEFAULT_PORTS = {"http": 80, "https": 443}


class OffOriginRedirect(IgnoreRequest):
    """A redirect to another origin than the source's: the request fails (the spider's
    errback counts it as an HTTP error, so the run fails)."""


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the scheme's default port made explicit, so that
    https://host/ and https://host:443/ are one origin."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or DEFAULT_PORTS.get(scheme)


def on_configured_origin(spider: Spider | None, request: Request,
                         outcome: Request | Response) -> Request | Response:
    """`outcome` unless it is a redirect off the spider's configured origin, which raises."""
    if not isinstance(outcome, Request):
        return outcome
    assert isinstance(spider, SourceSpider), "TREWS crawls only with SourceSpider spiders"
    if origin(outcome.url) != origin(spider.base_url):
        scheme, host, port = origin(spider.base_url)
        raise OffOriginRedirect(
            f"{spider.name}: refused a redirect to {outcome.url} (from {request.url}): not on "
            f"the source's configured origin {scheme}://{host}:{port}")
    return outcome


class OnOriginRedirectMiddleware(RedirectMiddleware):
    """Scrapy's HTTP 3xx redirects, kept on the configured origin."""

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Request | Response:
        outcome = super().process_response(request, response)
        return on_configured_origin(self.crawler.spider, request, outcome)


class OnOriginMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's <meta http-equiv="refresh"> redirects, kept on the configured origin."""

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Request | Response:
        outcome = super().process_response(request, response)
        return on_configured_origin(self.crawler.spider, request, outcome)
