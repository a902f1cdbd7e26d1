"""`python -m fmgen_gui` is fmgen."""

import sys

from fmgen_gui.app import main

sys.exit(main())
