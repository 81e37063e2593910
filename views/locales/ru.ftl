## Menu
menu-home = Главное меню
menu-sales = Отдел продаж
menu-head = Для руководителя
menu-records = Записи
menu-dialogs = Список диалогов
menu-dialog = Диалог
menu-choose = Выберите раздел.
menu-welcome =
    Здравствуйте, { $name }!
    Здесь — завершённые диалоги отдела продаж из всех каналов.
    Чтобы найти клиента, просто напишите его имя или номер телефона.
back = ⬅ Назад

## Access
access-denied =
    Доступ к боту закрыт.
    Ваш Telegram ID: <code>{ NUMBER($id, useGrouping: 0) }</code> — передайте его администратору, чтобы он открыл доступ.
access-denied-alert = Доступ закрыт. Ваш Telegram ID: { NUMBER($id, useGrouping: 0) }
access-unlinked =
    Вы вошли как менеджер, но бот пока не знает, какие диалоги ваши: вас не связали с сотрудником в архиве.
    Попросите администратора бота связать вас с вашим именем сотрудника — после этого здесь будут ваши диалоги.
access-unlinked-alert = Вас ещё не связали с сотрудником. Попросите администратора бота это сделать.

## Help
help =
    <b>Список диалогов</b> — завершённые диалоги с клиентами из WhatsApp, Telegram и других каналов.

    /dialogs — открыть список
    /find слова — найти диалоги, в переписке которых есть эти слова («/find дорог» найдёт и «дорого»)
    /analytics — аналитика (руководителям)
    /digest — утренняя сводка за вчера (руководителям)
    /start — главное меню
    /cancel — отменить поиск или ввод дат
    /language — язык бота (Русский, English)

    <b>Поиск</b>: напишите боту имя клиента (можно часть: «семен иван») или номер телефона в любом виде — целиком или последние 4 цифры.
    <b>Сортировка</b>: нажмите на название колонки, ещё раз — обратный порядок.
    <b>Фильтры</b>: ⚙️ под списком — канал, сотрудник, период (или даты вида 01.11–15.11).
    <b>Аналитика</b> (руководителям): /analytics или Отдел продаж → Для руководителя → Аналитика — сотрудники, каналы, дни и часы, активные клиенты и график.
    <b>Диалог</b>: нажмите на его номер в списке.
command-start = Главное меню
command-dialogs = Список диалогов
command-analytics = Аналитика (руководителям)
command-help = Как пользоваться ботом
command-cancel = Отменить поиск или ввод дат
command-language = Язык бота / Language

## Language
menu-language = 🌐 Язык / Language
language-name = Русский
language-title = 🌐 Язык
language-choose = Выберите язык, на котором бот будет с вами говорить. Язык Telegram на это не влияет.
language-chosen = Готово: бот говорит по-русски.
language-unknown = Такого языка в боте нет. Выберите язык из списка.

## Dialog list
list-found = Найдено: { $count } { $count ->
    [one] диалог
    [few] диалога
   *[many] диалогов
}
list-page = стр. { $page } из { $pages }
list-sorted = Сортировка: { $column } { $arrow }
list-search = 🔎 «{ $text }»
list-client = 👤 Все диалоги клиента: { $client }
list-parts-ending = Сначала номера, которые оканчиваются на { $digits } ({ $ending }), затем — с { $digits } в середине ({ $inside })
list-parts-ending-only = Все эти номера оканчиваются на { $digits }
list-parts-inside = Номера с { $digits } в середине ({ $inside }); оканчивающиеся на { $digits } — в начале списка ({ $ending })
list-parts-inside-only = Ни один номер не оканчивается на { $digits }: здесь номера с этими цифрами в середине
list-empty = В архиве пока нет диалогов. Их загружает администратор командой <code>dialogs-bot import</code>.
list-nothing-found =
    По запросу «{ $text }» ничего не нашлось.
    Попробуйте часть имени или последние 4 цифры номера.
list-nothing-found-masked =
    По запросу «{ $text }» ничего не нашлось.
    Попробуйте часть имени или номер телефона целиком.
list-messages = { $count } { $count ->
    [one] сообщение
    [few] сообщения
   *[many] сообщений
}
list-auto-closed = автозакрытие
list-no-name = Без имени
column-client = Клиент
column-channel = Канал
column-phone = Номер
column-completed-by = Кто завершил
column-completed-at = Дата завершения
column-messages = Сообщений
button-client = Клиент
button-channel = Канал
button-phone = Номер
button-completed-by = Кто
button-completed-at = Дата
button-messages = Сообщ.
button-search = 🔎 Поиск
button-reset = ✖ Сбросить поиск
list-nothing-filtered =
    С этими фильтрами диалогов нет.
    Измените период или сбросьте фильтры.
