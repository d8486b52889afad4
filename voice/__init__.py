"""Stillpoint's ears and mouth: audio in, voice activity, turn-taking, speech-to-text,
text-to-speech, audio out. Knows nothing about the dialogue (never imports `dialogue`)."""

import os as _os

# onnxruntime (Silero VAD, Piper) ships a telemetry client that makes DNS queries and writes
# ~/.cache/Microsoft unless this is set before it is imported; its Python API alone does not stop it.
_os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
