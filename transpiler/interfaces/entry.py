"""The ``nb2jvm`` console command: a served command line goes to the warm server (see
:mod:`.client`); anything else, or when the server cannot be used, runs in this process."""

from __future__ import annotations

import sys

from . import client


def main() -> None:
    argv = sys.argv[1:]
    if client.served(argv):
        code = client.run_on_server(argv)
        if code is not None:
            sys.exit(code)
    from .cli import main as cli_main

    sys.exit(cli_main())


if __name__ == "__main__":
    main()
