"""The maps of the UI, drawn with pydeck (deck.gl ships inside Streamlit: nothing is fetched).

No base map is asked for (``map_provider=None``): tile servers are unreachable on offline
machines and in tests, and a map must still show its points. The gazetteer's main places are
drawn as labelled dots instead, so the points have something to be read against.
"""

from __future__ import annotations

from typing import Any

import pydeck as pdk

from workbench.events.mapping import reference_places
from workbench.ui import TYPE_COLOURS

SYRIA_VIEW = pdk.ViewState(latitude=35.0, longitude=38.5, zoom=5.6)


def _reference_layers() -> list[pdk.Layer]:
    """The gazetteer's main places as grey dots, named on hover (deck.gl's text layer does not
    initialise inside Streamlit, so names are tooltips rather than labels)."""
    places = [{**p, "label": f"{p['name']} {p['name_ar'] or ''}".strip(), "kind": "place", "type": "reference"}
              for p in reference_places()]
    return [pdk.Layer("ScatterplotLayer", id="places", data=places, get_position=["longitude", "latitude"],
                      get_radius=1500, radius_min_pixels=3, radius_max_pixels=7, get_fill_color=[150, 150, 150, 180],
                      pickable=True)]


def points_deck(points: list[dict[str, Any]], *, view: pdk.ViewState | None = None) -> pdk.Deck:
    """Events and videos, coloured by type (see ``ui.TYPE_COLOURS``), over the reference places."""
    data = [{**p, "colour": TYPE_COLOURS.get(p["type"], [60, 60, 60]) + [220]} for p in points]
    layer = pdk.Layer("ScatterplotLayer", id="points", data=data, get_position=["longitude", "latitude"],
                      get_fill_color="colour", get_radius=2500, radius_min_pixels=5, radius_max_pixels=14,
                      get_line_color=[255, 255, 255], line_width_min_pixels=1, stroked=True, pickable=True)
    return pdk.Deck(layers=[*_reference_layers(), layer], initial_view_state=view or SYRIA_VIEW,
                    map_provider=None, map_style=None, tooltip={"text": "{label}\n{kind}: {type}"})


def picker_deck(lat: float | None, lon: float | None, *, step: float = 0.01, half: int = 12) -> pdk.Deck:
    """A map to click a spot on: a fine grid of clickable cells around the current point.

    Clicking a cell (``on_select``) gives its centre; the grid is redrawn around it, so an
    investigator can walk to the spot. The reference places can be clicked too.
    """
    centre_lat, centre_lon = (lat, lon) if lat is not None and lon is not None else (35.0, 38.5)
    coarse = lat is None or lon is None
    step = 0.25 if coarse else step
    grid = [{"latitude": round(centre_lat + i * step, 6), "longitude": round(centre_lon + j * step, 6)}
            for i in range(-half, half + 1) for j in range(-half, half + 1)]
    layers = [
        pdk.Layer("ScatterplotLayer", id="grid", data=grid, get_position=["longitude", "latitude"],
                  get_radius=step * 111_000 / 2.4, get_fill_color=[30, 120, 220, 30], pickable=True,
                  auto_highlight=True, highlight_color=[30, 120, 220, 140]),
        *_reference_layers(),
    ]
    if not coarse:
        layers.append(pdk.Layer("ScatterplotLayer", id="spot", data=[{"latitude": lat, "longitude": lon}],
                                get_position=["longitude", "latitude"], get_radius=step * 111_000 / 4,
                                radius_min_pixels=6, get_fill_color=[220, 30, 30, 240]))
    zoom = 5.6 if coarse else 10.5
    view = pdk.ViewState(latitude=centre_lat, longitude=centre_lon, zoom=zoom)
    return pdk.Deck(layers=layers, initial_view_state=view, map_provider=None, map_style=None,
                    tooltip={"text": "{label} {latitude}, {longitude}"})


def picked(state: Any) -> tuple[float, float] | None:
    """The coordinates of the object clicked on a picker map, if any."""
    objects = (getattr(state, "selection", None) or {}).get("objects") or {}
    for layer in ("grid", "places"):
        for obj in objects.get(layer) or []:
            return float(obj["latitude"]), float(obj["longitude"])
    return None
