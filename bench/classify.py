"""Accuracy of the type/urgency proposal on the demo history (leave-one-out), and how many proposals
would be applied automatically at a threshold, with their accuracy.

    .venv/bin/python bench/classify.py [--count 200] [--threshold 0.75]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from classify_data import demo_history

from b24app.services.triage import DEFAULT_THRESHOLD, LabelledText, Triage


def evaluate(history: list[LabelledText], threshold: float, use_neighbours: bool = True) -> dict[str, float]:
    triage = Triage(history if use_neighbours else [])
    counts = {
        "type_ok": 0,
        "urg_ok": 0,
        "type_applied": 0,
        "type_applied_ok": 0,
        "urg_applied": 0,
        "urg_applied_ok": 0,
    }
    for index, row in enumerate(history):
        proposal = triage.propose(row.text, exclude=index if use_neighbours else None)
        for key, guess, truth in (
            ("type", proposal.request_type, row.request_type),
            ("urg", proposal.urgency, row.urgency),
        ):
            ok = guess.code == truth
            counts[f"{key}_ok"] += ok
            if guess.applies(threshold):
                counts[f"{key}_applied"] += 1
                counts[f"{key}_applied_ok"] += ok
    n = len(history)
    return {
        "type_acc": counts["type_ok"] / n,
        "urg_acc": counts["urg_ok"] / n,
        "type_applied": counts["type_applied"] / n,
        "type_applied_acc": counts["type_applied_ok"] / max(1, counts["type_applied"]),
        "urg_applied": counts["urg_applied"] / n,
        "urg_applied_acc": counts["urg_applied_ok"] / max(1, counts["urg_applied"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    args = parser.parse_args()
    demo = demo_history(args.count)
    history = [LabelledText(r.text, r.request_type, r.urgency) for r in demo]
    majority_type = max({r.request_type for r in demo}, key=lambda t: sum(r.request_type == t for r in demo))
    majority_urg = max({r.urgency for r in demo}, key=lambda u: sum(r.urgency == u for r in demo))
    print(f"{len(demo)} demo requests, leave-one-out, auto-apply threshold {args.threshold}")
    print(
        f"majority baseline: type {sum(r.request_type == majority_type for r in demo) / len(demo):.1%}, "
        f"urgency {sum(r.urgency == majority_urg for r in demo) / len(demo):.1%}"
    )
    header = (
        f"{'method':<24}{'type acc':>9}{'urg acc':>9}{'type auto':>11}{'its acc':>9}"
        f"{'urg auto':>10}{'its acc':>9}{'ms/req':>8}"
    )
    print(header)
    print("-" * len(header))
    for label, neighbours in (("keyword priors only", False), ("priors + neighbours", True)):
        started = time.perf_counter()
        m = evaluate(history, args.threshold, neighbours)
        elapsed = (time.perf_counter() - started) * 1000 / len(history)
        print(
            f"{label:<24}{m['type_acc']:>9.1%}{m['urg_acc']:>9.1%}{m['type_applied']:>11.1%}"
            f"{m['type_applied_acc']:>9.1%}{m['urg_applied']:>10.1%}{m['urg_applied_acc']:>9.1%}{elapsed:>8.2f}"
        )


if __name__ == "__main__":
    main()
