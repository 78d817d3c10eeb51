"""Importing this package registers every context's rules with the policy engine."""

from liaison.policy.rules import (  # noqa: F401
    accounts,
    audit,
    briefings,
    exchange,  # noqa: F401
    field,  # noqa: F401  (issue 19)
    geo,
    incidents,
    intel,
    org,
    patrols,  # noqa: F401
    programs,  # noqa: F401
    situation,
    targets,
)
