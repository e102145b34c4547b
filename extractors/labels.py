"""The single label vocabulary of clausewise.

Pattern files, rule files, the scorer and the API all name clause types,
risk categories and severities through these enums, so a typo in a data file
fails at load time instead of silently matching nothing.
"""

from __future__ import annotations

from enum import StrEnum


class ClauseType(StrEnum):
    """The ten clause types of ANNOTATION.md."""

    USAGE_THRESHOLD = "usage_threshold"
    ATTRIBUTION = "attribution"
    AUP_INCORPORATION = "aup_incorporation"
    GEOGRAPHIC_RESTRICTION = "geographic_restriction"
    COMMERCIAL_RESTRICTION = "commercial_restriction"
    OUTPUT_RESTRICTION = "output_restriction"
    RESTRICTION_FLOWDOWN = "restriction_flowdown"
    UNILATERAL_CHANGE = "unilateral_change"
    LITIGATION_TERMINATION = "litigation_termination"
    GOVERNING_LAW = "governing_law"


class RiskCategory(StrEnum):
    """What a finding puts at risk; one or more clause types feed each."""

    SCALE_LIMIT = "scale_limit"
    ATTRIBUTION_DUTY = "attribution_duty"
    POLICY_DRIFT = "policy_drift"
    MARKET_EXCLUSION = "market_exclusion"
    COMMERCIAL_USE = "commercial_use"
    OUTPUT_USE = "output_use"
    DOWNSTREAM_OBLIGATION = "downstream_obligation"
    IP_RETALIATION = "ip_retaliation"
    FOREIGN_LAW = "foreign_law"


class Severity(StrEnum):
    """How much a finding matters, most severe first in `SEVERITY_ORDER`."""

    BLOCKER = "blocker"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"
    DOES_NOT_APPLY = "does_not_apply"


SEVERITY_ORDER: tuple[Severity, ...] = tuple(Severity)
