"""The coded list of audit verbs. Codes never change meaning; new verbs take new codes.

Ranges: 1xx information items, 2xx incidents (later contexts), 6xx the audit log itself,
7xx geography and reference data, 8xx organisation, 9xx sign-in and access.
"""

from __future__ import annotations

from enum import IntEnum


class Verb(IntEnum):
    AUDIT_LOG_READ = 600
    AUDIT_LOG_EXPORTED = 601

    AREA_IMPORTED = 700
    PLACE_CREATED = 710
    PLACE_UPDATED = 711

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
