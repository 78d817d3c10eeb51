"""Words, not codes: every kind of timeline entry, item history entry, audit event and live-feed
event has its sentence, in the reader's language. The kinds are read from the code that writes them
(the services), so a new kind without its sentence fails here."""

from __future__ import annotations

import re

import pytest

from liaison.audit.verbs import Verb, _labels, verb_label
from liaison.incidents import events as timeline
from liaison.incidents.models import TRANSITIONS
from liaison.intel.models import HISTORY_SENTENCES, describe_revision
from liaison.situation import feed
from tests.support.node import ROOT

SRC = ROOT / "src" / "liaison"


def _source(*parts: str) -> str:
    return "\n".join(p.read_text() for part in parts for p in sorted((SRC / part).rglob("*.py")))


def test_every_timeline_kind_has_a_sentence():
    kinds = set(re.findall(r'_add\(\s*incident,\s*"(\w+)"', (SRC / "incidents" / "events.py").read_text()))
    assert kinds, "no kinds found: the pattern no longer matches events.py"
    assert sorted(kinds - set(timeline.SENTENCES)) == []
    for kind in kinds:
        text = timeline.describe(
            kind, {"old": "reported", "new": "acknowledged", "units": ["A"], "due": None}
        )
        assert text != kind and "%(" not in text


def test_every_item_history_action_has_a_sentence():
    actions = set(re.findall(r'revise\(\s*actor,\s*item,\s*"(\w+)"', _source("intel/services")))
    assert len(actions) >= 5, actions
    assert sorted(actions - set(HISTORY_SENTENCES)) == []
    for action in actions:
        text, _details = describe_revision(action, {}, {})
        assert text != action and "%(" not in text


def test_every_audit_verb_has_a_phrase():
    assert sorted(v.name for v in Verb if v not in _labels()) == []
    assert verb_label(900) != "900" and "sign_in" not in verb_label(900)


def test_every_live_feed_event_has_a_sentence():
    emitted = set(
        re.findall(
            r'events\.emit\(\s*"([\w.]+)"',
            _source(
                "intel",
                "incidents",
                "situation",
                "org",
                "patrols",
                "programs",
                "field",
                "briefings",
                "exchange",
            ),
        )
    )
    emitted |= {f"incident.{to}" for moves in TRANSITIONS.values() for to in moves}  # f"incident.{to}"
    assert "item.created" in emitted
    assert sorted(emitted - set(feed.SENTENCES)) == []
    for kind in emitted:
        text = feed.sentence(kind, "TIN-1", {"incident": "VV-1"})
        assert kind not in text and "%(" not in text


# --- the pages show the sentences, not the stored codes ------------------------------------------

RAW = re.compile(r"\[\s*'|\{'|\b(?:sign_in|item\.shared|under_verification|task_added|item_linked)\b")


def test_the_incident_timeline_and_the_item_history_read_as_sentences(cast, client_for):
    from liaison.geo.models import Area
    from liaison.incidents import services
    from liaison.incidents.models import IncidentType
    from liaison.intel import services as intel
    from liaison.org.models import Unit
    from tests.support.records import log_item

    officer = cast("na_meo_post_officer")
    item = log_item(officer)
    intel.item_share(officer, item=item, units=[Unit.objects.get(code="CA-XA-NA-MEO")], forces=[])
    inc = services.incident_open(
        cast("command_centre_officer"),
        incident_type=IncidentType.objects.get(code="drug_trafficking"),
        title="Vận chuyển ma túy",
        area=Area.objects.get(code="VN-38-15607"),
    )
    services.incident_transition(cast("bat_mot_post_officer"), incident=inc, to="acknowledged")
    c = client_for("bat_mot_post_officer")
    c.cookies["liaison-lang"] = "en"
    body = c.get(f"/incidents/{inc.pk}/").content.decode()
    timeline_html = body[body.index('class="timeline"') :]
    assert "Status changed from Reported to Acknowledged." in timeline_html
    assert not RAW.search(timeline_html), RAW.search(timeline_html)
    c = client_for("na_meo_post_officer")
    c.cookies["liaison-lang"] = "en"
    body = c.get(f"/items/{item.pk}/").content.decode()
    history = body[body.rindex("<h2>History</h2>") :]
    assert "Shared with" in history
    assert not RAW.search(history), RAW.search(history)


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_audit_log_names_each_action_in_words(client_for, lang):
    c = client_for("auditor")
    c.cookies["liaison-lang"] = lang
    body = c.get("/audit/").content.decode()
    rows = body[body.index("<tbody>") :]
    assert "sign_in" not in rows and "item_created" not in body
    assert re.search(r'data-verb="\d+">[^<\d]+<', rows)
