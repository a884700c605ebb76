"""The HTTP cache policy of TREWS: RFC 2616 revalidation, but an outage is never hidden.

Scrapy's RFC2616Policy answers a 5xx on revalidation with the cached copy (RFC 2616 13.8 allows
it for browsers). For a monitoring service that would keep a dead source looking healthy for ever,
so a server error goes through to the spider and is counted against the source.
"""

from scrapy.extensions.httpcache import RFC2616Policy
from scrapy.http import Request, Response


class OutageVisiblePolicy(RFC2616Policy):
    def is_cached_response_valid(
        self, cachedresponse: Response, response: Response, request: Request
    ) -> bool:
        if response.status >= 500:
            return False
        return super().is_cached_response_valid(cachedresponse, response, request)
