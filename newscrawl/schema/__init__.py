"""The article document's schema: one JSON Schema file, used to validate items and as MongoDB's validator.

``article.schema.json`` holds the shape (fields, types, patterns, ranges); ``rules``
holds what a schema cannot say (dates against the clock, cross-field consistency).
Type ``date`` is a tz-aware ``datetime`` (a BSON date once stored).

Validation has two paths over the same file. ``jsonschema`` is the reference: it
gives every error with its message. A validator compiled from the file when it is
first needed (fastjsonschema's code generator, taught this project's ``date`` type
and jsonschema's semantics where fastjsonschema's differ) only answers "valid or
not", about twenty times faster; a document it does not call valid goes through
``jsonschema``, which gives the errors. So the errors are jsonschema's by
construction, and the compiled check has one duty: never to call valid a document
jsonschema rejects (tests/unit/test_schema_compiled.py holds it to agreeing both
ways). It covers the keywords listed in ``COMPILED_KEYWORDS``; a schema using any
other keyword (or a ``$ref`` with siblings, or to another file) is validated by
``jsonschema`` alone, with a warning.
"""

from __future__ import annotations

import copy
import json
import logging
import numbers
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from functools import cache
from importlib import resources
from typing import Any, Callable
from urllib.parse import unquote

from jsonschema import Draft202012Validator, validators

from newscrawl.schema.rules import RULES, Limits
from newscrawl.schema.mongo import to_mongo

SCHEMA_FILE = "article.schema.json"
MESSAGE_MAX = 300
_REQUIRED_NAME = re.compile(r"^'([^']+)' is a required property")

logger = logging.getLogger(__name__)

__all__ = ["Limits", "UnsupportedSchema", "ValidationError", "compile_validator", "compiled_validator", "load_schema",
           "mongo_validator", "schema_errors", "validate_article"]


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
    """Every way ``doc`` breaks the schema or a rule; empty when it is valid. ``_id`` is ignored.

    ``doc`` is only read, never changed or kept.
    """
    limits = limits or Limits()
    now = now or datetime.now(timezone.utc)
    if type(doc) is not dict or "_id" in doc:  # a plain dict without _id is read as it is, not copied
        doc = {k: v for k, v in doc.items() if k != "_id"}
    errors = schema_errors(doc)
    for name, rule in RULES.items():
        errors.extend(ValidationError(field, name, _short(message)) for field, message in rule(doc, limits, now))
    return errors


def schema_errors(doc: Any) -> list[ValidationError]:
    """The schema's errors for ``doc`` (jsonschema's), skipped when the compiled check calls it valid."""
    valid = compiled_validator()
    if valid is not None and valid(doc):
        return []
    return [e for error in _validator().iter_errors(doc) for e in _from_schema_error(error)]


# --- the compiled check ---------------------------------------------------------------------

# keywords the compiled check implements with jsonschema's meaning (Draft 2020-12, formats not asserted)
COMPILED_KEYWORDS = frozenset({
    "type", "enum", "minLength", "maxLength", "pattern", "format", "minimum", "maximum", "minItems", "maxItems",
    "uniqueItems", "items", "required", "properties", "patternProperties", "additionalProperties", "$ref", "$defs",
})
# keywords that assert nothing (jsonschema ignores them too)
ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "title", "description", "examples", "default", "deprecated",
                         "readOnly", "writeOnly"})
# the Python test of each type name, as jsonschema's type checker (and ``is_date``) decide it
TYPE_TESTS = {
    "null": "{v} is None",
    "boolean": "isinstance({v}, bool)",
    "integer": "(isinstance({v}, int) and not isinstance({v}, bool) or isinstance({v}, float) and {v}.is_integer())",
    "number": "(isinstance({v}, Number) and not isinstance({v}, bool))",
    "string": "isinstance({v}, str)",
    "array": "isinstance({v}, list)",
    "object": "isinstance({v}, dict)",
    "date": "(isinstance({v}, datetime) and {v}.utcoffset() is not None)",
}


