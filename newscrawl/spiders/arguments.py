"""Spider arguments as typed, self-documenting models (`scrapy crawl almayadeen -a since=2024-01-01`)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timezone

from newscrawl.site import SiteProfile
from newscrawl.sites import UnknownSite, get_profile, known

DISCOVERY_PATHS = ("listings", "tags", "sitemaps")
REFRESH_KINDS = DISCOVERY_PATHS  # what a refresh walks in full: any discovery path
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


class ArgumentError(ValueError):
    """A spider argument with a bad value; the message names the argument and what it accepts."""


def parse_day(name: str, value: str | None, end: bool = False, tz=None) -> datetime | None:
    """A YYYY-MM-DD date (or ISO datetime) as a UTC datetime; ``end`` makes a date inclusive.

    A date is a day in ``tz`` (the site's time zone; the default edition's by default)."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time.max if end else time.min, tzinfo=tz or get_profile().timezone)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
    except ValueError:
        raise ArgumentError(f"{name}={value!r}: expected a date YYYY-MM-DD or an ISO datetime") from None
    return moment.astimezone(timezone.utc)


def parse_bool(name: str, value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ArgumentError(f"{name}={value!r}: expected true or false")


def parse_list(value: str | list | None) -> list[str]:
    if value in (None, ""):
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    return [item.strip() for item in items if item.strip()]


@dataclass
class AlmayadeenArguments:
    edition: str = field(default="en", metadata={
        "help": f"which site to crawl, a profile of newscrawl.sites: {known()} (default en, or the "
                "setting NEWSCRAWL_EDITION)"})
    since: datetime | None = field(default=None, metadata={
        "help": "only articles published on or after this date (YYYY-MM-DD, a day in the site's time zone); "
                "listing paging stops at a page wholly older, sitemap months before it are skipped"})
    until: datetime | None = field(default=None, metadata={
        "help": "only articles published on or before this date (YYYY-MM-DD, inclusive)"})
    sections: list[str] = field(default_factory=list, metadata={
        "help": "comma-separated sections to walk, e.g. news/politics,articles/opinion (default: all)"})
    tags: list[str] = field(default_factory=list, metadata={
        "help": "comma-separated tag names to walk, e.g. 'Ilham Aliyev,Gaza' (default: every tag met)"})
    discover: list[str] = field(default_factory=lambda: list(DISCOVERY_PATHS), metadata={
        "help": "discovery paths, any of listings,tags,sitemaps (default: all three)"})
    max_articles: int | None = field(default=None, metadata={
        "help": "stop scheduling article downloads after this many"})
    refresh: list[str] = field(default_factory=list, metadata={
        "help": "walk these in full although the store says nothing changed there: any of listings,tags,sitemaps "
                "or all (default: an incremental run fetches only what is due or changed)"})
    follow: bool = field(default=False, metadata={
        "help": "true: keep following the site (poll its front on adaptive intervals, fetch each new article "
                "at once, revisit recent ones) until stopped (SIGTERM, Ctrl-C)"})

    @classmethod
    def from_kwargs(cls, kwargs: dict, default_edition: str | None = None) -> AlmayadeenArguments:
        accepted = {f.name for f in fields(cls)}
        unknown = sorted(set(kwargs) - accepted)
        if unknown:
            raise ArgumentError(f"unknown argument(s) {', '.join(unknown)}; accepted: {', '.join(sorted(accepted))}")
        try:
            profile = get_profile(kwargs.get("edition") or default_edition)
        except UnknownSite as exc:
            raise ArgumentError(f"edition: {exc}") from None
        tz = profile.timezone
        args = cls(
            edition=profile.key,
            since=parse_day("since", kwargs.get("since"), tz=tz),
            until=parse_day("until", kwargs.get("until"), end=True, tz=tz),
            sections=[s.strip("/") for s in parse_list(kwargs.get("sections"))],
            tags=parse_list(kwargs.get("tags")),
            discover=parse_list(kwargs.get("discover")) or list(DISCOVERY_PATHS),
            refresh=parse_list(kwargs.get("refresh")),
            follow=parse_bool("follow", kwargs.get("follow")),
        )
        if args.refresh == ["all"]:
            args.refresh = list(REFRESH_KINDS)
        bad = sorted(set(args.refresh) - set(REFRESH_KINDS))
        if bad:
            raise ArgumentError(f"refresh={','.join(bad)}: expected any of {','.join(REFRESH_KINDS)}, or all")
        bad = sorted(set(args.discover) - set(DISCOVERY_PATHS))
        if bad:
            raise ArgumentError(f"discover={','.join(bad)}: expected any of {','.join(DISCOVERY_PATHS)}")
        not_sections = sorted(s for s in args.sections if not profile.section_listing_re.match("/" + s))
        if not_sections:
            raise ArgumentError(f"sections: {', '.join(not_sections)} is not a section path of {profile.host} "
                                f"(e.g. {', '.join(list(profile.sections)[:3])})")
        if args.since and args.until and args.since > args.until:
            raise ArgumentError("since is after until")
        raw_max = kwargs.get("max_articles")
        if raw_max not in (None, ""):
            try:
                args.max_articles = int(raw_max)
            except ValueError:
                raise ArgumentError(f"max_articles={raw_max!r}: expected a whole number") from None
            if args.max_articles < 1:
                raise ArgumentError("max_articles must be at least 1")
        return args

    @property
    def complete(self) -> bool:
        """Whether the run walks the whole site (no window, section, tag or size filter): only such a run
        may tell later ones that a sitemap was stored whole."""
        return not (self.since or self.until or self.sections or self.tags or self.max_articles)

    @property
    def profile(self) -> SiteProfile:
        return get_profile(self.edition)

    def in_window(self, moment: datetime | None) -> bool:
        if moment is None:
            return True
        return not ((self.since and moment < self.since) or (self.until and moment > self.until))

    @classmethod
    def help(cls) -> str:
        return "\n".join(f"  -a {f.name}=...  {f.metadata['help']}" for f in fields(cls))
