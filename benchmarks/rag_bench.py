"""Written style retrieval speed: ingest a 50,000-word document, query at 20,000 chunks.

Budgets (issue 6): a 100-page novel (~50,000 words) ingests offline in under 30 s;
query p95 ≤ 30 ms at 20,000 chunks. Prints figures and PASS/FAIL.
Run: python benchmarks/rag_bench.py
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("AIUTEUR_HOME", tempfile.mkdtemp(prefix="aiuteur-rag-bench-"))

from aiuteur_desktop.core.styles.written import WrittenStyles
from aiuteur_desktop.providers.offline.embedder import OfflineEmbedder

WORDS = [
    "storm",
    "lamp",
    "keeper",
    "boat",
    "rocks",
    "night",
    "sea",
    "light",
    "tower",
    "rope",
    "wind",
    "rain",
    "cold",
    "door",
    "stair",
    "glass",
    "shout",
    "whisper",
    "run",
    "fall",
    "rise",
    "wait",
    "listen",
    "silence",
    "harbour",
    "morning",
]


def novel(words: int, rng: random.Random) -> str:
    paragraphs, count = [], 0
    while count < words:
        n = rng.randint(40, 120)
        sentence_words = [rng.choice(WORDS) for _ in range(n)]
        paragraphs.append(" ".join(sentence_words).capitalize() + ".")
        count += n
    return "\n\n".join(paragraphs)


def main() -> int:
    rng = random.Random(11)
    styles = WrittenStyles(OfflineEmbedder(), Path(os.environ["AIUTEUR_HOME"]))
    styles.create("Bench")
    OfflineEmbedder().embed_texts(["warm up"])  # model load is not part of ingest
    text = novel(50_000, rng)
    t = time.perf_counter()
    chunks = styles.add_document("Bench", "novel.txt", text)
    ingest = time.perf_counter() - t
    ok = ingest < 30
    print(
        f"ingest 50,000 words ({chunks} chunks): {ingest:.2f} s  budget < 30 s  "
        f"{'PASS' if ingest < 30 else 'FAIL'}"
    )
    # Grow the library to 20,000 chunks with more documents.
    doc = 1
    while len(styles.chunks("Bench")) < 20_000:
        styles.add_document("Bench", f"more-{doc}.txt", novel(60_000, rng))
        doc += 1
    total = len(styles.chunks("Bench"))
    queries = [" ".join(rng.choice(WORDS) for _ in range(8)) for _ in range(60)]
    for q in queries[:5]:
        styles.retrieve("Bench", q, k=5)  # warm caches
    times = []
    for q in queries:
        t = time.perf_counter()
        styles.retrieve("Bench", q, k=5, task="Write the treatment")
        times.append((time.perf_counter() - t) * 1000)
    p50 = statistics.median(times)
    p95 = sorted(times)[int(len(times) * 0.95) - 1]
    ok &= p95 <= 30
    print(
        f"query at {total} chunks: p50 {p50:.1f} ms  p95 {p95:.1f} ms  budget p95 ≤ 30 ms  "
        f"{'PASS' if p95 <= 30 else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