button-filters = ⚙️ Фильтры
button-reset-filters = ✖ Сбросить фильтры
button-outdated = Эта кнопка устарела. Откройте список заново: /dialogs
error-generic = Что-то пошло не так. Попробуйте ещё раз или откройте /dialogs.
archive-busy = Архив сейчас обновляется, попробуйте через минуту.
archive-unwritable = Архив сейчас не может сохранить изменения: на сервере закончилось место или файл недоступен. Сообщите об этом администратору бота.
list-outdated = Кнопка устарела — открываю список заново.


## Filters
menu-filters = Фильтры
filters-choose = Выберите, что отфильтровать. Фильтры работают вместе с поиском и сортировкой.
filters-choose-more = Выберите ещё фильтр или покажите диалоги.
filters-choose-channel = Выберите канал. Сначала — те, где больше диалогов.
filters-choose-employee =
    Выберите сотрудника, который завершил диалог. Сначала — те, кто завершил больше.
    ✍️ Или напишите несколько букв имени.
filters-employees-found = 👤 По «{ $text }» { $count ->
    [one] нашёлся { $count } сотрудник
    [few] нашлось { $count } сотрудника
   *[many] нашлось { $count } сотрудников
}. Выберите или напишите иначе.
filters-employees-none = 👤 По «{ $text }» никого не нашлось. Напишите иначе или вернитесь ко всем сотрудникам.
filters-employee-cancelled = Поиск сотрудника отменён.
filters-choose-period = Выберите период или задайте свои даты.
filters-type-dates =
    📅 Напишите даты через тире: <code>01.11–15.11</code> или <code>01.11.2025–15.01.2026</code>, один день — <code>01.11</code>.

    /cancel — вернуться к списку
filters-dates-not-understood =
    Не получилось разобрать даты. Напишите так: <code>01.11–15.11</code> (или один день: <code>01.11</code>).
    /cancel — вернуться к списку
filters-dates-cancelled = Ввод дат отменён.
filter-channel = 📡 Канал: { $value }
filter-employee = 👤 Сотрудник: { $value }
filter-period = 📅 Период: { $value }
filter-review = ⭐ Оценка: { $value }
filter-review-all = все
filter-review-unmarked = без оценки
filter-review-low = оценка ≤ 2
filters-choose-review = Выберите диалоги по оценке руководителя.
filter-all-channels = Все каналы
filter-all-employees = Все сотрудники
filter-unknown-employee = Сотрудник удалён
filter-nobody = 🤖 Закрыт автоматически
filter-choice-count = { $label } · { $count }
button-show-dialogs = { $count ->
    [0] ✅ Готово — диалогов нет
   *[other] ✅ Показать { $count } { $count ->
        [one] диалог
        [few] диалога
       *[many] диалогов
    }
}
button-show-done = ✅ Готово
button-typed-dates = ✏️ Свои даты
period-all = Всё время
period-today = Сегодня
period-yesterday = Вчера
period-7d = 7 дней
period-30d = 30 дней
period-month = Этот месяц
period-thisweek = Эта неделя
period-lastweek = Прошлая неделя
period-lastmonth = Прошлый месяц

## Search
search-prompt =
    🔎 Напишите имя клиента или номер телефона — целиком или последние цифры.

    /cancel — вернуться к списку
search-prompt-within =
    🔎 Напишите имя клиента или номер телефона — целиком или последние цифры.
    Ищу среди диалогов с фильтрами: { $filters }

    /cancel — вернуться к списку
search-employee-offer = { $count ->
    [one] 👤 Это сотрудник — показать его диалоги?
   *[other] 👤 Так зовут нескольких сотрудников — чьи диалоги показать?
}
search-cancelled = Поиск отменён.
search-one-opened = 🔎 По этому номеру найден один диалог — вот он. К списку — кнопкой ниже.
nothing-to-cancel = Отменять нечего: бот ничего у вас не спрашивал. Список диалогов — /dialogs.

search-unavailable = Архив сейчас обновляется, повторите поиск через минуту.

