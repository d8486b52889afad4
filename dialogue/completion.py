"""Do the words sound finished? The embedded SmolLM2 reads the transcript so far.

A language model that has read "…and then my sister called, and I just" expects more words; one
that has read "I'm tired of it" expects the message to end. We ask the bundled SmolLM2 for the
probability that the user's message ends here: the next token is the end-of-message token or a
sentence-final punctuation mark. Whisper ends every fragment it is given with a period, so the
trailing period (or comma) is removed first; without that the model only learns that Whisper
likes periods.

The model's own copy is loaded with a small context, separate from the companion's, so the
listening thread never waits on a reply being generated. The chat preamble is evaluated once and
kept in the model's cache; each call evaluates only the transcript (a few dozen tokens).
"""

from __future__ import annotations

import re
import threading

import numpy as np

from .llm.embedded import BUNDLED, resolve_model_path

SYSTEM = "You are a kind listener. The user is speaking aloud; their words are transcribed."
FINAL_MARKS = (".", "?", "!")
GOES_ON_MARKS = (",", ";", ":", "-", "—", "...", "…")


def strip_final_mark(text: str) -> str:
    """The transcript without the punctuation Whisper puts at the end of every fragment."""
    return re.sub(r"[\s.,;:!?…]+$", "", text.strip())


class CompletionModel:
    """P(the user's message is complete) from the words alone."""

    def __init__(self, model_path: str = BUNDLED, *, threads: int = 1, n_ctx: int = 512):
        from llama_cpp import Llama

        self.path = resolve_model_path(model_path)
        # one thread for both generation and prompt batches: a second thread only spins, waiting on
        # the first (a 2-thread batch cost 8x the CPU time on this shared 2-core machine)
        threads = threads or 1
        self._llm = Llama(model_path=str(self.path), n_ctx=n_ctx, n_batch=n_ctx, verbose=False,
                          n_threads=threads, n_threads_batch=threads)
        self._lock = threading.Lock()
        self._prefix = self._tokens(f"<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\n", special=True)
        self._end_ids, self._on_ids = self._token_ids()
        self.max_tokens = n_ctx - len(self._prefix) - 4

    def _tokens(self, text: str, special: bool = False) -> list[int]:
        return self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=special)

    def _token_ids(self) -> tuple[np.ndarray, np.ndarray]:
        """Token ids that end a message (the end-of-message token and every token that is just a
        sentence-final mark, with or without a leading space or a trailing newline), and those that
        are just a clause mark (the thought goes on)."""
        ends, goes_on = set(self._tokens("<|im_end|>", special=True)), set()
        for i in range(self._llm.n_vocab()):
            piece = self._llm.detokenize([i]).decode("utf-8", errors="ignore").strip()
            if piece in FINAL_MARKS:
                ends.add(i)
            elif piece in GOES_ON_MARKS:
                goes_on.add(i)
        return np.array(sorted(ends)), np.array(sorted(goes_on))

    def probability(self, transcript: str) -> float | None:
        """P(the message ends here), or None when there are no words to judge."""
        scores = self.scores(transcript)
        return None if scores is None else scores[0]

    def scores(self, transcript: str) -> tuple[float, float] | None:
        """(P(the message ends here), P(a clause mark comes next: comma, dash…)) from one read of
        the words, or None when there are no words to judge."""
        words = strip_final_mark(transcript)
        if not words:
            return None
        tokens = self._prefix + self._tokens(words)[-self.max_tokens :]
        with self._lock:
            logits = self._eval(tokens)
        logits = logits - logits.max()
        p = np.exp(logits)
        total = p.sum()
        return float(p[self._end_ids].sum() / total), float(p[self._on_ids].sum() / total)

    def _eval(self, tokens: list[int]) -> np.ndarray:
        """Logits after `tokens`, re-using whatever prefix is already in the model's cache."""
        llm = self._llm
        keep = 0
        for a, b in zip(llm.input_ids[: llm.n_tokens], tokens[:-1]):
            if a != b:
                break
            keep += 1
        llm.n_tokens = keep  # eval drops the cache after n_tokens
        llm.eval(tokens[keep:])
        # logits of the last token evaluated (llama-cpp keeps them only in the context)
        return np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm.n_vocab(),)).astype(np.float64)

    def close(self) -> None:
        closer = getattr(self._llm, "close", None)
        if closer:
            closer()

