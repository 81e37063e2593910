"""Connectors that bring completed dialogs from other systems into the archive."""
