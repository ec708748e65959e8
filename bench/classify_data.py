"""A labelled demo history for the type/urgency proposal: ~200 requests of an industrial equipment
maker's clients (CNC machines, hydraulic stations, frequency converters, compressors), generated from a
fixed seed. Labels carry some noise on purpose: operators do not all label alike."""

from __future__ import annotations

import random
from dataclasses import dataclass

SEED = 20241122

EQUIPMENT = {
    "cnc": ["станок ЧПУ Т-400", "фрезерный станок ФС-32 с ЧПУ", "токарный станок с ЧПУ ТС-160"],
    "hydro": ["гидростанция ГС-250", "гидростанция ГС-100", "гидроагрегат пресса ГС-400"],
    "vfd": ["преобразователь частоты ПЧ-75", "частотник ПЧ-22", "преобразователь ПЧ-110"],
    "compressor": ["компрессор КВ-15", "винтовой компрессор КВ-30", "компрессорная установка КВ-55"],
}

SYMPTOMS = {
    "cnc": [
        ("не включается после скачка напряжения", "high"),
        ("выдаёт ошибку E-17 при запуске программы", "high"),
        ("шпиндель сильно вибрирует на высоких оборотах", "normal"),
        ("сбивается нулевая точка после смены инструмента", "normal"),
        ("не реагирует на кнопки пульта", "high"),
        ("периодически теряет связь с приводом оси X", "normal"),
    ],
    "hydro": [
        ("течь масла из-под уплотнения насоса", "normal"),
        ("падает давление в системе через полчаса работы", "high"),
        ("сильно шумит насос", "normal"),
        ("масло греется выше 70 градусов", "normal"),
        ("не запускается, горит авария по уровню масла", "high"),
    ],
    "vfd": [
        ("выдаёт ошибку перегрузки по току", "normal"),
        ("двигатель не разгоняется до номинальной частоты", "normal"),
        ("отключается через 10 минут работы", "high"),
        ("горит индикатор аварии, двигатель не вращается", "high"),
        ("иногда сбрасывает настройки после отключения питания", "low"),
    ],
    "compressor": [
        ("перегревается, срабатывает тепловая защита", "normal"),
        ("не набирает давление", "high"),
        ("стучит при запуске", "normal"),
        ("часто включается и выключается", "normal"),
        ("не запускается после замены фильтров", "high"),
    ],
}

QUESTIONS = {
    "cnc": [
        "как настроить смещение нулевой точки детали",
        "какие параметры менять для высокоскоростной обработки",
        "где взять инструкцию по программированию стойки",
        "можно ли подключить внешний щуп",
    ],
    "hydro": [
        "какое масло рекомендуете заливать зимой",
        "какая периодичность замены фильтров",
        "как правильно настроить предохранительный клапан",
    ],
    "vfd": [
        "как настроить плавный пуск с разгоном 20 секунд",
        "какие параметры задать для насосной нагрузки",
        "можно ли управлять преобразователем по Modbus",
        "где найти документацию на русском",
    ],
    "compressor": [
        "какая периодичность ТО рекомендуется",
        "можно ли установить компрессор в неотапливаемом помещении",
        "как правильно подобрать ресивер",
    ],
}

OTHER = [
    "Пришлите, пожалуйста, акт сверки за квартал",
    "Смена контактного лица по договору обслуживания",
    "Запрос коммерческого предложения на запасные части",
    "Нужны закрывающие документы по последней поставке",
    "Просим выставить счёт на продление сервисного договора",
]

OPENERS = [
    "",
    "Здравствуйте! ",
    "Добрый день. ",
    "Коллеги, добрый день! ",
    "Добрый день, уважаемые специалисты. ",
]
PLACES = ["", "На участке №3 ", "У нас на заводе ", "В цехе механической обработки ", "На объекте заказчика "]
CLOSERS = ["", " Спасибо.", " Ждём ответа.", " Заранее благодарим.", " Контакты в подписи."]
URGENT_CUES = {
    "critical": [
        " Стоит линия, остановка производства!",
        " Из-за этого простой всего участка.",
        " Остановка производства, каждый час простоя — убытки.",
    ],
    "high": [
        " Просим срочно прислать инженера.",
        " Срочно, нужна помощь сегодня.",
        " Нужен выезд как можно скорее.",
    ],
    "low": [" Не срочно, ответьте когда будет удобно.", " Вопрос плановый."],
}
WARRANTY_PHRASES = [
    "Оборудование на гарантии, куплено {months} мес. назад.",
    "Просим гарантийный ремонт: {equipment} куплен {months} мес. назад.",
    "Похоже на заводской брак, гарантия ещё действует.",
    "Гарантийный талон прилагаем, просим замену по гарантии.",
]
LEVELS = ["critical", "high", "normal", "low"]


