"""The units vocabulary: seeded formations, aliases in any spelling, investigators' additions."""

from __future__ import annotations

import pytest

from workbench.events import units
from workbench.events.taxonomy import ACLED_SUB_EVENT_COUNT, EVENT_TYPES, TaxonomyError, canonical_type


def test_seeded_formations(ws):
    with ws.session() as s:
        names = {u.name for u in units.list_units(s)}
        for want in ("Free Syrian Army", "Liwa al-Islam", "Jaysh al-Islam", "4th Armoured Division",
                     "Republican Guard", "National Defence Forces", "Jaysh al-Sha'bi", "Shabiha", "Hezbollah",
                     "Jabhat al-Nusra", "Hay'at Tahrir al-Sham", "Islamic State", "People's Protection Units",
                     "Syrian Democratic Forces"):
            assert want in names
        division = units.find_unit(s, "4th Division")
        assert division.parent.name == "Syrian Arab Army" and division.side == "government"
        liwa = units.find_unit(s, "Liwa al-Islam")
        assert liwa.valid_to.isoformat() == "2013-09-29" and "Jaysh al-Islam" in liwa.note


@pytest.mark.parametrize(("typed", "name"), [
    ("FSA", "Free Syrian Army"), ("Al-Jaish Al-Sha’bi", "Jaysh al-Sha'bi"), ("Jaish al-Shaabi", "Jaysh al-Sha'bi"),
    ("ISIS", "Islamic State"), ("داعش", "Islamic State"), ("HTS", "Hay'at Tahrir al-Sham"),
    ("Nusra Front", "Jabhat al-Nusra"), ("YPG", "People's Protection Units"), ("shabbiha", "Shabiha"),
    ("Liwa al Islam", "Liwa al-Islam"),
])
def test_aliases_resolve(ws, typed, name):
    with ws.session() as s:
        assert units.find_unit(s, typed).name == name


def test_investigator_adds_unit_and_alias(ws):
    with ws.session() as s:
        unit, created = units.add_unit(s, "Liwa Shuhada al-Yarmouk", side="jihadist", aliases=["Yarmouk Martyrs"],
                                       author="amal")
        assert created and unit.created_by == "amal"
        again, created = units.add_unit(s, "Yarmouk Martyrs Brigade", side="jihadist", author="amal")
        assert created  # a different name is a different unit
        same, created = units.add_unit(s, "Liwa Shuhada al-Yarmouk", aliases=["LSY"], author="amal")
        assert not created and same.id == unit.id
    with ws.session() as s:
        assert units.find_unit(s, "Yarmouk Martyrs").name == "Liwa Shuhada al-Yarmouk"
        assert units.find_unit(s, "LSY").name == "Liwa Shuhada al-Yarmouk"


def test_bad_unit_input(ws):
    with ws.session() as s:
        with pytest.raises(units.UnitError, match="give its side"):
            units.add_unit(s, "Some New Brigade", author="x")
        with pytest.raises(units.UnitError, match="not one of"):
            units.add_unit(s, "Some New Brigade", side="martian", author="x")
        with pytest.raises(units.UnitError, match="already names 'Free Syrian Army'"):
            units.add_unit(s, "Other Brigade", side="opposition", aliases=["FSA"], author="x")
        with pytest.raises(units.UnitError, match="closest: .*Republican Guard"):
            units.resolve_unit(s, "Republican Guardz Corps")


def test_find_units_in_prose(ws):
    text = ("rebels from Liwa al-Islam, storm a loyalist militia in Adra manned by members of Al-Jaish Al-Sha’bi. "
            "The Free Syrian Army said so; this is not about fsa in lower case.")
    with ws.session() as s:
        found = [u.name for u, _ in units.find_units(s, text)]
    assert set(found) == {"Liwa al-Islam", "Jaysh al-Sha'bi", "Free Syrian Army"}


def test_taxonomy_counts_and_checks():
    assert len(EVENT_TYPES) == 6
    assert sum(len(v) for v in EVENT_TYPES.values()) == ACLED_SUB_EVENT_COUNT + 1  # + Defection
    assert canonical_type("battles", "armed clash") == ("Battles", "Armed clash")
    assert canonical_type("Strategic developments", "defection") == ("Strategic developments", "Defection")
    with pytest.raises(TaxonomyError, match="unknown event type 'Skirmish'"):
        canonical_type("Skirmish", "Armed clash")
    with pytest.raises(TaxonomyError, match="belongs to 'Battles'"):
        canonical_type("Protests", "Armed clash")
