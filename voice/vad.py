"""Voice activity detection behind one small interface.

Two engines, both local: `webrtc` (Google's WebRTC GMM detector via webrtcvad — tiny and
very fast, but it hears steady room noise as speech) and `silero` (the Silero v6 ONNX model
that faster-whisper ships — a small neural net that separates speech from noise far better).
`bench/pauses.py` measures both; the README says which is the default and why.
"""

from __future__ import annotations

import os
from typing import Protocol

import numpy as np

from .events import SAMPLE_RATE


class VoiceActivityDetector(Protocol):
    """Scores fixed-size frames of 16 kHz mono float32 audio for speech."""

    name: str
    frame_samples: int
    threshold: float

    def speech_probability(self, frame: np.ndarray) -> float:
        """Probability (0–1) that `frame` (exactly `frame_samples` long) holds speech."""

    def reset(self) -> None:
        """Forget any state carried between frames (start of a new stream)."""


class WebRtcVad:
    """webrtcvad on 30 ms frames; its yes/no answer is reported as 1.0 / 0.0."""

    name = "webrtc"
    threshold = 0.5

    def __init__(self, aggressiveness: int = 2, frame_ms: int = 30):
        import webrtcvad

        if frame_ms not in (10, 20, 30):
            raise ValueError("webrtcvad takes 10, 20 or 30 ms frames")
        self._vad = webrtcvad.Vad(aggressiveness)
        self.frame_samples = SAMPLE_RATE * frame_ms // 1000

    def speech_probability(self, frame: np.ndarray) -> float:
        pcm = (np.clip(frame, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        return 1.0 if self._vad.is_speech(pcm, SAMPLE_RATE) else 0.0

    def reset(self) -> None:
        pass


def silero_model_path() -> str:
    """The Silero v6 ONNX file inside the installed faster-whisper package."""
    from faster_whisper.utils import get_assets_path

    return os.path.join(get_assets_path(), "silero_vad_v6.onnx")


class SileroVad:
    """Silero VAD v6 (faster-whisper's ONNX export), streamed one 32 ms window at a time.

    The model takes 512 new samples plus the previous window's last 64 as context, and
    carries an LSTM state (h, c) from window to window; we keep both between calls.
    """

    name = "silero"
    frame_samples = 512
    context_samples = 64

    def __init__(self, threshold: float = 0.5, model_path: str | None = None):
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.inter_op_num_threads = 1
        options.intra_op_num_threads = 1
        options.log_severity_level = 4
        self._session = onnxruntime.InferenceSession(
            model_path or silero_model_path(), providers=["CPUExecutionProvider"], sess_options=options
        )
        self.threshold = threshold
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(self.context_samples, dtype=np.float32)

    def speech_probability(self, frame: np.ndarray) -> float:
        window = np.concatenate([self._context, frame.astype(np.float32, copy=False)])[None, :]
        out, self._h, self._c = self._session.run(None, {"input": window, "h": self._h, "c": self._c})
        self._context = window[0, -self.context_samples :]
        return float(np.asarray(out).reshape(-1)[0])


def make_vad(engine: str, *, webrtc_aggressiveness: int = 2, silero_threshold: float = 0.5) -> VoiceActivityDetector:
    if engine == "webrtc":
        return WebRtcVad(webrtc_aggressiveness)
    if engine == "silero":
        return SileroVad(silero_threshold)
    raise ValueError(f"unknown VAD engine {engine!r}; choose 'webrtc' or 'silero'")
