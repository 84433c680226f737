"""The Arabic edition's generated content: titles, slugs, heads, body sentences, captions, ticker lines.

Same generator shape as the English edition (heads.make_head, bodies.make_body), other words and
rules: slugs keep Arabic letters, turn spaces, dashes and colons into '-' without collapsing them
(so '--' and '---' occur) and are cut at 60 characters even mid-word; the text mixes in harakat,
tatweel, Arabic-Indic digits, Arabic punctuation and, now and then, directional marks (which the
truth drops).
"""

from __future__ import annotations

import random
import re
from itertools import accumulate

from tests.replica import clock, vocab_ar
from tests.replica.facts import ARABIC, SECTIONS_AR
from tests.replica.heads import Head

SLUG_MAX = 60
# section, weight; videos live in the news sections (the Arabic URLs have no /videos/ kind)
SECTION_WEIGHTS = (("news/politics", 30), ("news/palestine", 15), ("news/lebanon", 8), ("news/economy", 6),
                   ("news/arts-culture", 3), ("news/sports", 3), ("news/technology", 3), ("news/health", 3),
                   ("articles/opinion", 5))
SECTION_NAMES, WEIGHTS = zip(*SECTION_WEIGHTS)
CUM_WEIGHTS = tuple(accumulate(WEIGHTS))
NEWS_SECTIONS = tuple(s for s in SECTIONS_AR if s.startswith("news/"))
TO_DASH = str.maketrans(dict.fromkeys(" \t-–—:/", "-"))
# kept: Arabic letters (not the tatweel U+0640), Arabic-Indic digits, Latin letters and digits, "-"
DROPPED = re.compile("[^\u0621-\u063f\u0641-\u064a\u0660-\u0669A-Za-z0-9-]")
RLM, LRI, PDI = "\u200f", "\u2066", "\u2069"  # right-to-left mark, left-to-right isolate, its end
SHADDA_FATHA_INNA = "\u0625\u0646\u0651\u064e"  # إنَّ typed shadda-first: NFC reorders the marks


def full_slug(title: str) -> str:
    """Arabic letters and digits kept, Latin lower-cased, spaces/dashes/colons to '-', the rest
    (harakat, tatweel, quotes, ، ؛ ؟ and other punctuation) dropped; runs of '-' are not collapsed."""
    return DROPPED.sub("", title.translate(TO_DASH)).lower().strip("-")


def slugify(title: str) -> str:
    return full_slug(title)[:SLUG_MAX].rstrip("-") or "untitled"


def cut_mid_word(title: str) -> bool:
    full = full_slug(title)
    return len(full) > SLUG_MAX and full[SLUG_MAX - 1] != "-" and full[SLUG_MAX] != "-"


# --- text ----------------------------------------------------------------------------
def clause(rng: random.Random) -> str:
    subject, gender = rng.choice(vocab_ar.SUBJECTS)
    verb = rng.choice(vocab_ar.VERBS)[0 if gender == "m" else 1]
    return f"{subject} {verb} {rng.choice(vocab_ar.OBJECTS)}"


def number(rng: random.Random) -> str:
    value = str(rng.randint(2, 90))
    return clock.arabic_digits(value, rng.random() < 0.5)


def sentence(rng: random.Random, latin_names: bool) -> str:
    person = rng.choice(vocab_ar.LATIN_NAMES if latin_names and rng.random() < 0.6 else vocab_ar.PEOPLE)
    if person in vocab_ar.LATIN_NAMES and rng.random() < 0.5:
        person = f"{LRI}{person}{PDI}"  # an isolate around Latin text, as editors paste it
    place, obj = rng.choice(vocab_ar.PLACES), rng.choice(vocab_ar.OBJECTS)
    status, conn = rng.choice(vocab_ar.STATUSES), rng.choice(vocab_ar.CONNECTORS)
    pattern = rng.randrange(7)
    if pattern == 0:
        return f"قال {rng.choice(vocab_ar.OFFICIALS)} {person} إنّ {obj} {status}، {conn}."
    if pattern == 1:
        return f"«{obj} {status}»، بحسب ما صرّح به {person} للصحافيين في {place}."
    if pattern == 2:
        return f"{clause(rng)} {conn}؛ فيما ناقش المسؤولون في {place} {rng.choice(vocab_ar.OBJECTS)}."
    if pattern == 3:
        return f"أفادت مصادر محلية في {place} بأنّ {number(rng)}\u00a0كم من {obj} باتت تحت السيطرة."
    if pattern == 4:
        return f"هل ينجح {obj} في تغيير المعادلة؟ يتساءل مراقبون في {place}."
    if pattern == 5:
        return f"وقال {person} {SHADDA_FATHA_INNA} الـمقـاومة مُسْتَمِرّة في {place}  {conn}."
    return f"{RLM}{clause(rng)} {conn}، وفق ما نقلته مصادر في {place}."


def paragraph(rng: random.Random, latin_names: bool) -> str:
    text = " ".join(sentence(rng, latin_names) for _ in range(rng.randint(2, 4)))
    return text + "\u00a0" if rng.random() < 0.15 else text


