"""newscrawl: a distributed news-crawling framework (Scrapy, MongoDB, Playwright, scrapy-redis)."""

__version__ = "0.1.0"
