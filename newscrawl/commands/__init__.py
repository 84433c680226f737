"""Scrapy commands of this project (COMMANDS_MODULE): `crawl` that fails when the run failed."""
