from b24app.services.kb import KbIndex, is_gap

from .factories import article, equipment_index, equipment_kb, ids


def test_word_forms_find_the_article():
    hits = equipment_index().search("горелка котла не зажглась")
    assert ids(hits)[0] == "boiler-ignition"
    assert 0 < hits[0].score <= 1


def test_matched_terms_are_the_question_words():
    hits = equipment_index().search("Здравствуйте! Шумит насос в котельной")
    assert hits[0].doc_id == "pump-noise"
    assert set(hits[0].matched_terms) >= {"Шумит", "насос"}
    assert "Здравствуйте" not in hits[0].matched_terms


def test_typos_still_find_the_article():
    assert ids(equipment_index().search("как востановить парль"))[0] == "password-reset"


def test_product_name_in_latin_finds_the_cyrillic_article():
    assert ids(equipment_index().search("PCh-75 nastroyka"))[0] == "inverter-setup"


def test_title_match_beats_body_match():
    index = KbIndex(
        [
            article("in-body", "Общие сведения", "Иногда требуется калибровка датчика давления."),
            article("in-title", "Калибровка датчика давления", "Порядок действий описан ниже."),
        ]
    )
    assert ids(index.search("калибровка датчика"))[0] == "in-title"


def test_symptoms_weigh_more_than_body():
    index = KbIndex(
        [
            article("body", "Сервисное обслуживание", "Если появляется конденсат, обратитесь в сервис."),
            article("fault", "Неисправность теплообменника", "Замените прокладку.", symptoms="конденсат"),
        ]
    )
    assert ids(index.search("появился конденсат"))[0] == "fault"


def test_request_type_and_product_lift_matching_articles():
    index = KbIndex(
        [
            article("manual", "Замена фильтра котла", kind="manual", product="Котёл КГ-24"),
            article("fault", "Замена фильтра котла", kind="fault", product="Котёл КГ-32"),
        ]
    )
    assert ids(index.search("замена фильтра", request_type="support"))[0] == "fault"
    assert ids(index.search("замена фильтра", request_type="consultation"))[0] == "manual"
    assert ids(index.search("замена фильтра", product="Котел КГ-24"))[0] == "manual"
    assert ids(index.search("замена фильтра", product="Kotel KG-32"))[0] == "fault"


def test_updated_article_is_found_by_its_new_text():
    index = equipment_index()
    assert "pump-noise" not in ids(index.search("протечка теплоносителя"))
    index.update(article("pump-noise", "Протечка теплоносителя из насоса", "Подтяните гайки."))
    assert ids(index.search("протечка теплоносителя"))[0] == "pump-noise"
    assert "pump-noise" not in ids(index.search("шумит и вибрирует"))


def test_removed_article_is_no_longer_suggested():
    index = equipment_index()
    assert index.remove("warranty-terms")
    assert "warranty-terms" not in ids(index.search("гарантийный срок", k=10))
    assert not index.remove("warranty-terms")
    assert len(index) == len(equipment_kb()) - 1


def test_added_article_is_found_without_rebuilding():
    index = equipment_index()
    index.add(article("new", "Замерзание конденсатоотводчика зимой", "Утеплите трубу."))
    assert ids(index.search("конденсатоотводчик замерз"))[0] == "new"


def test_off_topic_question_is_a_gap_and_on_topic_is_not():
    index = equipment_index()
    assert is_gap(index.search("рецепт борща с говядиной"))
    assert is_gap(index.search("когда отпуск у бухгалтера Марии"))
    assert not is_gap(index.search("Горелка котла не зажигается, ошибка E01"))


def test_empty_or_pleasantry_only_query_suggests_nothing():
    index = equipment_index()
    assert index.search("") == []
    assert index.search("Добрый день! Спасибо!") == []
    assert is_gap([])


def test_many_additions_keep_ranking_right_after_norms_refresh():
    index = KbIndex([article("short", "Сброс ошибки E05", "Выключите и включите питание.")])
    for n in range(30):
        index.add(article(f"long-{n}", f"Регламент обслуживания {n}", "Проверка узлов оборудования. " * 40))
    assert ids(index.search("как сбросить ошибку E05"))[0] == "short"
    assert ids(index.search("регламент обслуживания 7"))[0] == "long-7"


def test_the_last_article_with_a_repeated_id_wins():
    index = KbIndex([article("a", "Старый заголовок про насос"), article("a", "Новый заголовок про котёл")])
    assert len(index) == 1
    assert ids(index.search("котёл")) == ["a"]
    assert index.search("насос") == []
