"""Stillpoint's mind and memory: language-model backends, the companion's policy and prompts,
reply guards, safety, practices and the on-disk store. Knows nothing about audio (never imports
`voice`); it takes text in and gives text out."""

import os as _os

# onnxruntime (the sentence embedder) ships a telemetry client that makes DNS queries and writes
# ~/.cache/Microsoft unless this is set before it is imported; its Python API alone does not stop it.
_os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
