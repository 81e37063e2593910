## Menu
menu-home = Main menu
menu-sales = Sales department
menu-head = For the head
menu-records = Records
menu-dialogs = Dialog list
menu-dialog = Dialog
menu-choose = Choose a section.
menu-welcome =
    Hello, { $name }!
    Here are the sales team's completed dialogs from every channel.
    To find a client, just send their name or phone number.
back = ⬅ Back

## Access
access-denied =
    This bot is private.
    Your Telegram ID is <code>{ NUMBER($id, useGrouping: 0) }</code> — send it to an administrator to be let in.
access-denied-alert = Access denied. Your Telegram ID: { NUMBER($id, useGrouping: 0) }
access-unlinked =
    You are a manager here, but the bot does not know yet which dialogs are yours: you are not linked to an employee of the archive.
    Ask the bot's administrator to link you to your employee name — then your dialogs will be here.
access-unlinked-alert = You are not linked to an employee yet. Ask the bot's administrator to link you.

## Help
help =
    <b>Dialog list</b> — completed client dialogs from WhatsApp, Telegram and the other channels.

    /dialogs — open the list
    /find words — find the dialogs whose conversations hold these words (“/find expens” finds “expensive” too)
    /analytics — analytics (for heads)
    /digest — the morning digest of yesterday (for heads)
    /start — main menu
    /cancel — cancel a search or dates
    /language — the bot's language (Русский, English)

    <b>Search</b>: send the bot a client's name (or part of it) or a phone number in any format — whole or its last 4 digits.
    <b>Sorting</b>: tap a column's name; tap again for the reverse order.
    <b>Filters</b>: ⚙️ under the list — channel, employee, period (or dates like 01.11–15.11).
    <b>Analytics</b> (for heads): /analytics or Sales department → For the head → Analytics — employees, channels, days and hours, active clients and a chart.
    <b>A dialog</b>: tap its number in the list.
command-start = Main menu
command-dialogs = Dialog list
command-analytics = Analytics (for heads)
command-help = How to use the bot
command-cancel = Cancel a search or dates
command-language = Language / Язык

## Language
menu-language = 🌐 Язык / Language
language-name = English
language-title = 🌐 Language
language-choose = Choose the language the bot speaks to you in. The language of your Telegram app does not change it.
language-chosen = Done: the bot now speaks English.
language-unknown = The bot has no such language. Choose one from the list.

## Dialog list
list-found = Found: { $count } { $count ->
    [one] dialog
   *[other] dialogs
}
list-page = page { $page } of { $pages }
list-sorted = Sorted by: { $column } { $arrow }
list-search = 🔎 “{ $text }”
list-client = 👤 All dialogs of the client: { $client }
list-parts-ending = First the numbers that end in { $digits } ({ $ending }), then those with { $digits } in the middle ({ $inside })
list-parts-ending-only = All these numbers end in { $digits }
list-parts-inside = Numbers with { $digits } in the middle ({ $inside }); those that end in { $digits } open the list ({ $ending })
list-parts-inside-only = No number ends in { $digits }: these have the digits in the middle
list-empty = There are no dialogs yet. An administrator loads them with <code>dialogs-bot import</code>.
list-nothing-found =
    Nothing found for “{ $text }”.
    Try part of the name or the last 4 digits of the number.
list-nothing-found-masked =
    Nothing found for “{ $text }”.
    Try part of the name or the whole phone number.
list-messages = { $count } { $count ->
    [one] message
   *[other] messages
}
list-auto-closed = auto-closed
list-no-name = No name
column-client = Client
column-channel = Channel
column-phone = Number
column-completed-by = Completed by
column-completed-at = Completed at
column-messages = Messages
button-client = Client
button-channel = Channel
button-phone = Number
button-completed-by = Who
button-completed-at = Date
button-messages = Msgs
button-search = 🔎 Search
button-reset = ✖ Clear search
list-nothing-filtered =
    No dialogs match these filters.
    Change the period or clear the filters.
button-filters = ⚙️ Filters
button-reset-filters = ✖ Clear filters
button-outdated = This button is outdated. Open the list again: /dialogs
error-generic = Something went wrong. Try again or open /dialogs.
archive-busy = The archive is being updated; try again in a minute.
archive-unwritable = The archive cannot save changes right now: the server's disk is full or the file is unavailable. Please tell the bot's administrator.
list-outdated = This button is outdated — opening the list again.


## Filters
menu-filters = Filters
filters-choose = Choose what to filter by. Filters work together with the search and the sort.
filters-choose-more = Choose another filter or show the dialogs.
filters-choose-channel = Choose a channel. The busiest come first.
filters-choose-employee =
    Choose the employee who completed the dialog. Those who completed the most come first.
    ✍️ Or type a few letters of the name.
