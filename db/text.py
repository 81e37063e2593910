"""Text folding: the one way names are compared, so that "семен иван" finds "Семён Иванов"."""


def fold(text: str) -> str:
    """Case-insensitive for every script (SQLite's lower() folds ASCII only) and ё = е."""
    return " ".join(text.casefold().replace("ё", "е").split())
