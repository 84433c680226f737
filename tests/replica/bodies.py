"""Article bodies, generated on demand from the seed, the article and its revision."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from tests.replica import arabic, vocab, vocab_ar
from tests.replica.heads import Head
from tests.replica.text import join_paragraphs, normalise_text


@dataclass
class Figure:
    url: str
    caption: str | None
    credit: str | None

    @property
    def figcaption(self) -> str | None:
        if self.caption is None:
            return None
        return f"{self.caption} ({self.credit})" if self.credit else self.caption

    def truth(self) -> dict:
        return {"url": self.url, "caption": self.caption, "credit": self.credit}


@dataclass
class Link:
    href: str  # as written in the page
    title: str
    url: str  # canonical


@dataclass
class Block:
    kind: str  # p | lead | readmore | related | tweet | empty | figure
    text: str = ""
    links: list[Link] = field(default_factory=list)
    figure: Figure | None = None


@dataclass
class Body:
    lead: str
    media: list[Figure]
    blocks: list[Block]
    poster: str | None = None
    arabic: bool = False  # its text is normalised the Arabic way (directional marks dropped)

    def paragraphs(self) -> list[str]:
        texts = (normalise_text(b.text, self.arabic) for b in self.blocks if b.kind == "p")
        return [t for t in texts if t]

    def text(self) -> str:
        return join_paragraphs(self.paragraphs())

    def images(self) -> list[Figure]:
        return self.media + [b.figure for b in self.blocks if b.kind == "figure"]

    def related_urls(self) -> list[str]:
        urls = (link.url for b in self.blocks if b.kind in ("readmore", "related") for link in b.links)
        return list(dict.fromkeys(urls))


def english_sentence(rng: random.Random, non_latin: bool) -> str:
    names = vocab.NON_LATIN_NAMES if non_latin and rng.random() < 0.6 else vocab.LATIN_NAMES
    name, place, noun = rng.choice(names), rng.choice(vocab.PLACES), rng.choice(vocab.NOUNS)
    adj, verb, conn = rng.choice(vocab.ADJECTIVES), rng.choice(vocab.VERBS), rng.choice(vocab.CONNECTORS)
    pattern = rng.randrange(6)
    if pattern == 0:
        official = rng.choice(vocab.OFFICIALS)
        return f"{official[0].upper()}{official[1:]} {name} said that the {adj} {noun} {verb} the {rng.choice(vocab.NOUNS)} {conn}."
    if pattern == 1:
        return f"“The {noun} {verb} every {adj} effort,” {name} told reporters in {place}."
    if pattern == 2:
        return f"The {noun} & the {rng.choice(vocab.NOUNS)} were {rng.choice(vocab.ADVERBS)} discussed in {place}, {conn}."
    if pattern == 3:
        return f"{place}’s {noun} {verb} the {adj} plan, which covers {rng.randint(2, 90)}\u00a0km of the {rng.choice(vocab.NOUNS)}."
    if pattern == 4:
        return f"\"Israel\" {verb} the {adj} {noun}  near {place}, {name} said."
    return f"Officials in {place} expect the {adj} {noun} to last until {rng.choice(('June', 'March', 'autumn'))}, {conn}."


def english_paragraph(rng: random.Random, non_latin: bool) -> str:
    text = " ".join(english_sentence(rng, non_latin) for _ in range(rng.randint(2, 4)))
    return text + "\u00a0" if rng.random() < 0.15 else text


def link_to(rng: random.Random, target: Head) -> Link:
    style = rng.random()
    if target.edition.code == "ar" and 0.4 <= style < 0.7:
        href = target.raw_path  # Arabic letters unencoded in the href, as editors paste links
    elif style < 0.15:
        href = target.path + "?utm_source=related&utm_medium=web"
    elif style < 0.25:
        href = target.path + "/"
    elif style < 0.4:
        href = target.url
    else:
        href = target.path
    return Link(href=href, title=target.title, url=target.url)


def figure(rng: random.Random, head: Head, k: int) -> Figure:
    p = head.published
    # an undated page (--undated) states no date, not even in its image addresses
    day = "" if "undated" in head.features else f"{p:%Y/%m/%d}/"
    url = f"{head.edition.url}/Content/{head.edition.image_dir}/{day}{rng.choice(vocab.NOUNS)}-{head.body_index}-{k}.jpg"
    kind = rng.random()
    if kind < 0.1:
        return Figure(url, None, None)
    if head.edition.code == "ar":
        caption = arabic.caption(rng)
        return Figure(url, caption, None if kind < 0.3 else rng.choice(vocab_ar.CAPTION_CREDITS))
    caption = f"{rng.choice(vocab.LATIN_NAMES)} speaks during a {rng.choice(vocab.ADJECTIVES)} meeting in {rng.choice(vocab.PLACES)}"
    if kind < 0.3:
        return Figure(url, caption, None)
    credit = rng.choice(("AP Photo/Darron Cummings", "Reuters", "AFP", "Al Mayadeen English; Illustrated by Batoul Chamas"))
    return Figure(url, caption, credit)


def tweet(rng: random.Random, arabic_text: bool = False) -> Block:
    if arabic_text:
        who, handle = rng.choice(vocab_ar.TWEET_AUTHORS)
        return Block("tweet", text=arabic.tweet_text(rng),
                     links=[Link(f"https://twitter.com/{handle}/status/{rng.randrange(10**15, 10**16)}", who, "")])
    who, handle = rng.choice(vocab.TWEET_AUTHORS)
    return Block("tweet", text=f"{rng.choice(vocab.ADJECTIVES).title()} {rng.choice(vocab.NOUNS)} today in {rng.choice(vocab.PLACES)}.",
                 links=[Link(f"https://twitter.com/{handle}/status/{rng.randrange(10**15, 10**16)}", who, "")])


def make_body(seed: int, head: Head, targets: list[Head]) -> Body:
    """Revision 1 of ``head``'s body (``head`` is the article whose text it is)."""
    rng = random.Random(f"{seed}/body/{head.body_index}")
    f = head.features
    non_latin = "non_latin_names" in f  # Arabic: Latin names in the Arabic text
    ar = head.edition.code == "ar"
    sentence, paragraph = (arabic.sentence, arabic.paragraph) if ar else (english_sentence, english_paragraph)
    lead = " ".join(sentence(rng, non_latin) for _ in range(rng.randint(1, 2)))
    media = [figure(rng, head, k) for k in range(head.n_figures)]
    poster = f"{head.edition.url}/Content/{head.edition.image_dir}/videos/poster-{head.body_index}.jpg" if "video" in f else None
    rich = "rich_body" in f
    extras = {"readmore": rich or rng.random() < 0.4, "related": rich or rng.random() < 0.25,
              "tweet": rich or rng.random() < 0.15, "empty": rich or rng.random() < 0.5}
    blocks = [Block("p", paragraph(rng, non_latin)) for _ in range(rng.randint(3, 8))]
    # the extras go between paragraphs, never first
    if extras["readmore"] and targets:
        for _ in range(rng.randint(1, 2)):
            blocks.insert(rng.randint(1, len(blocks)), Block("readmore", links=[link_to(rng, rng.choice(targets))]))
    if extras["related"] and targets:
        links = [link_to(rng, t) for t in rng.sample(targets, min(2, len(targets)))]
        blocks.insert(rng.randint(1, len(blocks)), Block("related", links=links))
    if extras["tweet"]:
        blocks.insert(rng.randint(1, len(blocks)), tweet(rng, ar))
    if head.body_figure:
        blocks.insert(rng.randint(1, len(blocks)), Block("figure", figure=figure(rng, head, head.n_figures)))
    if non_latin:
        blocks.insert(1, Block("p", arabic.names_paragraph(rng) if ar else names_paragraph(rng)))
    if "repeated_lead" in f:
        blocks.insert(0, Block("lead", lead))
    if extras["empty"]:
        blocks.append(Block("empty", rng.choice(("\u00a0", "", " "))))
        blocks.insert(rng.randint(1, len(blocks)), Block("empty", ""))
    if "invalid_empty_body" in f:
        blocks = [Block("readmore", links=[link_to(rng, rng.choice(targets))])] if targets else []
    return Body(lead=lead, media=media, blocks=blocks, poster=poster, arabic=ar)


def names_paragraph(rng: random.Random) -> str:
    return f"{rng.choice(vocab.NON_LATIN_NAMES)} ({rng.choice(vocab.LATIN_NAMES)}) {rng.choice(vocab.VERBS)} the {rng.choice(vocab.NOUNS)}."


def revise(seed: int, head: Head, body: Body) -> Body:
    """Revision 2: one paragraph rewritten and an update added after it."""
    rng = random.Random(f"{seed}/body2/{head.body_index}")
    blocks = list(body.blocks)
    last = max(i for i, b in enumerate(blocks) if b.kind == "p")
    write = arabic.paragraph if body.arabic else english_paragraph
    blocks[last] = Block("p", write(rng, False))
    blocks.insert(last + 1, Block("p", head.edition.update_prefix + write(rng, False)))
    return Body(lead=body.lead, media=body.media, blocks=blocks, poster=body.poster, arabic=body.arabic)
