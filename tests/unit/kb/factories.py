"""Small hand-made articles for knowledge-base tests."""

from b24app.services.kb import KbDoc, KbIndex


def article(doc_id: str, title: str, body: str = "", **fields) -> KbDoc:
    return KbDoc(id=doc_id, title=title, body=body, **fields)


def equipment_kb() -> list[KbDoc]:
    """A tiny KB of a heating-equipment vendor: faults, manuals, warranty."""
    return [
        article(
            "boiler-ignition",
            "Котёл не включается, горелка не зажигается",
            "Проверьте подачу газа и напряжение сети. Очистите электрод розжига.",
            kind="fault",
            tags=("котёл", "горелка"),
            symptoms="горелка не зажигается, на дисплее ошибка E01",
            product="Котёл КГ-24",
        ),
        article(
            "pump-noise",
            "Насос шумит и вибрирует",
            "Удалите воздух из системы отопления и проверьте крепление насоса.",
            kind="fault",
            tags=("насос",),
        ),
        article(
            "inverter-setup",
            "Настройка частотного преобразователя ПЧ-75",
            "Параметры двигателя задаются в меню P1: мощность, ток, частота.",
            kind="manual",
            product="ПЧ-75",
        ),
        article(
            "warranty-terms",
            "Гарантийный срок на оборудование",
            "Гарантия составляет 24 месяца с даты продажи при наличии талона.",
            kind="warranty",
        ),
        article(
            "password-reset",
            "Как восстановить пароль личного кабинета",
            "Нажмите «Забыли пароль» на странице входа и следуйте письму.",
            kind="faq",
        ),
        article(
            "invoice-copy",
            "Где получить копию счёта",
            "Счета и акты доступны в личном кабинете в разделе «Документы».",
            kind="faq",
        ),
    ]


def equipment_index() -> KbIndex:
    return KbIndex(equipment_kb())


def ids(hits) -> list[str]:
    return [hit.doc_id for hit in hits]
