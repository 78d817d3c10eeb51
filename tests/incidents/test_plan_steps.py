"""The plans page's steps, one a line (`title | responsible | minutes | notify,…`), are parsed into the
API's own step schema (`incidents.schemas.plan_steps_from_text`): the same limits, and a bad line is
an error on the `steps` field that names the line. The page drafts what the API drafts."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation

from liaison.core.errors import FieldError, Invalid
from liaison.incidents.models import ResponsePlan
from liaison.incidents.schemas import PlanStepIn, plan_errors_on_lines, plan_steps_from_text

DRAFTER = "border_guard_administrator"


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in English (the msgid language); pages are asked for it by cookie."""
    with translation.override("en"):
        yield


def english_client(client_for, who=DRAFTER):
    client = client_for(who)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_lines_become_the_apis_steps():
    text = (
        "Xác minh tại hiện trường | lead | 30 | supporting, police\n"
        "\n"
        "  Báo cáo chỉ huy |supporting| 60  \n"
        "Phối hợp | police | 120 |\n"
    )
    assert plan_steps_from_text(text) == [
        PlanStepIn(
            title="Xác minh tại hiện trường",
            responsible="lead",
            deadline_minutes=30,
            notify=["supporting", "police"],
        ),
        PlanStepIn(title="Báo cáo chỉ huy", responsible="supporting", deadline_minutes=60),
        PlanStepIn(title="Phối hợp", responsible="police", deadline_minutes=120),
    ]


def messages(text: str) -> list[str]:
    with pytest.raises(Invalid) as exc:
        plan_steps_from_text(text)
    assert {e.field for e in exc.value.errors} == {"steps"}
    return [e.message for e in exc.value.errors]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Xác minh | lead | 30\nBáo cáo chỉ huy | lead", ["Line 2: "]),
        ("Xác minh | lead | 30\n\nBáo cáo | lead | soon", ["Line 3, minutes"]),
        ("Xác minh | lead | 0", ["Line 1, minutes"]),
        (f"Xác minh | lead | {60 * 24 * 90 + 1}", ["Line 1, minutes"]),
        (" | lead | 30", ["Line 1, title"]),
        ("x" * 201 + " | lead | 30", ["Line 1, title"]),
        ("Xác minh | | 30", ["Line 1, responsible"]),
        ("Xác minh | lead | 30 | " + ",".join(["lead"] * 11), ["Line 1, notify"]),
        ("a | b | 1 | c | d | e | f", ["Line 1: "]),
        ("Xác minh | lead | x\nBáo cáo | lead | y", ["Line 1, minutes", "Line 2, minutes"]),
        ("   \n\n", ["1"]),
        ("a | lead | 1\n" * 51, ["50"]),
    ],
)
def test_a_bad_line_is_named_on_the_steps_field(text, expected):
    got = messages(text)
    assert len(got) == len(expected) and all(want in m for want, m in zip(expected, got, strict=True)), got


def test_a_services_error_on_a_step_names_its_line():
    text = "Xác minh | lead | 30\n\nBáo cáo | navy | 60\n"
    exc = Invalid(
        [
            FieldError("steps.1.responsible", "invalid_choice", "lead, supporting or a force."),
            FieldError("title", "invalid", "1–200 characters."),
        ]
    )
    out = plan_errors_on_lines(exc, text)
    assert [(e.field, e.code) for e in out.errors] == [("steps", "invalid_choice"), ("title", "invalid")]
    assert out.errors[0].message.startswith("Line 3, responsible")


def post_plan(client, steps: str):
    from liaison.incidents.models import IncidentType

    itype = IncidentType.objects.get(code="drug_trafficking")
    return client.post("/plans/", {"incident_type": str(itype.pk), "title": "Phương án v9", "steps": steps})


def field_error_text(html: str) -> str:
    start = html.index('id="id_steps_error"')
    return html[start : html.index("</ul>", start)]


@pytest.mark.parametrize(
    "steps, line",
    [
        ("Xác minh | lead | 30\nBáo cáo | lead | soon", "2"),  # the parser
        ("Xác minh | lead | 30\n\nBáo cáo | navy | 60", "3"),  # the service: not a target
    ],
)
def test_the_page_names_the_bad_line_and_drafts_nothing(client_for, steps, line):
    before = ResponsePlan.objects.count()
    r = post_plan(english_client(client_for), steps)
    assert r.status_code == 400
    assert f"Line {line}" in field_error_text(r.content.decode())
    assert ResponsePlan.objects.count() == before


def test_the_page_drafts_what_the_api_drafts(client_for):
    r = post_plan(english_client(client_for), "Xác minh | lead | 30 | supporting\nBáo cáo | police | 60")
    assert r.status_code == 302, r.content
    plan = ResponsePlan.objects.filter(title="Phương án v9").order_by("-version").first()
    assert plan.state == "draft"
    assert [
        (s.title, s.responsible, s.deadline_minutes, s.notify) for s in plan.steps.order_by("position")
    ] == [
        ("Xác minh", "lead", 30, ["supporting"]),
        ("Báo cáo", "police", 60, []),
    ]
