"""Commands over the event database: events, tag, units, places, post, sun."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from workbench.cli.common import JsonOpt, UsageError, app, emit, err, open_workspace, out

# --- events, tags, units, places, posts, sun (workbench/events/) --------------------------------------------

events_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                         help="The event database: ACLED CSV import/export, add, list, show, accept, restore.")
units_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="The units vocabulary.")
places_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="The offline Syria gazetteer.")
post_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="Draft events from news posts.")
Multi = list[str] | None


def _fail(as_json: bool, message: str, **extra: Any) -> None:
    """One failed single-item command: the error on stderr (and in the JSON document), exit 1."""
    if as_json:
        emit({"status": "failed", "error": message, **extra})
    err.print(f"error: {message}", markup=False)
    raise typer.Exit(1)


def _input_errors() -> tuple[type[Exception], ...]:
    from workbench.events.history import ConflictError, NotFound
    from workbench.events.incidents import EventError
    from workbench.events.posts import PostError
    from workbench.events.tags import TagError
    from workbench.events.units import UnitError

    return EventError, TagError, UnitError, ConflictError, NotFound, PostError


def _kv(data: dict[str, Any], keys: tuple[str, ...] | None = None) -> None:
    for key in keys or tuple(data):
        value = data.get(key)
        if value not in (None, "", []):
            out.print(f"{key:16} {', '.join(map(str, value)) if isinstance(value, list) else value}", markup=False)


def _history_table(rows: list[dict]) -> None:
    table = Table(title="history", title_justify="left")
    for col in ("version", "saved_at", "author", "action", "changed"):
        table.add_column(col, overflow="fold")
    for h in rows:
        table.add_row(str(h["version"]), h["saved_at"], h["author"], h["action"], ", ".join(h["changed"]))
    out.print(table)


@events_app.command("import")
def events_import(
    path: Annotated[Path, typer.Argument(help="An ACLED CSV file.", exists=True, dir_okay=False)],
    strict: Annotated[bool, typer.Option("--strict", help="Import nothing when any row is bad.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Import events from an ACLED CSV; bad rows are reported by line number."""
    from workbench.events.acled import import_csv

    ws = open_workspace()
    with ws.session() as s:
        result = import_csv(s, path, ws.settings.user, strict=strict)
    for r in result.rows:
        if not r.ok:
            err.print(f"error: {path}: {r.error}", markup=False)
        elif not as_json:
            out.print(f"{r.status:9} line {r.line}: event {r.event_id} {r.event_id_cnty}", markup=False)
    if result.error:
        err.print(f"error: {path}: {result.error}", markup=False)
    if as_json:
        emit(result.as_dict())
    raise typer.Exit(1 if result.failed else 0)


