"""ACLED CSV: exact columns, export -> import -> export identical, bad rows reported by line number."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from sqlalchemy import func, select

from workbench import settings
from workbench.db import Event, Revision
from workbench.events import acled, history, incidents
from workbench.workspace import Workspace

ACLED_COLUMNS = [  # from ACLED's codebook, typed here rather than imported: the test must not trust the code
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude",
    "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp"]


def row(**over: str) -> dict[str, str]:
    base = {c: "" for c in ACLED_COLUMNS}
    base.update({"event_id_cnty": "SYR1001", "event_date": "2012-12-01", "year": "2012", "time_precision": "1",
                 "disorder_type": "Political violence", "event_type": "Battles", "sub_event_type": "Armed clash",
                 "actor1": "Opposition Rebels (Syria)", "actor2": "Military Forces of Syria (2000-)",
                 "inter1": "Rebel group", "inter2": "State forces", "interaction": "State forces-Rebel group",
                 "iso": "760", "region": "Middle East", "country": "Syria", "admin1": "Aleppo",
                 "admin2": "Jebel Saman", "admin3": "Jebel Saman", "location": "Nayrab Military Airport",
                 "latitude": "36.1850", "longitude": "37.2180", "geo_precision": "1",
                 "source": "Enduring America; SOHR", "source_scale": "Other-National",
                 "notes": "Fierce clashes near Annairab, with \"quotes\", commas, and\na second line.",
                 "fatalities": "4", "tags": "", "timestamp": "1618880000"})
    base.update(over)
    return base


def write(path, rows, columns=ACLED_COLUMNS) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def export(ws: Workspace) -> str:
    buf = io.StringIO()
    with ws.session() as s:
        acled.export_csv(s, buf)
    return buf.getvalue()


def count(ws: Workspace) -> int:
    with ws.session() as s:
        return s.scalar(select(func.count()).select_from(Event))


def test_export_has_acleds_exact_columns(ws):
    header = export(ws).splitlines()[0]
    assert header.split(",") == ACLED_COLUMNS and len(ACLED_COLUMNS) == 31


def test_export_then_import_gives_the_same_events(ws, tmp_path, monkeypatch):
    src = tmp_path / "in.csv"
    write(src, [row(), row(event_id_cnty="SYR1002", event_date="05 December 2012",
                    event_type="Explosions/Remote violence", sub_event_type="Remote explosive/landmine/IED",
                    location="Deir ez-Zor", admin1="Deir ez-Zor",
                    latitude="35.336", longitude="40.1408", fatalities="0", tags="car bomb", time_precision="2")])
    with ws.session() as s:
        result = acled.import_csv(s, src, "amal")
    assert [r.status for r in result.rows] == ["created", "created"] and not result.error
    with ws.session() as s:
        incidents.create_event(s, {"event_date": "2013-01-10", "event_type": "Strategic developments",
                                   "sub_event_type": "Defection", "notes": "General defects"}, "amal", place="Daryaa")
    first = export(ws)
    exported = tmp_path / "out.csv"
    exported.write_text(first, encoding="utf-8")

    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "other"))
    other = Workspace.open(settings.load())
    with other.session() as s:
        again = acled.import_csv(s, exported, "bassel")
    assert [r.status for r in again.rows] == ["created"] * 3
    assert export(other) == first
    rows = list(csv.DictReader(io.StringIO(first)))
    assert rows[1]["event_date"] == "2012-12-05" and rows[1]["year"] == "2012" and rows[1]["time_precision"] == "2"
    assert rows[0]["notes"].endswith("and\na second line.") and rows[0]["latitude"] == "36.185"
    assert rows[2]["location"] == "Daraya" and rows[2]["sub_event_type"] == "Defection"


def test_reimport_is_unchanged_and_a_changed_row_is_a_new_version(ws, tmp_path):
    path = tmp_path / "a.csv"
    write(path, [row()])
    with ws.session() as s:
        acled.import_csv(s, path, "amal")
    with ws.session() as s:
        assert [r.status for r in acled.import_csv(s, path, "amal").rows] == ["unchanged"]
    write(path, [row(fatalities="6")])
    with ws.session() as s:
        assert [r.status for r in acled.import_csv(s, path, "bassel").rows] == ["updated"]
    with ws.session() as s:
        event = incidents.get_event(s, "SYR1001")
        assert (event.fatalities, event.version) == (6, 2)
        assert [h["author"] for h in history.list_history(s, "event", event.id)] == ["amal", "bassel"]


def bad_file(tmp_path):
    future = (date.today() + timedelta(days=10)).isoformat()
    rows = [row(event_id_cnty="SYR1"),                                    # line 2: good (notes span 2 lines)
            row(event_id_cnty="SYR2", event_date="2012-13-45"),           # line 4
            row(event_id_cnty="SYR3", latitude="95.2"),                   # line 6
            row(event_id_cnty="SYR4", longitude="37,21"),                 # line 8
            row(event_id_cnty="SYR5", event_type="Skirmish"),             # line 10
            row(event_id_cnty="SYR6", event_date=future, year=future[:4]),  # line 12
            row(event_id_cnty="SYR7", sub_event_type=""),                 # line 14
            row(event_id_cnty="SYR8", notes="one line", fatalities="2"),  # line 16: good
            row(event_id_cnty="SYR9", notes="x", location="L" * 300)]     # line 17
    path = tmp_path / "bad.csv"
    write(path, rows)
    return path


def test_bad_rows_are_reported_by_line_and_good_rows_imported(ws, tmp_path):
    with ws.session() as s:
        result = acled.import_csv(s, bad_file(tmp_path), "amal")
    errors = {r.line: r.error for r in result.rows if not r.ok}
    assert set(errors) == {4, 6, 8, 10, 12, 14, 17}
    assert "event_date '2012-13-45' is not a date" in errors[4]
    assert "latitude '95.2' is out of range" in errors[6]
    assert "longitude '37,21' is not a decimal number" in errors[8]
    assert "unknown event type 'Skirmish'" in errors[10]
    assert "is in the future" in errors[12]
    assert "sub_event_type is empty" in errors[14]
    assert "location is 300 characters long; at most 256" in errors[17]
    assert all(e.startswith(f"line {n}: ") for n, e in errors.items())
    assert [(r.line, r.status) for r in result.rows if r.ok] == [(2, "created"), (16, "created")]
    assert count(ws) == 2


def test_strict_refuses_the_whole_file(ws, tmp_path):
    with ws.session() as s:
        result = acled.import_csv(s, bad_file(tmp_path), "amal", strict=True)
    assert not result.imported and "nothing imported" in result.error
    assert len([r for r in result.rows if not r.ok]) == 7
    assert count(ws) == 0
    with ws.session() as s:
        assert s.scalar(select(func.count()).select_from(Revision)) == 0


def test_missing_required_columns_refuse_the_file(ws, tmp_path):
    path = tmp_path / "cols.csv"
    cols = [c for c in ACLED_COLUMNS if c not in ("event_type", "latitude")]
    write(path, [row()], columns=cols)
    with ws.session() as s:
        result = acled.import_csv(s, path, "amal")
    assert result.error == "line 1: missing required column(s): event_type, latitude; nothing imported"
    assert count(ws) == 0


def test_duplicate_ids_and_wrong_year(ws, tmp_path):
    path = tmp_path / "dup.csv"
    write(path, [row(notes="a"), row(notes="b"), row(event_id_cnty="SYR9", notes="c", year="2013")])
    with ws.session() as s:
        result = acled.import_csv(s, path, "amal")
    assert [r.status for r in result.rows] == ["created", "failed", "failed"]
    assert "repeats line 2" in result.rows[1].error and "year 2013 does not match" in result.rows[2].error


def test_import_links_actors_to_units(ws, tmp_path):
    path = tmp_path / "u.csv"
    write(path, [row(actor1="Free Syrian Army", actor2="Jaysh al-Sha'bi")])
    with ws.session() as s:
        acled.import_csv(s, path, "amal")
        assert {u.name for u in incidents.get_event(s, "SYR1001").units} == {"Free Syrian Army", "Jaysh al-Sha'bi"}
