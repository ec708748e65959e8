"""Demo data shared by the sandbox Bitrix24 portal and the sandbox 1C.

The customer is an industrial equipment maker: clients are plants and service companies that
own its equipment. Both sandboxes seed from these lists so that INN/KPP matching has real work to do
(a branch with the same INN and another KPP, an ИП with a 12-digit INN).
"""

from __future__ import annotations

DEPARTMENTS = [
    # id, name, parent id, head user id
    {"id": 1, "name": "ООО «ПромТехСервис»", "parent": None, "head": 1},
    {"id": 2, "name": "Инженеры 1 линии", "parent": 1, "head": 2},
    {"id": 3, "name": "Гарантийный отдел", "parent": 1, "head": 5},
    {"id": 4, "name": "Общая поддержка", "parent": 1, "head": 7},
]

USERS = [
    # id, name, last name, email, departments, admin
    {
        "id": 1,
        "name": "Анна",
        "last_name": "Смирнова",
        "email": "admin@promtech.example",
        "departments": [1],
        "admin": True,
    },
    {
        "id": 2,
        "name": "Игорь",
        "last_name": "Петров",
        "email": "petrov@promtech.example",
        "departments": [2],
        "admin": False,
    },
    {
        "id": 3,
        "name": "Мария",
        "last_name": "Кузнецова",
        "email": "kuznetsova@promtech.example",
        "departments": [2],
        "admin": False,
    },
    {
        "id": 4,
        "name": "Олег",
        "last_name": "Соколов",
        "email": "sokolov@promtech.example",
        "departments": [2],
        "admin": False,
    },
    {
        "id": 5,
        "name": "Елена",
        "last_name": "Волкова",
        "email": "volkova@promtech.example",
        "departments": [3],
        "admin": False,
    },
    {
        "id": 6,
        "name": "Дмитрий",
        "last_name": "Морозов",
        "email": "morozov@promtech.example",
        "departments": [3],
        "admin": False,
    },
    {
        "id": 7,
        "name": "Светлана",
        "last_name": "Новикова",
        "email": "novikova@promtech.example",
        "departments": [4],
        "admin": False,
    },
    {
        "id": 8,
        "name": "Павел",
        "last_name": "Фёдоров",
        "email": "fedorov@promtech.example",
        "departments": [4],
        "admin": False,
    },
]

# Valid check digits throughout (INN, OGRN, OGRNIP).
COMPANIES = [
    {
        "key": "technolog",
        "kind": "legal",
        "name": "ТЕХНО-ЛОГИСТИК ООО",
        "full_name": 'ООО "ТЕХНО-ЛОГИСТИК"',
        "inn": "5024089920",
        "kpp": "502401001",
        "ogrn": "1075024007156",
        "phone": "+7 495 100-20-30",
        "email": "info@techno-logistic.example",
        "legal_address": "143401, Московская обл., г. Красногорск, ул. Ленина, д. 5",
    },
    {
        "key": "uralmash",
        "kind": "legal",
        "name": "Уральский машзавод АО",
        "full_name": 'АО "Уральский машиностроительный завод"',
        "inn": "6612345676",
        "kpp": "661201001",
        "ogrn": "1096658123451",
        "phone": "+7 343 200-11-22",
        "email": "service@uralmash.example",
        "legal_address": "620012, г. Екатеринбург, пл. Первой Пятилетки, д. 1",
    },
    {
        "key": "uralmash-perm",
        "kind": "legal",
        "name": "Уральский машзавод АО (Пермский филиал)",
        "full_name": 'Пермский филиал АО "Уральский машиностроительный завод"',
        "inn": "6612345676",
        "kpp": "590245001",
        "ogrn": "1096658123451",
        "phone": "+7 342 210-00-01",
        "email": "perm@uralmash.example",
        "legal_address": "614000, г. Пермь, ул. Монастырская, д. 12",
        "branch_of": "uralmash",
    },
    {
        "key": "sibenergo",
        "kind": "legal",
        "name": "СибЭнергоМонтаж ООО",
        "full_name": 'ООО "СибЭнергоМонтаж"',
        "inn": "5409876540",
        "kpp": "540901001",
        "ogrn": "1035402123459",
        "phone": "+7 383 300-40-50",
        "email": "zakaz@sibenergo.example",
        "legal_address": "630099, г. Новосибирск, ул. Советская, д. 20",
    },
    {
        "key": "kazanprom",
        "kind": "legal",
        "name": "КазаньПромАвтоматика ООО",
        "full_name": 'ООО "КазаньПромАвтоматика"',
        "inn": "1634567899",
        "kpp": "163401001",
        "ogrn": "1161650123458",
        "phone": "+7 843 500-60-70",
        "email": "office@kpa.example",
        "legal_address": "420111, г. Казань, ул. Баумана, д. 7",
    },
    {
        "key": "nevsky",
        "kind": "legal",
        "name": "Невский завод металлоконструкций ООО",
        "full_name": 'ООО "Невский завод металлоконструкций"',
        "inn": "7810123451",
        "kpp": "781001001",
        "ogrn": "1117847123459",
        "phone": "+7 812 600-70-80",
        "email": "snab@nzmk.example",
        "legal_address": "196084, г. Санкт-Петербург, Московский пр., д. 97",
    },
    {
        "key": "mosagro",
        "kind": "legal",
        "name": "МосАгроТех ООО",
        "full_name": 'ООО "МосАгроТех"',
        "inn": "7709876506",
        "kpp": "770901001",
        "ogrn": "1177746123455",
        "phone": "+7 495 700-80-90",
        "email": "it@mosagrotech.example",
        "legal_address": "105062, г. Москва, ул. Покровка, д. 31",
    },
    {
        "key": "ip-ivanov",
        "kind": "sole_proprietor",
        "name": "ИП Иванов Сергей Петрович",
        "full_name": "Индивидуальный предприниматель Иванов Сергей Петрович",
        "inn": "771234567859",
        "kpp": "",
        "ogrn": "304770000123453",
        "phone": "+7 916 123-45-67",
        "email": "ivanov.sp@mail.example",
        "legal_address": "115035, г. Москва, ул. Садовническая, д. 14",
    },
]

