"""Typed conversations (`stillpoint chat`, a page's text box): replies shown, not spoken.

`Unvoiced` stands in for the voice — each sentence becomes silent audio of no length — and
`TextOutput` is the `ReplyOutput` that shows it, so a typed turn through `Conversation.on_text`
goes through the same companion, safety, memory and store as a spoken one, and is heard (and
committed) the moment it is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from voice.events import SAMPLE_RATE, SpeechAudio


class Unvoiced:
    sample_rate = SAMPLE_RATE
    voiced = False  # nothing is heard: a guided exercise is not rendered, its invitation is shown

    def synthesize(self, text: str, *, length_scale: float | None = None) -> Iterator[SpeechAudio]:
        yield SpeechAudio(text, np.zeros(0, np.float32), SAMPLE_RATE)


class TextOutput:
    def __init__(self, show: Callable[[str], None]):
        self.show = show
        self._until = 0.0

    def play(self, speech: SpeechAudio, at_s: float) -> float:
        self.show(speech.text)
        self._until = max(self._until, at_s)
        return at_s

    def cut(self, at_s: float) -> float:
        return at_s

    def playing_until(self) -> float:
        return self._until


class NoTranscriber:
    """A typed conversation has no speech: nothing ever reaches speech-to-text."""

    def transcribe(self, audio, *, prompt: str | None = None):
        raise RuntimeError("a typed conversation has no audio to transcribe")