filters-employees-found = 👤 “{ $text }”: { $count } { $count ->
    [one] employee
   *[other] employees
} found. Choose one or type something else.
filters-employees-none = 👤 Nobody found for “{ $text }”. Type something else or go back to all the employees.
filters-employee-cancelled = Employee search cancelled.
filters-choose-period = Choose a period or set your own dates.
filters-type-dates =
    📅 Send the dates with a dash: <code>01.11–15.11</code> or <code>01.11.2025–15.01.2026</code>, one day as <code>01.11</code>.

    /cancel — back to the list
filters-dates-not-understood =
    Could not read the dates. Send them like <code>01.11–15.11</code> (or one day: <code>01.11</code>).
    /cancel — back to the list
filters-dates-cancelled = Dates cancelled.
filter-channel = 📡 Channel: { $value }
filter-employee = 👤 Employee: { $value }
filter-period = 📅 Period: { $value }
filter-review = ⭐ Mark: { $value }
filter-review-all = any
filter-review-unmarked = not marked
filter-review-low = mark ≤ 2
filters-choose-review = Choose dialogs by a head's mark.
filter-all-channels = All channels
filter-all-employees = All employees
filter-unknown-employee = Employee removed
filter-nobody = 🤖 Closed automatically
filter-choice-count = { $label } · { $count }
button-show-dialogs = { $count ->
    [0] ✅ Done — no dialogs
   *[other] ✅ Show { $count } { $count ->
        [one] dialog
       *[other] dialogs
    }
}
button-show-done = ✅ Done
button-typed-dates = ✏️ Own dates
period-all = All time
period-today = Today
period-yesterday = Yesterday
period-7d = 7 days
period-30d = 30 days
period-month = This month
period-thisweek = This week
period-lastweek = Last week
period-lastmonth = Last month

## Search
search-prompt =
    🔎 Send a client's name or a phone number — whole or its last digits.

    /cancel — back to the list
search-prompt-within =
    🔎 Send a client's name or a phone number — whole or its last digits.
    Searching the dialogs with the filters: { $filters }

    /cancel — back to the list
search-employee-offer = { $count ->
    [one] 👤 That's an employee — show their dialogs?
   *[other] 👤 Several employees have that name — whose dialogs to show?
}
search-cancelled = Search cancelled.
search-one-opened = 🔎 This number has one dialog — here it is. The list is one tap below.
nothing-to-cancel = Nothing to cancel: the bot asked you nothing. The dialog list: /dialogs.

search-unavailable = The archive is being updated; search again in a minute.

## Dialog card
card-channel = Channel
card-phone = Number
card-completed-by = Completed by
card-auto-closed = closed automatically
card-started = Started
card-completed = Completed
card-duration = { $minutes ->
    [0] under a minute
   *[other] { $minutes } min
}
card-messages = Messages
card-source = CRM ID
card-transcript = Conversation: { $first }–{ $last } of { $total }
card-transcript-one = Conversation: { $first } of { $total }
card-no-transcript = This dialog's conversation has not been loaded.
card-not-found = This dialog can no longer be found.
card-unavailable = The archive is being updated; open the dialog again in a minute.
card-review = ⭐ Mark: { $mark }/5 — { $who }, { $when }
card-review-comment = 💬 Comment
review-by-id = id { $id }
button-review-comment = 💬 Add a comment to the mark
button-review-comment-change = 💬 Change the comment
button-review-comment-remove = 🗑 Remove the comment
review-marked = Mark { $mark }/5 saved.
review-commented = 💬 The mark's comment is saved.
review-mark-first = Mark the dialog first: a comment goes with a mark.
review-not-allowed = Only heads and administrators may mark dialogs.
review-comment-prompt = 💬 Type a short comment to the mark (up to { $limit } characters) in one message. A new comment replaces the old one. Changed your mind? /cancel.
review-comment-too-long = The comment is a bit long: { $length } characters, up to { $limit } allowed. Shorten it and send it again, or tap /cancel.
review-comment-cancelled = The comment is left as it was.
review-comment-removed = The comment is removed.
sender-client = Client
sender-employee = Employee
sender-bot = Bot
button-earlier = ◀ Earlier
button-later = Later ▶
button-to-list = ⬅ To the list
button-client-dialogs = 👤 All the client's dialogs ({ $count })