class UnsupportedSchema(ValueError):
    """The schema uses something the compiled check does not implement; jsonschema validates alone."""


def check_compilable(schema: Any, where: str = "#") -> None:
    """Raise UnsupportedSchema naming the first part of ``schema`` the compiled check cannot take."""
    if isinstance(schema, bool):
        return
    if not isinstance(schema, dict):
        raise UnsupportedSchema(f"{where}: a schema must be an object or a boolean")
    unknown = set(schema) - COMPILED_KEYWORDS - ANNOTATIONS
    if unknown:
        raise UnsupportedSchema(f"{where}: keywords {sorted(unknown)}")
    if "$ref" in schema:
        ref = schema["$ref"]
        if not (isinstance(ref, str) and ref.startswith("#")):
            raise UnsupportedSchema(f"{where}: $ref {ref!r} outside this file")
        siblings = set(schema) - ANNOTATIONS - {"$ref", "$defs"}
        if siblings:  # 2020-12 applies them beside the reference; fastjsonschema would not
            raise UnsupportedSchema(f"{where}: $ref beside {sorted(siblings)}")
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not types or any(t not in TYPE_TESTS for t in types):
            raise UnsupportedSchema(f"{where}: type {schema['type']!r}")
    if "enum" in schema and not (isinstance(schema["enum"], list)
                                 and all(v is None or type(v) is str for v in schema["enum"])):
        raise UnsupportedSchema(f"{where}: enum of other values than strings and null")
    for key in ("minimum", "maximum"):
        if key in schema and not (type(schema[key]) in (int, float)):
            raise UnsupportedSchema(f"{where}: {key} {schema[key]!r}")
    for key in ("pattern", "format"):
        if key in schema and not isinstance(schema[key], str):
            raise UnsupportedSchema(f"{where}: {key} {schema[key]!r}")
    if "items" in schema:
        check_compilable(schema["items"], f"{where}/items")
    if "additionalProperties" in schema:
        check_compilable(schema["additionalProperties"], f"{where}/additionalProperties")
    for key in ("properties", "patternProperties", "$defs"):
        if key in schema:
            if not isinstance(schema[key], dict):
                raise UnsupportedSchema(f"{where}: {key} is not an object")
            for name, sub in schema[key].items():
                check_compilable(sub, f"{where}/{key}/{name}")


def inline_refs(schema: Any, root: dict, seen: tuple[str, ...] = ()) -> Any:
    """A copy of ``schema`` (checked by check_compilable) with each ``$ref`` replaced by what it names in ``root``."""
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        ref = schema["$ref"]
        if ref in seen:
            raise UnsupportedSchema(f"recursive $ref {ref!r}")
        return inline_refs(_pointer(root, ref), root, (*seen, ref))
    out = {}
    for key, value in schema.items():
        if key in ("properties", "patternProperties", "$defs"):
            out[key] = {name: inline_refs(sub, root, seen) for name, sub in value.items()}
        elif key in ("items", "additionalProperties"):
            out[key] = inline_refs(value, root, seen)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _pointer(root: dict, ref: str) -> Any:
    """The part of ``root`` a ``#/a/b`` reference names (JSON Pointer, percent-decoded)."""
    node: Any = root
    for token in filter(None, unquote(ref[1:]).split("/")):
        token = token.replace("~1", "/").replace("~0", "~")
        try:
            node = node[int(token)] if isinstance(node, list) else node[token]
        except (KeyError, IndexError, ValueError, TypeError):
            raise UnsupportedSchema(f"$ref {ref!r} names nothing") from None
    return node