@dataclass(frozen=True)
class DemoRequest:
    title: str
    description: str
    request_type: str
    urgency: str

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.description}"


def _cue(rng: random.Random, urgency: str) -> str:
    # Operators label urgency from context that is often not in the text: cues appear only sometimes.
    if urgency in URGENT_CUES and rng.random() < 0.7:
        return rng.choice(URGENT_CUES[urgency])
    return ""


def _support(rng: random.Random) -> DemoRequest:
    kind = rng.choice(list(EQUIPMENT))
    equipment = rng.choice(EQUIPMENT[kind])
    symptom, urgency = rng.choice(SYMPTOMS[kind])
    roll = rng.random()
    if roll < 0.15:
        urgency = "critical"
    elif roll < 0.25:
        urgency = "low" if urgency == "normal" else urgency
    title = (
        f"{equipment[0].upper()}{equipment[1:]} {symptom}"
        if rng.random() < 0.6
        else f"Неисправность: {equipment}"
    )
    place = rng.choice(PLACES)
    description = (
        f"{rng.choice(OPENERS)}{place}{equipment} {symptom}.{_cue(rng, urgency)}{rng.choice(CLOSERS)}"
    )
    return DemoRequest(title, description.strip(), "support", urgency)


def _warranty(rng: random.Random) -> DemoRequest:
    kind = rng.choice(list(EQUIPMENT))
    equipment = rng.choice(EQUIPMENT[kind])
    symptom, _ = rng.choice(SYMPTOMS[kind])
    urgency = rng.choices(["normal", "high", "low"], weights=[6, 3, 1])[0]
    phrase = rng.choice(WARRANTY_PHRASES).format(months=rng.randint(2, 20), equipment=equipment)
    title = rng.choice(
        [f"Гарантийный ремонт: {equipment}", f"{equipment[0].upper()}{equipment[1:]} {symptom}"]
    )
    description = (
        f"{rng.choice(OPENERS)}{equipment} {symptom}. {phrase}{_cue(rng, urgency)}{rng.choice(CLOSERS)}"
    )
    return DemoRequest(title, description.strip(), "warranty", urgency)


def _consultation(rng: random.Random) -> DemoRequest:
    kind = rng.choice(list(EQUIPMENT))
    equipment = rng.choice(EQUIPMENT[kind])
    question = rng.choice(QUESTIONS[kind])
    urgency = rng.choices(["low", "normal"], weights=[7, 3])[0]
    title = (
        f"{question[0].upper()}{question[1:]}?"
        if rng.random() < 0.5
        else f"Вопрос по оборудованию: {equipment}"
    )
    description = (
        f"{rng.choice(OPENERS)}Подскажите, {question} ({equipment})?{_cue(rng, urgency)}{rng.choice(CLOSERS)}"
    )
    return DemoRequest(title, description.strip(), "consultation", urgency)


def _other(rng: random.Random) -> DemoRequest:
    text = rng.choice(OTHER)
    urgency = rng.choices(["low", "normal"], weights=[1, 1])[0]
    return DemoRequest(text, f"{rng.choice(OPENERS)}{text}.{rng.choice(CLOSERS)}".strip(), "other", urgency)


def demo_history(count: int = 200, seed: int = SEED, noise: float = 0.08) -> list[DemoRequest]:
    """Requests in the customer's mix (support 45 %, warranty 25 %, consultation 22 %, other 8 %)."""
    rng = random.Random(seed)
    makers = [_support, _warranty, _consultation, _other]
    out = []
    for _ in range(count):
        maker = rng.choices(makers, weights=[45, 25, 22, 8])[0]
        req = maker(rng)
        if rng.random() < noise:
            # One level off: the same words, labelled differently by another operator.
            index = LEVELS.index(req.urgency) + rng.choice([-1, 1])
            req = DemoRequest(req.title, req.description, req.request_type, LEVELS[max(0, min(3, index))])
        out.append(req)
    return out
