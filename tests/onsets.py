"""A plain energy onset detector for checking cue timing from the outside.

It knows nothing about the plan: it reports every moment the signal rises from quiet (below
`quiet` for at least `gap_s`) to sound (above `level`), at 1 ms resolution, refined to the first
sample above the level. Cues are tones and words at least a second apart, so this is exact enough
to judge a 20 ms tolerance.
"""

from __future__ import annotations

import numpy as np


def onsets(audio: np.ndarray, rate: int, *, level: float = 0.01, quiet: float = 0.004, gap_s: float = 0.12) -> list[float]:
    hop = max(1, rate // 1000)
    n = len(audio) // hop
    env = np.abs(audio[: n * hop]).reshape(n, hop).max(axis=1)
    found: list[float] = []
    need = int(gap_s * 1000)
    quiet_run, armed = need, True  # armed: a long enough quiet has passed, the next rise is an onset
    for i, value in enumerate(env):
        quiet_run = quiet_run + 1 if value < quiet else 0
        if quiet_run >= need:
            armed = True
        if armed and value > level:
            first = i * hop + int(np.flatnonzero(np.abs(audio[i * hop : (i + 1) * hop]) > level)[0])
            found.append(first / rate)
            armed = False
    return found


def match(planned: list[float], found: list[float]) -> list[float]:
    """Signed error (found - planned) of the nearest detected onset for every planned time."""
    arr = np.asarray(found)
    return [float(arr[np.abs(arr - t).argmin()] - t) if len(arr) else float("inf") for t in planned]
