from b24app.services.kb.text import STOP_WORDS, fold, terms, tokens, transliterate


def test_case_and_yo_are_folded():
    assert fold("ЁЛКА Зелёная") == "елка зеленая"
    assert terms("Зелёный") == terms("ЗЕЛЕНЫЙ")


def test_word_forms_share_one_stem():
    assert len(set(terms("трансляция трансляции трансляцию трансляциями"))) == 1
    assert terms("монетизация") == terms("монетизации")


def test_stop_words_are_dropped_but_negation_is_kept():
    assert terms("как мне это сделать") == terms("сделать")
    assert "не" not in STOP_WORDS
    assert [t.term for t in tokens("не включается")] == ["не", *terms("включается")]


def test_latin_and_cyrillic_product_names_meet():
    assert terms("PCh-75") == terms("ПЧ-75") == ["пч75"]
    assert terms("RUTUBE") == terms("рутубе")
    assert transliterate("vmix") == "вмикс"
    assert terms("Shorts") == terms("шортс")
    assert transliterate("otsenka") == "оценка"


def test_latin_lookalikes_inside_russian_words_are_read_as_cyrillic():
    assert terms("cтудия") == terms("студия")  # Latin "c"


def test_tokens_keep_the_words_as_written():
    assert [t.surface for t in tokens("Не запускается ПЧ-75")] == ["Не", "запускается", "ПЧ-75"]
