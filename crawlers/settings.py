"""Scrapy settings of TREWS: polite, cached with revalidation, wired to TREWS's own settings.

TREWS's settings (database, data folder, sources file) come from the TREWS_* environment, so a
crawl started as a child process by the service sees exactly what its parent sees.
"""

from config import load_settings

_trews = load_settings()

BOT_NAME = "trews"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

TREWS_DATABASE_URL = _trews.db_url
TREWS_SOURCES_FILE = str(_trews.sources_file)
TREWS_BACKFILL_DAYS = _trews.backfill_days

USER_AGENT = f"TREWS/0.1 (Trade Remedy Early Warning Service; +{_trews.contact_url})"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = _trews.crawl_delay_s
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = _trews.crawl_delay_s
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60
RETRY_TIMES = 2
# Notices and PDF gazettes are far smaller: a larger response fails its request, which is counted
# against the source; half the limit is logged as a warning, so growth shows before it fails.
DOWNLOAD_MAXSIZE = _trews.download_max_bytes
DOWNLOAD_WARNSIZE = _trews.download_max_bytes // 2
# Redirects stay on the source's configured origin (crawlers/redirects.py).
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "crawlers.redirects.OnOriginMetaRefreshMiddleware": 580,
    "crawlers.redirects.OnOriginRedirectMiddleware": 600,
}
TELNETCONSOLE_ENABLED = False

# An unchanged page costs a 304: requests carry Cache-Control: max-age=0 so the RFC 2616 policy
# always revalidates with If-None-Match / If-Modified-Since instead of trusting the cached copy;
# a server error is not papered over with the cached copy (crawlers/httpcache.py).
HTTPCACHE_ENABLED = True
HTTPCACHE_POLICY = "crawlers.httpcache.OutageVisiblePolicy"
HTTPCACHE_DIR = str(_trews.httpcache_dir)

ITEM_PIPELINES = {
    "crawlers.pipelines.RequireFieldsPipeline": 100,
    "crawlers.pipelines.DocumentTextPipeline": 150,
    "crawlers.pipelines.NormaliseTextPipeline": 200,
    "crawlers.pipelines.StoreNoticePipeline": 300,
}
EXTENSIONS = {
    "crawlers.extensions.CrawlRunRecorder": 500,
}
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