## Analytics
menu-analytics = Analytics
analytics-heads-only = Analytics are for heads and admins.
analytics-employees = Employees
analytics-channels = Channels
analytics-time = Days and hours
analytics-clients = Most active clients
analytics-total = Total: { $dialogs } { $dialogs ->
    [one] dialog
   *[other] dialogs
} · { $messages } { $messages ->
    [one] message
   *[other] messages
}
analytics-employee-messages = { $messages } { $messages ->
    [one] message
   *[other] messages
}, { $average } per dialog
analytics-employee-duration = a dialog usually lasts { $duration }
analytics-employee-quality = ⭐ Quality: { $reviewed } reviewed, average mark { NUMBER($average, minimumFractionDigits: 1, maximumFractionDigits: 1) }
analytics-employee-more-channels = { $count } more { $count ->
    [one] channel
   *[other] channels
}
analytics-employees-page = Employees { $first }–{ $last } of { $total }, busiest first
analytics-nobody = Closed automatically
analytics-channels-total = Total: { $dialogs }
analytics-compared = Compared with { $days }
analytics-compared-until = Compared with { $days } until { $time }
analytics-compared-yesterday-until = Compared with yesterday until { $time }
analytics-channel-line = { $dialogs } ({ $share }%)
analytics-change-up = ▲ { $percent }% (was { $previous })
analytics-change-down = ▼ { $percent }% (was { $previous })
analytics-change-same = no change
analytics-change-from-zero = was 0
analytics-busiest-days = Busiest days
analytics-hours = By hour (dialogs completed)
analytics-dialogs = { $count } { $count ->
    [one] dialog
   *[other] dialogs
}
analytics-more-employees = …and { $count } more — find their dialogs in the list, filtered by employee.
analytics-more-channels = …and { $count } more — find their dialogs in the list, filtered by channel.
analytics-empty = No dialogs in this period.
analytics-drill-hint = Tap a number to open these dialogs as a list.
analytics-drill-days = Tap a day's number to open its dialogs as a list.
decimal-point = .
duration-under-minute = under a minute
duration-minutes = { $minutes } min
duration-hours = { $hours } h { $minutes } min
weekday-0 = Mon
weekday-1 = Tue
weekday-2 = Wed
weekday-3 = Thu
weekday-4 = Fri
weekday-5 = Sat
weekday-6 = Sun
button-section-employees = 👤 Employees
button-section-channels = 📡 Channels
button-section-time = 🕒 Days and hours
button-section-clients = 👥 Clients
button-chart = 📈 Chart
chart-preparing = Drawing the chart…
chart-title = Dialogs: { $period }
chart-employees = Dialogs per employee
chart-channels = Channel shares
chart-days = Dialogs per day
chart-days-mean = Dialogs per day (bold line: 7-day mean)
chart-empty = No dialogs in this period
chart-others = Others
chart-caption = 📈 { $period }: { $dialogs } { $dialogs ->
    [one] dialog
   *[other] dialogs
}

## Exports
button-export-csv = ⬇ CSV
button-export-xlsx = ⬇ Excel
button-transcript-file = 📄 Conversation as a file
export-heads-only = Exports are for heads and administrators.
export-started = ⏳ Preparing the file…
export-progress = ⏳ Preparing the file: { $done } of { $total }…
export-done = Dialog list: { $count } { $count ->
    [one] row
   *[other] rows
}
export-search = search “{ $text }”
export-sorted = sorted by: { $column } { $arrow }
export-capped = The first { $count } are exported — narrow the search to get the rest.
export-failed = The file could not be prepared. Please try again.
transcript-file-caption = Conversation: { $client }, { $date }
export-file-list = dialogs
export-file-transcript = conversation
export-sheet = Dialogs
export-mark = Mark
export-mark-comment = Mark comment

## Channels
channel-whatsapp = WhatsApp
channel-telegram = Telegram
channel-instagram = Instagram
channel-vk = VK
channel-viber = Viber
channel-avito = Avito
channel-email = E-mail
channel-webchat = Web chat

## Searches of those who see numbers masked
search-masked-digits =
    🔒 You see clients' numbers only in part, so you can search only by name (without digits) or by a whole number, every digit of it.

## When Telegram did not take the bot's answer (the bot tried again already)
telegram-failed = Telegram did not take the bot's answer. Please try again in a minute.
telegram-flood = Telegram asks the bot to wait { $seconds } s. Please try again after that.
export-not-sent = The file could not be sent: Telegram did not answer. Press ⬇ again in a minute.
export-too-large = The file came out larger than 50 MB, more than Telegram takes from bots. Narrow the list with a search or filters and export again.

## Review queue
menu-review-queue = Quality review
queue-week = Week { $week }
queue-about = { $sample } random { $sample ->
    [one] dialog
   *[other] dialogs
} of each employee, completed that week and not yet marked.
queue-left = { $left } left of { $total }
queue-all-done = ✅ Every dialog of the queue is reviewed ({ $total } of { $total }). The next queue comes on Monday.
queue-all-done-notice = Every dialog of the queue is reviewed.
queue-empty = No dialog completed that week is waiting for a mark: nothing to review. The next queue comes on Monday.
queue-by-employee = By employee:
queue-employee-line = { $mark } { $name }: { $done } of { $total }
queue-employee-unknown = (no name)
queue-more-employees = … and { $count } more
queue-not-allowed = Quality review is for heads and admins.
button-queue-start = ▶️ Start
button-queue-continue = ▶️ Next
button-queue-next = Next ▶
button-to-queue = ⬅ To the queue

