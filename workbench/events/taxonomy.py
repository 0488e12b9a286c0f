"""ACLED's event taxonomy, plus "Defection", and the controlled vocabularies of events and tags.

Six event types with their 25 sub-event types, as ACLED's codebook names them, and our one
addition: "Defection" under Strategic developments (ACLED codes defections as "Change to
group/activity" or "Other"; investigators of Syrian footage need them apart).
"""

from __future__ import annotations

EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "Battles": ("Armed clash", "Government regains territory", "Non-state actor overtakes territory"),
    "Explosions/Remote violence": ("Chemical weapon", "Air/drone strike", "Suicide bomb",
                                   "Shelling/artillery/missile attack", "Remote explosive/landmine/IED",
                                   "Grenade"),
    "Violence against civilians": ("Sexual violence", "Attack", "Abduction/forced disappearance"),
    "Protests": ("Peaceful protest", "Protest with intervention", "Excessive force against protesters"),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": ("Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
                               "Headquarters or base established", "Looting/property destruction",
                               "Non-violent transfer of territory", "Other", "Defection"),
}
ACLED_SUB_EVENT_COUNT = 25  # "Defection" is ours

DISORDER_TYPES: dict[str, str] = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Protests": "Demonstrations",
    "Riots": "Political violence",
    "Strategic developments": "Strategic developments",
}

TIME_PRECISION = {1: "exact day", 2: "week", 3: "month"}
GEO_PRECISION = {1: "the place itself", 2: "near the place (part of a region)", 3: "the province"}

SIDES = ("government", "pro-government militia", "opposition", "jihadist", "Kurdish", "foreign")
PRECISION_CLASSES = {"10m": "±10 m", "100m": "±100 m", "1km": "±1 km", "town": "town", "governorate": "governorate"}
LOCATION_METHODS = ("landmark match", "gazetteer", "file metadata", "source claim")
CONFIDENCE = ("low", "medium", "high")
POINT_OF = ("camera", "subject")
VERIFICATION = ("unverified", "in progress", "ready for review", "verified", "disputed")
RECORDED_PRECISION = ("minute", "hour", "day", "month", "year")


class TaxonomyError(ValueError):
    """An event type or sub-event type outside the taxonomy."""


def _fold(text: str) -> str:
    return " ".join(text.replace("-", " ").split()).casefold()


def canonical_type(event_type: str, sub_event_type: str) -> tuple[str, str]:
    """The taxonomy's spelling of an event type and sub-event type, checked to belong together.

    Args:
        event_type: e.g. ``"battles"`` or ``"Battles"``.
        sub_event_type: e.g. ``"armed clash"``.

    Returns:
        ``(event_type, sub_event_type)`` as the taxonomy spells them.

    Raises:
        TaxonomyError: an unknown type, or a sub-type of another type.
    """
    types = {_fold(t): t for t in EVENT_TYPES}
    etype = types.get(_fold(event_type or ""))
    if etype is None:
        raise TaxonomyError(f"unknown event type {event_type!r} (one of: {', '.join(EVENT_TYPES)})")
    subs = {_fold(s): s for s in EVENT_TYPES[etype]}
    sub = subs.get(_fold(sub_event_type or ""))
    if sub is None:
        owner = next((t for t, ss in EVENT_TYPES.items() if _fold(sub_event_type or "") in map(_fold, ss)), None)
        hint = f" (it belongs to {owner!r})" if owner else f" (one of: {', '.join(EVENT_TYPES[etype])})"
        raise TaxonomyError(f"unknown sub-event type {sub_event_type!r} for {etype!r}{hint}")
    return etype, sub


def choice(value: str | None, allowed: tuple[str, ...] | dict, what: str) -> str | None:
    """``value`` if it is one of ``allowed`` (case-insensitive), else a ValueError naming the choices."""
    if value is None or value == "":
        return None
    for a in allowed:
        if _fold(a) == _fold(value):
            return a
    raise ValueError(f"{what} {value!r} is not one of: {', '.join(allowed)}")
