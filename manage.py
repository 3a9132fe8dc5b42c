#!/usr/bin/env python
"""Django's command-line utility; ``antt`` is the same with a friendlier name."""

import sys

from antt.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
