"""Where log lines go and what they look like: text for a person, or one JSON object per line for
a log collector (setting ``log_format``). Fields given with ``extra=`` (a job's id, duration,
outcome and counts) become keys of the JSON object."""

import json
import logging
from datetime import UTC, datetime
from typing import Any, Literal

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Every attribute a LogRecord has of its own; anything else on a record came from `extra=`.
_RECORD_FIELDS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """A record as one JSON object: time (UTC, ISO 8601), level, logger, message, the caller's
    extra fields, and the traceback as ``exception`` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({key: value for key, value in vars(record).items()
                      if key not in _RECORD_FIELDS and not key.startswith("_")})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def log_handler(log_format: Literal["text", "json"]) -> logging.Handler:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else
                         logging.Formatter(TEXT_FORMAT))
    return handler


def configure_logging(verbose: bool, log_format: Literal["text", "json"]) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        handlers=[log_handler(log_format)])
    if not verbose:
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
        # "Running job"/"executed successfully" for every run: the job's own line says more.
        logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
        # One line per plugin Alembic loads, at every start; the migrations it runs still show.
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
