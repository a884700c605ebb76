"""The one item every spider yields: a notice as its source publishes it."""

import scrapy


class Notice(scrapy.Item):
    """Source fields mapped to TREWS names; pipelines normalise and store them."""

    source = scrapy.Field()
    external_id = scrapy.Field()
    market = scrapy.Field()
    url = scrapy.Field()
    title = scrapy.Field()
    published = scrapy.Field()
    body = scrapy.Field()
    raw = scrapy.Field()
