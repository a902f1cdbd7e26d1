"""`python -m trainer` is fmgen-train."""

import sys

from trainer.cli.train import main

sys.exit(main())
