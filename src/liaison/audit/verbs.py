"""The coded list of audit verbs. Codes never change meaning; new verbs take new codes.

Ranges: 1xx information items, 2xx incidents, 3xx patrols, 4xx programs, 5xx: 500–549 briefings,
550–599 field reporting,
6xx the audit log itself,
7xx geography and reference data, 8xx organisation, 9xx sign-in and access,
1000-1099 the cross-border exchange (the verb column is a PositiveSmallIntegerField: up to 32767),
1100-1119 the audit chain's own sequencer (the chainer).
"""

from __future__ import annotations

from enum import IntEnum


class Verb(IntEnum):
    ITEM_CREATED = 100
    ITEM_AMENDED = 101
    ITEM_SHARED = 102
    ITEM_ACKNOWLEDGED = 103
    ITEM_READ = 104
    ITEM_VERIFICATION_REQUESTED = 105
    ITEM_VERIFICATION_ANSWERED = 106
    ITEM_REGRADED = 107
    ITEM_LINKED = 108
    ITEM_CLOSED = 109
    ITEM_HANDLING_CHANGED = 110
    ITEM_EXPORTED = 111
    ITEM_ATTACHMENT_ADDED = 112
    ITEM_ATTACHMENT_READ = 113
    ITEM_ACCESS_EXPLAINED = 114
    INCIDENT_OPENED = 200
    INCIDENT_STATUS_CHANGED = 201
    INCIDENT_HANDED_OVER = 202
    INCIDENT_ESCALATED = 203
    INCIDENT_UNIT_NAMED = 204
    INCIDENT_ITEM_LINKED = 205
    INCIDENT_OUTCOME_RECORDED = 206
    INCIDENT_PERSON_ADDED = 207
    INCIDENT_PERSON_IDENTITY_READ = 208
    INCIDENT_READ = 209
    TASK_ADDED = 220
    TASK_UPDATED = 221
    TASK_ESCALATED = 222
    PLAN_DRAFTED = 230
    PLAN_APPROVED = 231
    LEAD_RULE_SET = 240

    # Programs (issue 17): 4xx
    PROGRAM_CREATED = 400
    PROGRAM_UPDATED = 401
    PROGRAM_ACTIVATED = 402
    PROGRAM_CLOSED = 403
    PROGRAM_TARGETS_SET = 404
    PROGRAM_EXPORTED = 405
    PROGRAM_TEMPLATE_UPDATED = 406
    PROGRAM_READ = 407
    ENTRY_SUBMITTED = 410
    ENTRY_APPROVED = 411
    ENTRY_RETURNED = 412
    ENTRY_RESUBMITTED = 413
    ENTRY_CORRECTED = 414
    ENTRY_MISSING_NOTIFIED = 415
    CATEGORY_PROPOSED = 120
    CATEGORY_APPROVED = 121
    CATEGORY_RETIRED = 122

    # Patrols (issue 16)
    PATROL_PLAN_DRAFTED = 300
    PATROL_PLAN_APPROVED = 301
    PATROL_CREATED = 310
    PATROL_STATUS_CHANGED = 311
    PATROL_READ = 312
    PATROL_MINUTES_PRINTED = 313
    PATROL_CHECKED_IN = 320
    PATROL_PHOTO_READ = 321
    PATROL_FINDING_REPORTED = 322
    MARKERS_IMPORTED = 330
    SEGMENT_SAVED = 331
    COVERAGE_CONFIGURED = 332

    # Field reporting (issue 19): 550–599
    OFFICER_PHONE_REGISTERED = 550
    SMS_GATEWAY_REGISTERED = 551
    SMS_REPORT_REFUSED = 552
    TIP_RECEIVED = 560
    TIP_SENDER_READ = 561
    # Briefings (issue 18): 500–549
    BRIEFING_CREATED = 500
    BRIEFING_EDITED = 501
    BRIEFING_APPROVED = 502
    BRIEFING_ISSUED = 503
    BRIEFING_READ = 504
    BRIEFING_EXPORTED = 505
    MEETING_RECORDED = 510
    CONCLUSION_ASSIGNED = 511
    CONCLUSION_UPDATED = 512
    CONCLUSION_ESCALATED = 513
    AGREEMENT_SAVED = 520
    AGREEMENT_REVIEW_REMINDED = 521
    AGREEMENT_FILE_ATTACHED = 522
    AGREEMENT_FILE_READ = 523
    BRIEFING_AGREEMENTS_CITED = 524
    INCIDENT_PUBLISHED = 570
    INCIDENT_PUBLIC_WITHDRAWN = 571

    AUDIT_LOG_READ = 600
    AUDIT_LOG_EXPORTED = 601

    AREA_IMPORTED = 700
    PLACE_CREATED = 710
    PLACE_UPDATED = 711
    RISK_ZONE_SAVED = 720

    UNIT_CREATED = 800
    UNIT_UPDATED = 801
    UNIT_MOVED = 802
    USER_CREATED = 820
    USER_UPDATED = 821
    MEMBERSHIP_REQUESTED = 830
    MEMBERSHIP_GRANTED = 831
    MEMBERSHIP_APPROVED = 832
    MEMBERSHIP_REVOKED = 833
    TWO_FACTOR_ENROLLED = 840
    ACTIVATION_ISSUED = 841
    ACCOUNT_ACTIVATED = 842
    ACTIVATION_FAILED = 843

    SIGN_IN = 900
    SIGN_IN_FAILED = 901
    LOCKED_OUT = 902
    SIGN_OUT = 903
    TWO_FACTOR_PASSED = 904
    TWO_FACTOR_FAILED = 905
    TWO_FACTOR_MISSING = 906
    ACCESS_REFUSED = 910
    ACTIVE_UNIT_SWITCHED = 920
    API_TOKEN_CREATED = 930
    API_TOKEN_REVOKED = 931
    API_TOKEN_REFUSED = 932

    # Cross-border exchange (issue 20): 1000-1099
    PEER_REGISTERED = 1000
    PEER_KEY_ROTATED = 1001
    PEER_REVOKED = 1002
    RELEASE_PROPOSED = 1010
    RELEASE_APPROVED = 1011
    RELEASE_SENT = 1012
    RELEASE_WITHDRAWN = 1013
    RELEASE_READ = 1014
    RELEASE_UPDATED = 1017
    ENVELOPE_STORED = 1020
    ENVELOPE_REFUSED = 1021
    ENVELOPE_DUPLICATE = 1022
    ENVELOPES_EXPORTED = 1023
    RECEIPT_STORED = 1024
    PARTNER_ITEM_READ = 1030
    PARTNER_ITEM_TRANSLATED = 1031
    PARTNER_ITEM_ACKNOWLEDGED = 1032
    PARTNER_INCIDENT_READ = 1033
    PARTNER_INCIDENT_ACKNOWLEDGED = 1034
    CHECKPOINT_WITNESSED = 1040
    # The chainer (decision 0018): 1100-1119
    AUDIT_LINK_REFUSED = 1100


