"""Does the voice sound finished? Pipecat's Smart Turn v3.2, run on the onnxruntime we already have.

Smart Turn is a Whisper-tiny encoder with a small head, trained on intonation and pace: it reads
the last 8 s of a turn (with the silence so far) and gives the probability that the speaker has
finished. Daily publishes it under BSD-2-Clause as an 8.7 MB int8 ONNX file inside the
`pipecat-ai` wheel, so it comes from the package index like every other model here and nothing is
downloaded when Stillpoint runs.

Only that file is used: the `pipecat` package is never imported (its import pulls in an
asynchronous framework, loguru, numba and more). We locate the file through the import system
without executing the package, and compute Whisper's log-mel input with faster-whisper's own
numpy feature extractor, after the zero-mean, unit-variance normalisation the model was
trained with. `pipecat-ai` is installed without its dependencies (see scripts/bootstrap.sh).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from .events import SAMPLE_RATE

MODEL_FILE = "smart-turn-v3.2-cpu.onnx"
WINDOW_S = 8


class SmartTurnMissing(Exception):
    """The Smart Turn model is not installed; the message says how to install it."""


def bundled_model_path() -> Path:
    """The ONNX inside the installed pipecat-ai wheel, found without importing pipecat."""
    spec = importlib.util.find_spec("pipecat")
    if spec is None or not spec.submodule_search_locations:
        raise SmartTurnMissing("The Smart Turn model is missing: pip install --no-deps pipecat-ai")
    path = Path(list(spec.submodule_search_locations)[0]) / "audio" / "turn" / "smart_turn" / "data" / MODEL_FILE
    if not path.is_file():
        raise SmartTurnMissing(f"The Smart Turn model is not in the installed pipecat-ai ({path} is missing)")
    return path


class SmartTurn:
    """Scores a turn's audio (16 kHz mono float32, silence so far included) for being finished."""

    def __init__(self, model_path: str | Path | None = None, threads: int = 1):
        import onnxruntime
        from faster_whisper.feature_extractor import FeatureExtractor

        options = onnxruntime.SessionOptions()
        options.inter_op_num_threads = 1
        options.intra_op_num_threads = threads
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 4
        self.path = Path(model_path) if model_path else bundled_model_path()
        self._session = onnxruntime.InferenceSession(str(self.path), sess_options=options,
                                                     providers=["CPUExecutionProvider"])
        self._features = FeatureExtractor(feature_size=80, sampling_rate=SAMPLE_RATE, chunk_length=WINDOW_S)

    def features(self, audio: np.ndarray) -> np.ndarray:
        """Whisper log-mel features (80 × 800) of the last 8 s, zero-padded at the front."""
        n = WINDOW_S * SAMPLE_RATE
        x = np.asarray(audio, np.float32)[-n:]
        if len(x) < n:
            x = np.pad(x, (n - len(x), 0))
        x = (x - x.mean()) / np.sqrt(x.var() + 1e-7)
        return self._features(x, padding=0)[:, : n // 160].astype(np.float32)

    def probability(self, audio: np.ndarray) -> float:
        """P(the speaker has finished their turn), from the sound alone."""
        out = self._session.run(None, {"input_features": self.features(audio)[None]})
        return float(np.asarray(out[0]).reshape(-1)[0])
