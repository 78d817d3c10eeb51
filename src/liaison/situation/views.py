from __future__ import annotations

from django.conf import settings
from django.shortcuts import render

from liaison import policy
from liaison.situation import selectors
from liaison.web.decorators import signed_in


@signed_in
def map_page(request):
    return render(
        request,
        "situation/map.html",
        {"tiles_url": settings.MAP_TILES_URL, "may_draw": policy.can(request.actor, "reference.manage")},
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
