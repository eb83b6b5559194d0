"""A local RudderStack JavaScript Transformation runtime: QuickJS by default, or V8 through Node.js."""

from .engine import (
    DEFAULT_NAME,
    ENGINES,
    CannedResponse,
    Limits,
    RequestFailed,
    RunResult,
    Transformation,
    default_engine,
    is_envelope,
    request_items,
)

__all__ = [
    "DEFAULT_NAME",
    "ENGINES",
    "CannedResponse",
    "Limits",
    "RequestFailed",
    "RunResult",
    "Transformation",
    "default_engine",
    "is_envelope",
    "request_items",
]
