"""``python -m booktools``: see :mod:`booktools.cli`."""

import sys

from booktools.cli import main

if __name__ == "__main__":  # guard: worker processes ("spawn") re-import this module
    sys.exit(main())
