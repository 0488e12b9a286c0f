"""Migration 0003 matches the ORM models, and the event workflow runs on PostgreSQL too."""

from __future__ import annotations

import pytest
from alembic.migration import MigrationContext
from eventdata import add_video
from sqlalchemy import inspect

from workbench.db import Base
from workbench.events import history, incidents, posts, tags

EVENT_TABLES = {"units", "unit_aliases", "events", "event_units", "event_sources", "tags", "tag_units", "tag_events",
                "revisions", "archive_queue"}


def test_migration_creates_exactly_what_the_models_declare(ws):
    from alembic.autogenerate import compare_metadata

    with ws.engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) >= EVENT_TABLES
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == []


def test_migrations_form_one_chain_and_the_database_is_at_its_head(ws):
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from workbench.db.engine import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(cfg)
    chain = [rev.revision for rev in script.walk_revisions()][::-1]
    assert chain == ["0001", "0002", "0003", "0004", "0005", "0006"] and script.get_heads() == ["0006"]
    with ws.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == "0006"


def test_event_workflow_on_postgresql(pg_ws, tmp_path):
    vid, _ = add_video(pg_ws)
    with pg_ws.session() as s:
        eid = incidents.create_event(s, {"event_date": "2012-12-01", "event_type": "Battles",
                                         "sub_event_type": "Armed clash"}, "amal", place="Adra", units=["FSA"]).id
        tid = tags.create_tag(s, vid, {"place": "Daryaa"}, "amal", events=[str(eid)])[0].id
    with pg_ws.session() as s:
        tags.update_tag(s, tid, {"precision": "100m"}, "bassel", expected_version=1)
    with pg_ws.session() as s, pytest.raises(history.ConflictError):
        tags.update_tag(s, tid, {"precision": "1km"}, "chadi", expected_version=1)
    post = tmp_path / "p.txt"
    post.write_text("ADRA: Clashes between Liwa al-Islam and Jaysh al-Sha'bi.", encoding="utf-8")
    with pg_ws.session() as s:
        assert [d.location for d in posts.import_post(s, post, "amal").drafts] == ["Adra"]
        assert [h["author"] for h in history.list_history(s, "tag", tid)] == ["amal", "bassel"]
