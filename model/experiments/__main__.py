"""``python -m model.experiments FILE ...`` is ``innovsim sweep FILE ...``."""

import sys

from model.cli import main

if __name__ == "__main__":
    sys.exit(main(["sweep", *sys.argv[1:]]))
