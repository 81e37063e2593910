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

## Help
help =
    <b>Dialog list</b> — completed client dialogs from WhatsApp, Telegram and the other channels.

    /dialogs — open the list
    /start — main menu
    /cancel — cancel a search

    <b>Search</b>: send the bot a client's name (or part of it) or a phone number in any format — whole or its last 4 digits.
    <b>Sorting</b>: tap a column's name; tap again for the reverse order.
    <b>A dialog</b>: tap its number in the list.
command-start = Main menu
command-dialogs = Dialog list
command-help = How to use the bot
command-cancel = Cancel a search

## Dialog list
list-found = Found: { $count } { $count ->
    [one] dialog
   *[other] dialogs
}
list-page = page { $page } of { $pages }
list-sorted = Sorted by: { $column } { $arrow }
list-search = 🔎 “{ $text }”
list-empty = There are no dialogs yet. An administrator loads them with <code>dialogs-bot import</code>.
list-nothing-found =
    Nothing found for “{ $text }”.
    Try part of the name or the last 4 digits of the number.
list-messages = { $count } { $count ->
    [one] message
   *[other] messages
}
list-auto-closed = closed automatically
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
button-outdated = This button is outdated. Open the list again: /dialogs
error-generic = Something went wrong. Try again or open /dialogs.
list-outdated = This button is outdated — opening the list again.

## Search
search-prompt =
    🔎 Send a client's name or a phone number — whole or its last digits.

    /cancel — back to the list
search-cancelled = Search cancelled.

search-unavailable = The archive is being updated; search again in a minute.

## Dialog card
card-channel = Channel
card-phone = Number
card-completed-by = Completed by
card-started = Started
card-completed = Completed
card-duration = { $minutes ->
    [0] under a minute
   *[other] { $minutes } min
}
card-messages = Messages
card-source = CRM ID
card-transcript = Conversation: { $first }–{ $last } of { $total }
card-no-transcript = This dialog's conversation has not been loaded.
card-not-found = This dialog can no longer be found.
card-unavailable = The archive is being updated; open the dialog again in a minute.
sender-client = Client
sender-employee = Employee
sender-bot = Bot
button-earlier = ◀ Earlier
button-later = Later ▶
button-to-list = ⬅ To the list

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

## Channels
channel-whatsapp = WhatsApp
channel-telegram = Telegram
channel-instagram = Instagram
channel-vk = VK
channel-viber = Viber
channel-avito = Avito
channel-email = E-mail
channel-webchat = Web chat
