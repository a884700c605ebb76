"""The Scrapy project of TREWS: one spider per source, pipelines that store what they fetch."""
