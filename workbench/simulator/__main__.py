import sys

from workbench.simulator.server import main

sys.exit(main())
