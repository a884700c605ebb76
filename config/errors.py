"""The one error type for bad configuration, so every caller can print it the same way."""


class ConfigError(Exception):
    """Invalid configuration: says which file, which key (and line, when known) and why."""

    def __init__(self, file: str, key: str, reason: str, line: int | None = None) -> None:
        self.file = file
        self.key = key
        self.reason = reason
        self.line = line
        place = f"{file}:{line}" if line else file
        super().__init__(f"{place}: {key}: {reason}")
