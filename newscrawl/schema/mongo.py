"""Translate the article JSON Schema into MongoDB's ``$jsonSchema`` dialect.

MongoDB speaks a draft-4 subset with ``bsonType``: no ``$ref``/``$defs``, no ``const``,
no ``format``/``examples``/``$schema``/``$id``. References are inlined and the
keywords it does not know are dropped, so the collection enforces the same shape.
"""

from __future__ import annotations

from typing import Any

BSON_TYPES: dict[str, list[str]] = {
    "string": ["string"],
    "integer": ["int", "long"],
    "number": ["double", "int", "long", "decimal"],
    "boolean": ["bool"],
    "object": ["object"],
    "array": ["array"],
    "null": ["null"],
    "date": ["date"],
}
DROPPED = {"$schema", "$id", "$defs", "$comment", "format", "examples", "default", "const", "type", "$ref"}
# keywords whose value is a schema, or a mapping/list of schemas, to translate in turn
SUBSCHEMA = {"items", "additionalProperties", "not"}
SUBSCHEMA_MAPS = {"properties", "patternProperties"}
SUBSCHEMA_LISTS = {"anyOf", "allOf", "oneOf"}


def to_mongo(schema: dict, root: dict | None = None) -> dict:
    root = root or schema
    if "$ref" in schema:
        schema = {**_resolve(root, schema["$ref"]), **{k: v for k, v in schema.items() if k != "$ref"}}
    out: dict[str, Any] = {}
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        bson = [b for t in types for b in BSON_TYPES[t]]
        out["bsonType"] = bson[0] if len(bson) == 1 else bson
    if "const" in schema:
        out["enum"] = [schema["const"]]
    for key, value in schema.items():
        if key in DROPPED:
            continue
        if key in SUBSCHEMA and isinstance(value, dict):
            out[key] = to_mongo(value, root)
        elif key in SUBSCHEMA_MAPS:
            out[key] = {name: to_mongo(sub, root) for name, sub in value.items()}
        elif key in SUBSCHEMA_LISTS:
            out[key] = [to_mongo(sub, root) for sub in value]
        else:
            out[key] = value
    if schema is root and "properties" in out:
        # every stored document has an _id, which the article schema does not list
        out["properties"] = {"_id": {}, **out["properties"]}
    return out


def _resolve(root: dict, ref: str) -> dict:
    if not ref.startswith("#/"):
        raise ValueError(f"only local references can be inlined: {ref}")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part]
    return node
