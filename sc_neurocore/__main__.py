"""``python -m sc_neurocore``: the command line, the same as the ``sc-neurocore`` console script."""

import sys

from sc_neurocore._cli import main

if __name__ == "__main__":
    sys.exit(main())
