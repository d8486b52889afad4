"""How finished turns are shown: a plain transcript line, or one JSON object per turn."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TextIO

from .events import TurnReport


def format_pause(duration_s: float) -> str:
    return f"… ({duration_s:.1f} s) …"


class TurnPrinter:
    def __init__(self, out: TextIO, as_json: bool = False):
        self.out = out
        self.as_json = as_json

    def __call__(self, report) -> None:
        """Takes any conversation event; prints the turns."""
        if not isinstance(report, TurnReport):
            return
        if self.as_json:
            data = asdict(report)
            data["start_s"] = round(report.start_s, 3)
            data["end_s"] = round(report.end_s, 3)
            print(json.dumps(data), file=self.out, flush=True)
            return
        who = "you" if report.speaker == "user" else "stillpoint"
        mark = " [interrupted]" if report.interrupted else ""
        print(f"[{report.start_s:7.2f}s] {who}: {report.text}{mark}", file=self.out, flush=True)
