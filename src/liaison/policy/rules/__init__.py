"""Importing this package registers every context's rules with the policy engine."""

from liaison.policy.rules import accounts, audit, geo, incidents, intel, org, situation, targets  # noqa: F401
from liaison.policy.rules import programs  # noqa: F401  (issue 17)
