"""How answers to the direct question are heard: answers written blind by people who saw no code.

When the companion asks "are you thinking about ending your life?", the next turn is the answer
(dialogue/screening.py). A yes — hedged, unsure, "just the thought" — must reach the acute response;
a no must not; anything else is assessed as an ordinary turn. This prints, per file, what
`classify_answer` makes of each answer and the level the turn finally gets (the answer's own
assessment by both safety layers, then `DirectQuestion.resolve`), with every miss.

Files: bench/direct_answers_a*.tsv (label, kind, answer). a1 was measured once on the old reading
and then used to write the new one; a2 and then a3 were each measured once on the reading of their day,
then their misses mended.

    .venv/bin/python bench/direct_answers.py [FILE ...]
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from common import ROOT, table

from safety_train import load  # the labelled-TSV reader: (label, kind, answer) rows

from dialogue.safety import assess_layers
from dialogue.screening import DirectQuestion, classify_answer

ANSWERS = sorted((ROOT / "bench").glob("direct_answers_a*.tsv"))
LABELS = ("yes", "no", "unclear")


def final_level(answer: str) -> str:
    """The level the answer's turn gets right after the direct question was asked."""
    waiting = DirectQuestion()
    waiting.asked_now()
    assessment, _ = waiting.resolve(answer, assess_layers(answer).final)
    return assessment.level


def report(path: Path) -> str:
    rows = load(path)
    heard = Counter()
    levels = Counter()
    misses = []
    for label, kind, answer in rows:
        got, level = classify_answer(answer), final_level(answer)
        heard[label, got] += 1
        levels[label, level] += 1
        if got != label or (label == "yes") != (level == "acute"):
            misses.append(f"  {label:7} heard {got:7} → {level:7} [{kind}] {answer}")
    counts = Counter(label for label, _, _ in rows)
    out = [f"## {path.name} ({len(rows)} answers)", "",
           table(["truth", "n", "heard yes", "heard no", "heard unclear", "turn acute", "turn concern", "turn none"],
                 [[label, counts[label], *(heard[label, g] for g in LABELS),
                   *(levels[label, lv] for lv in ("acute", "concern", "none"))] for label in LABELS]),
           "", *misses, ""]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=ANSWERS)
    for path in parser.parse_args().files:
        print(report(path))


if __name__ == "__main__":
    main()
