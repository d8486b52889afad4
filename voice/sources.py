"""Audio sources: a recording on disk or the live microphone, both yielding `AudioFrame`s.

Everything downstream works on 16 kHz mono float32, so the sources do the converting:
files of any rate, sample width or channel count are decoded block by block (libsndfile,
with PyAV as a fallback for containers it cannot read) and resampled with soxr, so a
two-hour recording streams through in constant memory.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import soundfile
import soxr

from .errors import AudioInputError, NoMicrophoneError
from .events import SAMPLE_RATE, AudioFrame

log = logging.getLogger(__name__)

BLOCK_SECONDS = 0.5
"""How much audio a file source decodes at a time: small enough for flat memory."""


class _Clock:
    """Turns a stream of 16 kHz blocks into frames stamped with their start time."""

    def __init__(self) -> None:
        self.samples_out = 0

    def frame(self, samples: np.ndarray) -> AudioFrame:
        frame = AudioFrame(samples=samples, start_s=self.samples_out / SAMPLE_RATE)
        self.samples_out += len(samples)
        return frame


def _to_mono(block: np.ndarray) -> np.ndarray:
    block = np.asarray(block, dtype=np.float32)
    if block.ndim == 2:
        block = block.mean(axis=1, dtype=np.float32)
    return np.ascontiguousarray(block)


class FileSource:
    """Streams a recording (WAV, FLAC, MP3, OGG, or anything PyAV can open) as 16 kHz frames."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.exists():
            raise AudioInputError(f"{self.path}: no such file.")
        if self.path.is_dir():
            raise AudioInputError(f"{self.path} is a folder; give an audio file (WAV, FLAC or MP3).")
        self._probe()

    def _probe(self) -> None:
        """Fail early, with a clear message, on a file no decoder understands."""
        try:
            info = soundfile.info(str(self.path))
            self.backend = "soundfile"
            self.sample_rate = int(info.samplerate)
            self.channels = int(info.channels)
            self.duration_s = float(info.duration)
            return
        except Exception as sf_error:  # libsndfile's errors are not a stable type across versions
            log.debug("soundfile cannot read %s: %s", self.path, sf_error)
        try:
            import av

            with av.open(str(self.path)) as container:
                streams = container.streams.audio
                if not streams:
                    raise AudioInputError(f"{self.path} has no audio stream.")
                stream = streams[0]
                self.backend = "av"
                self.sample_rate = int(stream.rate or SAMPLE_RATE)
                self.channels = int(stream.channels or 1)
                self.duration_s = float(container.duration / 1e6) if container.duration else 0.0
        except AudioInputError:
            raise
        except Exception as av_error:
            raise AudioInputError(
                f"{self.path} is not an audio file Stillpoint can read "
                f"(WAV, FLAC, MP3 or OGG expected): {av_error}"
            ) from None

    def frames(self) -> Iterator[AudioFrame]:
        clock = _Clock()
        resampler = (
            soxr.ResampleStream(self.sample_rate, SAMPLE_RATE, 1, dtype="float32")
            if self.sample_rate != SAMPLE_RATE
            else None
        )
        blocks = self._soundfile_blocks() if self.backend == "soundfile" else self._av_blocks()
        for block in blocks:
            mono = _to_mono(block)
            if resampler is not None:
                mono = resampler.resample_chunk(mono, last=False)
            if len(mono):
                yield clock.frame(mono)
        if resampler is not None:
            tail = resampler.resample_chunk(np.zeros(0, dtype=np.float32), last=True)
            if len(tail):
                yield clock.frame(tail)

    def _soundfile_blocks(self) -> Iterator[np.ndarray]:
        blocksize = max(1, int(self.sample_rate * BLOCK_SECONDS))
        try:
            with soundfile.SoundFile(str(self.path)) as f:
                while True:
                    block = f.read(blocksize, dtype="float32", always_2d=True)
                    if not len(block):
                        return
                    yield block
        except soundfile.LibsndfileError as error:
            raise AudioInputError(f"{self.path} could not be decoded past some point: {error}") from None

    def _av_blocks(self) -> Iterator[np.ndarray]:
        import av

        with av.open(str(self.path)) as container:
            resampler = av.AudioResampler(format="flt", layout="mono", rate=self.sample_rate)
            self.channels = 1
            for packet_frame in container.decode(audio=0):
                for out in resampler.resample(packet_frame):
                    yield out.to_ndarray().reshape(-1)


class MicrophoneSource:
    """The live microphone through PortAudio (sounddevice), as 16 kHz mono frames.

    Opens at 16 kHz when the device allows it, otherwise at the device's own rate and
    resamples. Reads are blocking and paced by the consumer: the segmenter and VAD take well
    under a millisecond per 30 ms block, so PortAudio's buffer never fills, and the answering
    work runs on another thread.
    """

    def __init__(self, device: int | str | None = None, block_ms: int = 30):
        import sounddevice

        self._sd = sounddevice
        try:
            info = sounddevice.query_devices(device, kind="input")
        except Exception as error:
            raise NoMicrophoneError(
                f"No microphone is available ({error}). To talk from a recording instead, run: "
                "stillpoint talk --input FILE.wav --output REPLY.wav"
            ) from None
        self.device = device
        self.device_name = info["name"]
        self.block_ms = block_ms
        self._stream = None
        self._rate = SAMPLE_RATE
        self._default_rate = int(info.get("default_samplerate") or SAMPLE_RATE)
        self._closed = False
        self.overflows = 0

    def open(self) -> None:
        for rate in (SAMPLE_RATE, self._default_rate):
            try:
                self._stream = self._sd.InputStream(
                    samplerate=rate, channels=1, dtype="float32", device=self.device, latency="low"
                )
                self._rate = rate
                break
            except Exception as error:
                log.debug("microphone refused %d Hz: %s", rate, error)
        if self._stream is None:
            raise NoMicrophoneError(
                f"The microphone '{self.device_name}' could not be opened. Check `stillpoint doctor`, "
                "or talk from a recording: stillpoint talk --input FILE.wav --output REPLY.wav"
            )
        self._stream.start()
        log.info("listening on '%s' at %d Hz", self.device_name, self._rate)

    def close(self) -> None:
        self._closed = True
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()
            self._stream = None

    def frames(self) -> Iterator[AudioFrame]:
        """Yield frames until `close()` is called or the device stops."""
        if self._stream is None:
            self.open()
        clock = _Clock()
        block = int(self._rate * self.block_ms / 1000)
        resampler = (
            soxr.ResampleStream(self._rate, SAMPLE_RATE, 1, dtype="float32")
            if self._rate != SAMPLE_RATE
            else None
        )
        while not self._closed and self._stream is not None:
            try:
                data, overflowed = self._stream.read(block)
            except Exception as error:
                if self._closed:
                    return
                raise AudioInputError(f"The microphone stopped: {error}") from None
            if overflowed:
                self.overflows += 1
                log.debug("microphone overflow (audio was dropped)")
            samples = np.ascontiguousarray(data[:, 0], dtype=np.float32)
            if resampler is not None:
                samples = resampler.resample_chunk(samples, last=False)
            if len(samples):
                yield clock.frame(samples)
