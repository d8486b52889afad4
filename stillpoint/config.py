"""Settings: validated with pydantic, layered as built-in defaults ← user file ← --config FILE.

`config.yaml` at the project root documents every key with its default (a test keeps it equal
to the defaults here). A bad value is reported with its key path and what is allowed, e.g.
`vad.engine: Input should be 'webrtc' or 'silero' (got 'loud')`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class AudioSettings(Section):
    input_device: int | str | None = None
    output_device: int | str | None = None
    output_latency_ms: int = Field(0, ge=0, le=1000)


class VadSettings(Section):
    engine: Literal["silero", "webrtc"] = "silero"
    silero_threshold: float = Field(0.5, gt=0, lt=1)
    webrtc_aggressiveness: int = Field(3, ge=0, le=3)


class JournalingTurns(Section):
    """While journaling (`stillpoint journal`, the page's Journal mode) the companion mostly
    listens: a turn ends on silence alone, after a long quiet, so pauses of several seconds stay
    inside the entry; and a long monologue stays one turn."""

    end_of_turn_ms: int = Field(6500, ge=1000, le=30000)  # quiet this long before a brief acknowledgement
    max_turn_s: float = Field(180.0, ge=5, le=600)


class TurnSettings(Section):
    pause_min_ms: int = Field(250, ge=50, le=5000)
    end_detection: Literal["smart", "silence"] = "smart"
    pace_ms: int = Field(500, ge=0, le=10000)
    max_thinking_ms: int = Field(2500, ge=500, le=60000)
    end_of_turn_ms: int = Field(800, ge=200, le=60000)
    journaling: JournalingTurns = Field(default_factory=JournalingTurns)
    speech_confirm_ms: int = Field(90, ge=0, le=1000)
    min_turn_speech_ms: int = Field(200, ge=0, le=5000)
    max_turn_s: float = Field(60.0, ge=5, le=600)
    preroll_ms: int = Field(300, ge=0, le=2000)


class SttSettings(Section):
    model: str = "bundled"
    compute_type: Literal["int8", "int8_float32", "float32", "int16"] = "int8"
    language: str | None = "en"
    beam_size: int = Field(1, ge=1, le=10)
    no_speech_threshold: float = Field(0.6, ge=0, le=1)
    threads: int = Field(0, ge=0, le=64)


class TtsSettings(Section):
    voice: str = "bundled"
    length_scale: float = Field(1.0, gt=0.3, lt=3.0)
    sentence_silence_ms: int = Field(200, ge=0, le=2000)


class EmbeddedLlmSettings(Section):
    model_path: str = "bundled"
    n_ctx: int = Field(2048, ge=256, le=32768)
    threads: int = Field(0, ge=0, le=64)


class OllamaSettings(Section):
    host: str = "http://127.0.0.1:11434"
    model: str = "llama3.2:3b"
    keep_alive: str | int | None = "5m"
    options: dict[str, Any] = Field(default_factory=dict)
    timeout_s: float = Field(60.0, gt=0)


class OpenAISettings(Section):
    base_url: str = "http://127.0.0.1:8080/v1"
    model: str = "local"
    api_key: str = "not-needed"
    timeout_s: float = Field(60.0, gt=0)


class LlmSettings(Section):
    backend: Literal["embedded", "ollama", "openai"] = "embedded"
    fallback_to_embedded: bool = True
    max_reply_tokens: int = Field(96, ge=8, le=2048)
    temperature: float = Field(0.6, ge=0, le=2)
    history_tokens: int = Field(1024, ge=128, le=32768)
    embedded: EmbeddedLlmSettings = Field(default_factory=EmbeddedLlmSettings)
    ollama: OllamaSettings = Field(default_factory=OllamaSettings)
    openai: OpenAISettings = Field(default_factory=OpenAISettings)


class ConversationSettings(Section):
    barge_in: bool = True


class MemorySettings(Section):
    recall: bool = True
    checkin_after_s: float = Field(20.0, ge=0, le=600)
    cue_min_pause_s: float = Field(0.5, ge=0.1, le=10)
    cue_min_latency_s: float = Field(1.0, ge=0.1, le=60)


class SafetySettings(Section):
    region: Literal["auto", "US", "CA", "UK", "IE", "AU", "NZ", "OTHER"] = "auto"
    resources: dict[str, str] = Field(default_factory=dict)
    crisis_length_scale: float = Field(1.25, gt=0.5, lt=3.0)
    second_opinion: Literal["none", "ollama"] = "none"
    second_opinion_model: str = "llama-guard3:1b"


class Settings(Section):
    data_dir: str | None = None
    audio: AudioSettings = Field(default_factory=AudioSettings)
    vad: VadSettings = Field(default_factory=VadSettings)
    turns: TurnSettings = Field(default_factory=TurnSettings)
    stt: SttSettings = Field(default_factory=SttSettings)
    tts: TtsSettings = Field(default_factory=TtsSettings)
    llm: LlmSettings = Field(default_factory=LlmSettings)
    conversation: ConversationSettings = Field(default_factory=ConversationSettings)
    safety: SafetySettings = Field(default_factory=SafetySettings)
    memory: MemorySettings = Field(default_factory=MemorySettings)

    @model_validator(mode="before")
    @classmethod
    def _moved(cls, data: Any) -> Any:
        """The journaling waits used to be a `journal:` section of their own: say where they went."""
        if isinstance(data, dict) and "journal" in data:
            raise ValueError("the journal section moved: journal.end_of_turn_ms and journal.max_turn_s are now "
                             "turns.journaling.end_of_turn_ms and turns.journaling.max_turn_s")
        return data

    @model_validator(mode="after")
    def _consistent(self) -> "Settings":
        """Settings that are each valid but contradict one another, refused with the reason.

        The one place for rules across keys (add new ones here): each would otherwise silently turn
        a feature off.
        """
        t, m, llm = self.turns, self.memory, self.llm
        problems = []
        if t.end_of_turn_ms <= t.pause_min_ms:
            problems.append(f"turns.end_of_turn_ms ({t.end_of_turn_ms}) must be longer than turns.pause_min_ms "
                            f"({t.pause_min_ms}): otherwise every pause ends the turn and no pause is ever noted")
        j = t.journaling
        if j.end_of_turn_ms < t.end_of_turn_ms:
            problems.append(f"turns.journaling.end_of_turn_ms ({j.end_of_turn_ms}) must be at least "
                            f"turns.end_of_turn_ms ({t.end_of_turn_ms}): journaling waits longer than talk, never less")
        if j.max_turn_s < t.max_turn_s:
            problems.append(f"turns.journaling.max_turn_s ({j.max_turn_s:g}) must be at least turns.max_turn_s "
                            f"({t.max_turn_s:g}): a journal entry lets you speak longer than talk, never less")
        if t.min_turn_speech_ms >= t.max_turn_s * 1000:
            problems.append(f"turns.min_turn_speech_ms ({t.min_turn_speech_ms}) must be shorter than turns.max_turn_s "
                            f"({t.max_turn_s:g} s): otherwise no turn can ever be long enough")
        if m.cue_min_pause_s * 1000 >= t.end_of_turn_ms:
            problems.append(f"memory.cue_min_pause_s ({m.cue_min_pause_s:g} s) must be shorter than "
                            f"turns.end_of_turn_ms ({t.end_of_turn_ms} ms): a longer pause ends the turn, so no "
                            "pause cue could ever be noticed")
        if llm.backend == "embedded" and llm.history_tokens + llm.max_reply_tokens > llm.embedded.n_ctx:
            problems.append(f"llm.history_tokens ({llm.history_tokens}) + llm.max_reply_tokens "
                            f"({llm.max_reply_tokens}) must fit in llm.embedded.n_ctx ({llm.embedded.n_ctx})")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class ConfigError(Exception):
    """A config file is unreadable or holds a bad value; the message names the key."""


def user_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "stillpoint" / "config.yaml"


def _deep_merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"Cannot read config file {path}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path} is not UTF-8 text (byte {error.object[error.start]:#04x} at position {error.start}); "
                          "save it as UTF-8.") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path} is not valid YAML: {error}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path} must hold a mapping of settings (key: value), not {type(data).__name__}.")
    return data


def format_validation_error(error: ValidationError, source: str) -> str:
    lines = [f"Invalid setting in {source}:"]
    for problem in error.errors():
        key = ".".join(str(part) for part in problem["loc"])
        if not key:  # a rule across several keys (Settings._consistent): the message names them
            lines.append(f"  {problem['msg'].removeprefix('Value error, ')}")
        elif problem["type"] == "extra_forbidden":
            lines.append(f"  {key}: unknown setting (see config.yaml for the valid keys)")
        else:
            lines.append(f"  {key}: {problem['msg']} (got {problem.get('input')!r})")
    return "\n".join(lines)


def load_settings(path: str | Path | None = None, *, use_user_file: bool = True) -> Settings:
    """Defaults, overridden by the user's file, overridden by `path` (from --config)."""
    layers: list[tuple[Path, dict]] = []
    user_file = user_config_path()
    if use_user_file and user_file.is_file():
        layers.append((user_file, _read_yaml(user_file)))
    if path is not None:
        explicit = Path(path).expanduser()
        if not explicit.is_file():
            raise ConfigError(f"Config file {explicit} does not exist.")
        layers.append((explicit, _read_yaml(explicit)))
    merged: dict = {}
    for source, data in layers:
        merged = _deep_merge(merged, data)
        try:
            Settings.model_validate(merged)
        except ValidationError as error:
            raise ConfigError(format_validation_error(error, str(source))) from None
    return Settings.model_validate(merged)


def data_dir(settings: Settings) -> Path:
    """STILLPOINT_HOME, else the configured data_dir, else ~/.local/share/stillpoint."""
    env = os.environ.get("STILLPOINT_HOME")
    if env:
        return Path(env).expanduser()
    if settings.data_dir:
        return Path(settings.data_dir).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "stillpoint"


def checked_data_dir(path: Path) -> Path:
    """The data directory, refused with a clear message when it (or a folder above it) is a file."""
    existing = next((p for p in (path, *path.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise ConfigError(f"The data folder {path} cannot be used: {existing} is a file, not a folder; point "
                          "STILLPOINT_HOME (or data_dir) at a folder of your own.")
    return path


def ensure_data_dir(path: Path) -> Path:
    """Create the data directory owner-only (0700), tightening it if it already exists."""
    checked_data_dir(path)
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(path, 0o700)
        if not os.access(path, os.W_OK | os.X_OK):
            raise PermissionError(13, "Permission denied")
    except OSError as error:
        raise ConfigError(f"Cannot use {path} as the data folder ({error.strerror}); point STILLPOINT_HOME "
                          "(or data_dir) at a folder you can write to.") from None
    return path
