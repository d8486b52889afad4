"""Guided breathing: the patterns, the plan of cues on a clock, and the words that steer it.

Everything here is data and arithmetic — no audio. A `BreathingPlan` lays cycles end to end from
the exercise's start; every cue's time is a sum of planned phase lengths from that one origin, so
rounding or a late audio block can never push later cues: whoever plays the plan places each cue
at its own planned time. Steering ("slower", "stop", …) changes only what has not started yet.

Published timings: box breathing 4-4-4-4; Dr Andrew Weil's 4-7-8, which he advises keeping to four
cycles at first; coherent (resonance) breathing at about 5.5 breaths a minute (5.5 s in, 5.5 s out);
the cyclic physiological sigh (a double inhale through the nose, then a long exhale), practised for
5 minutes a day in Balban et al. 2023 (Cell Reports Medicine).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from typing import Literal

from .moods import parse_mood as read_mood

PhaseKind = Literal["in", "top_up", "hold", "out", "rest"]
CueKind = Literal["intro", "in", "top_up", "hold", "out", "rest", "count", "close", "check_in"]

MAX_PHASE_S = 30.0
MIN_PHASE_S = 1.0  # "faster" never goes below this
STEP = 1.2  # "slower" makes each following cycle 20 % longer; "faster" divides by the same
CHECK_IN = "How do you feel now, from one to ten?"


class PatternError(ValueError):
    """A pattern that cannot be breathed; the message says why and what would work."""


@dataclass(frozen=True)
class Phase:
    kind: PhaseKind
    seconds: float


@dataclass(frozen=True)
class Pattern:
    name: str
    title: str
    phases: tuple[Phase, ...]
    default_cycles: int | None = None
    default_minutes: float | None = None
    max_cycles: int | None = None  # 4-7-8: its author's advice for beginners
    spoken: str = ""  # how the intro describes it

    @property
    def cycle_s(self) -> float:
        return sum(p.seconds for p in self.phases)

    def label(self) -> str:
        return "-".join(f"{p.seconds:g}" for p in self.phases)


def _phases(*pairs: tuple[PhaseKind, float]) -> tuple[Phase, ...]:
    return tuple(Phase(kind, seconds) for kind, seconds in pairs)


PATTERNS: dict[str, Pattern] = {
    "box": Pattern("box", "box breathing", _phases(("in", 4), ("hold", 4), ("out", 4), ("rest", 4)),
                   default_cycles=6, spoken="Box breathing: in for four, hold for four, out for four, hold for four."),
    "478": Pattern("478", "4-7-8 breathing", _phases(("in", 4), ("hold", 7), ("out", 8)),
                   default_cycles=4, max_cycles=4, spoken="Four seven eight: in for four, hold for seven, out for eight."),
    "coherent": Pattern("coherent", "coherent breathing", _phases(("in", 5.5), ("out", 5.5)),
                        default_cycles=10, spoken="Slow, even breaths: in, and out, about five seconds each."),
    "sigh": Pattern("sigh", "cyclic sighing", _phases(("in", 2.5), ("top_up", 1.0), ("out", 6.5)),
                    default_minutes=5.0,
                    spoken="A double breath in through the nose, a little more at the top, then a long, slow breath out."),
}
ALIASES = {"4-7-8": "478", "4 7 8": "478", "resonance": "coherent", "resonant": "coherent",
           "physiological sigh": "sigh", "cyclic sigh": "sigh", "sighing": "sigh", "square": "box"}


def known_patterns() -> str:
    return ", ".join(PATTERNS) + ", or IN-HOLD-OUT[-HOLD] in seconds (e.g. 4-2-6)"


def parse_pattern(text: str) -> Pattern:
    """A named pattern, or custom seconds IN-HOLD-OUT[-HOLD] (a hold of 0 means no hold)."""
    key = text.strip().lower()
    key = ALIASES.get(key, key)
    if key in PATTERNS:
        return PATTERNS[key]
    parts = key.split("-")
    if len(parts) not in (3, 4) or not all(re.fullmatch(r"-?\d+(\.\d+)?", p) for p in parts if p) or "" in parts:
        if re.fullmatch(r"[\d.\-]+", key) and key:
            raise PatternError(f"'{text}': a negative time is impossible; give seconds as IN-HOLD-OUT[-HOLD], e.g. 4-2-6.")
        raise PatternError(f"Unknown pattern '{text}'. Known patterns: {known_patterns()}.")
    seconds = [float(p) for p in parts]
    names = ["breath in", "hold", "breath out", "hold after the out-breath"]
    for name, value in zip(names, seconds):
        if value < 0:
            raise PatternError(f"'{text}': a {name} of {value:g} s is impossible (negative).")
        if value > MAX_PHASE_S:
            raise PatternError(f"'{text}': a {name} of {value:g} s is too long to be safe; keep each part to {MAX_PHASE_S:g} s or less.")
    if seconds[0] == 0 or seconds[2] == 0:
        raise PatternError(f"'{text}': a {'breath in' if seconds[0] == 0 else 'breath out'} of 0 s is impossible; "
                           "only the holds may be 0.")
    kinds: list[PhaseKind] = ["in", "hold", "out", "rest"]
    phases = tuple(Phase(k, s) for k, s in zip(kinds, seconds) if s > 0)
    label = "-".join(f"{s:g}" for s in seconds)
    return Pattern(label, f"{label} breathing", phases, default_cycles=6,
                   spoken=f"In for {seconds[0]:g}, " + (f"hold for {seconds[1]:g}, " if seconds[1] else "")
                   + f"out for {seconds[2]:g}" + (f", hold for {seconds[3]:g}." if len(seconds) == 4 and seconds[3] else "."))


# -- the plan -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cue:
    """One thing to play at `at_s` seconds from the exercise's start."""

    at_s: float
    kind: CueKind
    cycle: int  # 0-based; -1 for the intro and the close
    duration_s: float = 0.0  # the phase it opens (0 for speech-only cues)
    words: str = ""  # what the voice says ("" = tone only)
    tone: bool = True

    def as_dict(self) -> dict:
        return {"at_s": round(self.at_s, 4), "kind": self.kind, "cycle": self.cycle,
                "duration_s": round(self.duration_s, 4), "words": self.words, "tone": self.tone}


