"""What Customer.io receives: RudderStack's Customer.io destination, emulated, and the people it makes.

Uses the runtime (generator.runtime) to run the transformation first; the runtime knows
nothing of this package.
"""

from .destination import Call, Config, calls, process

__all__ = ["Call", "Config", "calls", "process"]
