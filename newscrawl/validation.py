"""Bad input ends a command before anything starts: spider arguments and the project's own settings.

``scrapy crawl`` (newscrawl.commands.crawl) asks both before it makes a crawler, so a wrong
``-a`` or ``-s`` ends in one message on stderr (what was wrong, what is accepted) and exit
code 2, never a traceback. Spider arguments are checked by the spider class itself: a
spider with a ``check_arguments(kwargs, settings)`` classmethod raises ``ValueError`` with
the message (``AlmayadeenSpider`` parses them with ``AlmayadeenArguments``, so a new
argument there needs nothing here). Settings: every NEWSCRAWL_*, MONGO_*, MONGODB_*,
VALIDATION_*, BREAKING_*, BROWSER_*, CLEANING_* and DEDUPE_* setting whose default in
``newscrawl.settings`` is a number, a boolean or a dict must parse as one.
"""

from __future__ import annotations

from typing import Any

from newscrawl.schedule.policy import ladder

PROJECT_PREFIXES = ("NEWSCRAWL_", "MONGO_", "MONGODB_", "VALIDATION_", "BREAKING_", "BROWSER_", "CLEANING_",
                    "DEDUPE_")
# defaults read from the environment (so their value there may be a string)
DECLARED_TYPES = {"MONGO_SERVER_SELECTION_TIMEOUT_MS": (int, 5000)}
EXPECTED = {bool: "True or False (also true/false, 1/0)", int: "a whole number", float: "a number",
            dict: "a JSON object, e.g. '{\"key\": 1}'"}


def setting_types() -> dict[str, tuple[type, Any]]:
    """{name: (type, default)} for the project's typed settings."""
    import newscrawl.settings as defaults

    types: dict[str, tuple[type, Any]] = {}
    for name in dir(defaults):
        if not (name.isupper() and name.startswith(PROJECT_PREFIXES)):
            continue
        value = getattr(defaults, name)
        kind = None
        if name in DECLARED_TYPES:
            kind, value = DECLARED_TYPES[name]
        else:
            kind = next((t for t in (bool, int, float, dict) if isinstance(value, t)), None)
        if kind is not None:
            types[name] = (kind, value)
    return types


def check_settings(settings) -> list[str]:
    """One line per project setting whose value is not of its type (empty: all good)."""
    problems = []
    for name, (kind, default) in sorted(setting_types().items()):
        value = settings.get(name)
        if value is None:
            continue
        try:
            if kind is bool:
                settings.getbool(name)
            elif kind is int:
                as_int(value)
            elif kind is float:
                if isinstance(value, bool):
                    raise ValueError
                float(value)
            elif kind is dict:
                settings.getdict(name)
        except (ValueError, TypeError):
            problems.append(f"setting {name}={value!r}: expected {EXPECTED[kind]} (default {default!r})")
    for name, (parse, accepted) in SHAPED.items():
        value = settings.get(name)
        if value is None:
            continue
        try:
            parse(value)
        except (ValueError, TypeError):
            problems.append(f"setting {name}={value!r}: expected {accepted}")
    return problems


# settings of other shapes: a parser that raises ValueError, and what it accepts
SHAPED = {"NEWSCRAWL_REVISIT_AFTER": (ladder, "durations after publication, e.g. 10m,1h,6h,1d,3d")}


def as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        return int(value)
    return int(str(value).strip())


def check_spider_arguments(spidercls, kwargs: dict, settings) -> str | None:
    """The spider's own message for bad arguments, or None (a spider without a check accepts anything)."""
    check = getattr(spidercls, "check_arguments", None)
    if check is None:
        return None
    try:
        check(dict(kwargs), settings)
    except ValueError as exc:
        return str(exc)
    return None
