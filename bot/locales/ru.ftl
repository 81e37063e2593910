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

## Help
help =
    <b>Список диалогов</b> — завершённые диалоги с клиентами из WhatsApp, Telegram и других каналов.

    /dialogs — открыть список
    /start — главное меню
    /cancel — отменить поиск

    <b>Поиск</b>: напишите боту имя клиента (можно часть: «семен иван») или номер телефона в любом виде — целиком или последние 4 цифры.
    <b>Сортировка</b>: нажмите на название колонки, ещё раз — обратный порядок.
    <b>Диалог</b>: нажмите на его номер в списке.
command-start = Главное меню
command-dialogs = Список диалогов
command-help = Как пользоваться ботом
command-cancel = Отменить поиск

## Dialog list
list-found = Найдено: { $count } { $count ->
    [one] диалог
    [few] диалога
   *[many] диалогов
}
list-page = стр. { $page } из { $pages }
list-sorted = Сортировка: { $column } { $arrow }
list-search = 🔎 «{ $text }»
list-empty = В архиве пока нет диалогов. Их загружает администратор командой <code>dialogs-bot import</code>.
list-nothing-found =
    По запросу «{ $text }» ничего не нашлось.
    Попробуйте часть имени или последние 4 цифры номера.
list-messages = { $count } { $count ->
    [one] сообщение
    [few] сообщения
   *[many] сообщений
}
list-auto-closed = закрыт автоматически
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
button-outdated = Эта кнопка устарела. Откройте список заново: /dialogs
error-generic = Что-то пошло не так. Попробуйте ещё раз или откройте /dialogs.
list-outdated = Кнопка устарела — открываю список заново.

## Search
search-prompt =
    🔎 Напишите имя клиента или номер телефона — целиком или последние цифры.

    /cancel — вернуться к списку
search-cancelled = Поиск отменён.

search-unavailable = Архив сейчас обновляется, повторите поиск через минуту.

## Dialog card
card-channel = Канал
card-phone = Номер
card-completed-by = Завершил
card-started = Начало
card-completed = Завершён
card-duration = { $minutes ->
    [0] меньше минуты
   *[other] { $minutes } мин
}
card-messages = Сообщений
card-source = ID в CRM
card-transcript = Переписка: { $first }–{ $last } из { $total }
card-no-transcript = Переписка этого диалога не загружена.
card-not-found = Этот диалог больше не найден.
card-unavailable = Архив сейчас обновляется, откройте диалог через минуту.
sender-client = Клиент
sender-employee = Сотрудник
sender-bot = Бот
button-earlier = ◀ Раньше
button-later = Дальше ▶
button-to-list = ⬅ К списку

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

## Channels
channel-whatsapp = WhatsApp
channel-telegram = Telegram
channel-instagram = Instagram
channel-vk = ВКонтакте
channel-viber = Viber
channel-avito = Авито
channel-email = Почта
channel-webchat = Чат на сайте
