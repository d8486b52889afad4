"""Says a summary aloud with the Piper voice, to the speaker or into a WAV file (written atomically)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .config import Settings


def speak_lines(settings: Settings, lines: Sequence[str], output_path: str | None = None) -> None:
    from voice.tts import Synthesizer

    t = settings.tts
    synthesizer = Synthesizer(t.voice, length_scale=t.length_scale, sentence_silence_ms=t.sentence_silence_ms)
    pieces = [speech.samples for line in lines for speech in synthesizer.synthesize(line)]
    samples = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
    if output_path:
        import soundfile

        from .export import check_writable, write_atomic

        path = Path(output_path)
        check_writable(path)
        buffer = io.BytesIO()
        soundfile.write(buffer, samples, synthesizer.sample_rate, format="WAV", subtype="PCM_16")
        write_atomic({path: buffer.getvalue()})
        return
    from voice.sinks import SpeakerSink

    speaker = SpeakerSink(synthesizer.sample_rate, settings.audio.output_device)
    try:
        speaker.play(samples, synthesizer.sample_rate)
        speaker.wait()
    finally:
        speaker.close()
