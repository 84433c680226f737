# The commands of the README: `make crawl`, `make test` and `make demo`. Each sets itself up.
.PHONY: setup crawl test demo bench clean

VENV := .venv/bin

setup:
	@bash scripts/setup.sh

## Crawl the live site (or BASE_URL) into MongoDB (MONGODB_URI, else the embedded store in ./data/mongo).
crawl: setup
	$(VENV)/scrapy crawl almayadeen $(ARGS)

## The whole test suite against real services (replica, SecantusDB, Redis, Scrapyd, Chromium).
test: setup
	$(VENV)/python -m pytest $(PYTEST_ARGS)

## The offline replica crawled into ./demo (its own store), the ticker captured, a report written; all stopped after.
demo: setup
	$(VENV)/newscrawl demo $(if $(DEMO_DIR),--dir $(DEMO_DIR))

bench: setup
	$(VENV)/python -m bench $(BENCH)

clean:
	rm -rf build dist *.egg-info .pytest_cache
