"""The Syria gazetteer: every spelling investigators type finds the right place, unknown names get suggestions."""

from __future__ import annotations

import pytest

from workbench.events.gazetteer import ADMIN1, Gazetteer, lookup


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.default()


@pytest.mark.parametrize(("typed", "name"), [
    ("Latakia", "Latakia"), ("Lattakia", "Latakia"), ("Latakkia", "Latakia"), ("اللاذقية", "Latakia"),
    ("Deir ez-Zor", "Deir ez-Zor"), ("Deir al-Zor", "Deir ez-Zor"), ("Deir el-Zour", "Deir ez-Zor"),
    ("Daraya", "Daraya"), ("Darayya", "Daraya"), ("Daryaa", "Daraya"), ("داريا", "Daraya"),
    ("Douma", "Douma"), ("Duma", "Douma"), ("Idlib", "Idlib"), ("Idleb", "Idlib"),
    ("Daraa", "Daraa"), ("Dar'a", "Daraa"), ("Dar‘a", "Daraa"), ("Deraa", "Daraa"), ("درعا", "Daraa"),
    ("Adra", "Adra"), ("Jobar", "Jobar"), ("Zamalka", "Zamalka"), ("DAMASCUS", "Damascus"), ("Homs", "Homs"),
    ("Dārayyā", "Daraya"), ("deir-ez-zor", "Deir ez-Zor"), ("Al Quşayr", "Al Quşayr"), ("Qusayr", "Al Quşayr"),
])
def test_transliterations_find_the_place(gaz, typed, name):
    result = gaz.lookup(typed)
    assert result.place is not None, f"{typed!r} found nothing"
    assert result.place.name == name


def test_daraa_darayya_and_adra_are_never_confused(gaz):
    daraa, daraya, adra = gaz.lookup("Daraa").place, gaz.lookup("Darayya").place, gaz.lookup("Adra").place
    assert len({daraa.id, daraya.id, adra.id}) == 3
    assert daraa.admin1 == "Daraa" and daraya.admin1 == "Rural Damascus" and adra.admin1 == "Rural Damascus"
    # Daraa is ~90 km south of Daraya; the coordinates must say so.
    assert daraa.latitude < 32.7 and daraya.latitude > 33.4
    for spelling in ("Daryaa", "Darayya", "Daraya"):
        assert gaz.lookup(spelling).place.id == daraya.id
    for spelling in ("Deraa", "Dar'a"):
        assert gaz.lookup(spelling).place.id == daraa.id
    assert gaz.lookup("Adraa").place.id == adra.id  # also an old GeoNames name of Daraa: the curated spelling wins


@pytest.mark.parametrize(("typed", "name"), [
    ("Aleppo International Airport", "Aleppo International Airport"), ("Annairab", "Nayrab airbase"),
    ("Nayrab military airport", "Nayrab airbase"), ("Mezzeh airbase", "Mezzeh military airport"),
    ("Damascus International Airport", "Damascus International Airport"), ("Mezzeh", "Mezzeh"),
])
def test_military_sites(gaz, typed, name):
    place = gaz.lookup(typed).place
    assert place is not None and place.name == name


def test_fourteen_governorates_in_english_and_arabic(gaz):
    govs = [p for p in gaz.places.values() if p.kind == "governorate"]
    assert sorted(p.name for p in govs) == sorted(ADMIN1.values())
    assert all(p.name_ar for p in govs)
    assert gaz.lookup("Damascus Suburbs").place.name == "Rural Damascus"
    assert gaz.lookup("ريف دمشق").place.name == "Rural Damascus"


def test_geonames_admin1_codes_agree_with_known_cities(gaz):
    # A wrong code table would put every place of a governorate in the wrong one.
    for city, gov in [("Raqqa", "Raqqa"), ("Al-Hasakah", "Al-Hasakah"), ("Quneitra", "Quneitra"),
                      ("As-Suwayda", "As-Suwayda"), ("Tartus", "Tartus"), ("Hama", "Hama")]:
        place = gaz.lookup(city).place
        assert place.kind == "city" and place.admin1 == gov


def test_geonames_places_are_in_and_curated_gaps_filled(gaz):
    sources = {p.source for p in gaz.places.values()}
    assert {"geonames", "curated", "geonames+curated"} <= sources
    assert sum(p.source.startswith("geonames") for p in gaz.places.values()) > 250
    for name in ("Adra", "Jobar", "Zamalka"):
        assert gaz.lookup(name).place.source == "curated"