def compile_validator(schema: dict) -> Callable[[Any], bool]:
    """A function telling whether a document is valid against ``schema`` (UnsupportedSchema if it cannot)."""
    from fastjsonschema import JsonSchemaException
    from fastjsonschema.draft07 import CodeGeneratorDraft07
    from fastjsonschema.ref_resolver import RefResolver

    check_compilable(schema)
    # references inlined (no call per referenced value), which also makes a copy: load_schema()'s is shared
    schema = {k: v for k, v in inline_refs(schema, schema).items() if k not in ("$id", "$defs")}

    class Generator(CodeGeneratorDraft07):
        """fastjsonschema's generator where its meaning differs from jsonschema's (and with ``date``)."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._extra_imports_objects.update(datetime=datetime, Number=numbers.Number)
            self._extra_imports_lines += ["from datetime import datetime", "from numbers import Number"]

        def generate_type(self):
            types = self._definition["type"]
            tests = " or ".join(TYPE_TESTS[t].format(v=self._variable) for t in
                                (types if isinstance(types, list) else [types]))
            with self.l(f"if not ({tests}):"):
                self.exc("{name} has the wrong type", rule="type")

        def generate_pattern(self):
            # jsonschema: re.search with the pattern as written (fastjsonschema reads "$" as "\Z")
            pattern = self._definition["pattern"]
            self._compile_regexps[pattern] = re.compile(pattern)
            with self.l("if isinstance({variable}, str):"):
                with self.l("if not REGEX_PATTERNS[{}].search({variable}):", repr(pattern)):
                    self.exc("{name} does not match", rule="pattern")

        def _bound(self, key: str, op: str) -> None:
            # jsonschema bounds every number but bool (fastjsonschema: int, float, Decimal)
            with self.l("if isinstance({variable}, Number) and not isinstance({variable}, bool):"):
                with self.l(f"if {{variable}} {op} {self._definition[key]!r}:"):
                    self.exc("{name} is out of bounds", rule=key)

        def generate_minimum(self):
            self._bound("minimum", "<")

        def generate_maximum(self):
            self._bound("maximum", ">")

        def generate_unique_items(self):
            # only lists of strings are judged here (there Python's equality is jsonschema's); jsonschema
            # judges any other list (fastjsonschema's own test differs from it, e.g. for ranges and tuples)
            if not self._definition["uniqueItems"]:
                return
            self.create_variable_is_list()
            with self.l("if {variable}_is_list:"):
                with self.l("if not all(type(x) is str for x in {variable}) or len(set({variable})) != len({variable}):"):
                    self.exc("{name} has repeated items, or items only jsonschema compares", rule="uniqueItems")

        def create_variable_is_list(self):
            # jsonschema's arrays are lists only (fastjsonschema's: lists and tuples)
            name = f"{self._variable}_is_list"
            if not self._is_variable_in_scope(name):
                self._variables[name] = tuple(self._scope_stack)
                self.l("{variable}_is_list = isinstance({variable}, list)")

    def no_remote(uri: str) -> Any:
        raise UnsupportedSchema(f"$ref to {uri}")

    resolver = RefResolver.from_schema(schema, handlers={"http": no_remote, "https": no_remote}, store={})
    generator = Generator(schema, resolver=resolver, formats={}, use_default=False, use_formats=False,
                          detailed_exceptions=False, fast_fail=True)
    namespace = dict(generator.global_state)
    exec(compile(generator.func_code, "<compiled article schema>", "exec"), namespace)  # noqa: S102 - our own schema
    check = namespace[resolver.get_scope_name()]

    def is_valid(doc: Any) -> bool:
        try:
            check(doc)
        except JsonSchemaException:
            return False
        except Exception:  # noqa: BLE001 - e.g. a value that cannot be compared or hashed: jsonschema decides
            return False
        return True

    return is_valid


@cache
def compiled_validator() -> Callable[[Any], bool] | None:
    """The compiled check of ``article.schema.json`` (compiled at the first call), None if it cannot be."""
    try:
        return compile_validator(load_schema())
    except ImportError as exc:
        logger.warning("fastjsonschema is missing (%s): articles are validated by jsonschema alone, more slowly", exc)
    except Exception as exc:  # an unsupported keyword, a fastjsonschema that changed: correct, only slower
        logger.warning("the article schema cannot be compiled (%s: %s): jsonschema validates alone, more slowly",
                       type(exc).__name__, exc)
    return None


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
