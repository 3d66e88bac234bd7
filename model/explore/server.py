"""Start the explorer: a Solara server on one local address, printed for the reader."""

from __future__ import annotations

import os
import socket
import sys


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on ``host`` now (the system picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def serve(host: str = "127.0.0.1", port: int | None = None, region: str = "jiaxing-huzhou") -> int:
    """Serve the explorer page at ``http://host:port/`` until interrupted; return 0.

    Parameters
    ----------
    host : str
        Address to listen on (local only by default: the page runs the model on this machine).
    port : int, optional
        Port; a free one if None or 0.
    region : str
        Region key or file of the live runs (checked before the server starts).
    """
    import uvicorn

    from model.cli_checks import check_region

    check_region(region)
    port = port or free_port(host)
    # Solara's server finds the app in this variable when its module is imported
    os.environ["SOLARA_APP"] = "model.explore.app"
    os.environ.setdefault("SOLARA_THEME_SHOW_BANNER", "False")
    os.environ["INNOVSIM_EXPLORE_REGION"] = str(region)
    print(f"innovsim explore: serving at http://{host}:{port}/ (Ctrl-C stops)", flush=True)
    sys.stdout.flush()
    uvicorn.run("solara.server.starlette:app", host=host, port=port, log_level="warning")
    return 0
