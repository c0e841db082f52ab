"""The one exception type of the tooling: a user-facing problem with a message that says what to do."""


class BooktoolsError(Exception):
    """A problem the user can fix (unknown chapter, unknown profile, malformed YAML, ...).

    The CLI prints its message without a traceback and exits with status 2.
    """