CONTACTS = [
    {
        "company": "technolog",
        "name": "Алексей",
        "last_name": "Громов",
        "phone": "+7 903 111-22-33",
        "email": "gromov@techno-logistic.example",
    },
    {
        "company": "uralmash",
        "name": "Татьяна",
        "last_name": "Белова",
        "phone": "+7 912 222-33-44",
        "email": "belova@uralmash.example",
    },
    {
        "company": "sibenergo",
        "name": "Виктор",
        "last_name": "Орлов",
        "phone": "+7 913 333-44-55",
        "email": "orlov@sibenergo.example",
    },
    {
        "company": "kazanprom",
        "name": "Руслан",
        "last_name": "Хасанов",
        "phone": "+7 917 444-55-66",
        "email": "khasanov@kpa.example",
    },
    {
        "company": "nevsky",
        "name": "Ольга",
        "last_name": "Лебедева",
        "phone": "+7 921 555-66-77",
        "email": "lebedeva@nzmk.example",
    },
    {
        "company": "mosagro",
        "name": "Николай",
        "last_name": "Зайцев",
        "phone": "+7 926 666-77-88",
        "email": "zaitsev@mosagrotech.example",
    },
    {
        "company": "ip-ivanov",
        "name": "Сергей",
        "last_name": "Иванов",
        "phone": "+7 916 123-45-67",
        "email": "ivanov.sp@mail.example",
    },
]

# Requests seeded once the app has set up its smart process. "channel" is how it came in.
REQUESTS = [
    {
        "company": "technolog",
        "title": "Станок ЧПУ Т-400 не включается после скачка напряжения",
        "description": "После грозы станок не запускается, на панели горит ошибка E-17. Нужен выезд инженера.",
        "channel": "phone",
        "type": "support",
        "urgency": "high",
    },
    {
        "company": "uralmash",
        "title": "Гарантийный ремонт гидростанции ГС-250",
        "description": "Течь масла из-под уплотнения насоса, оборудование на гарантии (куплено в марте).",
        "channel": "email",
        "type": "warranty",
        "urgency": "normal",
    },
    {
        "company": "sibenergo",
        "title": "Как настроить плавный пуск на преобразователе ПЧ-75?",
        "description": "Подскажите, какие параметры менять, чтобы увеличить время разгона до 20 секунд.",
        "channel": "web_form",
        "type": "consultation",
        "urgency": "low",
    },
    {
        "company": "kazanprom",
        "title": "Компрессор КВ-15 перегревается",
        "description": "Через час работы срабатывает тепловая защита. Фильтры меняли в прошлом месяце.",
        "channel": "email",
        "type": "support",
        "urgency": "normal",
    },
]

# Seeded by `make run` besides REQUESTS: a client who wrote to the open line from Telegram, answered there.
CHAT_REQUESTS = [
    {
        "company": "kazanprom",
        "title": "Не приходит код ошибки на панель оператора ПЧ-75",
        "description": "Пишу из Telegram: после обновления прошивки панель показывает пустой экран аварий.",
        "channel": "chat",
    },
]
