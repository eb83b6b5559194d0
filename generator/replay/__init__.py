"""Real traffic at scale: inputs streamed, split into requests as rudder-server does, run in parallel.

Uses the runtime (generator.runtime) and the Customer.io emulation; neither knows of it.
"""

from ..runtime.batching import requests
from .inputs import InputError, read_events, request_items

__all__ = ["InputError", "read_events", "request_items", "requests"]