def _labels() -> dict:
    from django.utils.translation import gettext_lazy as _

    return {
        Verb.ITEM_CREATED: _("logged an information item"),
        Verb.ITEM_AMENDED: _("amended an information item"),
        Verb.ITEM_SHARED: _("shared an information item"),
        Verb.ITEM_ACKNOWLEDGED: _("acknowledged receipt of an information item"),
        Verb.ITEM_READ: _("read an information item"),
        Verb.ITEM_VERIFICATION_REQUESTED: _("requested verification of an information item"),
        Verb.ITEM_VERIFICATION_ANSWERED: _("answered a verification request"),
        Verb.ITEM_REGRADED: _("re-graded an information item"),
        Verb.ITEM_LINKED: _("linked two information items"),
        Verb.ITEM_CLOSED: _("closed an information item"),
        Verb.ITEM_HANDLING_CHANGED: _("changed the handling level of an information item"),
        Verb.ITEM_EXPORTED: _("exported information items"),
        Verb.ITEM_ATTACHMENT_ADDED: _("attached a file to an information item"),
        Verb.ITEM_ATTACHMENT_READ: _("opened an attachment"),
        Verb.ITEM_ACCESS_EXPLAINED: _("asked who can see an information item"),
        Verb.INCIDENT_OPENED: _("opened an incident"),
        Verb.INCIDENT_STATUS_CHANGED: _("changed the status of an incident"),
        Verb.INCIDENT_HANDED_OVER: _("handed over the lead of an incident"),
        Verb.INCIDENT_ESCALATED: _("escalated an incident"),
        Verb.INCIDENT_UNIT_NAMED: _("named a unit to see protected persons"),
        Verb.INCIDENT_ITEM_LINKED: _("linked an information item to an incident"),
        Verb.INCIDENT_OUTCOME_RECORDED: _("recorded the outcome of an incident"),
        Verb.INCIDENT_PERSON_ADDED: _("added a person to an incident"),
        Verb.INCIDENT_PERSON_IDENTITY_READ: _("read a protected person's identity"),
        Verb.INCIDENT_READ: _("read an incident"),
        Verb.TASK_ADDED: _("added a task"),
        Verb.TASK_UPDATED: _("updated a task"),
        Verb.TASK_ESCALATED: _("escalated an overdue task"),
        Verb.PLAN_DRAFTED: _("drafted a response plan"),
        Verb.PLAN_APPROVED: _("approved a response plan"),
        Verb.LEAD_RULE_SET: _("set a lead-force rule"),
        Verb.CATEGORY_PROPOSED: _("proposed a category"),
        Verb.CATEGORY_APPROVED: _("approved a category"),
        Verb.CATEGORY_RETIRED: _("retired a category"),
        Verb.PATROL_PLAN_DRAFTED: _("drafted a monthly patrol plan"),
        Verb.PATROL_PLAN_APPROVED: _("approved a monthly patrol plan"),
        Verb.PATROL_CREATED: _("planned a patrol"),
        Verb.PATROL_STATUS_CHANGED: _("changed a patrol's status"),
        Verb.PATROL_READ: _("opened a patrol"),
        Verb.PATROL_MINUTES_PRINTED: _("printed a patrol's minutes"),
        Verb.PATROL_CHECKED_IN: _("checked in on a patrol"),
        Verb.PATROL_PHOTO_READ: _("opened a patrol photo"),
        Verb.PATROL_FINDING_REPORTED: _("reported a patrol finding"),
        Verb.MARKERS_IMPORTED: _("imported surveyed marker positions"),
        Verb.SEGMENT_SAVED: _("saved a border segment"),
        Verb.COVERAGE_CONFIGURED: _("set a post's marker check interval"),
        Verb.PROGRAM_CREATED: _("created a program"),
        Verb.PROGRAM_UPDATED: _("edited a program"),
        Verb.PROGRAM_ACTIVATED: _("activated a program"),
        Verb.PROGRAM_CLOSED: _("closed a program"),
        Verb.PROGRAM_TARGETS_SET: _("set a program's targets"),
        Verb.PROGRAM_EXPORTED: _("exported a program's progress"),
        Verb.PROGRAM_TEMPLATE_UPDATED: _("edited a default program"),
        Verb.PROGRAM_READ: _("opened a program"),
        Verb.BRIEFING_CREATED: _("generated a briefing"),
        Verb.BRIEFING_EDITED: _("edited a briefing"),
        Verb.BRIEFING_APPROVED: _("approved a briefing"),
        Verb.BRIEFING_ISSUED: _("issued a briefing"),
        Verb.BRIEFING_READ: _("opened a briefing"),
        Verb.BRIEFING_EXPORTED: _("downloaded a briefing document"),
        Verb.MEETING_RECORDED: _("recorded a briefing meeting"),
        Verb.CONCLUSION_ASSIGNED: _("assigned a meeting conclusion"),
        Verb.CONCLUSION_UPDATED: _("updated a meeting conclusion"),
        Verb.CONCLUSION_ESCALATED: _("escalated an overdue conclusion"),
        Verb.AGREEMENT_SAVED: _("saved an agreement"),
        Verb.AGREEMENT_REVIEW_REMINDED: _("reminded of an agreement's review"),
        Verb.AGREEMENT_FILE_ATTACHED: _("attached the signed file of an agreement"),
        Verb.AGREEMENT_FILE_READ: _("downloaded the signed file of an agreement"),
        Verb.BRIEFING_AGREEMENTS_CITED: _("cited agreements in a briefing"),
        Verb.ENTRY_SUBMITTED: _("submitted a monthly entry"),
        Verb.ENTRY_APPROVED: _("approved a monthly entry"),
        Verb.ENTRY_RETURNED: _("returned a monthly entry"),
        Verb.ENTRY_RESUBMITTED: _("sent a returned entry again"),
        Verb.ENTRY_CORRECTED: _("corrected a monthly entry"),
        Verb.ENTRY_MISSING_NOTIFIED: _("notified a missing monthly entry"),
        Verb.OFFICER_PHONE_REGISTERED: _("registered an officer's phone number for SMS reports"),
        Verb.SMS_GATEWAY_REGISTERED: _("registered an SMS gateway"),
        Verb.SMS_REPORT_REFUSED: _("refused an SMS report"),
        Verb.TIP_RECEIVED: _("received a tip from the public"),
        Verb.TIP_SENDER_READ: _("read a tip sender's phone number"),
        Verb.INCIDENT_PUBLISHED: _("published an incident as a public alert"),
        Verb.INCIDENT_PUBLIC_WITHDRAWN: _("withdrew an incident's public alert"),
        Verb.AUDIT_LOG_READ: _("read the audit log"),
        Verb.AUDIT_LOG_EXPORTED: _("exported the audit log"),
        Verb.AREA_IMPORTED: _("imported areas"),
        Verb.PLACE_CREATED: _("added a border place"),
        Verb.PLACE_UPDATED: _("changed a border place"),
        Verb.RISK_ZONE_SAVED: _("saved a risk zone"),
        Verb.UNIT_CREATED: _("created a unit"),
        Verb.UNIT_UPDATED: _("changed a unit"),
        Verb.UNIT_MOVED: _("moved a unit in the organisation"),
        Verb.USER_CREATED: _("created a user"),
        Verb.USER_UPDATED: _("changed a user"),
        Verb.MEMBERSHIP_REQUESTED: _("requested a membership"),
        Verb.MEMBERSHIP_GRANTED: _("granted a membership"),
        Verb.MEMBERSHIP_APPROVED: _("confirmed a membership"),
        Verb.ACTIVATION_ISSUED: _("issued an activation code"),
        Verb.ACCOUNT_ACTIVATED: _("activated an account"),
        Verb.ACTIVATION_FAILED: _("tried an activation code that does not hold"),
        Verb.MEMBERSHIP_REVOKED: _("revoked a membership"),
        Verb.TWO_FACTOR_ENROLLED: _("enrolled a second factor"),
        Verb.SIGN_IN: _("signed in"),
        Verb.SIGN_IN_FAILED: _("failed to sign in"),
        Verb.LOCKED_OUT: _("was locked out"),
        Verb.SIGN_OUT: _("signed out"),
        Verb.TWO_FACTOR_PASSED: _("passed the second factor"),
        Verb.TWO_FACTOR_FAILED: _("failed the second factor"),
        Verb.TWO_FACTOR_MISSING: _("was asked for a second factor"),
        Verb.ACCESS_REFUSED: _("was refused access"),
        Verb.ACTIVE_UNIT_SWITCHED: _("switched the unit they act for"),
        Verb.API_TOKEN_CREATED: _("created an API token"),
        Verb.API_TOKEN_REVOKED: _("revoked an API token"),
        Verb.API_TOKEN_REFUSED: _("used a refused API token"),
        Verb.PEER_REGISTERED: _("registered a partner node"),
        Verb.PEER_KEY_ROTATED: _("rotated a partner node's key"),
        Verb.PEER_REVOKED: _("revoked a partner node"),
        Verb.RELEASE_PROPOSED: _("proposed a release to the partner"),
        Verb.RELEASE_APPROVED: _("approved a release to the partner"),
        Verb.RELEASE_SENT: _("released an item to the partner"),
        Verb.RELEASE_WITHDRAWN: _("withdrew a release to the partner"),
        Verb.RELEASE_READ: _("opened a release to the partner"),
        Verb.RELEASE_UPDATED: _("sent the partner an update of a release"),
        Verb.ENVELOPE_STORED: _("received a signed message from the partner"),
        Verb.ENVELOPE_REFUSED: _("refused a message from the partner"),
        Verb.ENVELOPE_DUPLICATE: _("received a message from the partner again"),
        Verb.ENVELOPES_EXPORTED: _("exported messages for the partner to a file"),
        Verb.RECEIPT_STORED: _("received the partner's receipt"),
        Verb.PARTNER_ITEM_READ: _("read an item from the partner"),
        Verb.PARTNER_ITEM_TRANSLATED: _("translated an item from the partner"),
        Verb.PARTNER_ITEM_ACKNOWLEDGED: _("acknowledged an item from the partner"),
        Verb.PARTNER_INCIDENT_READ: _("read an incident summary from the partner"),
        Verb.PARTNER_INCIDENT_ACKNOWLEDGED: _("acknowledged an incident summary from the partner"),
        Verb.CHECKPOINT_WITNESSED: _("kept the partner's audit checkpoint"),
        Verb.AUDIT_LINK_REFUSED: _("refused to link an altered audit event"),
    }


