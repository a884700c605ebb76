"""Where the demo lives: its data folder, its database and the address its mails link to.

`trews demo` builds its world there, and `trews --demo <command>` points any other command at
it, so `trews --demo web`, `trews --demo users add` or `trews --demo digest --dry-run` show what
the demo made instead of an empty default database. Kept apart from demo.py, which starts
servers, so a command pointed at the demo loads nothing more than it would otherwise.
"""

from config import Settings

DEMO_HOST = "127.0.0.1"
DEMO_PORT = 8000
DEMO_DATABASE = "trews.db"  # the SQLite file in data_dir/demo


def demo_url(host: str = DEMO_HOST, port: int = DEMO_PORT) -> str:
    """The address the demo's web pages are served on, and so the one its mails link to."""
    return f"http://{host}:{port}/"


def demo_settings(settings: Settings, public_url: str | None = None) -> Settings:
    """`settings` moved into data_dir/demo, with the demo's SQLite database there and links on
    `public_url` (default: the address `trews demo --serve` and `trews --demo web` listen on).
    The signing key file lives in that folder too, so every command reads the links the
    demo's mails carry."""
    demo_dir = (settings.data_dir / "demo").resolve()
    return settings.model_copy(update={
        "data_dir": demo_dir, "database_url": f"sqlite:///{demo_dir / DEMO_DATABASE}",
        "public_url": public_url or demo_url(),
    })
