"""aiogram routers, one per screen."""
