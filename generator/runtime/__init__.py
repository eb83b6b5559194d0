"""A local RudderStack JavaScript Transformation runtime on QuickJS."""

from .engine import (
    DEFAULT_NAME,
    CannedResponse,
    Limits,
    RequestFailed,
    RunResult,
    Transformation,
    is_envelope,
    request_items,
)

__all__ = [
    "DEFAULT_NAME",
    "CannedResponse",
    "Limits",
    "RequestFailed",
    "RunResult",
    "Transformation",
    "is_envelope",
    "request_items",
]
