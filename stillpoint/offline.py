"""Keeping the default configuration off the network, including the libraries' own reporting.

Stillpoint only talks to a network when the person configures a remote language-model backend.
Two libraries underneath would otherwise reach out on their own:

- onnxruntime (used by the Silero VAD and the Piper voice) ships a 1DS telemetry client in 1.32:
  measured here with strace, a default `talk` made 10 DNS queries for its collector and wrote a
  device id and an event database under ~/.cache/Microsoft. Its Python API
  `disable_telemetry_events()` alone did NOT stop either; the environment variable
  `ORT_DISABLE_TELEMETRY=1`, set before onnxruntime is imported, stopped both (0 queries, no
  files). Both are used here.
- huggingface_hub (pulled in by faster-whisper) would check the hub for models: local files only.

`set_offline_environment()` runs when the `stillpoint` package is imported, so every entry point
(CLI, page, benchmarks) gets it before any model library loads.
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)

OFFLINE_ENVIRONMENT = {
    "ORT_DISABLE_TELEMETRY": "1",  # onnxruntime's 1DS client: no DNS, no ~/.cache/Microsoft files
    "HF_HUB_OFFLINE": "1",  # faster-whisper's model lookup: local files only
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
}


def set_offline_environment() -> None:
    """Cheap, safe at start-up of every command: libraries read these when first imported."""
    for key, value in OFFLINE_ENVIRONMENT.items():
        os.environ.setdefault(key, value)


def disable_onnxruntime_telemetry() -> bool:
    """Turn off onnxruntime's telemetry events (its documented API); call before any session is made."""
    try:
        import onnxruntime
    except ImportError:
        return False
    onnxruntime.disable_telemetry_events()
    log.debug("onnxruntime %s telemetry disabled", onnxruntime.__version__)
    return True