## Response times (issue 16, point 3)
column-first-response = First response
column-longest-wait = Longest wait
button-first-response = Reply
button-longest-wait = Wait
response-seconds = { $seconds } s
response-minutes = { $minutes } min
response-hours = { $hours } h { $minutes } min
response-days = { $days } d { $hours } h
response-unanswered = no answer
response-no-client = client never wrote
response-no-transcript = no transcript
list-first-response = ⏱ reply: { $time }
list-longest-wait = ⏳ waited: { $time }
card-first-response = ⏱ First response
card-longest-wait = ⏳ Longest wait
analytics-employee-response = ⏱ First response: median { $median }, 90% within { $p90 }

## Keyword search inside conversations
command-find = Find words in conversations
button-keywords = 💬 Find words in conversations
button-keywords-again = 💬 Find other words
keywords-prompt =
    💬 Type the words to find in the conversations, e.g.: expensive. A word may be cut short: “expens” finds both “expensive” and “expenses”; several words are looked for in one message.

    /cancel — cancel
keywords-prompt-within =
    💬 Type the words to find in the conversations, e.g.: expensive. A word may be cut short: “expens” finds both “expensive” and “expenses”; several words are looked for in one message.
    Searching the dialogs with the filters: { $filters }

    /cancel — cancel
keywords-searched = 💬 In conversations: “{ $words }”
keywords-found = Found: { $count } { $count ->
    [one] dialog
   *[other] dialogs
} · page { $page } of { $pages }
keywords-found-more = Found: more than { $count } dialogs (not counted exactly, it would take long) · page { $page }
keywords-newest-first = Newest first
keywords-nothing-found = No conversation has a message with all these words. Try the start of a word, or other words.
keywords-no-words = There is no word in the query, only symbols. Type words, e.g.: expensive.
keywords-gone = This search is no longer available. Start a new one: /find
keywords-cancelled = The search in conversations is cancelled.

## Morning digest
command-digest = Morning digest (for heads)
digest-heading = ☀️ Morning digest
digest-about = Every day at the time you choose, yesterday in one message: dialogs per employee and per channel against the same day a week earlier, the slowest first responses, and what is left of the review queue. During working hours, an alert when a channel that usually has many dialogs falls silent.
digest-state-on = Now: on, comes at { $time } ({ $zone }).
digest-state-off = Now: off.
digest-button-on = ✅ Turn on
digest-button-off = 🔕 Turn off
digest-button-other-time = 🕐 Another time
digest-type-time = Type the time to send the digest at, e.g. 7:30 or 07:30.
digest-time-cancelled = The digest's time is unchanged.
digest-bad-time = «{ $text }» is not a time. Type hours and minutes, e.g. 7:30 or 07:30.
digest-now-on = The digest is on: it comes at { $time }.
digest-now-off = The digest is off.
digest-heads-only = The morning digest is for heads and administrators.
digest-title = Digest of { $weekday }, { $date }
digest-weekday = { $day ->
    [0] Monday
    [1] Tuesday
    [2] Wednesday
    [3] Thursday
    [4] Friday
    [5] Saturday
   *[6] Sunday
}
digest-weekday-plural = { $day ->
    [0] on Mondays
    [1] on Tuesdays
    [2] on Wednesdays
    [3] on Thursdays
    [4] on Fridays
    [5] on Saturdays
   *[6] on Sundays
}
digest-total = Dialogs: { $dialogs } ({ $change } on { $before })
digest-none = No dialogs (a week earlier, { $before }: { $dialogs }).
digest-employees = 👤 Employees
digest-channels = 📨 Channels
digest-more = …and { $count } more: { $dialogs } { $dialogs ->
    [one] dialog
   *[other] dialogs
}
digest-all-employees = All employees of that day
digest-all-channels = All channels of that day
digest-hint = In brackets, the difference from the same day a week earlier. Tap a number to open the list of those dialogs.
digest-silence = 🔕 { $channel }: no dialog for { $hours } h, the last at { $last }. Usually there are about { $usual } in these hours { $weekday }.

## Morning digest: the slowest first responses and the reviews due
digest-slowest = 🐢 Slowest first responses
digest-all-responses = ⏱ All of the day by response time
digest-reviews = 🔎 Quality review
digest-reviews-left = { $left } of the { $total } { $total ->
    [one] dialog
   *[other] dialogs
} of the queue for the week { $week } left to review.
digest-open-queue = Open the review queue
digest-hint-dialogs = In brackets, the difference from the same day a week earlier. Tap a number to open the list of those dialogs; a slow response opens the dialog itself.
