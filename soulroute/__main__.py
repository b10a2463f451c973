import sys

from soulroute.cli import main

sys.exit(main())
