"""gen: an executable tracking plan for RudderStack → Customer.io."""

__version__ = "0.1.0"
