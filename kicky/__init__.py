"""kicky: football shot analysis from amateur single-camera footage, with zero hand labels."""

__version__ = "0.1.0"
