"""The incident board's and the task list's filters are defined once (`incidents.schemas`): the API's
query, the page's query string and the selector take the same schema, so both interfaces answer the
same rows and name the same field when one is wrong."""

from __future__ import annotations

import re

import pytest

from liaison.incidents import selectors
from liaison.incidents.schemas import BoardFilter, TaskFilter

OFFICER = "bat_mot_post_officer"


def board_ids(client, **query) -> tuple[set[str], set[str]]:
    api = client.get("/api/v1/incidents", query)
    page = client.get("/incidents/", query)
    assert api.status_code == 200 and page.status_code == 200
    return {r["id"] for r in api.json()}, set(re.findall(r'data-id="([0-9a-f-]{36})"', page.content.decode()))


def test_the_board_filters_the_same_on_the_page_and_through_the_api(client_for, open_incident):
    high = open_incident(OFFICER, severity="high", title="Vụ zzboard")
    drill = open_incident(OFFICER, severity="high", is_drill=True, title="Diễn tập zzboard")
    low = open_incident(OFFICER, severity="low", title="Vụ khác zzboard")
    client = client_for(OFFICER)
    mine = {str(i.pk) for i in (high, drill, low)}
    for query, expected in [
        ({}, {high, drill, low}),
        ({"severity": "high"}, {high, drill}),
        ({"severity": "high", "drills": "false"}, {high}),
    ]:
        api, page = board_ids(client, **query)
        want = {str(i.pk) for i in expected}
        assert api & mine == want and page & mine == want, query


def test_the_selector_takes_the_same_schema(cast, open_incident):
    drill = open_incident(OFFICER, is_drill=True)
    officer = cast(OFFICER)
    assert drill.pk in {r["id"] for r in selectors.incident_board(officer)}
    assert drill.pk not in {r["id"] for r in selectors.incident_board(officer, BoardFilter(drills=False))}
    assert selectors.my_tasks(officer, TaskFilter(mine_only=True)).filter(incident=drill).count() == 0
    assert selectors.my_tasks(officer).filter(incident=drill).exists()


@pytest.mark.parametrize(
    "path, page, query, field",
    [
        ("/api/v1/incidents", "/incidents/", {"include_final": "perhaps"}, "include_final"),
        ("/api/v1/incidents", "/incidents/", {"severity": "x" * 11}, "severity"),
        ("/api/v1/tasks/mine", "/tasks/", {"mine_only": "perhaps"}, "mine_only"),
        ("/api/v1/tasks/mine", "/tasks/", {"open_only": "2"}, "open_only"),
    ],
)
def test_a_bad_filter_names_its_field_on_the_page_and_through_the_api(
    client_for, problem_fields, path, page, query, field
):
    client = client_for(OFFICER)
    r = client.get(path, query)
    assert r.status_code == 422 and problem_fields(r) == {field}
    r = client.get(page, query)
    assert r.status_code == 400 and f'data-field="{field}"' in r.content.decode()


def test_assigned_to_me_on_the_task_page(client_for):
    r = client_for(OFFICER).get("/tasks/", {"mine_only": "1"})
    assert r.status_code == 200 and 'href="?mine_only=1"' in r.content.decode()
