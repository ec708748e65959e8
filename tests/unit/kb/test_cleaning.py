from b24app.services.kb import clean_query, request_query


def test_greeting_and_thanks_are_removed():
    text = "Добрый день! Не включается котёл. Заранее спасибо!"
    assert clean_query(text) == "Не включается котёл."


def test_greeting_without_punctuation_keeps_the_question():
    assert clean_query("Здравствуйте подскажите как сбросить пароль") == "подскажите как сбросить пароль"


def test_signature_and_everything_after_it_is_removed():
    text = "Насос сильно шумит.\nС уважением, Иван Петров\nООО «Тепло»\n+7 900 000-00-00"
    assert clean_query(text) == "Насос сильно шумит."


def test_quoted_replies_are_removed():
    text = (
        "Всё ещё не работает.\n> Проверьте подачу газа\n> и напряжение\n"
        "-----Original Message-----\nFrom: support\nСтарый текст"
    )
    assert clean_query(text) == "Всё ещё не работает."


def test_outlook_header_block_ends_the_new_text():
    text = "Ошибка E01 снова.\nОт: Поддержка Отправлено: 1 марта\nТема: котёл"
    assert clean_query(text) == "Ошибка E01 снова."


def test_links_and_emails_are_removed():
    text = "Скриншот тут https://disk.example.com/a?b=1 и www.example.ru, пишите на ivan@example.com"
    cleaned = clean_query(text)
    assert "http" not in cleaned and "example" not in cleaned and "@" not in cleaned
    assert cleaned.startswith("Скриншот тут")


def test_request_query_joins_title_and_description():
    assert request_query("Котёл", "Здравствуйте. Не включается") == "Котёл\nНе включается"
