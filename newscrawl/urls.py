"""Canonical URLs (SCHEMA.md): https, host lower-case, no query, no fragment, no trailing slash.

A mirror (BASE_URL, e.g. the replica) serves the same paths as the site; its pages are
stored under the site's own canonical URLs, and requests for a canonical URL go to the
mirror. Pure functions, no Scrapy.
"""

from __future__ import annotations

from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_DEFAULT_PORTS = (":443", ":80")


def normalise_path(path: str) -> str:
    """One spelling per path: percent-encoding normalised (UTF-8, upper-case hex), no trailing slash."""
    path = quote(unquote(path or "/"), safe=_PATH_SAFE)
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    return path


def canonical_url(url: str, base: str | None = None, mirror_hosts: tuple[str, ...] = (),
                  site_host: str | None = None) -> str:
    """The canonical form of ``url`` (resolved against ``base`` when relative).

    Hosts in ``mirror_hosts`` (host[:port]) are mapped to ``site_host`` (by default the
    host of the default edition's profile).
    """
    if base:
        url = urljoin(base, url.strip())
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().rsplit("@", 1)[-1]
    if host in mirror_hosts:
        host = site_host or _default_host()
    elif host.endswith(_DEFAULT_PORTS):
        host = host.rsplit(":", 1)[0]
    return urlunsplit(("https", host, normalise_path(parts.path), "", ""))


def _default_host() -> str:
    from newscrawl.sites import get_profile

    return get_profile().host


def mirror_url(canonical: str, base_url: str) -> str:
    """The URL to fetch for a canonical site URL when crawling ``base_url`` (a mirror or the site)."""
    parts = urlsplit(canonical)
    base = urlsplit(base_url)
    return urlunsplit((base.scheme, base.netloc, parts.path or "/", parts.query, ""))


def host_of(url: str) -> str:
    return urlsplit(url).netloc.lower()


def path_of(url: str) -> str:
    return normalise_path(urlsplit(url).path)
