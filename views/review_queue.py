"""The review queue's screen: the week, how many dialogs are left to review of how many, each employee's
done and total, and the way into the next card; or that the week is done, or had nothing to review."""

from __future__ import annotations

from datetime import timedelta

from db.review_queue import ReviewQueue
from keyboards.menu import REVIEW_QUEUE_PATH
from keyboards.review_queue import queue_keyboard
from views.formatting import breadcrumb, h, short
from views.screen import Screen
from views.viewer import Viewer

MAX_EMPLOYEE_LINES = 40  # a line an employee: forty stay far under Telegram's 4096 characters


def queue_screen(queue: ReviewQueue, viewer: Viewer, notice: str | None = None) -> Screen:
    t = viewer.texts
    first, last = queue.week, queue.week + timedelta(days=6)
    week = f"{first:%d.%m}–{last:%d.%m.%Y}"
    lines = [breadcrumb(t, *REVIEW_QUEUE_PATH), f"<b>{t('queue-week', week=week)}</b>"]
    lines += [t("queue-about", sample=queue.sample_size), ""]
    if not queue.total:
        lines.append(t("queue-empty"))
    elif not queue.left:
        lines.append(t("queue-all-done", total=queue.total))
    else:
        lines.append(t("queue-left", left=queue.left, total=queue.total))
    progress = queue.progress()
    if progress:
        lines += ["", t("queue-by-employee")]
        for row in progress[:MAX_EMPLOYEE_LINES]:
            mark = "✅" if row.done == row.total else "▫️"
            name = h(short(row.employee)) if row.employee else t("queue-employee-unknown")
            lines.append(t("queue-employee-line", mark=mark, name=name, done=row.done, total=row.total))
        if len(progress) > MAX_EMPLOYEE_LINES:
            lines.append(t("queue-more-employees", count=len(progress) - MAX_EMPLOYEE_LINES))
    started = queue.left < queue.total
    keyboard = queue_keyboard(queue.code, left=queue.left, started=started, t=t)
    return Screen("\n".join(lines), keyboard, notice)
