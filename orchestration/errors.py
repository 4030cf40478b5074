"""Errors a user can act on. The CLI prints their message (no traceback unless --debug)."""


class ModqaError(Exception):
    """Base class: the message says what was wrong, where, and what to do."""

    exit_code = 1


class UsageError(ModqaError):
    """Wrong arguments or a folder in the wrong state."""

    exit_code = 2


class LandingFileError(ModqaError):
    """A landing file that cannot be loaded at all (it is recorded as rejected in the manifest)."""


class BuildError(ModqaError):
    """dbt failed: the published warehouse was not touched."""


class GateError(ModqaError):
    """Blocking expectations failed: nothing was published; the build is kept for inspection."""

    exit_code = 3
