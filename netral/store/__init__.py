"""The score store: SQLAlchemy models, engine set-up, migrations, accounts and attempts."""
