"""Shanzhi (善治): the platform of a district regional social-governance centre."""

__version__ = "0.1.0"
