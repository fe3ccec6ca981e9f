"""``python -m maskgate`` is the ``maskgate`` command (useful where the venv's bin/ is not on PATH)."""

import sys

from maskgate.cli import main

sys.exit(main())