## Dialog card
card-channel = Канал
card-phone = Номер
card-completed-by = Завершил
card-auto-closed = закрыт автоматически
card-started = Начало
card-completed = Завершён
card-duration = { $minutes ->
    [0] меньше минуты
   *[other] { $minutes } мин
}
card-messages = Сообщений
card-source = ID в CRM
card-transcript = Переписка: { $first }–{ $last } из { $total }
card-transcript-one = Переписка: { $first } из { $total }
card-no-transcript = Переписка этого диалога не загружена.
card-not-found = Этот диалог больше не найден.
card-unavailable = Архив сейчас обновляется, откройте диалог через минуту.
card-review = ⭐ Оценка: { $mark }/5 — { $who }, { $when }
card-review-comment = 💬 Комментарий
review-by-id = id { $id }
button-review-comment = 💬 Добавить комментарий к оценке
button-review-comment-change = 💬 Изменить комментарий
button-review-comment-remove = 🗑 Удалить комментарий
review-marked = Оценка { $mark }/5 сохранена.
review-commented = 💬 Комментарий к оценке сохранён.
review-mark-first = Сначала поставьте оценку: комментарий пишется к ней.
review-not-allowed = Оценивать диалоги могут руководители и администраторы.
review-comment-prompt = 💬 Напишите короткий комментарий к оценке (до { $limit } символов) одним сообщением. Новый комментарий заменит прежний. Передумали — /cancel.
review-comment-too-long = Комментарий длинноват: { $length } символов, а можно до { $limit }. Сократите его и отправьте ещё раз или нажмите /cancel.
review-comment-cancelled = Комментарий не изменён.
review-comment-removed = Комментарий удалён.
sender-client = Клиент
sender-employee = Сотрудник
sender-bot = Бот
button-earlier = ◀ Раньше
button-later = Дальше ▶
button-to-list = ⬅ К списку
button-client-dialogs = 👤 Все диалоги клиента ({ $count })


## Analytics
menu-analytics = Аналитика
analytics-heads-only = Аналитика доступна руководителям и администраторам.
analytics-employees = Сотрудники
analytics-channels = Каналы
analytics-time = Дни и часы
analytics-clients = Самые активные клиенты
analytics-total = Всего: { $dialogs } { $dialogs ->
    [one] диалог
    [few] диалога
   *[many] диалогов
} · { $messages } { $messages ->
    [one] сообщение
    [few] сообщения
   *[many] сообщений
}
analytics-employee-messages = { $messages } { $messages ->
    [one] сообщение
    [few] сообщения
   *[many] сообщений
}, по { $average } на диалог
analytics-employee-duration = обычно диалог длится { $duration }
analytics-employee-quality = ⭐ Качество: проверено { $reviewed }, средняя оценка { NUMBER($average, minimumFractionDigits: 1, maximumFractionDigits: 1) }
analytics-employee-more-channels = ещё { $count } { $count ->
    [one] канал
    [few] канала
   *[many] каналов
}
analytics-employees-page = Сотрудники { $first }–{ $last } из { $total }, самые занятые первыми
analytics-nobody = Закрыты автоматически
analytics-channels-total = Всего: { $dialogs }
analytics-compared = Сравнение с { $days }
analytics-compared-until = Сравнение с { $days } до { $time }
analytics-compared-yesterday-until = Сравнение со вчерашним днём до { $time }
analytics-channel-line = { $dialogs } ({ $share }%)
analytics-change-up = ▲ { $percent }% (было { $previous })
analytics-change-down = ▼ { $percent }% (было { $previous })
analytics-change-same = без изменений
analytics-change-from-zero = было 0
analytics-busiest-days = Самые загруженные дни
analytics-hours = По часам (диалогов завершено)
analytics-dialogs = { $count } { $count ->
    [one] диалог
    [few] диалога
   *[many] диалогов
}
analytics-more-employees = …и ещё { $count } — их диалоги найдутся в списке с фильтром по сотруднику.
analytics-more-channels = …и ещё { $count } — их диалоги найдутся в списке с фильтром по каналу.
analytics-empty = За этот период диалогов нет.
analytics-drill-hint = Нажмите номер — откроется список этих диалогов.
analytics-drill-days = Нажмите номер дня — откроется список его диалогов.
decimal-point = ,
duration-under-minute = меньше минуты
duration-minutes = { $minutes } мин
duration-hours = { $hours } ч { $minutes } мин
weekday-0 = пн
weekday-1 = вт
weekday-2 = ср
weekday-3 = чт
weekday-4 = пт
weekday-5 = сб
weekday-6 = вс
button-section-employees = 👤 Сотрудники
button-section-channels = 📡 Каналы
button-section-time = 🕒 Дни и часы
button-section-clients = 👥 Клиенты
button-chart = 📈 График
chart-preparing = Рисую график…
chart-title = Диалоги: { $period }
chart-employees = Диалоги по сотрудникам
chart-channels = Доля каналов
chart-days = Диалоги по дням
chart-days-mean = Диалоги по дням (жирная линия — среднее за 7 дней)
chart-empty = Нет диалогов за этот период
chart-others = Остальные
chart-caption = 📈 { $period }: { $dialogs } { $dialogs ->
    [one] диалог
    [few] диалога
   *[many] диалогов
}

