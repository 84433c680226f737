"""The article document's schema: one JSON Schema file, used to validate items and as MongoDB's validator.

``article.schema.json`` holds the shape (fields, types, patterns, ranges); ``rules``
holds what a schema cannot say (dates against the clock, cross-field consistency).
Type ``date`` is a tz-aware ``datetime`` (a BSON date once stored).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, validators

from newscrawl.schema.rules import RULES, Limits
from newscrawl.schema.mongo import to_mongo

SCHEMA_FILE = "article.schema.json"
MESSAGE_MAX = 300
_REQUIRED_NAME = re.compile(r"^'([^']+)' is a required property")

__all__ = ["Limits", "ValidationError", "load_schema", "mongo_validator", "validate_article"]


@dataclass(frozen=True)
class ValidationError:
    field: str  # dotted path without list indices, e.g. "images.url"
    rule: str  # a JSON Schema keyword ("required", "pattern", ...) or a rule of newscrawl.schema.rules
    message: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@cache
def load_schema() -> dict:
    return json.loads(resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))


def is_date(checker: Any, value: Any) -> bool:
    return isinstance(value, datetime) and value.utcoffset() is not None


ArticleValidator = validators.extend(
    Draft202012Validator, type_checker=Draft202012Validator.TYPE_CHECKER.redefine("date", is_date)
)


@cache
def _validator() -> Any:
    return ArticleValidator(load_schema())


def validate_article(doc: dict, limits: Limits | None = None, now: datetime | None = None) -> list[ValidationError]:
    """Every way ``doc`` breaks the schema or a rule; empty when it is valid. ``_id`` is ignored."""
    limits = limits or Limits()
    now = now or datetime.now(timezone.utc)
    doc = {k: v for k, v in doc.items() if k != "_id"}
    errors = [e for error in _validator().iter_errors(doc) for e in _from_schema_error(error)]
    for name, rule in RULES.items():
        errors.extend(ValidationError(field, name, _short(message)) for field, message in rule(doc, limits, now))
    return errors


def mongo_validator() -> dict:
    """``{"$jsonSchema": ...}`` for the articles collection, translated from the same file."""
    return {"$jsonSchema": to_mongo(load_schema())}


def _from_schema_error(error: Any) -> list[ValidationError]:
    path = [str(p) for p in error.absolute_path if not isinstance(p, int)]
    rule = str(error.validator)
    if rule == "required":
        match = _REQUIRED_NAME.match(error.message)
        names = [match[1]] if match else []
    elif rule == "additionalProperties" and isinstance(error.instance, dict):
        names = sorted(set(error.instance) - set(error.schema.get("properties", {})))
    else:
        names = [""]
    return [
        ValidationError(".".join([*path, name]) if name else ".".join(path) or "(document)", rule, _short(error.message))
        for name in names
    ]


def _short(message: str) -> str:
    return message if len(message) <= MESSAGE_MAX else message[: MESSAGE_MAX - 3] + "..."
