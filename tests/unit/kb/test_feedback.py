import pytest

from b24app.services.kb import FeedbackModel, KbIndex, Signal, is_gap

from .factories import article, ids

QUESTION = "Как перенести лицензию на другой компьютер"
PARAPHRASE = "нужно перенести лицензию программы на новый компьютер"


def licence_kb() -> KbIndex:
    return KbIndex(
        [
            article("licence-transfer", "Активация программы", "Ключ активации можно деактивировать."),
            article("computer-move", "Перенос данных на другой компьютер", "Скопируйте папку базы."),
            article("licence-buy", "Покупка лицензии", "Лицензию можно купить на сайте."),
        ]
    )


def rank_of(doc_id: str, index: KbIndex, query: str, feedback=None) -> int:
    return ids(index.search(query, k=10, feedback=feedback)).index(doc_id)


def test_helped_article_rises_for_a_paraphrase():
    index = licence_kb()
    assert rank_of("licence-transfer", index, PARAPHRASE) > 0
    feedback = FeedbackModel([(QUESTION, "licence-transfer", "helped")])
    assert rank_of("licence-transfer", index, PARAPHRASE, feedback) == 0


def test_not_helped_lowers_an_article():
    index = licence_kb()
    top = ids(index.search(PARAPHRASE))[0]
    before = index.search(PARAPHRASE, k=10)
    feedback = FeedbackModel([Signal(QUESTION, top, "not_helped")])
    after = index.search(PARAPHRASE, k=10, feedback=feedback)
    assert ids(after)[0] != top
    score = {hit.doc_id: hit.score for hit in before}[top]
    assert {hit.doc_id: hit.score for hit in after}.get(top, 0.0) < score


def test_feedback_does_not_touch_unrelated_questions():
    index = licence_kb()
    feedback = FeedbackModel([(QUESTION, "licence-transfer", "helped")])
    query = "где купить программу"
    assert ids(index.search(query, feedback=feedback)) == ids(index.search(query))


def test_inserting_counts_less_than_helped():
    inserted = FeedbackModel([(QUESTION, "licence-transfer", "inserted")]).boosts(PARAPHRASE)
    helped = FeedbackModel([(QUESTION, "licence-transfer", "helped")]).boosts(PARAPHRASE)
    assert 0 < inserted["licence-transfer"] < helped["licence-transfer"] <= 1


def test_unknown_signal_is_rejected():
    with pytest.raises(ValueError):
        FeedbackModel().record(QUESTION, "licence-transfer", "liked")


def test_an_article_helpful_for_the_same_question_is_not_reported_as_a_gap():
    index = licence_kb()
    question = "не запускается программа после переустановки windows"
    assert is_gap(index.search(question))
    feedback = FeedbackModel([(question, "licence-transfer", "helped")] * 3)
    hits = index.search(question, feedback=feedback)
    assert hits[0].doc_id == "licence-transfer"
    assert not is_gap(hits)