def verb_label(code: int) -> str:
    """What the event's verb means, as a phrase in the reader's language ("signed in")."""
    try:
        return str(_labels()[Verb(code)])
    except (KeyError, ValueError):
        return str(code)


def record_type_label(object_type: str) -> str:
    """The kind of record an audit event is about, in the reader's language (`intel.item`)."""
    from django.utils.translation import gettext_lazy as _

    labels = {
        "intel.item": _("information item"),
        "intel.attachment": _("attachment"),
        "intel.category": _("category"),
        "intel.verificationrequest": _("verification request"),
        "incidents.incident": _("incident"),
        "incidents.task": _("task"),
        "incidents.responseplan": _("response plan"),
        "incidents.leadrule": _("lead-force rule"),
        "incidents.person": _("person"),
        "org.unit": _("unit"),
        "org.user": _("user"),
        "org.membership": _("membership"),
        "accounts.apitoken": _("API token"),
        "audit.auditevent": _("audit log"),
        "geo.area": _("area"),
        "geo.place": _("border place"),
        "situation.riskzone": _("risk zone"),
        "exchange.peer": _("partner node"),
        "exchange.release": _("release to the partner"),
        "exchange.inenvelope": _("message from the partner"),
        "exchange.outenvelope": _("message to the partner"),
        "exchange.partneritem": _("item from the partner"),
    }
    return str(labels.get(object_type, object_type or ""))