## Exports
button-export-csv = ⬇ CSV
button-export-xlsx = ⬇ Excel
button-transcript-file = 📄 Переписка файлом
export-heads-only = Выгрузка доступна руководителям и администраторам.
export-started = ⏳ Готовлю файл…
export-progress = ⏳ Готовлю файл: { $done } из { $total }…
export-done = Список диалогов: { $count } { $count ->
    [one] строка
    [few] строки
   *[many] строк
}
export-search = поиск «{ $text }»
export-sorted = сортировка: { $column } { $arrow }
export-capped = Выгружены первые { $count } — уточните поиск, чтобы получить остальные.
export-failed = Не получилось подготовить файл. Попробуйте ещё раз.
transcript-file-caption = Переписка: { $client }, { $date }
export-file-list = диалоги
export-file-transcript = переписка
export-sheet = Диалоги
export-mark = Оценка
export-mark-comment = Комментарий к оценке

## Channels
channel-whatsapp = WhatsApp
channel-telegram = Telegram
channel-instagram = Instagram
channel-vk = ВКонтакте
channel-viber = Viber
channel-avito = Авито
channel-email = Почта
channel-webchat = Чат на сайте

## Searches of those who see numbers masked
search-masked-digits =
    🔒 Номера клиентов вам видны не полностью, поэтому искать можно только по имени (без цифр) или по номеру целиком, со всеми цифрами.

## When Telegram did not take the bot's answer (the bot tried again already)
telegram-failed = Telegram не принял ответ бота. Попробуйте ещё раз через минуту.
telegram-flood = Telegram просит бота подождать { $seconds } с. Попробуйте ещё раз после этого.
export-not-sent = Не удалось отправить файл: Telegram не ответил. Нажмите ⬇ ещё раз через минуту.
export-too-large = Файл получился больше 50 МБ — столько Telegram от ботов не принимает. Сузьте список поиском или фильтрами и выгрузите снова.

## Review queue
menu-review-queue = Проверка качества
queue-week = Неделя { $week }
queue-about = По { $sample } { $sample ->
    [one] случайному диалогу
    [few] случайных диалога
   *[many] случайных диалогов
} каждого сотрудника из завершённых за эту неделю и ещё не оценённых.
queue-left = Осталось { $left } из { $total }
queue-all-done = ✅ Все диалоги очереди проверены ({ $total } из { $total }). Следующая очередь — в понедельник.
queue-all-done-notice = Все диалоги очереди проверены.
queue-empty = За эту неделю нет завершённых диалогов без оценки — проверять нечего. Следующая очередь — в понедельник.
queue-by-employee = По сотрудникам:
queue-employee-line = { $mark } { $name }: { $done } из { $total }
queue-employee-unknown = (без имени)
queue-more-employees = … и ещё { $count }
queue-not-allowed = Проверка качества доступна руководителям и администраторам.
button-queue-start = ▶️ Начать
button-queue-continue = ▶️ Дальше
button-queue-next = Следующий ▶
button-to-queue = ⬅ К очереди

## Response times (issue 16, point 3)
column-first-response = Первый ответ
column-longest-wait = Самое долгое ожидание
button-first-response = Ответ
button-longest-wait = Ждал
response-seconds = { $seconds } с
response-minutes = { $minutes } мин
response-hours = { $hours } ч { $minutes } мин
response-days = { $days } д { $hours } ч
response-unanswered = без ответа
response-no-client = клиент не писал
response-no-transcript = нет переписки
list-first-response = ⏱ ответ: { $time }
list-longest-wait = ⏳ ждал: { $time }
card-first-response = ⏱ Первый ответ
card-longest-wait = ⏳ Самое долгое ожидание
analytics-employee-response = ⏱ Первый ответ: медиана { $median }, 90% — не дольше { $p90 }