def test_unknown_name_gives_ranked_suggestions_not_a_match(gaz):
    result = gaz.lookup("Darayyaa Jdeideh")
    assert result.place is None
    result = gaz.lookup("Zzyzxq")
    assert result.place is None
    assert result.suggestions == []
    near = gaz.lookup("Harastaa Zzz")
    assert near.place is None and near.suggestions[0][0].name == "Harasta"
    scores = [score for _, score in near.suggestions]
    assert scores == sorted(scores, reverse=True)


def test_a_misspelling_between_daraa_and_daraya_is_not_guessed(gaz):
    result = gaz.lookup("Daray")  # as close to Daraa as to Daraya: must not silently pick one
    assert result.place is None
    names = [p.name for p, _ in result.suggestions[:3]]
    assert "Daraya" in names and "Daraa" in names
    homs = gaz.lookup("Homz")
    assert homs.place is None and homs.suggestions[0][0].name == "Homs"


def test_find_places_in_prose(gaz):
    text = ("ALEPPO: Fierce clashes near Annairab military airport and Aleppo airport. Rebels in the town of "
            "Adra, Damascus Suburbs. The Assad family owns a villa.")
    names = [p.name for p, _ in gaz.find_places(text)]
    assert names == ["Aleppo", "Nayrab airbase", "Aleppo International Airport", "Adra", "Rural Damascus"]


def test_module_level_lookup():
    assert lookup("Idleb").place.name == "Idlib"


def _km(a, b) -> float:
    import math

    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


@pytest.mark.parametrize(("place", "city", "low", "high"), [
    # curated coordinates against the GeoNames city they belong to: catches swapped or mistyped numbers
    ("Adra", "Damascus", 15, 30), ("Jobar", "Damascus", 1, 6), ("Zamalka", "Damascus", 3, 9),
    ("Mezzeh", "Damascus", 2, 7), ("Mezzeh military airport", "Damascus", 5, 12),
    ("Damascus International Airport", "Damascus", 18, 30), ("Aleppo International Airport", "Aleppo", 5, 15),
    ("Nayrab airbase", "Aleppo International Airport", 0, 2), ("Qamishli", "Al-Hasakah", 60, 90),
    ("Azaz", "Aleppo", 35, 55), ("Deir ez-Zor military airport", "Deir ez-Zor", 3, 12),
    ("Saqba", "Damascus", 6, 14), ("Hamouria", "Damascus", 8, 16), ("Baba Amr", "Homs", 1, 5),
    ("Khalidiya", "Homs", 0.5, 5), ("Salaheddine", "Aleppo", 1, 5), ("Sheikh Maqsoud", "Aleppo", 1, 6),
    ("Tadamon", "Damascus", 2, 6), ("Midan", "Damascus", 1, 4), ("Kafr Sousa", "Damascus", 1, 5),
    ("Khan al-Assal", "Aleppo", 5, 14), ("Fuaa", "Idlib", 5, 12), ("Kafraya", "Idlib", 4, 10),
])
def test_curated_coordinates_are_where_they_should_be(gaz, place, city, low, high):
    a, b = gaz.lookup(place).place, gaz.lookup(city).place
    assert low <= _km(a, b) <= high, f"{place} is {_km(a, b):.1f} km from {city}"


def test_every_curated_row_is_inside_syria(gaz):
    for p in gaz.places.values():
        assert 32.3 <= p.latitude <= 37.4 and 35.6 <= p.longitude <= 42.4, p


def test_two_places_sharing_a_name_are_not_guessed(gaz):
    result = gaz.lookup("Kabasin")  # spells Kabbasin (near al-Bab) and Qabbasin (~55 km east) alike
    assert result.place is None and result.how == "ambiguous"
    assert {p.name for p, _ in result.suggestions} == {"Kabbasin", "Qabbāsīn"}
    # a city and its own governorate are not a real ambiguity: the city is meant
    assert gaz.lookup("Homs").place.kind == "city" and gaz.lookup("Homs").alternatives[0].kind == "governorate"


def test_curated_places_are_merged_not_duplicated(gaz):
    for name in ("Qamishli", "Azaz", "Yarmouk", "Qudsaya", "Daraya", "Latakia"):
        hits = [p for p in gaz.places.values() if p.name == name and p.kind != "governorate"]
        assert len(hits) == 1 and hits[0].source == "geonames+curated", name
