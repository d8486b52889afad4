"""Turns a stream of model text pieces into speakable sentences, as soon as each is complete.

Speech can begin after the first sentence instead of after the whole reply, which is most of
the latency a person notices. Markdown and emoji, which a voice cannot say, are removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"')\]]*\s+|\n+")
_UNSPEAKABLE = re.compile(r"[*_#`~>|\[\]{}<>]|[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F]")
_ABBREVIATIONS = ("mr.", "mrs.", "ms.", "dr.", "e.g.", "i.e.", "etc.", "st.", "vs.")
MIN_SENTENCE_CHARS = 12


def clean_for_speech(text: str) -> str:
    text = _UNSPEAKABLE.sub("", text)
    text = re.sub(r"^\s*(?:\d+\.|-)\s+", "", text)
    text = re.sub(r"\s+([.,!?;:])", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def sentences(pieces: Iterable[str], min_chars: int = MIN_SENTENCE_CHARS) -> Iterator[str]:
    """Yield cleaned sentences from streamed text pieces; the remainder at the end too."""
    buffer = ""
    for piece in pieces:
        buffer += piece
        while True:
            match = None
            for candidate in _SENTENCE_END.finditer(buffer):
                head = buffer[: candidate.start()].strip()
                if len(head) < min_chars or head.lower().endswith(_ABBREVIATIONS):
                    continue
                match = candidate
                break
            if match is None:
                break
            head, buffer = buffer[: match.start()], buffer[match.end() :]
            spoken = clean_for_speech(head)
            if spoken:
                yield spoken
    spoken = clean_for_speech(buffer)
    if spoken:
        yield spoken