@dataclass(frozen=True)
class Cycle:
    index: int
    start_s: float
    phases: tuple[Phase, ...]
    partial: bool = False  # cut short by "stop"

    @property
    def end_s(self) -> float:
        return self.start_s + sum(p.seconds for p in self.phases)


@dataclass(frozen=True)
class Style:
    """How the cues sound: words or tones only, counts, and night mode's fewer words."""

    words: bool = True
    counts: bool = False
    night: bool = False
    tones_after_first: bool = False  # night mode: words in the first cycle only


PHASE_WORDS = {"in": "in", "top_up": "and in", "hold": "hold", "out": "out", "rest": "hold"}
COUNT_WORDS = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]


@dataclass
class BreathingPlan:
    """The exercise as cues on one clock; `steer()` changes the cycles that have not started.

    `start_s` is where the first breath begins (after the intro). With `minutes`, as many whole
    cycles as fit; with `cycles`, that many (4-7-8 is capped at four, as its author advises).
    """

    pattern: Pattern
    start_s: float = 0.0
    cycles: int | None = None
    minutes: float | None = None
    style: Style = field(default_factory=Style)
    notes: list[str] = field(default_factory=list)  # what the plan changed from the request, said once

    def __post_init__(self) -> None:
        p = self.pattern
        if self.cycles is not None and self.minutes is not None:
            raise PatternError("Give --minutes or --cycles, not both.")
        if self.cycles is not None and self.cycles < 1:
            raise PatternError("--cycles must be at least 1.")
        if self.minutes is not None and not 0 < self.minutes <= 60:
            raise PatternError("--minutes must be more than 0 and at most 60.")
        if self.cycles is None and self.minutes is None:
            self.cycles, self.minutes = p.default_cycles, p.default_minutes
        if self.minutes is not None:
            self.cycles = None
            self._until_s: float | None = self.start_s + self.minutes * 60
            planned = max(1, int(self.minutes * 60 // p.cycle_s + 1e-9))
        else:
            self._until_s = None
            planned = int(self.cycles or 1)
        if p.max_cycles is not None and planned > p.max_cycles:
            self.notes.append(f"{p.title} is kept to {p.max_cycles} cycles at first, as its author advises.")
            planned = p.max_cycles
            self._until_s = None
        self.planned_cycles = planned
        self.scale = 1.0
        self.stopped_at: float | None = None
        self._words_from_s: float | None = None  # "just tones": words end here
        self._count = planned
        self._cycles: list[Cycle] = []
        self._layout(0, self.start_s)

    # -- layout ---------------------------------------------------------------------------
    def _scaled(self) -> tuple[Phase, ...]:
        return tuple(replace(ph, seconds=min(MAX_PHASE_S, ph.seconds * self.scale)) for ph in self.pattern.phases)

    def _layout(self, first: int, start_s: float) -> None:
        """Lay cycles `first`… end to end from `start_s` with the current scale."""
        del self._cycles[first:]
        phases = self._scaled()
        length = sum(ph.seconds for ph in phases)
        i, t = first, start_s
        while True:
            if self._until_s is None:
                if i >= self._count:
                    break
            elif i > 0 and t + length > self._until_s + 1e-6:
                break
            self._cycles.append(Cycle(i, t, phases))
            i, t = i + 1, t + length
        if self._until_s is not None:
            self._count = len(self._cycles)

    @property
    def cycle_list(self) -> tuple[Cycle, ...]:
        return tuple(self._cycles)

    @property
    def end_s(self) -> float:
        """When the last breath ends (or when "stop" was heard)."""
        if self.stopped_at is not None:
            return self.stopped_at
        return self._cycles[-1].end_s if self._cycles else self.start_s

    def cycle_at(self, at_s: float) -> int:
        """The index of the cycle running at `at_s` (-1 before the first)."""
        found = -1
        for c in self._cycles:
            if c.start_s <= at_s:
                found = c.index
        return found

    def completed_cycles(self, at_s: float | None = None) -> int:
        at = self.end_s if at_s is None else min(at_s, self.end_s)
        return sum(1 for c in self._cycles if c.end_s <= at + 1e-6 and not c.partial)

    # -- steering -------------------------------------------------------------------------
    def steer(self, steering: "Steering", at_s: float) -> str:
        """Apply one steering word heard at `at_s`; returns what changed, for the log and the store."""
        current = self.cycle_at(at_s)
        nxt = current + 1
        if steering.kind == "stop":
            self.stopped_at = max(at_s, self.start_s)
            del self._cycles[nxt:]
            if self._cycles and self._cycles[-1].end_s > self.stopped_at:
                self._cycles[-1] = replace(self._cycles[-1], phases=self._truncate(self._cycles[-1]), partial=True)
            return "stopped"
        if steering.kind == "just_tones":
            if self.style.words:
                self._words_from_s = at_s
            self.style = replace(self.style, words=False)
            return "tones only"
        if steering.kind == "words":
            self.style = replace(self.style, words=True)
            self._words_from_s = None
            return "words again"
        if steering.kind == "one_more":
            if self.pattern.max_cycles is not None and self._count >= self.pattern.max_cycles:
                return f"kept to {self.pattern.max_cycles} cycles"
            self._count = len(self._cycles) + 1
            if self._until_s is not None:
                self._until_s = None
            self._layout(len(self._cycles), self._cycles[-1].end_s if self._cycles else self.start_s)
            return "one more cycle"
        factor = steering.factor
        if steering.kind == "faster":
            factor = 1 / factor
        shortest = min(ph.seconds for ph in self.pattern.phases) * self.scale * factor
        longest = max(ph.seconds for ph in self.pattern.phases) * self.scale * factor
        if shortest < MIN_PHASE_S or longest > MAX_PHASE_S:
            return "already as " + ("fast" if steering.kind == "faster" else "slow") + " as it goes"
        self.scale *= factor
        self._layout(nxt, self._cycles[current].end_s if current >= 0 else self.start_s)
        return f"{steering.kind}: each part now ×{self.scale:.2f} of the pattern"

    def _truncate(self, cycle: Cycle) -> tuple[Phase, ...]:
        kept, t = [], cycle.start_s
        for ph in cycle.phases:
            if t >= self.stopped_at:
                break
            kept.append(replace(ph, seconds=min(ph.seconds, self.stopped_at - t)))
            t += ph.seconds
        return tuple(kept)

    # -- cues -----------------------------------------------------------------------------
    def cues(self) -> list[Cue]:
        """Every breathing cue of the plan as it stands, in time order."""
        out: list[Cue] = []
        words_cutoff = self._words_from_s
        for cycle in self._cycles:
            t = cycle.start_s
            for ph in cycle.phases:
                out.extend(self._phase_cues(cycle, ph, t, words_cutoff))
                t += ph.seconds
        return out

    def _phase_cues(self, cycle: Cycle, ph: Phase, t: float, words_cutoff: float | None) -> list[Cue]:
        s = self.style
        speak = s.words or (words_cutoff is not None and t < words_cutoff)
        speak = speak and not (s.tones_after_first and cycle.index > 0)
        if s.night and ph.kind in ("hold", "rest"):
            speak = False  # night: fewer words, holds are a tone
        cues = [Cue(t, ph.kind, cycle.index, ph.seconds, PHASE_WORDS[ph.kind] if speak else "", tone=True)]
        if speak and s.counts and not s.night:
            whole = min(math.ceil(ph.seconds - 1e-6), len(COUNT_WORDS) + 1)
            cues += [Cue(t + k, "count", cycle.index, 0.0, COUNT_WORDS[k - 1], tone=False) for k in range(1, whole)]
        return cues

    def cues_between(self, from_s: float, to_s: float) -> list[Cue]:
        return [c for c in self.cues() if from_s <= c.at_s < to_s]

    def as_dict(self) -> dict:
        """The schedule as data (for the web page's breathing circle and for tests)."""
        return {
            "pattern": self.pattern.name, "title": self.pattern.title,
            "phases": [{"kind": p.kind, "seconds": p.seconds} for p in self.pattern.phases],
            "start_s": self.start_s, "end_s": round(self.end_s, 4), "scale": round(self.scale, 4),
            "planned_cycles": self.planned_cycles, "cycles": len(self._cycles),
            "cues": [c.as_dict() for c in self.cues()],
        }


# -- steering words -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Steering:
    kind: Literal["slower", "faster", "stop", "one_more", "just_tones", "words"]
    factor: float = STEP


_STEERING = [
    ("stop", re.compile(r"\b(stop|enough|that'?s enough|end it|i'?m done|finish|quit)\b")),
    ("one_more", re.compile(r"\b(one more|another one|again|keep going|more cycles?)\b")),
    ("just_tones", re.compile(r"\b(just (the )?tones?|only (the )?tones?|no (more )?words|tones? only|quiet(er)? please)\b")),
    ("words", re.compile(r"\b(words (again|back|please)|talk (to me )?again)\b")),
    ("slower", re.compile(r"\b(slower|slow (it )?down|too fast|longer|lower|flower)\b")),
    ("faster", re.compile(r"\b(faster|quicker|speed (it )?up|too slow|shorter)\b")),
]
_MUCH = re.compile(r"\b(much|a lot|way|lots)\b")


def parse_steering(text: str) -> Steering | None:
    """What a few words said during the exercise ask for, or None (e.g. the cue's own echo)."""
    t = text.lower().strip()
    if not t:
        return None
    for kind, pattern in _STEERING:
        if pattern.search(t):
            if kind in ("slower", "faster") and _MUCH.search(t):
                return Steering(kind, STEP * STEP)
            return Steering(kind)  # type: ignore[arg-type]
    return None


def parse_mood(text: str) -> int | None:
    """The check-in answer (1…10), read by the one mood reader the journal uses too, as an answer to a question."""
    mood = read_mood(text, asked=True)
    return mood.value if mood else None
