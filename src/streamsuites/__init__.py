"""StreamSuites Runtime: one normalized, durable event stream from every live chat a creator has."""

__all__ = ["__version__"]

__version__ = "0.1.0"
