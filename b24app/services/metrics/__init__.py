"""Quality metrics of SERVICEDESK.md §5 computed from the local history (pure functions, no Flask)."""

from .facts import Filters, RequestFacts, SurveyFacts
from .report import Report, compute

__all__ = ["Filters", "Report", "RequestFacts", "SurveyFacts", "compute"]
