"""interviewer: an offline mock interviewer that grades technical answers by meaning."""

__version__ = "0.1.0"
