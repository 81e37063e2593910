"""A local Telegram Bot API emulator for end-to-end tests of the bot.

Typical use::

    async with BotAPIEmulator() as api:
        bot = api.create_bot()
        async with api.run_polling(dispatcher, bot):
            user = api.user(1001, first_name="Anna", language_code="ru")
            await user.send_text("/start")
            reaction = await user.wait_answer()
            await user.press(reaction.message, "Next")
            await user.wait_answer()
"""

from .client import GroupChat, Reaction, SimulatedUser, UpdateTracker
from .formatting import EntityParseError, FormattedText, parse_html, render_text, utf16_len
from .limits import ApiError, Errors, FloodLimits
from .server import DEFAULT_TOKEN, BotAPIEmulator, UploadedFile, supported_methods
from .spec import DEFAULT_SPEC_PATH, ApiSpec, SpecError
from .state import (
    ApiCall,
    BotEvent,
    CallbackAnswer,
    CallbackQueryRecord,
    ChatInfo,
    ChatMessage,
    MessageVersion,
    SentFile,
    UserInfo,
    Violation,
)

__all__ = [
    "DEFAULT_SPEC_PATH",
    "DEFAULT_TOKEN",
    "ApiCall",
    "ApiError",
    "ApiSpec",
    "BotAPIEmulator",
    "BotEvent",
    "CallbackAnswer",
    "CallbackQueryRecord",
    "ChatInfo",
    "ChatMessage",
    "EntityParseError",
    "Errors",
    "FloodLimits",
    "FormattedText",
    "GroupChat",
    "MessageVersion",
    "Reaction",
    "SentFile",
    "SimulatedUser",
    "SpecError",
    "UpdateTracker",
    "UploadedFile",
    "UserInfo",
    "Violation",
    "parse_html",
    "render_text",
    "supported_methods",
    "utf16_len",
]
