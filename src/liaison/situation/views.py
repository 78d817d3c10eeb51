from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from liaison import policy
from liaison.situation import selectors
from liaison.web.decorators import signed_in

LAYER_LABELS = {
    "border": _("Border line"),
    "border-area": _("Border area"),
    "risk-zones": _("Flash-flood and landslide zones"),
    "posts": _("Border-guard posts"),
    "gates": _("Border gates"),
    "markers": _("Border markers"),
    "towns": _("Towns"),
    "incidents": _("Incidents"),
    "items": _("Information items with a place"),
    "hotspots": _("Hotspots"),
    "patrol-gaps": _("Markers not checked in time"),
}


@signed_in
def map_page(request):
    return render(
        request,
        "situation/map.html",
        {
            "tiles_url": settings.MAP_TILES_URL,
            "may_draw": policy.can(request.actor, "reference.manage"),
            "layer_labels": {k: str(v) for k, v in LAYER_LABELS.items()},
        },
    )


@signed_in
def trends_page(request):
    data = selectors.trends(request.actor)
    since, until = selectors.window(
        request.GET.get("window", "30d") if request.GET.get("window") in ("24h", "7d", "30d") else "30d"
    )
    hot = selectors.hotspot_counts(request.actor, since=since, until=until)
    charts = []
    for s in data["series"]:
        top = max([*s["current"], *s["previous"], 1])
        bars = [
            {
                "x": i * 22,
                "cur": round(60 * c / top),
                "prev": round(60 * p / top),
                "c": c,
                "p": p,
                "label": data["axis"][i],
            }
            for i, (c, p) in enumerate(zip(s["current"], s["previous"], strict=False))
        ]
        charts.append({**s, "bars": bars, "width": 22 * len(bars)})
    return render(
        request,
        "situation/trends.html",
        {"charts": charts, "axis": data["axis"], "hot": hot, "window": request.GET.get("window", "30d")},
    )
