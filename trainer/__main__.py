"""`python -m trainer` is fmgen-train."""

import sys

from trainer.cli import main

sys.exit(main())
