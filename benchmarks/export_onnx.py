"""Export the embedding model and the stance cross-encoder to ONNX (``interviewer.scoring.onnx_export``).

    .venv/bin/python benchmarks/export_onnx.py               # into the user cache, where grading finds them
    .venv/bin/python benchmarks/export_onnx.py --out DIR     # into DIR/embedder and DIR/stance instead
    .venv/bin/python benchmarks/export_onnx.py --quantize --out DIR   # int8 (measured: outside the bounds)

Grading exports them by itself the first time (one line on stderr); run this after retraining the stance
model (``benchmarks/train_stance.py``) to pay the export up front, or at install time. Without --out, a
model whose export is already in the cache is left alone (the cache is keyed by its weights). The last line
is one JSON object: per model, the folder, the file's size and the export time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from interviewer.config import load_settings  # noqa: E402
from interviewer.scoring import onnx_export  # noqa: E402
from interviewer.scoring.embedder import resolve_model  # noqa: E402
from interviewer.scoring.stance import DEFAULT_STANCE_MODEL  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, help="export into this folder instead of the user cache")
    parser.add_argument("--quantize", action="store_true", help="dynamic int8 quantisation (with --out only)")
    parser.add_argument("--stance", type=Path, default=DEFAULT_STANCE_MODEL, help="stance model folder")
    args = parser.parse_args()
    if args.quantize and args.out is None:
        parser.error("--quantize needs --out: grading uses float32 exports only")
    sources = {"embedder": Path(resolve_model(load_settings().embedding_model)), "stance": args.stance}
    figures: dict[str, object] = {"benchmark": "export_onnx", "quantized": args.quantize}
    for kind, source in sources.items():
        started = time.perf_counter()
        if args.out is None:
            folder = onnx_export.ensure(kind, source)
        else:
            folder = onnx_export.export(kind, source, args.out / kind, quantize=args.quantize)
        seconds = time.perf_counter() - started
        size = (folder / onnx_export.GRAPH).stat().st_size
        print(f"{kind}: {folder} ({size / 1e6:.1f} MB, {seconds:.1f} s)")
        figures[kind] = {"folder": str(folder), "mb": round(size / 1e6, 1), "seconds": round(seconds, 1)}
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
