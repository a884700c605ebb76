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
    # A notice published as a file (a PDF gazette): its bytes and media type; the text pipeline
    # extracts the body from it and the bytes are not stored.
    document = scrapy.Field()
    document_type = scrapy.Field()
