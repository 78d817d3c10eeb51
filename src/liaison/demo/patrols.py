"""Demo patrols: the Thanh Hoa border cut into one segment per post, the demo markers numbered,
and a quarter of monthly plans and patrols (routine, joint with the commune police or the military,
bilateral with the Hua Phan border force), with check-ins; two posts' markers left unvisited for
more than 30 days, and one marker found damaged (reported as an information item). Re-runnable."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from liaison.core import clock
from liaison.demo import org as demo_org
from liaison.geo import reference
from liaison.geo.models import Place, PlaceKind
from liaison.intel.models import Category
from liaison.org.actor import Actor
from liaison.org.models import Membership, Unit
from liaison.patrols import services
from liaison.patrols.models import Marker, MarkerType, PatrolPlan, Segment, Status

# Posts whose markers no patrol checked lately (the coverage gaps of the demo).
UNVISITED = {"TAM-CHUNG", "YEN-KHUONG"}
DAMAGED_MARKER = "307"
MARKER_BASE = 300


def _actor(unit_code: str, role: str) -> Actor:
    m = (
        Membership.objects.select_related("unit", "user")
        .filter(unit__code=unit_code, role=role, status=Membership.Status.ACTIVE)
        .order_by("created_at")
        .first()
    )
    return Actor(user=m.user, membership=m, via="demo")


def load_segments(system: Actor) -> list[Segment]:
    line = reference.thanh_hoa_border()
    steps = [reference.km(line[i], line[i + 1]) for i in range(len(line) - 1)]
    total = sum(steps)
    n = len(demo_org.POSTS)
    out = []
    for i, (suffix, name, _area) in enumerate(demo_org.POSTS):
        a, b = total * i / n, total * (i + 1) / n
        out.append(
            services.segment_save(
                system,
                code=f"SEG-{suffix}",
                name=f"Đoạn {i + 1:02d} ({name.replace('Đồn Biên phòng ', '')})",
                post=Unit.objects.get(code=f"BP-DON-{suffix}"),
                position=i + 1,
                start_km=round(a, 2),
                end_km=round(b, 2),
                line=[[round(x, 5), round(y, 5)] for x, y in reference.line_stretch(line, a, b)],
            )
        )
    return out


def load_markers(system: Actor, segments: list[Segment]) -> list[Marker]:
    places = list(
        Place.objects.filter(kind=PlaceKind.MARKER, code__startswith="MARKER-DEMO-").order_by("code")
    )
    out = []
    for i, place in enumerate(places):
        seg = min(
            segments,
            key=lambda s: min((reference.km((place.lon, place.lat), tuple(p)) for p in s.line), default=1e9),
        )
        out.append(
            services.marker_register(
                system,
                place=place,
                number=str(MARKER_BASE + i + 1),
                marker_type=MarkerType.AUXILIARY if i % 4 == 3 else MarkerType.MAIN,
                segment=seg,
            )
        )
    return out


def _month(on: dt.date, back: int) -> dt.date:
    d = on.replace(day=1)
    for _ in range(back):
        d = (d - dt.timedelta(days=1)).replace(day=1)
    return d


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)), timezone.get_default_timezone())


def run(stdout=None) -> None:
    say = (lambda s: stdout.write(s)) if stdout else (lambda s: None)
    if PatrolPlan.objects.exists():
        return
    system = Actor.system()
    segments = load_segments(system)
    markers = load_markers(system, segments)
    by_segment: dict = {}
    for m in markers:
        by_segment.setdefault(m.segment_id, []).append(m)
    now = clock.now()
    today = timezone.localdate(now)
    commander = _actor("BP-TH", "commander")
    police = {u.area_id: u for u in Unit.objects.filter(code__startswith="CA-XA-")}
    military = Unit.objects.get(code="QS-TH-KV1")
    partner = Unit.objects.get(code="LA-HP-BV")
    smuggling = Category.objects.get(code="smuggling")
    patrols = 0
    for back in (2, 1, 0):
        month = _month(today, back)
        for i, seg in enumerate(segments):
            suffix = seg.code.removeprefix("SEG-")
            post = seg.post
            officer = _actor(post.code, "duty_officer")
            plan = services.plan_draft(officer, post=post, month=month, note="Kế hoạch tuần tra tháng")
            seg_markers = by_segment.get(seg.pk, [])
            for k, day in enumerate((4, 17)):
                start = _at(month.replace(day=day), 7)
                kind = ("routine", "joint", "bilateral", "routine")[(i + k + back) % 4]
                participants = []
                if kind == "joint":
                    participants = [police.get(post.area_id) or military]
                p = services.patrol_create(
                    officer,
                    lead_unit=post,
                    kind=kind,
                    starts_at=start,
                    ends_at=start + dt.timedelta(hours=9),
                    people=6 + (i + k) % 5,
                    route=[seg, *seg_markers],
                    participants=participants,
                    partner_unit=partner if kind == "bilateral" else None,
                    partner_people=5 if kind == "bilateral" else None,
                    plan=plan,
                    purpose="Bảo vệ đường biên, mốc giới",
                )
                patrols += 1
                if start + dt.timedelta(hours=9) > now:
                    continue
                if suffix in UNVISITED and back < 2 or (i + k + back) % 11 == 5:
                    services.patrol_transition(
                        officer, patrol=p, to=Status.CANCELLED, reason="Mưa lũ, đường sạt lở"
                    )
                    continue
                services.patrol_transition(officer, patrol=p, to=Status.UNDER_WAY)
                for j, m in enumerate(seg_markers):
                    damaged = m.number == DAMAGED_MARKER and back == 0 and k == 0
                    c = services.checkin_record(
                        officer,
                        patrol=p,
                        marker=m,
                        at=start + dt.timedelta(hours=2 + j),
                        lat=round(m.place.lat + 0.001, 5),
                        lon=round(m.place.lon + 0.001, 5),
                        condition="damaged" if damaged else "intact",
                        note="Mốc bị nghiêng, sứt mẻ phần đế" if damaged else "",
                    )
                    if damaged:
                        services.finding_report(
                            officer,
                            checkin=c,
                            as_="item",
                            title=f"Mốc {m.number} bị hư hỏng, nghi có người đào bới",
                            body="Phát hiện dấu vết đào bới quanh chân mốc, nghi vận chuyển hàng lậu qua lối mòn.",
                            category=smuggling,
                        )
                services.patrol_transition(officer, patrol=p, to=Status.DONE)
            if back > 0:
                services.plan_approve(commander, plan=plan)
    say(f"patrols: {patrols} in {len(segments) * 3} plans, {len(markers)} markers")