def names_paragraph(rng: random.Random) -> str:
    """The latin_names variant's own paragraph: a Latin name beside its Arabic spelling."""
    return f"{rng.choice(vocab_ar.LATIN_NAMES)} ({rng.choice(vocab_ar.PEOPLE)}) {clause(rng)}."


def caption(rng: random.Random) -> str:
    return f"{rng.choice(vocab_ar.PEOPLE)} يتحدث خلال اجتماع في {rng.choice(vocab_ar.PLACES)}"


def tweet_text(rng: random.Random) -> str:
    return f"{rng.choice(vocab_ar.OBJECTS)} اليوم في {rng.choice(vocab_ar.PLACES)}."


def make_title(rng: random.Random, features: set[str]) -> str:
    title = clause(rng)
    if rng.random() < 0.5 or "long_title" in features:
        title += " " + rng.choice(vocab_ar.CONNECTORS)
    if "long_title" in features:
        title += f" و{rng.choice(vocab_ar.OBJECTS)} في {rng.choice(vocab_ar.PLACES)} {rng.choice(vocab_ar.CONNECTORS)}"
    if rng.random() < 0.1:
        title = f"«{title}»"
    elif rng.random() < 0.1:
        title += "؟"
    if "slug_colon" in features:  # "حمد للميادين: ..." makes '--' in the slug
        title = f"{rng.choice(vocab_ar.PEOPLE)} للميادين: {title}"
    if "slug_double_dash" in features:  # "... - ولن ..." makes '---'
        title = f"{title} - {rng.choice(vocab_ar.PLACES)}"
    return title


def make_head(seed: int, index: int, epoch: int, features: set[str], choose_published=None) -> Head:
    """The Arabic counterpart of heads.make_head (its own random stream)."""
    rng = random.Random(seed * 100_000_007 + index + 7_000_000_000_000)
    if "video" in features:
        section = rng.choice(NEWS_SECTIONS)
    elif "opinion_named_author" in features:
        section = "articles/opinion"
    else:
        section = rng.choices(SECTION_NAMES, cum_weights=CUM_WEIGHTS)[0]
    title = make_title(rng, features)
    if "invalid_empty_title" in features:
        title = ""
    visible_title = f"بالفيديو: {title}" if "disagreement" in features else title
    slug = slugify(title) if title else f"untitled-{index}"
    start, end = (clock.EPOCH1_START, clock.EPOCH1_END) if epoch == 1 else (clock.EPOCH2_START, clock.EPOCH2_END)
    when = clock.local_minute(rng, start, end) if choose_published is None else choose_published(rng)
    if "invalid_future_date" in features:
        when = clock.local_minute(rng, clock.EPOCH1_START.replace(year=2099), clock.EPOCH1_END.replace(year=2099))
    modified = clock.later(rng, when, 5, 600) if rng.random() < 0.8 else None
    if "date_visible_only" in features:
        modified = None
    modified2 = clock.local_minute(rng, clock.EPOCH2_START, clock.EPOCH2_END) if "changed" in features else None
    if section.startswith("articles/") or "several_authors" in features:
        k = rng.randint(2, 3) if "several_authors" in features else 1
        authors = rng.sample(vocab_ar.AUTHORS, k)
        source = None if section == "articles/opinion" else rng.choice((None, vocab_ar.HOUSE_AUTHOR))
    else:
        authors = [vocab_ar.HOUSE_AUTHOR]
        source = rng.choice(vocab_ar.SOURCES)
    if "no_source" in features:
        source = None
    countries = rng.sample(vocab_ar.COUNTRIES, rng.randint(1 if "multi_listed" in features else 0, 3))
    tags = list(dict.fromkeys(rng.sample(vocab_ar.TAGS, rng.randint(2, 5))
                              + [c for c in countries if c in vocab_ar.TAGS and rng.random() < 0.5]))
    extra = ()
    if "multi_listed" in features:
        extra = (rng.choice([s for s in SECTIONS_AR if s != section]),)
    n_figures = 0 if features & {"no_image", "video"} else 2 if "several_figures" in features else 1
    return Head(
        index=index, epoch=epoch, features=features, section=section, title=title,
        visible_title=visible_title, slug=slug, published=when, modified=modified, modified2=modified2,
        authors=authors, source=source, tags=tags, countries=countries, extra_sections=extra,
        video_duration=rng.randint(45, 1800) if "video" in features else None,
        n_figures=n_figures, body_figure="several_figures" in features, body_index=index,
        edition=ARABIC, indic_digits=rng.random() < 0.5,
    )


def ticker_line(rng: random.Random) -> str:
    who = rng.choice(vocab_ar.TICKER_WHO)
    text = f"{who}: {clause(rng)} في {rng.choice(vocab_ar.PLACES)}"
    style = rng.randrange(4)
    if style == 0:
        text = f"  {text.replace(': ', ':&nbsp;', 1)}  "
    elif style == 1:
        text = text.replace(" في ", " &quot;الاحتلال&quot; &amp; في ", 1)
    elif style == 2:
        text = RLM + text.replace(" ", "\n  ", 1)
    return text
