"""Evaluates crisis-language assessment on the project's labelled set (bench/safety_set.tsv).

Reports recall on acute utterances, recall on acute+concern together (anything flagged), the
false-alarm rate on `none`, and every miss, by category. The set is the project's own (see its
header); it measures the rules, it does not prove them: real speech is more varied.

    .venv/bin/python bench/safety_eval.py [--misses]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from common import ROOT, table
from dialogue.safety import LEVELS, assess

SET = Path(__file__).with_name("safety_set.tsv")
HOLDOUT = Path(__file__).with_name("safety_holdout.tsv")


def load(path: Path = SET) -> list[tuple[str, str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        level, category, text = line.split("\t", 2)
        rows.append((level, category, text))
    return rows


def evaluate(rows):
    results = [(level, category, text, assess(text)) for level, category, text in rows]
    acute = [r for r in results if r[0] == "acute"]
    flagged_truth = [r for r in results if r[0] != "none"]
    none = [r for r in results if r[0] == "none"]
    metrics = {
        "utterances": len(results),
        "acute_recall": sum(r[3].level == "acute" for r in acute) / len(acute),
        "acute_or_concern_recall": sum(r[3].level != "none" for r in flagged_truth) / len(flagged_truth),
        "false_alarm_rate_on_none": sum(r[3].level != "none" for r in none) / len(none),
        "exact_level_accuracy": sum(r[0] == r[3].level for r in results) / len(results),
    }
    return metrics, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--misses", action="store_true", help="list every utterance whose level was wrong")
    args = parser.parse_args()
    metrics, results = evaluate(load())
    held, held_results = evaluate(load(HOLDOUT))
    print("Development set (the rules were written against it) and held-out set (never used to tune them):")
    print(table(["measure", "development", "held out"], [[k, v, held[k]] for k, v in metrics.items()]))
    confusion = Counter((r[0], r[3].level) for r in results)
    print()
    print(table(["truth \\ assessed", *LEVELS], [[t, *[confusion[(t, a)] for a in LEVELS]] for t in LEVELS]))
    if args.misses:
        print()
        for level, category, text, got in results + held_results:
            if got.level != level:
                print(f"{level:>7} → {got.level:<7} [{category}] {text}   ({got.reason}: {got.evidence!r})")
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "safety_eval.json").write_text(json.dumps({"development": metrics, "held_out": held}, indent=1))


if __name__ == "__main__":
    main()
