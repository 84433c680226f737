"""JSON for requests queued in Redis: SCHEDULER_SERIALIZER = "newscrawl.distributed.serializer".

scrapy-redis hands ``dumps`` the dict of ``Request.to_dict(spider=...)`` (callbacks by
name) and ``loads`` the stored bytes. Values JSON has no type for are tagged:
``{"$b": base64}`` for bytes, ``{"$t": iso}`` for datetimes, ``{"$d": [[key, value], ...]}``
for dicts whose keys are not all plain strings (header names are bytes). Nothing is
ever unpickled: a payload that is not this format is refused with a clear error.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

FORMAT = "newscrawl.request/1"
TAGS = ("$b", "$t", "$d")
PICKLE_PROTOCOL_MARK = 0x80  # every pickle of protocol 2+ starts with this byte


class SerializationError(ValueError):
    """A request that cannot be queued, or queued data that cannot be read back."""


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (bytes, bytearray)):
        return {"$b": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, datetime):
        return {"$t": value.isoformat()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        plain = all(isinstance(k, str) for k in value) and not (len(value) == 1 and next(iter(value)) in TAGS)
        if plain:
            return {k: _encode(v) for k, v in value.items()}
        return {"$d": [[_encode(k), _encode(v)] for k, v in value.items()]}
    raise SerializationError(
        f"cannot queue a value of type {type(value).__name__} ({value!r:.80}) in Redis: request meta and "
        "cb_kwargs must hold JSON-like values (str, numbers, bool, None, bytes, datetime, lists, dicts)")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1:
            (tag, inner), = value.items()
            if tag == "$b":
                return base64.b64decode(inner)
            if tag == "$t":
                return datetime.fromisoformat(inner)
            if tag == "$d":
                return {_hashable(_decode(k)): _decode(v) for k, v in inner}
        return {k: _decode(v) for k, v in value.items()}
    return value


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


def dumps(request_dict: dict) -> bytes:
    """The request dict as UTF-8 JSON with a format marker."""
    if not isinstance(request_dict, dict):
        raise SerializationError(f"expected the dict of Request.to_dict(), got {type(request_dict).__name__}")
    body = _encode(request_dict)
    return json.dumps({"format": FORMAT, "request": body}, separators=(",", ":"),
                      ensure_ascii=False, allow_nan=False).encode("utf-8")


def loads(data: bytes | str) -> dict:
    """The request dict back from ``dumps`` output; SerializationError for anything else."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    if raw[:1] and raw[0] == PICKLE_PROTOCOL_MARK:
        raise SerializationError(
            "refusing to read a queued request: it is a pickle (written by scrapy-redis's default "
            "serializer?), and pickles from Redis are never loaded. Clear the frontier with "
            "`newscrawl frontier reset` and run again.")
    try:
        envelope = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise SerializationError(f"queued request is not {FORMAT} JSON ({exc}): {raw[:60]!r}") from None
    if not isinstance(envelope, dict) or envelope.get("format") != FORMAT or not isinstance(envelope.get("request"), dict):
        raise SerializationError(f"queued data is not a {FORMAT} request: {raw[:60]!r}")
    return _decode(envelope["request"])