@events_app.command("export")
def events_export(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="CSV file to write (default: stdout).")] = None,
    drafts: Annotated[bool, typer.Option("--drafts", help="Include draft events.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Export events as ACLED CSV (ACLED's 31 columns)."""
    import io

    from workbench.events.acled import export_csv

    ws = open_workspace()
    buf = io.StringIO()
    with ws.session() as s:
        count = export_csv(s, buf, include_drafts=drafts)
    if output is not None:
        output.write_text(buf.getvalue(), encoding="utf-8", newline="")
    if as_json:
        emit({"count": count, "path": str(output) if output else None, "csv": None if output else buf.getvalue()})
    elif output is None:
        sys.stdout.write(buf.getvalue())
    else:
        err.print(f"{count} events written to {output}", markup=False)


def _event_input(date_: str | None, etype: str | None, sub: str | None, title: str | None, notes: str | None,
                 fatalities: int | None, precision: int | None, date_from: str | None, date_to: str | None,
                 lat: str | None, lon: str | None, actor1: str | None, actor2: str | None) -> dict[str, Any]:
    data = {"event_date": date_, "event_type": etype, "sub_event_type": sub, "title": title, "notes": notes,
            "fatalities": fatalities, "time_precision": precision, "date_from": date_from, "date_to": date_to,
            "latitude": lat, "longitude": lon, "actor1": actor1, "actor2": actor2}
    return {k: v for k, v in data.items() if v is not None}


DateOpt = Annotated[str | None, typer.Option("--date", help="Event date, YYYY-MM-DD.")]
TypeOpt = Annotated[str | None, typer.Option("--type", help="ACLED event type, e.g. Battles.")]
SubOpt = Annotated[str | None, typer.Option("--sub-type", help="ACLED sub-event type, e.g. 'Armed clash'.")]
PlaceOpt = Annotated[str | None, typer.Option("--place", help="A place name, looked up in the gazetteer.")]
LatOpt = Annotated[str | None, typer.Option("--lat", help="Latitude, decimal degrees.")]
LonOpt = Annotated[str | None, typer.Option("--lon", help="Longitude, decimal degrees.")]
UnitOpt = Annotated[Multi, typer.Option("--unit", help="A unit (actor or unit seen); repeat for more.")]


@events_app.command("add")
def events_add(
    date_: DateOpt = None, etype: TypeOpt = None, sub: SubOpt = None, place: PlaceOpt = None,
    lat: LatOpt = None, lon: LonOpt = None, unit: UnitOpt = None,
    title: Annotated[str | None, typer.Option(help="A short title.")] = None,
    notes: Annotated[str | None, typer.Option(help="What happened (ACLED notes).")] = None,
    fatalities: Annotated[int | None, typer.Option(help="Reported fatalities.")] = None,
    time_precision: Annotated[int | None, typer.Option(help="1 exact day, 2 week, 3 month.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Date window start.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Date window end.")] = None,
    actor1: Annotated[str | None, typer.Option(help="ACLED actor1 text.")] = None,
    actor2: Annotated[str | None, typer.Option(help="ACLED actor2 text.")] = None,
    source_url: Annotated[Multi, typer.Option("--source-url", help="A source URL; repeat for more.")] = None,
    video: Annotated[Multi, typer.Option("--video", help="An archived video (id or SHA-256) as a source.")] = None,
    draft: Annotated[bool, typer.Option("--draft", help="Store as a draft, to be accepted later.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Add an event by hand."""
    from workbench.events.incidents import create_event, event_dict

    if not (date_ and etype and sub):
        raise UsageError("give --date, --type and --sub-type")
    data = _event_input(date_, etype, sub, title, notes, fatalities, time_precision, date_from, date_to, lat, lon,
                        actor1, actor2)
    if draft:
        data["status"] = "draft"
    sources = [{"url": u} for u in source_url or []] + [{"video": v} for v in video or []]
    ws = open_workspace()
    try:
        with ws.session() as s:
            event = event_dict(create_event(s, data, ws.settings.user, units=unit, sources=sources, place=place))
    except _input_errors() as exc:
        _fail(as_json, str(exc))
    if as_json:
        emit({"status": "created", **event})
    else:
        out.print(f"created event {event['id']} ({event['event_id_cnty']}) version {event['version']}", markup=False)


@events_app.command("edit")
def events_edit(
    ref: Annotated[str, typer.Argument(help="Event id or event_id_cnty.")],
    expect_version: Annotated[int | None, typer.Option(
        "--expect-version", help="The version you edited; refused if someone saved a newer one.")] = None,
    date_: DateOpt = None, etype: TypeOpt = None, sub: SubOpt = None, place: PlaceOpt = None,
    lat: LatOpt = None, lon: LonOpt = None,
    unit: Annotated[Multi, typer.Option("--unit", help="Actors (units); replaces the event's; repeat.")] = None,
    title: Annotated[str | None, typer.Option(help="A short title.")] = None,
    notes: Annotated[str | None, typer.Option(help="What happened (ACLED notes).")] = None,
    fatalities: Annotated[int | None, typer.Option(help="Reported fatalities.")] = None,
    time_precision: Annotated[int | None, typer.Option(help="1 exact day, 2 week, 3 month.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Date window start.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Date window end.")] = None,
    actor1: Annotated[str | None, typer.Option(help="ACLED actor1 text.")] = None,
    actor2: Annotated[str | None, typer.Option(help="ACLED actor2 text.")] = None,
    source_url: Annotated[Multi, typer.Option("--source-url", help="Add a source URL; repeat for more.")] = None,
    video: Annotated[Multi, typer.Option("--video", help="Add an archived video (id or SHA-256) as a source.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change an event, as a new version (pass --expect-version to refuse overwriting someone else's save)."""
    from workbench.events.incidents import event_dict, update_event

    data = _event_input(date_, etype, sub, title, notes, fatalities, time_precision, date_from, date_to, lat, lon,
                        actor1, actor2)
    added = [{"url": u} for u in source_url or []] + [{"video": v} for v in video or []]
    ws = open_workspace()
    try:
        with ws.session() as s:
            event = event_dict(update_event(s, ref, data, ws.settings.user, expected_version=expect_version,
                                            units=unit, place=place, add_sources=added))
    except _input_errors() as exc:
        _fail(as_json, str(exc))
    if as_json:
        emit({"status": "updated", **event})
    else:
        out.print(f"event {event['id']} is now version {event['version']}", markup=False)


RefArg = Annotated[str, typer.Argument(help="Event id or event_id_cnty.")]
ExpectOpt = Annotated[int | None, typer.Option("--expect-version", help="The version you checked.")]


def _decide(ref: str, expect_version: int | None, as_json: bool, decision: str) -> None:
    """Accept or reject a draft, as a new version checked against ``expect_version``."""
    from workbench.events.incidents import accept_event, event_dict, reject_event

    decide = {"accepted": accept_event, "rejected": reject_event}[decision]
    ws = open_workspace()
    try:
        with ws.session() as s:
            event = event_dict(decide(s, ref, ws.settings.user, expect_version))
    except _input_errors() as exc:
        _fail(as_json, str(exc))
    if as_json:
        emit({"status": decision, **event})
    else:
        out.print(f"event {event['id']} {decision} (version {event['version']})", markup=False)


@events_app.command("accept")
def events_accept(ref: RefArg, expect_version: ExpectOpt = None, as_json: JsonOpt = False) -> None:
    """Accept a draft event, such as one `workbench post import` proposed."""
    _decide(ref, expect_version, as_json, "accepted")


@events_app.command("reject")
def events_reject(ref: RefArg, expect_version: ExpectOpt = None, as_json: JsonOpt = False) -> None:
    """Turn down a draft event (kept with its history; never exported)."""
    _decide(ref, expect_version, as_json, "rejected")


@events_app.command("restore")
def events_restore(
    ref: Annotated[str, typer.Argument(help="Event id or event_id_cnty.")],
    version: Annotated[int, typer.Argument(help="The version to make current again.")],
    as_json: JsonOpt = False,
) -> None:
    """Make an old version of an event current again (as a new version)."""
    from workbench.events.incidents import event_dict, restore_event

    ws = open_workspace()
    try:
        with ws.session() as s:
            event = event_dict(restore_event(s, ref, version, ws.settings.user))
    except _input_errors() as exc:
        _fail(as_json, str(exc))
    if as_json:
        emit({"status": "restored", **event})
    else:
        out.print(f"event {event['id']} restored from v{version}, now version {event['version']}", markup=False)


@events_app.command("list")
def events_list(
    status: Annotated[str | None, typer.Option(help="draft, accepted or rejected.")] = None,
    limit: Annotated[int, typer.Option(help="How many events to show.")] = 100,
    offset: Annotated[int, typer.Option(help="Skip this many (newest first).")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """List events, newest first."""
    from workbench.events.incidents import event_dict, list_events

    ws = open_workspace()
    with ws.session() as s:
        total, rows = list_events(s, status=status, limit=limit, offset=offset)
        rows = [event_dict(e) for e in rows]
    if as_json:
        emit({"total": total, "items": rows})
        return
    table = Table(title=f"{total} events", title_justify="left")
    for col in ("id", "date", "status", "type", "location", "actors", "v"):
        table.add_column(col, overflow="fold")
    for e in rows:
        table.add_row(str(e["id"]), e["event_date"], e["status"], e["sub_event_type"], e["location"] or "",
                      ", ".join(e["units"]) or e["actor1"] or "", str(e["version"]))
    out.print(table)


@events_app.command("show")
def events_show(
    ref: Annotated[str, typer.Argument(help="Event id or event_id_cnty.")],
    as_json: JsonOpt = False,
) -> None:
    """Show an event and its history."""
    from workbench.events.history import NotFound, list_history
    from workbench.events.incidents import event_dict, get_event

    ws = open_workspace()
    try:
        with ws.session() as s:
            event = get_event(s, ref)
            data, hist = event_dict(event), list_history(s, "event", event.id)
    except NotFound as exc:
        _fail(as_json, str(exc))
    if as_json:
        emit({**data, "history": hist})
        return
    _kv(data)
    _history_table(hist)


@app.command("tag")
def tag(
    ref: Annotated[str, typer.Argument(help="A video id or SHA-256 (prefix).")],
    tag_id: Annotated[int | None, typer.Option("--tag", help="Edit this tag instead of adding one.")] = None,
    expect_version: Annotated[int | None, typer.Option(
        "--expect-version", help="The version of --tag you edited; refused if someone saved a newer one.")] = None,
    place: PlaceOpt = None, lat: LatOpt = None, lon: LonOpt = None, unit: UnitOpt = None,
    precision: Annotated[str | None, typer.Option(help="10m, 100m, 1km, town or governorate.")] = None,
    method: Annotated[str | None, typer.Option(
        help="landmark match, gazetteer, file metadata or source claim.")] = None,
    confidence: Annotated[str | None, typer.Option(help="low, medium or high.")] = None,
    point: Annotated[str | None, typer.Option("--point", help="camera or subject.")] = None,
    location_note: Annotated[str | None, typer.Option(help="How the location was established.")] = None,
    date_: Annotated[str | None, typer.Option("--date", help="Recorded date, YYYY-MM-DD.")] = None,
    time_: Annotated[str | None, typer.Option("--time", help="Recorded local time, HH:MM.")] = None,
    date_precision: Annotated[str | None, typer.Option(help="minute, hour, day, month or year.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Recorded no earlier than.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Recorded no later than.")] = None,
    event: Annotated[Multi, typer.Option("--event", help="Link an event (id); repeat for more.")] = None,
    status: Annotated[str | None, typer.Option(
        help="unverified, in progress, ready for review, verified or disputed.")] = None,
    graphic: Annotated[bool | None, typer.Option("--graphic/--not-graphic", help="Graphic content.")] = None,
    personal: Annotated[bool | None, typer.Option(
        "--personal-info/--no-personal-info", help="Personal information visible.")] = None,
    note: Annotated[str | None, typer.Option("--note", help="Notes.")] = None,
    segment: Annotated[str | None, typer.Option(help="Tag a segment: FROM-TO in seconds, e.g. 12-20.5.")] = None,
    keyframe: Annotated[int | None, typer.Option(help="Tag a keyframe: its timestamp in ms.")] = None,
    history_: Annotated[bool, typer.Option("--history", help="Show the history of --tag.")] = False,
    restore: Annotated[int | None, typer.Option(help="Make this version of --tag current again.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Tag a video (or a segment, or a keyframe): place, recorded date, units, events, status, flags.

    Without any field, lists the video's tags.
    """
    from workbench.events import tags as lib
    from workbench.events.history import list_history

    fields = {"place": place, "latitude": lat, "longitude": lon, "precision": precision, "method": method,
              "confidence": confidence, "point_of": point, "location_note": location_note, "recorded_date": date_,
              "recorded_time": time_, "recorded_precision": date_precision, "recorded_from": date_from,
              "recorded_to": date_to, "verification": status, "graphic": graphic, "personal_info": personal,
              "notes": note}
    fields = {k: v for k, v in fields.items() if v is not None}
    span = None
    if segment:
        try:
            start, end = (float(x) for x in segment.split("-", 1))
        except ValueError:
            raise UsageError(f"--segment {segment!r}: use FROM-TO in seconds, e.g. 12-20.5") from None
        span = (start, end)
    if (history_ or restore is not None) and tag_id is None:
        raise UsageError("--history and --restore need --tag ID")
    ws = open_workspace()
    user = ws.settings.user
    try:
        with ws.session() as s:
            if history_:
                hist = list_history(s, "tag", lib.get_tag(s, tag_id, ref).id)
                if as_json:
                    emit({"tag": tag_id, "history": hist})
                else:
                    _history_table(hist)
                return
            if restore is not None:
                t = lib.restore_tag(s, tag_id, restore, user, expect_version, ref)
                data, warnings, action = lib.tag_dict(t), [], "restored"
            elif tag_id is not None:
                t, warnings = lib.update_tag(s, tag_id, fields, user, expected_version=expect_version, units=unit,
                                             events=event, video_ref=ref)
                data, action = lib.tag_dict(t), "updated"
            elif fields or unit or event or span or keyframe is not None:
                t, warnings = lib.create_tag(s, ref, fields, user, units=unit, events=event, segment=span,
                                             keyframe_ms=keyframe)
                data, action = lib.tag_dict(t), "created"
            else:
                rows = [lib.tag_dict(t) for t in lib.tags_for_video(s, ref)]
                if as_json:
                    emit({"video": ref, "items": rows})
                for r in [] if as_json else rows:
                    out.print(f"tag {r['id']} v{r['version']} {r['scope']}: {r['place'] or ''} "
                              f"{r['recorded_date'] or ''} {', '.join(r['units'])} [{r['verification']}]", markup=False)
                return
    except _input_errors() as exc:
        _fail(as_json, str(exc))
    for w in warnings:
        err.print(f"warning: {w}", markup=False)
    if as_json:
        emit({"status": action, "warnings": warnings, **data})
    else:
        out.print(f"{action} tag {data['id']} on video {data['video_id']}, version {data['version']}", markup=False)


@units_app.command("list")
def units_list(
    side: Annotated[str | None, typer.Option(help="Only one side, e.g. opposition.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List the units vocabulary."""
    from workbench.events.units import list_units, unit_dict

    ws = open_workspace()
    try:
        with ws.session() as s:
            rows = [unit_dict(u) for u in list_units(s, side)]
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if as_json:
        emit({"total": len(rows), "items": rows})
        return
    table = Table(title=f"{len(rows)} units", title_justify="left")
    for col in ("id", "name", "arabic", "side", "parent", "valid", "aliases"):
        table.add_column(col, overflow="fold")
    for u in rows:
        table.add_row(str(u["id"]), u["name"], u["name_ar"] or "", u["side"], u["parent"] or "",
                      f"{u['valid_from'] or ''}..{u['valid_to'] or ''}".strip("."), ", ".join(u["aliases"]))
    out.print(table)


@units_app.command("add")
def units_add(
    name: Annotated[str, typer.Argument(help="The unit's canonical name (or an existing unit's name).")],
    side: Annotated[str | None, typer.Option(
        help="government, pro-government militia, opposition, jihadist, Kurdish or foreign.")] = None,
    arabic: Annotated[str | None, typer.Option("--ar", help="The Arabic name.")] = None,
    alias: Annotated[Multi, typer.Option("--alias", help="Another name; repeat for more.")] = None,
    parent: Annotated[str | None, typer.Option(help="The parent unit.")] = None,
    valid_from: Annotated[str | None, typer.Option("--from", help="Active from, YYYY-MM-DD.")] = None,
    valid_to: Annotated[str | None, typer.Option("--to", help="Active until, YYYY-MM-DD.")] = None,
    note: Annotated[str | None, typer.Option(help="A note.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a unit, or aliases to an existing unit."""
    from workbench.events.incidents import parse_date
    from workbench.events.units import add_unit, unit_dict

    ws = open_workspace()
    try:
        start, end = parse_date(valid_from, "valid from"), parse_date(valid_to, "valid to")
        with ws.session() as s:
            unit, created = add_unit(s, name, side=side, name_ar=arabic, aliases=alias, parent=parent,
                                     valid_from=start, valid_to=end, note=note, author=ws.settings.user)
            data = unit_dict(unit)
    except _input_errors() as exc:
        _fail(as_json, str(exc))
    if as_json:
        emit({"status": "created" if created else "updated", **data})
    else:
        out.print(f"{'added' if created else 'updated'} unit {data['id']} {data['name']} ({data['side']})",
                  markup=False)


@places_app.command("search")
def places_search(
    name: Annotated[str, typer.Argument(help="A place name, in any transliteration or in Arabic.")],
    limit: Annotated[int, typer.Option(help="How many suggestions.")] = 8,
    as_json: JsonOpt = False,
) -> None:
    """Find a place; an unknown name gets ranked suggestions (exit 1)."""
    from workbench.events.gazetteer import Gazetteer

    result = Gazetteer.default().lookup(name, limit=limit)
    if as_json:
        emit(result.as_dict())
    elif result.place:
        p = result.place
        out.print(f"{p.name} ({p.name_ar or ''}) {p.kind}, {p.admin1}: {p.latitude:.5f}, {p.longitude:.5f} "
                  f"[{result.how} match]", markup=False)
        for alt in result.alternatives:
            out.print(f"  also: {alt.name} {alt.kind}, {alt.admin1}", markup=False)
    else:
        err.print(f"error: no place clearly matches {name!r}", markup=False)
        for p, score in result.suggestions:
            out.print(f"  {score:5.1f}  {p.name} ({p.name_ar or ''}) {p.kind}, {p.admin1}", markup=False)
    raise typer.Exit(0 if result.place else 1)


@post_app.command("import")
def post_import(
    path: Annotated[Path, typer.Argument(help="A post: plain text or HTML.", exists=True, dir_okay=False)],
    date_: Annotated[str | None, typer.Option("--date", help="The post's date (else: today, unchecked).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Turn a news or live-blog post into draft events, and queue its links for archiving."""
    from workbench.events.incidents import parse_date
    from workbench.events.posts import import_post

    ws = open_workspace()
    try:
        when = parse_date(date_, "--date")
        with ws.session() as s:
            result = import_post(s, path, ws.settings.user, event_date=when)
    except _input_errors() as exc:
        _fail(as_json, str(exc))
    if as_json:
        emit(result.as_dict())
        return
    for d in result.drafts:
        out.print(f"{d.status:8} event {d.event_id}: {d.sub_event_type} at {d.location or '?'} "
                  f"[{', '.join(d.units + d.actors)}] <- paragraph {d.paragraph}", markup=False)
    out.print(f"{len(result.drafts)} drafts from {result.paragraphs} paragraphs; "
              f"{len(result.queued)} links queued for archiving", markup=False)


@post_app.command("queue")
def post_queue(
    every: Annotated[bool, typer.Option("--all", help="Also links already archived or failed.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List links found in posts that wait for archiving (one URL a line: feed them to `archive --from`)."""
    from workbench.events.posts import archive_queue

    ws = open_workspace()
    with ws.session() as s:
        rows = archive_queue(s, None if every else "queued")
    if as_json:
        emit({"total": len(rows), "items": rows})
        return
    for r in rows:
        out.print(r["url"], markup=False)


@app.command("sun")
def sun(
    when: Annotated[str, typer.Argument(
        help="Local date and time in Syria, e.g. 2013-08-21T06:30; with --every, a date (2013-08-21).")],
    place: PlaceOpt = None, lat: LatOpt = None, lon: LonOpt = None,
    every: Annotated[int | None, typer.Option(
        "--every", help="Show the whole day, every N minutes while the sun is up.", min=1)] = None,
    as_json: JsonOpt = False,
) -> None:
    """Sun azimuth, elevation and shadow-length ratio at a place and time (chronolocation aid)."""
    from workbench.events.incidents import place_fields
    from workbench.events.sun import day_table, sun_position

    if place is None and (lat is None or lon is None):
        raise UsageError("give --place NAME, or --lat and --lon")
    try:
        if place is not None:
            found = place_fields(place)
            lat, lon = found["latitude"], found["longitude"]
        rows = day_table(lat, lon, when, every) if every else [sun_position(lat, lon, when)]
    except _input_errors() as exc:
        _fail(as_json, str(exc))
    for w in {w for pos in rows for w in pos.warnings}:
        err.print(f"warning: {w}", markup=False)
    if as_json:
        emit({"items": [p.as_dict() for p in rows]} if every else rows[0].as_dict())
    elif every:
        table = Table(title=f"sun at {lat}, {lon} on {when}", title_justify="left")
        for col in ("local time", "azimuth", "elevation", "shadow ratio", "shadows point"):
            table.add_column(col)
        for p in rows:
            table.add_row(p.local_time[11:16], f"{p.azimuth:.1f}", f"{p.elevation:.1f}",
                          f"{p.shadow_ratio:.2f}", f"{p.shadow_azimuth:.1f}")
        out.print(table)
    else:
        _kv(rows[0].as_dict(), ("latitude", "longitude", "local_time", "utc_time", "azimuth", "elevation",
                                "shadow_ratio", "shadow_azimuth"))


app.add_typer(events_app, name="events")
app.add_typer(units_app, name="units")
app.add_typer(places_app, name="places")
app.add_typer(post_app, name="post")
