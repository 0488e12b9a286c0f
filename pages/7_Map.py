"""Map: events and geolocated videos, coloured by type, filtered by date. Draws its points with no
tile server (offline machines, tests): the gazetteer's main places stand in for a base map."""

from datetime import date

import streamlit as st

from workbench import ui
from workbench.events.mapping import map_points
from workbench.ui import maps

ws = ui.page("Map", "🗺️")
st.title("Map")

c = st.columns([1, 1, 1, 1])
since = c[0].date_input("From", value=None, format="YYYY-MM-DD", min_value=date(1990, 1, 1))
until = c[1].date_input("To", value=None, format="YYYY-MM-DD", min_value=date(1990, 1, 1))
show = c[2].multiselect("Show", ["events", "videos"], default=["events", "videos"])
drafts = c[3].checkbox("Include draft events")
if since and until and since > until:
    st.error(f"'From' ({since}) is after 'To' ({until}).")
    st.stop()

with ws.reading() as session:
    points = map_points(session, date_from=since, date_to=until, include_drafts=drafts)
points = [p for p in points if (p["kind"] + "s") in show]
types = sorted({p["type"] for p in points})
legend = " ".join(f"<span style='color:rgb({','.join(map(str, ui.TYPE_COLOURS.get(t, [60, 60, 60])))})'>●</span> {t}"
                  for t in types)
st.markdown(f"{len(points)} points. {legend}", unsafe_allow_html=True)
state = st.pydeck_chart(maps.points_deck(points), height=560, on_select="rerun", selection_mode="single-object",
                        key="map")
selected = ((getattr(state, "selection", None) or {}).get("objects") or {}).get("points") or []
for point in selected:
    st.markdown(f"**{point['label']}** ({point['kind']}, {point['type']}, precision {point['precision'] or '?'})")
    if point["kind"] == "video":
        ui.video_link(point["id"], f"Open video #{point['id']}")
    else:
        st.page_link(ui.PAGES["events"], label=f"Open event #{point['id']}", icon="📅",
                     query_params={"id": str(point["id"])})

with st.expander("The points as a table"):
    st.dataframe([{k: p[k] for k in ("kind", "type", "date", "label", "latitude", "longitude", "precision", "status")}
                  for p in points], hide_index=True, width="stretch")
