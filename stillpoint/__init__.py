"""Stillpoint: a local, private, voice-first companion for reflection between therapy sessions.

This package wires `voice` (ears and mouth) and `dialogue` (mind and memory) into the live
loop, the command line and the local service.
"""

__version__ = "0.1.0"
