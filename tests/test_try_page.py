"""`dialogs-bot try` in a real browser: the command runs as a person runs it (no token, no network), and
headless Chromium taps through the page as a person would — down the menu to the list, a sort, a search
by the last four digits, a card and back, an export downloaded, the manager's masked numbers — asserting on
what the page shows. The list at 360 px is saved for the README (docs/try-list.png).

Chromium is the distribution's (`apt-get install chromium`; CI installs it); Playwright only drives it,
it downloads no browser. Without Chromium these tests are skipped, unless DIALOGS_BOT_REQUIRE_BROWSER is
set (CI sets it), when they fail."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

playwright = pytest.importorskip("playwright.async_api")
from playwright.async_api import Browser, Locator, Page, async_playwright, expect  # noqa: E402

from tests.test_run_command import free_port  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "try-list.png"
DIALOGS = 300  # enough for pages, sorts and searches; made in about a second
START_SECONDS = 60.0
# the machine's network is closed: without these Chromium keeps trying Google's hosts
CHROMIUM_FLAGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FULL_PHONE = re.compile(r"\+7 \d{3} \d{3}-\d{2}-\d{2}")
MASKED_PHONE = re.compile(r"\+7 \d{3} \*\*\*-\*\*-\d{2}")

if CHROMIUM is None:
    if os.environ.get("DIALOGS_BOT_REQUIRE_BROWSER"):
        raise RuntimeError("the browser tests need Chromium: apt-get install chromium")
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)


@pytest.fixture
async def try_page(tmp_path: Path) -> AsyncIterator[str]:
    """`dialogs-bot try` in a folder of its own, with a real archive named that it must never touch;
    yields the page's address; then Ctrl-C, which must stop everything cleanly."""
    port = free_port()
    unset = ("BOT_TOKEN", "ADMIN_IDS", "DATABASE_URL")
    environment = {key: value for key, value in os.environ.items() if key not in unset}
    environment["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'real.db'}"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from bot.cli import main; raise SystemExit(main())",
        "try",
        "--port",
        str(port),
        "--dialogs",
        str(DIALOGS),
        cwd=tmp_path,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    printed: list[str] = []
    try:
        while True:
            line = (await asyncio.wait_for(process.stdout.readline(), START_SECONDS)).decode()
            assert line, f"dialogs-bot try ended before the page was up: {printed}"
            printed.append(line)
            if line.startswith("Open http://"):
                break
        assert f"http://127.0.0.1:{port}/" in line
        yield f"http://127.0.0.1:{port}/"
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        _, errors = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, errors.decode()[-2000:]
    assert (tmp_path / "dialogs-try.db").exists()
    assert not (tmp_path / "real.db").exists(), "try opened the real archive"


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as driver:
        launched = await driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield launched
        finally:
            await launched.close()


async def phone_page(browser: Browser, address: str, person: str = "") -> Page:
    """The page in a phone-sized window (360 × 740), as the person given (`#person=<id>`)."""
    context = await browser.new_context(viewport={"width": 360, "height": 740}, locale="ru-RU")
    page = await context.new_page()
    await page.goto(address + (f"#person={person}" if person else ""))
    return page


def last_bot_message(page: Page) -> Locator:
    return page.locator(".message:not(.mine)").last


async def tap(page: Page, label: str) -> None:
    """Taps the button labelled exactly `label` on the bot's last message."""
    await last_bot_message(page).get_by_role("button", name=label, exact=True).click()


async def write(page: Page, text: str) -> None:
    await page.get_by_placeholder("Сообщение").fill(text)
    await page.get_by_placeholder("Сообщение").press("Enter")


async def shows(page: Page, text: str | re.Pattern[str]) -> None:
    await expect(last_bot_message(page).locator(".text")).to_contain_text(text, timeout=10_000)


async def test_a_head_taps_down_the_menu_to_the_list_sorts_searches_and_opens_a_card(
    try_page: str, browser: Browser
) -> None:
    page = await phone_page(browser, try_page)
    await expect(page.locator("#person")).to_have_value("1001")  # the first person: the admin
    await page.get_by_role("button", name="Начать").click()
    await shows(page, "Главное меню")
    messages = await page.locator(".message").count()
    for label in ("Отдел продаж", "Для руководителя", "Записи", "Список диалогов"):
        await tap(page, label)
    await shows(page, "Отдел продаж → Для руководителя → Записи → Список диалогов")
    await shows(page, f"Найдено: {DIALOGS} диалогов")
    # every tap edited the menu's message in place, as Telegram shows it: no new messages
    await expect(page.locator(".message")).to_have_count(messages)
    await expect(last_bot_message(page).locator(".meta")).to_contain_text("изменено")
    SCREENSHOT.parent.mkdir(exist_ok=True)
    await page.screenshot(path=str(SCREENSHOT))

    await tap(page, "Клиент")
    await shows(page, "Сортировка: Клиент")
    await expect(page.locator(".message")).to_have_count(messages)

    first_entry = (await last_bot_message(page).locator(".text").inner_text()).split("\n\n")[1]
    phone = FULL_PHONE.search(first_entry)
    assert phone is not None, first_entry  # the admin sees numbers in full

    last_four = re.sub(r"\D", "", phone.group())[-4:]
    await write(page, last_four)
    await expect(page.locator(".message.mine").last).to_contain_text(last_four)
    await shows(page, phone.group())
    await shows(page, "Найдено:")

    await tap(page, "1")
    await shows(page, "Переписка")
    await tap(page, "⬅ К списку")
    await shows(page, phone.group())

    await tap(page, "⬇ Excel")
    document = page.locator(".document").last
    await expect(document).to_contain_text(".xlsx", timeout=10_000)
    async with page.expect_download() as downloading:
        await document.click()
    download = await downloading.value
    assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename
    saved = await download.path()
    assert saved.read_bytes()[:2] == b"PK"  # an Excel workbook is a zip


async def test_the_switch_shows_each_role_its_own_view(try_page: str, browser: Browser) -> None:
    page = await phone_page(browser, try_page, person="1003")
    await expect(page.locator("#person")).to_have_value("1003")
    await expect(page.locator("#person option:checked")).to_have_text("Менеджер")
    await write(page, "/dialogs")
    await shows(page, "Список диалогов")
    text = await last_bot_message(page).locator(".text").inner_text()
    assert MASKED_PHONE.search(text), text
    assert not FULL_PHONE.search(text), text

    await page.locator("#person").select_option(label="Посторонний")
    await expect(page.locator("#start")).to_be_visible()
    await page.get_by_role("button", name="Начать").click()
    await shows(page, "Ваш Telegram ID: 1004")

    await page.locator("#person").select_option(label="Менеджер")  # the manager's chat is still there
    await shows(page, "Список диалогов")


async def test_the_page_in_english_speaks_english_and_so_does_the_bot(
    try_page: str, browser: Browser
) -> None:
    page = await phone_page(browser, try_page + "?lang=en", person="1004")
    await expect(page.locator("#person option:checked")).to_have_text("Stranger")
    await page.get_by_role("button", name="Start").click()
    await shows(page, "Your Telegram ID is 1004")


async def test_what_the_page_shows_is_escaped(try_page: str, browser: Browser) -> None:
    page = await phone_page(browser, try_page, person="1002")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    typed = "<b>Иван</b> & <img src=x onerror=alert(1)>"
    await write(page, typed)
    await expect(page.locator(".message.mine").last).to_contain_text(typed)
    await shows(page, f"По запросу «{typed}» ничего не нашлось")  # the bot's echo, shown as text
    assert await page.locator(".message img").count() == 0
    assert await page.locator(".message.mine b").count() == 0
    assert dialogs == []


async def test_the_chart_arrives_as_a_picture(try_page: str, browser: Browser) -> None:
    page = await phone_page(browser, try_page, person="1002")
    await write(page, "/start")
    await shows(page, "Главное меню")
    for label in ("Отдел продаж", "Для руководителя", "Аналитика"):
        await tap(page, label)
    await tap(page, "📈 График")
    picture = page.locator(".message img.photo").last
    await expect(picture).to_be_visible(timeout=15_000)
    width = await picture.evaluate("image => image.decode().then(() => image.naturalWidth)")  # once loaded
    assert width > 300  # a real chart, drawn from the PNG the bot sent
