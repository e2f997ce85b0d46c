"""Puente's core and REST API."""

__version__ = "0.1.0"
