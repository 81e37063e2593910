"""The dialog archive: models, migrations, import and the query engine. Imports nothing of the bot."""
