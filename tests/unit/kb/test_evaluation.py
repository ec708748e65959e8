import json

import pytest

from b24app.services.kb import KbIndex, gap_key
from b24app.services.kb.evaluation import EvalCase, evaluate, load_articles, load_cases, percentile

from .factories import equipment_kb


def fixed_ranker(answers: dict[str, list[str]]):
    return lambda query, k: answers[query][:k]


def test_metrics_on_known_rankings():
    cases = [
        EvalCase("q1", ("a",)),  # first
        EvalCase("q2", ("b",)),  # third
        EvalCase("q3", ("c", "x")),  # second relevant at fifth
        EvalCase("q4", ("z",)),  # not found
    ]
    ranker = fixed_ranker(
        {"q1": ["a", "b", "c"], "q2": ["a", "c", "b"], "q3": ["a", "b", "d", "e", "x"], "q4": ["a"]}
    )
    result = evaluate(ranker, cases)
    assert list(result) == [
        "cases",
        "recall_at_1",
        "recall_at_3",
        "mrr_at_10",
        "ms_per_query_p50",
        "ms_per_query_p95",
    ]
    assert result["cases"] == 4
    assert result["recall_at_1"] == 0.25
    assert result["recall_at_3"] == 0.5
    assert result["mrr_at_10"] == pytest.approx((1 + 1 / 3 + 1 / 5) / 4, abs=1e-4)
    assert result["ms_per_query_p50"] >= 0


def test_evaluate_accepts_articles_or_an_index():
    cases = [
        EvalCase("Насос шумит", ("pump-noise",)),
        EvalCase("какой гарантийный срок", ("warranty-terms",)),
    ]
    assert evaluate(equipment_kb(), cases)["recall_at_1"] == 1.0
    assert evaluate(KbIndex(equipment_kb()), cases)["recall_at_3"] == 1.0


def test_percentile_is_nearest_rank():
    assert percentile([5, 1, 3, 2, 4], 50) == 3
    assert percentile(list(range(1, 101)), 95) == 95
    assert percentile([], 95) == 0.0


def test_loaders_read_kb_eval_files(tmp_path):
    kb = tmp_path / "kb.jsonl"
    kb.write_text(
        json.dumps(
            {"id": "kb-1", "title": "Т", "body": "Б", "topic": "Раздел", "category": "К", "subcategory": "П"},
            ensure_ascii=False,
        )
        + "\n\n",
        encoding="utf-8",
    )
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"query": "вопрос", "relevant": ["kb-1", "kb-2"]}\n', encoding="utf-8")
    (doc,) = load_articles(kb)
    assert (doc.id, doc.title, doc.body, doc.tags, doc.category) == ("kb-1", "Т", "Б", ("Раздел",), "П")
    assert load_cases(cases) == [EvalCase("вопрос", ("kb-1", "kb-2"))]


def test_gap_key_groups_rewordings():
    assert gap_key("Здравствуйте! Как сдать котёл в утиль?") == gap_key("котел утиль сдать")
