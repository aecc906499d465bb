import sys

from sijpro.cli import main

sys.exit(main())
