"""Synthetic but realistic dialogs for demos and benchmarks (`dialogs-bot demo-data`).

Everything comes from private `random.Random` streams seeded from `seed`, so a seed always gives the same
dialogs. A benchmark asks for a million of them, so the per-dialog work only picks from tables built once
(cumulative weights + bisect): phones come from prefixes known to be valid, never from phonenumbers.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from itertools import accumulate
from typing import Generic, TypeVar

from db.records import DialogRecord, MessageRecord, Sender

T = TypeVar("T")

# Moscow has had no DST since 2014; a fixed offset avoids depending on tzdata being installed.
MOSCOW = timezone(timedelta(hours=3), "MSK")
PERIOD = timedelta(days=730)  # "two years before anchor"
MIN_DURATION = 2 * 60
MAX_DURATION = 3 * 60 * 60
MIN_MESSAGES = 2
MAX_MESSAGES = 80
BOT_GREETING = "Здравствуйте! Менеджер ответит в ближайшее время."


class _Weighted(Generic[T]):
    """Weighted choice in O(log n) with one `random()` call; `random.choices` is several times slower."""

    __slots__ = ("_cum", "_items", "_last", "_total")

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self._items = tuple(item for item, _ in pairs)
        self._cum = list(accumulate(weight for _, weight in pairs))
        self._total = self._cum[-1]
        self._last = len(self._items) - 1

    @property
    def items(self) -> tuple[T, ...]:
        return self._items

    def pick(self, rnd: Callable[[], float]) -> T:
        # `hi` guards against rnd() * total rounding up to total.
        return self._items[bisect_right(self._cum, rnd() * self._total, 0, self._last)]


# --- Channels ------------------------------------------------------------------------------------------

CHANNELS = _Weighted(
    [
        ("whatsapp", 36.0),
        ("telegram", 20.0),
        ("instagram", 12.0),
        ("vk", 9.0),
        ("avito", 8.0),
        ("viber", 5.0),
        ("webchat", 6.0),
        ("email", 4.0),
    ]
)
# Clients known only by name reach us where no phone is needed.
PHONELESS_CHANNELS = _Weighted(
    [("instagram", 12.0), ("telegram", 6.0), ("vk", 6.0), ("webchat", 6.0), ("email", 8.0), ("avito", 3.0)]
)
BOT_CHANNELS = frozenset({"whatsapp", "telegram", "webchat", "vk"})  # where the CRM's auto-reply is on

# --- People --------------------------------------------------------------------------------------------

MALE_NAMES = (
    "Александр", "Алексей", "Андрей", "Антон", "Аркадий", "Арсений", "Артём", "Артур", "Богдан", "Борис",
    "Вадим", "Валентин", "Валерий", "Василий", "Виктор", "Виталий", "Владимир", "Владислав", "Всеволод",
    "Вячеслав", "Геннадий", "Георгий", "Глеб", "Григорий", "Давид", "Даниил", "Денис", "Дмитрий",
    "Евгений", "Егор", "Ефим", "Захар", "Иван", "Игорь", "Илья", "Ильдар", "Кирилл", "Константин", "Лев",
    "Леонид", "Максим", "Марк", "Матвей", "Мирон", "Михаил", "Никита", "Николай", "Олег", "Павел",
    "Платон", "Пётр", "Ринат", "Роман", "Руслан", "Рустам", "Савелий", "Семён", "Сергей", "Станислав",
    "Степан", "Тагир", "Тимофей", "Тимур", "Фёдор", "Филипп", "Эдуард", "Эмиль", "Юрий", "Ярослав",
)  # fmt: skip
FEMALE_NAMES = (
    "Алёна", "Алина", "Алла", "Альбина", "Анастасия", "Ангелина", "Анна", "Антонина", "Валентина",
    "Валерия", "Варвара", "Василиса", "Вера", "Вероника", "Виктория", "Галина", "Дарья", "Диана", "Дина",
    "Ева", "Евгения", "Екатерина", "Елена", "Елизавета", "Есения", "Жанна", "Зарина", "Злата", "Зоя",
    "Инна", "Ирина", "Карина", "Кира", "Клавдия", "Кристина", "Ксения", "Лариса", "Лейла", "Лилия",
    "Любовь", "Людмила", "Майя", "Маргарита", "Марина", "Мария", "Милана", "Надежда", "Наталья", "Нина",
    "Оксана", "Олеся", "Ольга", "Полина", "Раиса", "Регина", "Светлана", "Снежана", "София", "Таисия",
    "Тамара", "Татьяна", "Ульяна", "Эльвира", "Юлия", "Яна",
)  # fmt: skip
# Masculine forms; `feminine()` derives the rest. Ё is kept where the name has it.
SURNAMES = (
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков",
    "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов",
    "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв",
    "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов",
    "Александров", "Дмитриев", "Королёв", "Гусев", "Киселёв", "Ильин", "Максимов", "Поляков", "Сорокин",
    "Виноградов", "Ковалёв", "Белов", "Медведев", "Антонов", "Тарасов", "Жуков", "Баранов", "Филиппов",
    "Комаров", "Давыдов", "Беляев", "Герасимов", "Богданов", "Осипов", "Сидоров", "Матвеев", "Титов",
    "Марков", "Миронов", "Крылов", "Куликов", "Карпов", "Власов", "Мельников", "Денисов", "Гаврилов",
    "Тихонов", "Казаков", "Афанасьев", "Данилов", "Савельев", "Тимофеев", "Фомин", "Чернов", "Абрамов",
    "Мартынов", "Ефимов", "Федотов", "Щербаков", "Назаров", "Калинин", "Исаев", "Чернышёв", "Быков",
    "Маслов", "Родионов", "Коновалов", "Лазарев", "Воронин", "Климов", "Филатов", "Пономарёв", "Голубев",
    "Кудрявцев", "Прохоров", "Наумов", "Потапов", "Журавлёв", "Овчинников", "Трофимов", "Леонов",
    "Соболев", "Ермаков", "Колесников", "Гончаров", "Емельянов", "Никифоров", "Грачёв", "Котов", "Гришин",
    "Ефремов", "Архипов", "Громов", "Кириллов", "Малышев", "Панов", "Моисеев", "Румянцев", "Акимов",
    "Кондратьев", "Бирюков", "Горбунов", "Анисимов", "Ерёмин", "Тихомиров", "Галкин", "Лукьянов",
    "Михеев", "Скворцов", "Юдин", "Белоусов", "Нестеров", "Симонов", "Прокофьев", "Харитонов", "Князев",
    "Цветков", "Левин", "Митрофанов", "Воронцов", "Суворов", "Шубин", "Мухин", "Ершов", "Бобров", "Зуев",
    "Рыбаков", "Селезнёв", "Муравьёв", "Рублёв", "Толмачёв", "Пугачёв", "Горбачёв", "Зверев", "Бобылёв",
    "Дроздов", "Шестаков", "Субботин", "Блинов", "Шаров", "Уваров", "Лапин", "Устинов", "Ширяев",
    "Глебов", "Кулагин", "Рожков", "Одинцов", "Рябов", "Гордеев", "Сазонов", "Игнатьев", "Аксёнов",
    "Третьяков", "Мишин", "Воронов", "Беспалов", "Шилов", "Горшков", "Лыков", "Щукин", "Сафонов",
    "Евдокимов", "Носов", "Чистяков", "Пахомов", "Панфилов", "Бондарев", "Костин", "Терентьев", "Веселов",
    "Лёвкин", "Щёголев", "Пискарёв", "Сёмин", "Гусейнов", "Алиев", "Мамедов", "Рахимов", "Юсупов",
    "Хасанов", "Абдуллаев", "Каримов", "Галиев", "Шарипов", "Сафин", "Зарипов", "Хабибуллин", "Ахметов",
    "Миннуллин", "Вишневский", "Жуковский", "Покровский", "Успенский", "Троицкий", "Высоцкий",
    "Островский", "Раевский", "Соколовский", "Заболоцкий", "Белецкий", "Берёзовский", "Толстой",
    "Донской", "Полевой", "Луговой", "Шевченко", "Бондаренко", "Коваленко", "Кравченко", "Ткаченко",
    "Лысенко", "Марченко", "Руденко", "Савченко", "Петренко", "Ковальчук", "Полищук", "Кравчук",
    "Романюк", "Бабич", "Станкевич", "Лукашевич", "Ярошевич", "Петросян", "Саркисян", "Аветисян",
    "Григорян", "Оганесян", "Арутюнян", "Беридзе", "Джапаридзе", "Гелашвили", "Седых", "Белых", "Долгих",
    "Ким", "Пак", "Цой",
)  # fmt: skip
# Latin-script clients come in cultural groups so that first and last names go together.
LATIN_NAMES: tuple[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str], ...] = (
    # (male first names, female first names, surnames, origin: selects the phone's country)
    (
        ("John", "James", "Michael", "David", "Daniel", "William"),
        ("Emily", "Sarah", "Jessica", "Olivia"),
        ("Smith", "Johnson", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Walker", "Miller", "O'Brien"),
        "anglo",
    ),
    (
        ("Carlos", "José", "Diego", "Javier"),
        ("Maria", "Lucia", "Sofia", "Carmen"),
        ("Garcia", "Martinez", "López", "Rodriguez", "Fernandez", "Gonzalez", "Sanchez", "Perez"),
        "anglo",
    ),
    (
        ("Lukas", "Jonas", "Felix", "Maximilian"),
        ("Lena", "Laura", "Sophie", "Anna"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Becker", "Hoffmann"),
        "german",
    ),
    (
        ("Ahmed", "Mohammed", "Omar", "Yusuf", "Hassan"),
        ("Fatima", "Aisha", "Zainab"),
        ("Khan", "Hussain", "Rahman", "Malik", "Siddiqui", "Sheikh", "Ali", "Qureshi"),
        "gulf",
    ),
    (
        ("Mehmet", "Emre", "Burak", "Can"),
        ("Ayşe", "Elif", "Zeynep", "Deniz"),
        ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk", "Aydın", "Arslan"),
        "turkish",
    ),
)

EMPLOYEE_NAMES = (
    "Анна Смирнова", "Артём Королёв", "Екатерина Волкова", "Дмитрий Лебедев", "Алёна Соловьёва",
    "Максим Ковалёв", "Ольга Морозова", "Игорь Тихонов", "Мария Белова", "Сергей Орлов",
    "Наталья Кузнецова", "Пётр Журавлёв", "Юлия Павлова", "Андрей Новиков", "Татьяна Егорова",
    "Павел Фролов", "Ирина Захарова", "Фёдор Семёнов", "Светлана Крылова", "Никита Громов",
    "Елена Миронова", "Роман Соколов", "Дарья Никитина", "Владимир Карпов", "Ксения Власова",
)  # fmt: skip
# A few stars carry much of the load.
EMPLOYEES = _Weighted([(name, 1.0 / (rank + 1) ** 0.6) for rank, name in enumerate(EMPLOYEE_NAMES)])


def feminine(surname: str) -> str:
    """Иванов → Иванова, Королёв → Королёва, Троцкий → Троцкая, Толстой → Толстая; Шевченко stays."""
    if surname.endswith(("ский", "цкий", "ой")):
        return surname[:-2] + "ая"
    if surname.endswith(("ов", "ёв", "ев", "ин", "ын")):
        return surname + "а"
    return surname  # -енко, -ук, -ич, -ян, -дзе, -ых and Korean names do not change


def first_name_of(full_name: str | None) -> str | None:
    return full_name.split(" ", 1)[0] if full_name else None


# --- Phones --------------------------------------------------------------------------------------------
# Prefixes whose every completion is valid per phonenumbers (checked by tests/test_demo.py); each plan is
# (country, prefixes, number of random digits after the prefix).
PHONE_PLANS: dict[str, tuple[tuple[str, ...], int]] = {
    "RU": (tuple(f"+79{d:02d}" for d in range(100) if d != 30), 7),
    "KZ": (("+7700", "+7701", "+7702", "+7705", "+7707", "+7708", "+7747", "+7771", "+7775", "+7777"), 7),
    "BY": (tuple(f"+375{op}{d}" for op in ("29", "33", "44") for d in range(1, 10)), 6),
    "UZ": (("+99890", "+99891", "+99893", "+99894", "+99895", "+99897", "+99898", "+99899"), 7),
    "UA": (("+38050", "+38063", "+38066", "+38067", "+38068", "+38073", "+38093", "+38095", "+38097"), 7),
    "AM": (("+37441", "+37443", "+37455", "+37477", "+37491", "+37493", "+37494", "+37499"), 6),
    "KG": (("+996500", "+996550", "+996555", "+996700", "+996770", "+996777"), 6),
    "GE": (("+995555", "+995557", "+995558", "+995591", "+995593", "+995595", "+995599"), 6),
    "DE": (("+49151", "+49152", "+49157", "+49159", "+49160", "+49170", "+49171", "+49172", "+49176"), 8),
    # US exchange codes cannot start with 0 or 1, hence the extra digit.
    "US": (
        tuple(f"+1{area}{d}" for area in (212, 310, 312, 415, 617, 646, 702, 713, 305) for d in range(2, 10)),
        6,
    ),
    "GB": (
        ("+44740", "+44742", "+44751", "+44753", "+44771", "+44772", "+44775", "+44777", "+44787", "+44797"),
        7,
    ),
    "TR": (("+90530", "+90532", "+90533", "+90535", "+90541", "+90542", "+90544", "+90553", "+90555"), 7),
    "AE": (("+97150", "+97152", "+97154", "+97155", "+97156", "+97158"), 7),
}
RUSSIAN_CLIENT_COUNTRIES = _Weighted(
    [
        ("RU", 88.0),
        ("KZ", 3.5),
        ("BY", 2.5),
        ("UZ", 2.0),
        ("UA", 1.5),
        ("AM", 1.0),
        ("KG", 0.7),
        ("GE", 0.5),
        ("DE", 0.3),
    ]
)
LATIN_CLIENT_COUNTRIES: dict[str, _Weighted[str]] = {
    "anglo": _Weighted([("RU", 4.0), ("US", 3.0), ("GB", 3.0), ("DE", 1.0), ("AE", 1.0)]),
    "german": _Weighted([("RU", 4.0), ("DE", 6.0)]),
    "gulf": _Weighted([("RU", 3.0), ("AE", 4.0), ("GB", 2.0), ("UZ", 1.0)]),
    "turkish": _Weighted([("RU", 4.0), ("TR", 6.0)]),
}

# --- Sales talk ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Product:
    nom: str  # nominative, as a client names it
    acc: str  # accusative: "хочу заказать куртку"
    plural: bool
    kind: str  # selects the product-specific questions in TOPICS_BY_KIND
    low: int  # price range, ₽
    high: int


PRODUCTS = (
    _Product("кроссовки Nike Air Max", "кроссовки Nike Air Max", True, "shoes", 8000, 16000),
    _Product('кроссовки "Air Run"', 'кроссовки "Air Run"', True, "shoes", 4000, 9000),
    _Product("ботинки Timberland", "ботинки Timberland", True, "shoes", 12000, 22000),
    _Product("зимние сапоги", "зимние сапоги", True, "shoes", 6000, 15000),
    _Product("пуховик", "пуховик", False, "clothes", 9000, 25000),
    _Product("куртка демисезонная", "куртку демисезонную", False, "clothes", 5000, 14000),
    _Product("платье миди", "платье миди", False, "clothes", 3000, 9000),
    _Product("джинсы Levi's 501", "джинсы Levi's 501", True, "clothes", 5000, 11000),
    _Product("худи оверсайз", "худи оверсайз", False, "clothes", 2500, 6000),
    _Product("костюм спортивный", "костюм спортивный", False, "clothes", 4000, 12000),
    _Product("iPhone 15 128 ГБ", "iPhone 15 128 ГБ", False, "tech", 70000, 95000),
    _Product("Samsung Galaxy A55", "Samsung Galaxy A55", False, "tech", 30000, 42000),
    _Product("наушники AirPods Pro", "наушники AirPods Pro", True, "tech", 18000, 26000),
    _Product("ноутбук Lenovo IdeaPad", "ноутбук Lenovo IdeaPad", False, "tech", 45000, 80000),
    _Product('телевизор LG 55" OLED', 'телевизор LG 55" OLED', False, "tech", 80000, 130000),
    _Product("планшет Xiaomi Pad 6", "планшет Xiaomi Pad 6", False, "tech", 25000, 35000),
    _Product("умные часы Amazfit", "умные часы Amazfit", True, "tech", 9000, 19000),
    _Product("кофемашина DeLonghi", "кофемашину DeLonghi", False, "appliance", 35000, 70000),
    _Product("робот-пылесос Xiaomi", "робот-пылесос Xiaomi", False, "appliance", 15000, 40000),
    _Product("стиральная машина Bosch", "стиральную машину Bosch", False, "appliance", 40000, 75000),
    _Product("холодильник Haier", "холодильник Haier", False, "appliance", 50000, 110000),
    _Product("кондиционер Ballu", "кондиционер Ballu", False, "appliance", 25000, 60000),
    _Product("посудомоечная машина", "посудомоечную машину", False, "appliance", 30000, 55000),
    _Product("диван угловой", "диван угловой", False, "furniture", 45000, 120000),
    _Product(
        "матрас ортопедический 160×200", "матрас ортопедический 160×200", False, "furniture", 15000, 45000
    ),
    _Product("шкаф-купе", "шкаф-купе", False, "furniture", 30000, 90000),
    _Product("кресло офисное", "кресло офисное", False, "furniture", 9000, 30000),
    _Product("кухонный стол", "кухонный стол", False, "furniture", 12000, 35000),
    _Product("кровать двуспальная", "кровать двуспальную", False, "furniture", 25000, 70000),
    _Product("детская коляска 3 в 1", "детскую коляску 3 в 1", False, "kids", 25000, 60000),
    _Product("автокресло", "автокресло", False, "kids", 9000, 30000),
    _Product("конструктор LEGO City", "конструктор LEGO City", False, "kids", 3000, 12000),
    _Product("велосипед горный", "велосипед горный", False, "sport", 20000, 60000),
    _Product("электросамокат Ninebot", "электросамокат Ninebot", False, "sport", 30000, 70000),
    _Product("беговая дорожка", "беговую дорожку", False, "sport", 40000, 120000),
    _Product("палатка 4-местная", "палатку 4-местную", False, "sport", 8000, 25000),
    _Product("шины Michelin 205/55 R16", "шины Michelin 205/55 R16", True, "auto", 28000, 48000),
    _Product("видеорегистратор", "видеорегистратор", False, "auto", 4000, 15000),
    _Product("набор кастрюль Tefal", "набор кастрюль Tefal", False, "home", 6000, 16000),
    _Product("люстра потолочная", "люстру потолочную", False, "home", 5000, 25000),
    _Product("постельное бельё сатин", "постельное бельё сатин", False, "home", 3000, 9000),
)

CITIES = (  # (nominative, "в" + accusative, "в" + prepositional)
    ("Москва", "в Москву", "в Москве"),
    ("Санкт-Петербург", "в Санкт-Петербург", "в Санкт-Петербурге"),
    ("Новосибирск", "в Новосибирск", "в Новосибирске"),
    ("Екатеринбург", "в Екатеринбург", "в Екатеринбурге"),
    ("Казань", "в Казань", "в Казани"),
    ("Нижний Новгород", "в Нижний Новгород", "в Нижнем Новгороде"),
    ("Челябинск", "в Челябинск", "в Челябинске"),
    ("Самара", "в Самару", "в Самаре"),
    ("Омск", "в Омск", "в Омске"),
    ("Ростов-на-Дону", "в Ростов-на-Дону", "в Ростове-на-Дону"),
    ("Уфа", "в Уфу", "в Уфе"),
    ("Красноярск", "в Красноярск", "в Красноярске"),
    ("Воронеж", "в Воронеж", "в Воронеже"),
    ("Пермь", "в Пермь", "в Перми"),
    ("Волгоград", "в Волгоград", "в Волгограде"),
    ("Краснодар", "в Краснодар", "в Краснодаре"),
    ("Тюмень", "в Тюмень", "в Тюмени"),
    ("Тольятти", "в Тольятти", "в Тольятти"),
    ("Ярославль", "в Ярославль", "в Ярославле"),
    ("Владивосток", "во Владивосток", "во Владивостоке"),
    ("Набережные Челны", "в Набережные Челны", "в Набережных Челнах"),
    ("Сочи", "в Сочи", "в Сочи"),
    ("Королёв", "в Королёв", "в Королёве"),
    ("Химки", "в Химки", "в Химках"),
    ("Балашиха", "в Балашиху", "в Балашихе"),
    ("Калининград", "в Калининград", "в Калининграде"),
    ("Тверь", "в Тверь", "в Твери"),
    ("Орёл", "в Орёл", "в Орле"),
    ("Алматы", "в Алматы", "в Алматы"),
    ("Минск", "в Минск", "в Минске"),
)
STREETS = (
    "Ленина",
    "Мира",
    "Гагарина",
    "Советская",
    "Садовая",
    "Лесная",
    "Пушкина",
    "Профсоюзная",
    "Заводская",
)
COMPANIES = ("Ромашка", "Вектор", "СтройМаркет", "Альфа & Омега", "Три кита", "ТехноПро", "Северный ветер")
COLORS = ("чёрный", "белый", "серый", "синий", "бежевый", "зелёный", "красный", "графитовый", "молочный")
SIZES = ("XS", "S", "M", "L", "XL", "XXL")
MONTHS_GENITIVE = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip
ON_WEEKDAY = (
    "в понедельник",
    "во вторник",
    "в среду",
    "в четверг",
    "в пятницу",
    "в субботу",
    "в воскресенье",
)
DAYS = ("1 день", "2 дня", "3 дня", "4 дня", "5 дней", "6 дней", "7 дней")

# Openings, decisions and goodbyes: any of the client's lines goes with any of the employee's.
Turns = tuple[tuple[str, ...], tuple[str, ...]]
# A topic is a few exchanges, each a question with the answers that fit it; a dialog uses one exchange.
Topic = tuple[tuple[str, tuple[str, ...]], ...]

OPENING: Turns = (
    (
        "Здравствуйте! Интересует {nom}, есть в наличии?",
        "Добрый день. {Nom} ещё продаётся?",
        "Здравствуйте, увидел{ending} у вас {acc} на сайте. Актуально?",
        "Привет) {Nom} есть?",
        "Добрый вечер! Хочу заказать {acc}",
        "Здравствуйте. Подскажите, {nom} ещё есть?",
        "Здравствуйте! Сколько {cost} {nom}?",
    ),
    (
        "Здравствуйте{to_client}! Меня зовут {employee}, помогу с выбором. Да, {nom} в наличии.",
        "Добрый день{to_client}! Да, есть. Что именно подсказать?",
        "Здравствуйте{to_client}! {Nom} есть, цена {price}.",
        "Добрый день! Спасибо за обращение 😊 Да, {nom} есть.",
    ),
)
# Asked once per dialog, whatever the product.
DIALOG_TOPICS: tuple[Topic, ...] = (
    (
        (
            "Доставляете {city_acc}?",
            (
                "Да, доставим {city_acc} за {days}, стоимость {delivery}.",
                "Да, СДЭК или Почтой, {days}, около {delivery}.",
            ),
        ),
        (
            "Сколько стоит доставка {city_acc}?",
            ("{delivery}, срок {days}.", "{delivery}. При заказе от 5 000 ₽ доставка бесплатная."),
        ),
        ("А доставка есть?", ("Да, курьером или СДЭК, {days}.",)),
    ),
    (
        (
            "Когда сможете привезти?",
            (
                "Ближайшая дата — {weekday}, {date}, с 10:00 до 18:00.",
                "Можем привезти {weekday}, {date}. Удобно?",
            ),
        ),
        (
            "А к {date} успеете?",
            ("Да, {date} привезём, курьер позвонит за час.", "К {date} впритык, но постараемся 🙂"),
        ),
    ),
    (
        (
            "Можно картой при получении?",
            ("Да, картой или наличными курьеру.", "Да, терминал у курьера есть."),
        ),
        (
            "Как оплатить? Рассрочка есть?",
            ("Можно по QR-коду или картой онлайн. Рассрочка на 6 мес. через банк.",),
        ),
        ("Оплата по QR или переводом?", ("По QR-коду или по ссылке на оплату.",)),
        (
            'Мы юрлицо — ООО "{company}", нужен счёт с НДС',
            (
                'Счёт на ООО "{company}" выставим, пришлите реквизиты на sales@example.com',
                "Да, работаем с НДС. Пришлите карточку предприятия.",
            ),
        ),
    ),
    (
        ("А самовывоз есть?", ("Да, самовывоз: г. {city}, ул. {street}, д. {house}, с 10 до 20.",)),
        (
            "Где можно посмотреть вживую?",
            (
                "Шоурум: ул. {street}, {house}, ждём!",
                "Приезжайте в шоурум на ул. {street}, {house}, с 10 до 20.",
            ),
        ),
    ),
    (
        ("Если не подойдёт, можно вернуть?", ("Да, в течение 14 дней, если сохранён товарный вид.",)),
        (
            "А обмен возможен?",
            ("Обмен и возврат — 14 дней, чек обязателен.", "Да, обменяем в течение 14 дней."),
        ),
    ),
)
# Asked again when the talk moves on to another product.
PRODUCT_TOPICS: tuple[Topic, ...] = (
    (
        ("Сколько {cost}?", ("{price}", "Цена {price}.", "Сейчас по акции — {price}.")),
        ("Какая цена?", ("{price}, это уже со скидкой {discount}%.", "Цена {price}.")),
        (
            "Цена < {round_price} будет?",
            ("Нет, {price} — это уже минимальная цена.", "Сейчас {price}, но при заказе от 2 шт. дешевле."),
        ),
    ),
    (
        ("А в наличии есть?", ("Да, в наличии {stock} шт.", "Есть, можем отправить сегодня.")),
        (
            "Есть на складе {city_prep}?",
            (
                "Да, {city_prep} есть {stock} шт.",
                "На складе {city_prep} сейчас нет, привезём с центрального за {days}.",
            ),
        ),
        ("Сколько штук в наличии?", ("{stock} шт.", "Сейчас {stock} шт., но быстро разбирают.")),
    ),
    (
        (
            "А скидка будет?",
            (
                "Могу предложить скидку {discount}% — итого {price_off}.",
                "Сейчас действует скидка {discount}%, итого {price_off}.",
            ),
        ),
        (
            "Если возьму 2, сделаете скидку?",
            ("Да, {discount}% на каждую позицию.", "Скидка {discount}% от 2 шт."),
        ),
        (
            "Скидка >10% возможна?",
            ("Больше {discount}% не получится, извините.", "Максимум {discount}%, итого {price_off}."),
        ),
        ("Промокод есть?", ("По промокоду DEMO{discount} скидка {discount}% 🙂",)),
    ),
    (
        ("Можно живые фото?", ("Фото отправлено 👆", "Сейчас сфотографируем на складе и пришлём.")),
        ("Пришлите фото, пожалуйста", ("Вот, смотрите: [фото]", "Фото отправлено 👆")),
        (
            "А видеообзор есть?",
            (
                "Да, вот ссылка: https://example.com/video?id={order}&t=0",
                "Видео нет, но можем снять и прислать.",
            ),
        ),
    ),
)
KIND_TOPICS: dict[str, tuple[Topic, ...]] = {
    "clothes": (
        (
            (
                "Размер <{size}> & {size2} в наличии?",
                ("Да, {size} и {size2} есть. Какой отложить?", "Сейчас есть {size}, {size2} закончился."),
            ),
            ("Какие размеры есть?", ("Есть {size} и {size2}.", "От XS до XXL, но {size2} остался один.")),
            ("На рост 170 какой брать?", ("Обычно берут {size}, но лучше сверьтесь с таблицей размеров.",)),
        ),
        (
            ("А какие цвета есть?", ("Есть {color} и {color2}.",)),
            ("В цвете «{color}» есть?", ("Да, {color} есть.", "Такого нет, есть {color2}.")),
            ("Состав какой?", ("Хлопок 95% & эластан 5%.", "Хлопок & полиэстер, 60/40.")),
        ),
    ),
    "shoes": (
        (
            ("Есть {shoe} размер?", ("{shoe}-й есть, отложить?", "{shoe}-й закончился, есть {shoe2}-й.")),
            (
                "Маломерят или в размер?",
                ("Идут в размер, можно брать свой.", "Немного маломерят, лучше на размер больше."),
            ),
        ),
    ),
    "tech": (
        (
            ("Какая гарантия?", ("Официальная гарантия 12 месяцев, чек и талон в комплекте.",)),
            ("Это оригинал или реплика?", ("Только оригинал, можем прислать фото коробки.",)),
        ),
        (("В каком цвете есть?", ("Сейчас есть {color} и {color2}.", "Только {color}.")),),
    ),
    "appliance": (
        (
            ("Установку делаете?", ("Да, установка {install}, мастер приедет в удобное время.",)),
            (
                "Подключение входит в стоимость?",
                (
                    "Нет, подключение отдельно — {install}.",
                    "Подключение — {install}, можно заказать вместе с доставкой.",
                ),
            ),
        ),
        (("Какая гарантия?", ("Гарантия производителя 2 года.", "2 года от производителя + 1 год от нас.")),),
    ),
    "furniture": (
        (
            ("Какие размеры?", ("Размеры указаны в карточке товара, могу продублировать.",)),
            (
                "Сборка входит в стоимость?",
                ("Сборка — {install}, мастер приедет в день доставки.", "Да, сборка бесплатная."),
            ),
        ),
        (("Цвет можно выбрать?", ("Да, есть образцы: {color}, {color2} и ещё 10 цветов.",)),),
    ),
    "kids": (
        (
            ("С какого возраста подходит?", ("Возраст указан в карточке товара, могу уточнить.",)),
            ("Есть сертификат?", ("Да, все сертификаты есть, пришлём копию.",)),
        ),
    ),
    "sport": (
        (
            ("Какая максимальная нагрузка?", ("До 100 кг.", "Максимальная нагрузка 120 кг.")),
            ("Сколько весит?", ("Около 14 кг.", "Вес указан в характеристиках, около 12 кг.")),
        ),
    ),
    "auto": (
        (
            ("На Солярис подойдёт?", ("Да, подойдёт.", "Нужно уточнить по году выпуска, подскажете?")),
            ("Гарантия есть?", ("Да, гарантия 1 год.",)),
        ),
    ),
    "home": (
        (
            ("Качество нормальное? Не разочаруюсь?", ("Один из самых популярных товаров, отзывы отличные.",)),
            ("Какие размеры?", ("Размеры указаны в карточке товара, могу продублировать.",)),
        ),
    ),
}
NEXT_PRODUCT: Topic = (
    ("И ещё вопрос: {nom} есть?", ("Да, {nom} есть, {price}.", "Есть, {price}.")),
    ("А ещё {acc} посмотреть можно?", ("Конечно, отправлю ссылку на {acc}.",)),
    ("Кстати, {nom} у вас бывает?", ("{Nom} — {price}, в наличии.",)),
)
CLIENT_FILLERS = ("Ок", "Понятно", "Хорошо 👍", "Секунду", "Ясно, спасибо", "Угу", "А, понятно", "Ага")
EMPLOYEE_FILLERS = ("Минутку, уточню на складе", "Сейчас проверю", "Уточняю, пару минут", "Да, конечно")
ORDER: Turns = (
    ("Хорошо, оформляйте", "Беру! Как оформить?", "Давайте {qty} шт.", "Ок, беру {acc}"),
    (
        "Отлично! Заказ №{order} оформлен, доставка {date}. Ссылка на оплату придёт в SMS.",
        "Заказ №{order} создан ✅ Курьер позвонит за час до приезда.",
        "Готово, заказ №{order}. Спасибо за покупку!",
    ),
)
REFUSAL: Turns = (
    (
        "Спасибо, я подумаю",
        "Дороговато, пока не буду",
        "У конкурентов дешевле, извините",
        "Пока не актуально",
    ),
    (
        "Хорошо! Если появятся вопросы — пишите, будем рады помочь.",
        "Понимаю. Могу отложить {acc} до {date}, если решите — напишите.",
        "Конечно, ждём вас 🙂",
    ),
)
GOODBYE: Turns = (
    ("Спасибо, до свидания!", "Спасибо большое 🙏", "Всего доброго!", "Спасибо"),
    ("Спасибо за обращение! Хорошего дня 😊", "Всего доброго{to_client}!", "Обращайтесь!"),
)

# --- Time ----------------------------------------------------------------------------------------------

# Relative load per Moscow hour: a sales team answers 09–21, a little spills over before and after.
HOUR_WEIGHTS = (
    0.05, 0.03, 0.02, 0.02, 0.02, 0.03, 0.05, 0.2, 0.6, 3.0, 6.0, 8.0,
    8.0, 7.0, 7.5, 8.0, 8.0, 7.5, 6.5, 5.0, 3.5, 1.2, 0.6, 0.25,
)  # fmt: skip
WEEKDAY_WEIGHTS = (1.0, 1.0, 1.0, 1.0, 0.95, 0.55, 0.4)


def _day_weight(day: date, progress: float) -> float:
    """`progress` goes 0 → 1 over the period: the business grows, so recent months are busier."""
    weight = WEEKDAY_WEIGHTS[day.weekday()] * (0.65 + 0.35 * progress)
    if day.month == 1 and day.day <= 8:
        weight *= 0.25  # New Year holidays
    elif day.month == 12:
        weight *= 1.15  # gifts
    elif day.month in (6, 7, 8):
        weight *= 0.9
    return weight


class _Clock:
    """Completion times as Unix seconds: a weighted Moscow day, a weighted hour, a uniform second."""

    def __init__(self, anchor: datetime) -> None:
        end = anchor.astimezone(UTC)
        # The longest dialog must still start inside the period.
        start = end - PERIOD + timedelta(seconds=MAX_DURATION)
        self.first = math.ceil(start.timestamp())
        self.last = math.floor(end.timestamp())
        first_day = start.astimezone(MOSCOW).date()
        span = (end.astimezone(MOSCOW).date() - first_day).days
        days = []
        for offset in range(span + 1):
            day = first_day + timedelta(days=offset)
            midnight = datetime(day.year, day.month, day.day, tzinfo=MOSCOW).timestamp()
            days.append((int(midnight), _day_weight(day, offset / span)))
        self._days = _Weighted(days)
        self._hours = _Weighted([(hour * 3600, weight) for hour, weight in enumerate(HOUR_WEIGHTS)])

    def completed(self, rnd: Callable[[], float]) -> int:
        while True:  # the first and last days are partly outside the period; retrying keeps the shape
            moment = self._days.pick(rnd) + self._hours.pick(rnd) + int(rnd() * 3600)
            if self.first <= moment <= self.last:
                return moment


def _lognormal_weights(values: range, median: float, sigma: float) -> list[tuple[int, float]]:
    mu = math.log(median)
    return [(v, math.exp(-((math.log(v) - mu) ** 2) / (2 * sigma * sigma)) / v) for v in values]


MESSAGE_COUNTS = _Weighted(_lognormal_weights(range(MIN_MESSAGES, MAX_MESSAGES + 1), 12.0, 0.75))


# --- Clients -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Client:
    name: str | None
    phone: str | None
    female: bool
    channel: str  # the channel the client usually writes from
    manager: str  # the employee who usually answers them


def _pick(rnd: Callable[[], float], items: Sequence[T]) -> T:
    return items[int(rnd() * len(items))]


def _phone(rnd: Callable[[], float], country: str) -> str:
    prefixes, digits = PHONE_PLANS[country]
    return f"{_pick(rnd, prefixes)}{int(rnd() * 10**digits):0{digits}d}"


def _make_client(rnd: Callable[[], float], used_phones: set[str]) -> _Client:
    roll = rnd()
    has_name, has_phone = roll >= 0.05, not 0.05 <= roll < 0.13  # 5% phone only, 8% name only
    name, female, country = None, rnd() < 0.55, "RU"
    if has_name and rnd() < 0.1:
        male, female_names, surnames, origin = _pick(rnd, LATIN_NAMES)
        name = f"{_pick(rnd, female_names if female else male)} {_pick(rnd, surnames)}"
        country = LATIN_CLIENT_COUNTRIES[origin].pick(rnd)
    elif has_name:
        first = _pick(rnd, FEMALE_NAMES if female else MALE_NAMES)
        surname = _pick(rnd, SURNAMES)
        # Messenger profiles often show a first name only.
        name = first if rnd() < 0.07 else f"{first} {feminine(surname) if female else surname}"
        country = RUSSIAN_CLIENT_COUNTRIES.pick(rnd)
    phone = None
    while has_phone and (phone is None or phone in used_phones):  # one phone, one client
        phone = _phone(rnd, country)
    if phone is not None:
        used_phones.add(phone)
    channel = (CHANNELS if phone else PHONELESS_CHANNELS).pick(rnd)
    return _Client(name, phone, female, channel, EMPLOYEES.pick(rnd))


def _make_clients(rnd: Callable[[], float], size: int) -> list[_Client]:
    used_phones: set[str] = set()  # only membership tests: iteration order never matters
    return [_make_client(rnd, used_phones) for _ in range(size)]


def _activity(rnd: Callable[[], float], size: int) -> _Weighted[int]:
    """Pareto weights: most clients write once or twice, a few regulars write hundreds of times."""
    # 1 - rnd() is in (0, 1], so the power is finite; the shift and the caps were tuned by simulation. The
    # cap shrinks for small pools so that one regular does not take a tenth of a demo's dialogs.
    cap = min(300.0, max(10.0, size / 20))
    return _Weighted([(index, min((1.0 - rnd()) ** (-1.0 / 1.3) - 0.9, cap)) for index in range(size)])


# --- Transcripts ---------------------------------------------------------------------------------------


def _rub(amount: int, style: int) -> str:
    """Managers write prices in different ways; one dialog keeps one style."""
    grouped = f"{amount:,}".replace(",", " ")
    return (f"{grouped} ₽", f"{amount} руб", f"{grouped}р")[style]


class _Talk:
    """One dialog's sales talk: the context its lines are filled from and the topics still to discuss."""

    def __init__(self, rng: random.Random, client: _Client, employee: str, completed: int) -> None:
        self.rng = rng
        rnd = self.rnd = rng.random
        self.style = int(rnd() * 3)
        self.discount = _pick(rnd, (5, 7, 10, 15))
        city, city_acc, city_prep = _pick(rnd, CITIES)
        day = (datetime.fromtimestamp(completed, MOSCOW) + timedelta(days=1 + int(rnd() * 6))).date()
        size = int(rnd() * (len(SIZES) - 1))
        color = int(rnd() * len(COLORS))
        shoe = 36 + int(rnd() * 10)
        client_first = first_name_of(client.name)
        self.context = {
            "to_client": f", {client_first}" if client_first and rnd() < 0.6 else "",
            "ending": "а" if client.female and client.name else "",
            "employee": first_name_of(employee) or employee,
            "city": city,
            "city_acc": city_acc,
            "city_prep": city_prep,
            "date": f"{day.day} {MONTHS_GENITIVE[day.month - 1]}",
            "weekday": ON_WEEKDAY[day.weekday()],
            "days": _pick(rnd, DAYS),
            "delivery": _rub(300 + 50 * int(rnd() * 20), self.style),
            "discount": str(self.discount),
            "company": _pick(rnd, COMPANIES),
            "street": _pick(rnd, STREETS),
            "house": str(1 + int(rnd() * 120)),
            "size": SIZES[size],
            "size2": SIZES[size + 1],
            "color": COLORS[color],
            "color2": COLORS[(color + 1 + int(rnd() * (len(COLORS) - 1))) % len(COLORS)],
            "shoe": str(shoe),
            "shoe2": str(shoe + 1),
            "stock": str(1 + int(rnd() * 30)),
            "qty": str(2 + int(rnd() * 3)),
            "order": str(100000 + int(rnd() * 900000)),
        }
        self.topics: list[Topic] = []
        self.topics_asked = False
        self.switch_product()

    def switch_product(self) -> None:
        product = _pick(self.rnd, PRODUCTS)
        price = max(490, int(round(product.low + (product.high - product.low) * self.rnd(), -3)) - 10)
        self.context.update(
            nom=product.nom,
            Nom=product.nom[0].upper() + product.nom[1:],
            acc=product.acc,
            cost="стоят" if product.plural else "стоит",
            price=_rub(price, self.style),
            round_price=f"{price + 10 - 1000:,}".replace(",", " "),
            price_off=_rub(price * (100 - self.discount) // 100, self.style),
            install=_rub(1000 + 500 * int(self.rnd() * 6), self.style),
        )
        # Delivery, payment and the like are settled once; a new product brings its own questions.
        self.topics = [
            *([] if self.topics_asked else DIALOG_TOPICS),
            *PRODUCT_TOPICS,
            *KIND_TOPICS[product.kind],
        ]
        self.topics_asked = True
        self.rng.shuffle(self.topics)

    def say(self, lines: Sequence[str]) -> str:
        return _pick(self.rnd, lines).format_map(self.context)

    def ask(self, topic: Topic) -> tuple[str, str]:
        question, answers = _pick(self.rnd, topic)
        return question.format_map(self.context), self.say(answers)


def _script(talk: _Talk, count: int) -> list[tuple[Sender, str]]:
    """`count` lines: an opening, topics (more products if there is time to fill), a decision, goodbyes."""
    rnd = talk.rnd
    lines: list[tuple[Sender, str]] = [("client", talk.say(OPENING[0])), ("employee", talk.say(OPENING[1]))]
    closing = min(4, count - 2)
    middle = count - 2 - closing
    while middle > 0:
        if middle == 1 or rnd() < 0.08:
            if rnd() < 0.5:
                lines.append(("client", talk.say(CLIENT_FILLERS)))
            else:
                lines.append(("employee", talk.say(EMPLOYEE_FILLERS)))
            middle -= 1
            continue
        if talk.topics:
            topic = talk.topics.pop()
        else:
            talk.switch_product()
            topic = NEXT_PRODUCT
        question, answer = talk.ask(topic)
        lines.append(("client", question))
        lines.append(("employee", answer))
        middle -= 2
    decision = ORDER if rnd() < 0.55 else REFUSAL
    tail: list[tuple[Sender, str]] = [
        ("client", talk.say(decision[0])),
        ("employee", talk.say(decision[1])),
        ("client", talk.say(GOODBYE[0])),
        ("employee", talk.say(GOODBYE[1])),
    ]
    # Short dialogs keep what matters most: a thank-you, then the decision.
    lines += (tail[:0], tail[2:3], tail[2:], tail[:3], tail)[closing]
    return lines


def _message_times(rnd: Callable[[], float], count: int, started: int, completed: int) -> list[int]:
    """Non-decreasing Unix seconds from `started`; exponential gaps give a chat's bursts and pauses."""
    gaps = [-math.log(1.0 - rnd()) for _ in range(count - 1)]
    # The CRM closes the dialog a little after the last message.
    scale = (completed - started) * (0.85 + 0.15 * rnd()) / (sum(gaps) or 1.0)
    times = [started]
    elapsed = 0.0
    for gap in gaps:
        elapsed += gap
        times.append(min(started + int(elapsed * scale), completed))
    return times


def _transcript(
    rng: random.Random, client: _Client, employee: str, channel: str, count: int, started: int, completed: int
) -> tuple[MessageRecord, ...]:
    rnd = rng.random
    talk = _Talk(rng, client, employee, completed)
    with_bot = count >= 3 and channel in BOT_CHANNELS and rnd() < 0.4
    lines = _script(talk, count - 1 if with_bot else count)
    times = _message_times(rnd, count, started, completed)
    if with_bot:
        # The auto-reply answers the client's first message within seconds.
        lines.insert(1, ("bot", BOT_GREETING))
        times[1] = min(times[0] + 1 + int(rnd() * 3), times[2])
    authors = {"client": client.name, "employee": employee, "bot": None}
    return tuple(
        MessageRecord(datetime.fromtimestamp(at, UTC), sender, authors[sender], text)
        for at, (sender, text) in zip(times, lines, strict=True)
    )


# --- Dialogs -------------------------------------------------------------------------------------------


def generate_dialogs(
    count: int, seed: int = 1, *, anchor: datetime, transcripts: bool = True
) -> Iterator[DialogRecord]:
    """`count` dialogs completed during the two years before `anchor`, the same for the same arguments.

    With `transcripts=False` every dialog has `messages=None` (its `message_count` is still set); the
    dialogs themselves are the same either way.
    """
    if count < 0:
        raise ValueError("count must be 0 or more")
    if anchor.utcoffset() is None:
        raise ValueError("anchor must be timezone-aware")
    return _generate(count, seed, anchor, transcripts)


def _pool_size(count: int) -> int:
    return max(count // 4, min(count, 50))


def _generate(count: int, seed: int, anchor: datetime, transcripts: bool) -> Iterator[DialogRecord]:
    if count == 0:
        return
    rng = random.Random(seed)
    rnd = rng.random
    # Transcripts draw from their own stream so that they do not shift the dialogs' other fields.
    text_rng = random.Random(rng.getrandbits(64))
    clock = _Clock(anchor)
    size = _pool_size(count)
    clients = _make_clients(rnd, size)
    regulars = _activity(rnd, size)
    lognormal = rng.lognormvariate
    for index in range(count):
        # Every client in the pool has at least one dialog; the rest go mostly to the regulars.
        client = clients[index] if index < size else clients[regulars.pick(rnd)]
        channel = client.channel
        if rnd() >= 0.8:
            channel = (CHANNELS if client.phone else PHONELESS_CHANNELS).pick(rnd)
        roll = rnd()
        # ~3% are closed automatically (nobody pressed "complete").
        completed_by = None if roll < 0.03 else client.manager if roll < 0.65 else EMPLOYEES.pick(rnd)
        message_count = MESSAGE_COUNTS.pick(rnd)
        duration = int(60 + message_count * lognormal(4.0, 0.9))  # median pause ~55 s per message
        duration = MIN_DURATION if duration < MIN_DURATION else min(duration, MAX_DURATION)
        completed = clock.completed(rnd)
        started = completed - duration
        messages = None
        if transcripts:
            employee = completed_by or client.manager
            messages = _transcript(text_rng, client, employee, channel, message_count, started, completed)
        yield DialogRecord(
            source_id=f"demo-{index + 1:07d}",
            client_name=client.name,
            client_phone=client.phone,
            channel=channel,
            completed_by=completed_by,
            started_at=datetime.fromtimestamp(started, UTC),
            completed_at=datetime.fromtimestamp(completed, UTC),
            message_count=message_count,
            messages=messages,
        )
