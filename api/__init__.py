"""The bot's HTTP endpoints other than Telegram's: health, metrics and the ingestion API (DESIGN §8)."""
