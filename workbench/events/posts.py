"""Post import: a news or live-blog post (plain text or HTML) becomes draft events.

Each paragraph that reports an incident becomes one draft event: its places come from the
gazetteer, its actors from the units vocabulary, its type and sub-type from cue words
(defection, clashes, shelling, car bomb, ambush, capture of depots, ...). A cue only counts
in a sentence that states something happened: "Assad could well bomb his own city" is not a
bombing. People named as defectors are kept as the event's actor. Links in the post are
queued for archiving. Drafts stay drafts until a person accepts them (``incidents.accept_event``).

The rules are simple, visible and conservative; every draft says which cue made it, so an
investigator can judge it quickly.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.db.events import ArchiveQueue, Event
from workbench.events.gazetteer import Gazetteer
from workbench.events.incidents import create_event
from workbench.events.units import find_units

# (cue, pattern, event type, sub-event type), first match wins: the more specific cues come first.
CUES: tuple[tuple[str, str, str, str], ...] = (
    ("defection", r"\bdefect(?:ion|ions|ed|or|ors|ing|s)?\b", "Strategic developments", "Defection"),
    ("suicide bomb", r"\bsuicide (?:car )?bomb(?:er|ing|ings)?\b|\bsuicide attack", "Explosions/Remote violence",
     "Suicide bomb"),
    ("car bomb", r"\bcar bomb|\bvbied\b|\bied\b|\broadside bomb|\blandmine|\bexplosive device",
     "Explosions/Remote violence", "Remote explosive/landmine/IED"),
    ("chemical attack", r"\bchemical (?:attack|weapon)|\bsarin\b|\bchlorine\b", "Explosions/Remote violence",
     "Chemical weapon"),
    ("air strike", r"\bair ?strikes?\b|\bwarplanes?\b|\bbarrel bombs?\b|\bjets? (?:bombed|struck|hit)",
     "Explosions/Remote violence", "Air/drone strike"),
    ("capture of depots", r"\b(?:captur|seiz|took|overr?an|loot)\w*\b[^.]{0,40}\b(?:depots?|warehouses?|arms caches?|"
     r"ammunition|weapons stores?)\b|\b(?:depots?|warehouses?|arms caches?)\b[^.]{0,40}\b(?:captured|seized|looted)\b",
     "Strategic developments", "Looting/property destruction"),
    ("took control", r"\b(?:(?:is|are|now) in control of|took control|seized control|captured the "
     r"(?:town|village|city|checkpoint|airport|base)|overr?an)\b", "Battles", "Non-state actor overtakes territory"),
    ("ambush", r"\bambush(?:ed|es)?\b", "Battles", "Armed clash"),
    ("clashes", r"\bclash(?:es|ed)?\b|\bfighting\b|\bfought\b|\bgun ?fights?\b|\bfirefights?\b|\bstorm(?:s|ed|ing)?\b"
     r"|\bcombat\b", "Battles", "Armed clash"),
    ("shelling", r"\bshell(?:ing|ed|s)\b|\bmortars?\b|\bartillery\b|\brockets?\b|\bmissiles?\b",
     "Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("massacre", r"\bmassacre|\bexecuted\b|\bkilled (?:\w+ )?civilians\b", "Violence against civilians", "Attack"),
    ("protest", r"\bprotest(?:s|ers|ed)?\b|\bdemonstrat(?:ion|ions|ors|ed)\b", "Protests", "Peaceful protest"),
    ("arrests", r"\barrest(?:s|ed)?\b|\bdetain(?:ed)?\b", "Strategic developments", "Arrests"),
    ("commander's statement", r"\b(?:commander|spokesman|leader)\b[^.]{0,60}\b(?:says|said|announced|declared|"
     r"warned)\b", "Strategic developments", "Other"),
    ("footage", r"\b(?:war |combat )?(?:footage|video)\b", "Strategic developments", "Other"),
)
_CUES = tuple((name, re.compile(rx, re.I), t, s) for name, rx, t, s in CUES)
# A sentence with one of these is a hope, a plan or a hypothesis, not a report.
HYPOTHETICAL = re.compile(r"\b(?:would|could|should|might|may|if|will|can|unless|must)\b", re.I)
_SPEECH = re.compile(r"\b(?:says|said|announced|declared|warned)\b", re.I)
_DEFECTION_OF = re.compile(r"defection of\s+(.+?)(?=\s+(?:n|and|in|was|has|from|to|who|with)\b|[,.;(]|$)", re.I)
_DEFECTOR_N = re.compile(r"defector\s*#?\s*\d*\s*:\s*(.+?)(?=\s*(?:,|\.|--|—|\bchief\b|\bhead\b|\bwho\b|\bfled\b|"
                         r"\bwas\b|\bis\b|$))", re.I)
_NAME_DEFECTED = re.compile(r"((?:(?:[A-Z][\w'’-]+|al-\w+|bin|ibn)\s+){1,7})(?:has\s+|had\s+)?defected\b")
_URL = re.compile(r"https?://[^\s<>\"')\]]+", re.I)


class PostError(ValueError):
    """A post that cannot be read."""


@dataclass
class Draft:
    """One proposed event and why it was proposed."""

    paragraph: int  # 1-based, among the post's paragraphs
    status: str  # drafted | exists (the same paragraph was drafted before)
    event_id: int | None
    event_type: str
    sub_event_type: str
    cues: list[str]
    places: list[str]
    location: str | None
    units: list[str]
    actors: list[str]
    links: list[str]
    text: str
    ok: bool = True

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class PostResult:
    """All drafts of one post, and the links queued for archiving."""

    path: str
    drafts: list[Draft] = field(default_factory=list)
    queued: list[str] = field(default_factory=list)
    paragraphs: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "paragraphs": self.paragraphs, "drafts": [d.as_dict() for d in self.drafts],
                "queued_links": self.queued}


class _HTMLText(HTMLParser):
    """Paragraph texts from HTML, each link's address written into its paragraph; no scripts or styles."""

    BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "article", "section"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in self.BLOCKS or tag == "br":
            self.parts.append("\n\n")
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith(("http://", "https://")):
                self.parts.append(f" {href} ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a post: HTML block elements, or text blocks separated by blank lines."""
    if re.search(r"<(?:p|div|html|body|br|a)\b", text, re.I):
        parser = _HTMLText()
        parser.feed(text)
        text = "".join(parser.parts)
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n"))
    return [" ".join(b.split()) for b in blocks if b.strip()]


def classify(paragraph: str) -> list[tuple[str, str, str]]:
    """The incident cues a paragraph states as fact: ``[(cue, event type, sub-event type)]``, best first.

    A cue in a hypothetical sentence (would, could, should, if, ...) does not count, except
    that a commander's statement is a fact whatever it proposes: only the words before the
    speech verb are checked. Talk of defections counts only with a named defector or "defected".
    """
    sentences = re.split(r"(?<=[.!?])\s+", paragraph)
    named = bool(defectors(paragraph))
    found: dict[str, tuple[str, str, str]] = {}
    for sentence in sentences:
        for name, rx, etype, sub in _CUES:
            match = rx.search(sentence)
            if not match:
                continue
            checked = sentence
            if name == "commander's statement":
                speech = _SPEECH.search(sentence, match.start())
                checked = sentence[:speech.start()] if speech else sentence
            if HYPOTHETICAL.search(checked):
                continue
            if name == "defection" and not (named or re.search(r"\bdefected\b", sentence, re.I)):
                continue
            found.setdefault(name, (name, etype, sub))
    order = [c[0] for c in CUES]
    return sorted(found.values(), key=lambda c: order.index(c[0]))


def defectors(paragraph: str) -> list[str]:
    """People named as defectors ("Defector #1: General X", "the defection of General Y", "Colonel Z defected")."""
    names = [m.group(1) for m in _DEFECTION_OF.finditer(paragraph)]
    if not names:
        names = [m.group(1) for m in _DEFECTOR_N.finditer(paragraph)]
    if not names:
        names = [m.group(1) for m in _NAME_DEFECTED.finditer(paragraph)]
    cleaned = []
    for name in names:
        name = " ".join(name.split()).strip(" :-")
        if name and not name.lower().startswith(("the ", "a ")) and len(name.split()) <= 8:
            cleaned.append(name)
    return cleaned


def import_post(session: Session, path: Path | str, author: str, *, event_date: date | None = None,
                text: str | None = None) -> PostResult:
    """Read a post and store one draft event per incident paragraph; queue its links for archiving.

    Args:
        session: An open transaction.
        path: The post (plain text or HTML).
        author: Who ran the import (recorded on the drafts' first version).
        event_date: The post's date; without it, drafts get today's date at month precision
            and a note saying the date is unchecked.
        text: The post's contents, when already read.

    Returns:
        A ``PostResult``.

    Raises:
        PostError: the file cannot be read as text.
    """
    try:
        text = text if text is not None else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PostError(f"cannot read {path} as a text or HTML post: {exc}") from None
    result = PostResult(str(path))
    paras = paragraphs(text)
    result.paragraphs = len(paras)
    gaz = Gazetteer.default()
    all_links: list[tuple[str, int | None]] = []
    for n, para in enumerate(paras, 1):
        links = list(dict.fromkeys(_URL.findall(para)))
        clean_para = _URL.sub("", para).strip()
        cues = classify(clean_para)
        if not cues:
            all_links += [(u, None) for u in links]
            continue
        draft = _draft(session, gaz, n, clean_para, cues, links, author, str(path), event_date)
        result.drafts.append(draft)
        all_links += [(u, draft.event_id) for u in links]
    for url, event_id in all_links:
        if _queue(session, url, str(path), event_id, author):
            result.queued.append(url)
    return result


def _draft(session: Session, gaz: Gazetteer, n: int, para: str, cues: list[tuple[str, str, str]],
           links: list[str], author: str, path: str, event_date: date | None) -> Draft:
    found = gaz.find_places(para)
    places = list(dict.fromkeys(p.name for p, _ in found))
    specific = [p for p, _ in found if p.kind != "governorate"] or [p for p, _ in found]
    place = specific[0] if specific else None
    units = list(dict.fromkeys(u.name for u, _ in find_units(session, para)))
    _, etype, sub = cues[0]
    actors = defectors(para) if sub == "Defection" else []
    existing = session.scalars(select(Event).where(Event.description == para)).first()  # any status
    draft = Draft(n, "exists" if existing else "drafted", existing.id if existing else None, etype, sub,
                  [c[0] for c in cues], places, place.name if place else None, units, actors, links, para)
    if existing:
        return draft
    side_units = units[:2]
    when = event_date or date.today()
    note = (f"[drafted from {Path(path).name}, paragraph {n}; cues: {', '.join(draft.cues)}; "
            f"places mentioned: {', '.join(places) or 'none'}"
            f"{'' if event_date else '; event date unknown: set to the import day, check it'}]")
    data = {"event_date": when, "time_precision": 1 if event_date else 3, "event_type": etype,
            "sub_event_type": sub, "status": "draft", "title": _title(para), "description": para,
            "notes": f"{para} {note}",
            "actor1": "; ".join(actors) if actors else (side_units[0] if side_units else None),
            "actor2": side_units[1] if len(side_units) > 1 and not actors else None}
    if place:
        data.update({"location": place.name, "latitude": place.latitude, "longitude": place.longitude,
                     "admin1": place.admin1, "geo_precision": 3 if place.kind in ("governorate", "area") else 1})
    event = create_event(session, data, author, units=units, sources=[{"url": u} for u in links],
                         action="drafted from post")
    draft.event_id = event.id
    return draft


def _title(para: str, limit: int = 90) -> str:
    first = re.split(r"(?<=[.!?])\s+", para)[0]
    return first if len(first) <= limit else first[: limit - 1].rsplit(" ", 1)[0] + "…"


def _queue(session: Session, url: str, found_in: str, event_id: int | None, author: str) -> bool:
    """Queue a link for archiving unless it is already waiting."""
    if session.scalars(select(ArchiveQueue).where(ArchiveQueue.url == url, ArchiveQueue.state == "queued")).first():
        return False
    session.add(ArchiveQueue(url=url, found_in=found_in, event_id=event_id, queued_by=author))
    session.flush()
    return True


def archive_queue(session: Session, state: str | None = "queued") -> list[dict[str, Any]]:
    """Links waiting to be archived (or all, with ``state=None``), oldest first."""
    query = select(ArchiveQueue).order_by(ArchiveQueue.id)
    if state:
        query = query.where(ArchiveQueue.state == state)
    return [{"id": q.id, "url": q.url, "found_in": q.found_in, "event_id": q.event_id, "state": q.state,
             "queued_by": q.queued_by, "queued_at": q.queued_at.isoformat()} for q in session.scalars(query)]


def settle_queued(session: Session, url: str, archived: bool) -> int:
    """Mark a queued link archived (or failed) once an archive run has tried it; returns how many.

    A link archived once stays archived, whatever a later failing run says.
    """
    rows = session.scalars(select(ArchiveQueue).where(ArchiveQueue.url == url, ArchiveQueue.state != "archived"))
    count = 0
    for row in rows:
        row.state = "archived" if archived else "failed"
        count += 1
    return count


def enqueue(session: Session, urls: list[str], found_in: str, author: str) -> int:
    """Queue links for archiving (those not waiting already); returns how many were added.

    A batch pasted in the UI is queued before it starts, so links it never reached (the server
    stopped) stay visible and can be archived again.
    """
    waiting = set(session.scalars(select(ArchiveQueue.url).where(ArchiveQueue.state != "archived")))
    added = 0
    for url in dict.fromkeys(urls):
        if url not in waiting:
            session.add(ArchiveQueue(url=url, found_in=found_in, queued_by=author))
            added += 1
    return added
