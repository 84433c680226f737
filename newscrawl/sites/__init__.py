"""The registry of site profiles: one module per site, each defining ``PROFILE``.

Adding a site: write ``newscrawl/sites/<name>.py`` with its facts (see
``almayadeen_en.py``), register it in ``PROFILES`` below, give the replica its markup,
and run ``newscrawl doctor --edition <key>`` against the live site.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from newscrawl.site import SiteProfile
from newscrawl.sites import almayadeen_ar, almayadeen_en

PROFILES: dict[str, SiteProfile] = {p.key: p for p in (almayadeen_en.PROFILE, almayadeen_ar.PROFILE)}
DEFAULT_EDITION = "en"


class UnknownSite(ValueError):
    """A name or host that no profile has; the message lists the known ones."""


def known() -> str:
    return ", ".join(f"{key} ({p.host})" for key, p in PROFILES.items())


def get_profile(name: str | None = None) -> SiteProfile:
    """The profile for an edition key ("en", "ar") or a host; the default edition for None."""
    name = (name or DEFAULT_EDITION).strip().lower()
    if name in PROFILES:
        return PROFILES[name]
    found = profile_for_host(name)
    if found is None:
        raise UnknownSite(f"unknown edition or site {name!r}; known: {known()}")
    return found


@lru_cache(maxsize=256)  # asked for every field of every article by cleaning and validation; PROFILES is fixed
def profile_for_host(host: str | None) -> SiteProfile | None:
    host = (host or "").lower().rsplit("@", 1)[-1].split(":")[0]
    return next((p for p in PROFILES.values() if p.host == host), None)


def profile_for_url(url: str | None, default: SiteProfile | None = None) -> SiteProfile:
    """The profile whose host serves ``url``; ``default`` (else the default edition) for others."""
    found = profile_for_host(urlsplit(url or "").netloc)
    return found or default or PROFILES[DEFAULT_EDITION]


def hosts() -> tuple[str, ...]:
    return tuple(p.host for p in PROFILES.values())
