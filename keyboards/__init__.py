"""Callback data factories and pure functions from view state to inline keyboards."""
