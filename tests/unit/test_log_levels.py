"""Log work the handlers would throw away is not done: no masking, no driver command dumps."""

from __future__ import annotations

import logging
from contextlib import contextmanager

from newscrawl import security
from newscrawl.store.connection import make_client


@contextmanager
def only_handler(level: int):
    """A logger whose one handler is at ``level`` (pytest attaches its own, NOTSET, during a test)."""
    log = logging.getLogger("newscrawl.test.levels")
    handler = logging.Handler(level)
    handler.emit = lambda record: None
    saved, log.handlers, log.propagate = log.handlers, [handler], False
    try:
        yield log, handler
    finally:
        log.handlers, log.propagate = saved, True


def record(name: str, level: int, msg: str = "m") -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, None, None)


def test_a_record_below_every_handler_level_is_not_emitted():
    with only_handler(logging.INFO) as (log, handler):
        assert not security.emitted(record(log.name, logging.DEBUG))
        assert security.emitted(record(log.name, logging.INFO))
        handler.setLevel(logging.DEBUG)
        assert security.emitted(record(log.name, logging.DEBUG))


def test_unknown_loggers_and_loggers_without_handlers_count_as_emitting():
    assert security.emitted(record("never.made.logger", logging.DEBUG))
    assert security.emitted(record("root", logging.DEBUG))
    orphan = logging.getLogger("newscrawl.test.orphan")
    orphan.propagate = False
    try:
        assert security.emitted(record(orphan.name, logging.WARNING))  # logging's last resort prints it
        assert not security.emitted(record(orphan.name, logging.DEBUG))
    finally:
        orphan.propagate = True


def test_an_emitted_record_is_masked_and_a_dropped_one_is_left_as_made():
    security.install({"NEWSCRAWL_TEST_PASSWORD": "levels-pa55word"})
    made: list[logging.LogRecord] = []
    with only_handler(logging.DEBUG) as (log, handler):
        handler.emit = made.append
        log.setLevel(logging.DEBUG)
        log.debug("with levels-pa55word")
        handler.setLevel(logging.INFO)
        dropped = logging.getLogRecordFactory()(log.name, logging.DEBUG, __file__, 1, "with %s",
                                                ("levels-pa55word",), None)
        log.setLevel(logging.NOTSET)
    (emitted,) = made
    assert emitted.getMessage() == "with ***"
    assert dropped.args == ("levels-pa55word",)  # never reaches a handler: not formatted, not masked


def test_the_driver_logs_no_commands_unless_configured():
    driver = logging.getLogger("pymongo")
    saved = driver.level
    try:
        driver.setLevel(logging.NOTSET)
        make_client("mongodb://127.0.0.1:1/", {"MONGO_SERVER_SELECTION_TIMEOUT_MS": 10}).close()
        assert not logging.getLogger("pymongo.command").isEnabledFor(logging.DEBUG)
        driver.setLevel(logging.DEBUG)
        make_client("mongodb://127.0.0.1:1/", {"MONGO_SERVER_SELECTION_TIMEOUT_MS": 10}).close()
        assert driver.level == logging.DEBUG
    finally:
        driver.setLevel(saved)
