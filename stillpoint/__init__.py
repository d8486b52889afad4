"""Stillpoint: a local, private, voice-first companion for reflection between therapy sessions.

This package wires `voice` (ears and mouth) and `dialogue` (mind and memory) into the live
loop, the command line and the local service.
"""

__version__ = "0.1.0"

from .offline import set_offline_environment as _set_offline_environment

_set_offline_environment()  # before any model library is imported: no telemetry, no hub lookups
