"""Storage of TREWS: SQLAlchemy 2 models, sessions, migrations and the operations on them."""
