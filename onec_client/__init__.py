"""Client of the 1C HTTP service (contract v1, docs/onec-http-service.openapi.yaml); no app knowledge."""

from onec_client.client import OneCClient
from onec_client.errors import (
    OneCAmbiguous,
    OneCAuthError,
    OneCConflict,
    OneCError,
    OneCNotFound,
    OneCStale,
    OneCThrottled,
    OneCUnavailable,
    OneCValidation,
)
from onec_client.models import (
    EMPTY_DATE,
    EMPTY_GUID,
    ChangeItem,
    Counterparty,
    Interaction,
    OneCRequest,
    PingInfo,
    StatusChange,
    format_datetime,
    parse_datetime,
)
from onec_client.validation import CheckResult, inn_is_valid, kpp_is_valid, ogrn_is_valid

__all__ = [
    "EMPTY_DATE",
    "EMPTY_GUID",
    "ChangeItem",
    "CheckResult",
    "Counterparty",
    "Interaction",
    "OneCAmbiguous",
    "OneCAuthError",
    "OneCClient",
    "OneCConflict",
    "OneCError",
    "OneCNotFound",
    "OneCRequest",
    "OneCStale",
    "OneCThrottled",
    "OneCUnavailable",
    "OneCValidation",
    "PingInfo",
    "StatusChange",
    "format_datetime",
    "inn_is_valid",
    "kpp_is_valid",
    "ogrn_is_valid",
    "parse_datetime",
]