## Keyword search inside conversations
command-find = Поиск слов в переписке
button-keywords = 💬 Искать слова в переписке
button-keywords-again = 💬 Искать другие слова
keywords-prompt =
    💬 Напишите слова, которые нужно найти в переписке, — например: дорого. Слово можно писать не целиком: «дорог» найдёт и «дорого», и «дороговато»; несколько слов ищутся в одном сообщении.

    /cancel — отменить
keywords-prompt-within =
    💬 Напишите слова, которые нужно найти в переписке, — например: дорого. Слово можно писать не целиком: «дорог» найдёт и «дорого», и «дороговато»; несколько слов ищутся в одном сообщении.
    Ищу среди диалогов с фильтрами: { $filters }

    /cancel — отменить
keywords-searched = 💬 В переписке: «{ $words }»
keywords-found = Найдено: { $count } { $count ->
    [one] диалог
    [few] диалога
   *[many] диалогов
} · стр. { $page } из { $pages }
keywords-found-more = Найдено: больше { $count } диалогов (точнее не считаю, это долго) · стр. { $page }
keywords-newest-first = Сначала новые
keywords-nothing-found = Ни в одной переписке нет сообщения со всеми этими словами. Попробуйте начало слова или другие слова.
keywords-no-words = В запросе нет ни одного слова — только знаки. Напишите слова, например: дорого.
keywords-gone = Этот поиск больше недоступен. Начните новый: /find
keywords-cancelled = Поиск слов в переписке отменён.

## Morning digest
command-digest = Утренняя сводка (руководителям)
digest-heading = ☀️ Утренняя сводка
digest-about = Каждый день в выбранное время — вчерашний день одним сообщением: диалоги по сотрудникам и каналам против того же дня неделей раньше, самые долгие первые ответы и сколько осталось в очереди проверки качества. В рабочие часы — предупреждение, если канал, где обычно много диалогов, замолчал.
digest-state-on = Сейчас: включена, приходит в { $time } ({ $zone }).
digest-state-off = Сейчас: выключена.
digest-button-on = ✅ Включить
digest-button-off = 🔕 Выключить
digest-button-other-time = 🕐 Другое время
digest-type-time = Напишите время, когда присылать сводку, например 7:30 или 07:30.
digest-time-cancelled = Время сводки не изменено.
digest-bad-time = Не понял время «{ $text }». Напишите часы и минуты, например 7:30 или 07:30.
digest-now-on = Сводка включена: придёт в { $time }.
digest-now-off = Сводка выключена.
digest-heads-only = Утренняя сводка — для руководителей и администраторов.
digest-title = Сводка за { $weekday }, { $date }
digest-weekday = { $day ->
    [0] понедельник
    [1] вторник
    [2] среду
    [3] четверг
    [4] пятницу
    [5] субботу
   *[6] воскресенье
}
digest-weekday-plural = { $day ->
    [0] по понедельникам
    [1] по вторникам
    [2] по средам
    [3] по четвергам
    [4] по пятницам
    [5] по субботам
   *[6] по воскресеньям
}
digest-total = Диалогов: { $dialogs } ({ $change } к { $before })
digest-none = Диалогов не было (неделей раньше, { $before }: { $dialogs }).
digest-employees = 👤 Сотрудники
digest-channels = 📨 Каналы
digest-more = …и ещё { $count }: { $dialogs } { $dialogs ->
    [one] диалог
    [few] диалога
   *[many] диалогов
}
digest-all-employees = Все сотрудники за этот день
digest-all-channels = Все каналы за этот день
digest-hint = В скобках — разница с тем же днём неделей раньше. Нажмите номер — откроется список этих диалогов.
digest-silence = 🔕 { $channel }: ни одного диалога уже { $hours } ч, последний — в { $last }. Обычно в эти часы { $weekday } их около { $usual }.

## Morning digest: the slowest first responses and the reviews due
digest-slowest = 🐢 Самые долгие первые ответы
digest-all-responses = ⏱ Все за день по времени ответа
digest-reviews = 🔎 Проверка качества
digest-reviews-left = Осталось проверить { $left } из { $total } { $total ->
    [one] диалога
   *[other] диалогов
} очереди за неделю { $week }.
digest-open-queue = Открыть очередь проверки
digest-hint-dialogs = В скобках — разница с тем же днём неделей раньше. Нажмите номер — откроется список этих диалогов, а у долгого ответа — сам диалог.
