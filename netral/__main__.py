"""`python -m netral ...` runs the command-line interface."""

import sys

from netral.cli import main

sys.exit(main())
