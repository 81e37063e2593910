"""The composition root: command line, settings, and (later) the bot itself."""
