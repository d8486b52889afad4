"""`stillpoint serve [--lan]`: load the models once, then serve the page (and, with --lan, to the home network)."""

from __future__ import annotations

import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from ..engine import Progress, open_store
from ..config import Settings, data_dir, ensure_data_dir
from .access import LOOPBACK_HOSTS, AccessPolicy
from .protocol import Limits


@dataclass(frozen=True)
class ServePlan:
    bind: str
    url: str
    policy: AccessPolicy
    cert: object | None  # lan.Certificate
    token: str | None  # only when just made: shown once


def plan(settings: Settings, port: int, lan: bool, new_token: bool = False, address: str | None = None,
         allow_hosts: tuple[str, ...] = ()) -> ServePlan:
    """Where to listen and who may come in. Without --lan: 127.0.0.1 only, no token needed."""
    if not lan:
        policy = AccessPolicy(frozenset(LOOPBACK_HOSTS | set(allow_hosts)))
        return ServePlan("127.0.0.1", f"http://127.0.0.1:{port}/", policy, None, None)
    from .lan import ensure_certificate, lan_address, load_or_create_token

    folder = ensure_data_dir(data_dir(settings))
    address = address or lan_address()
    hostname = socket.gethostname().lower()
    names = ["localhost", hostname, f"{hostname}.local"]
    addresses = ["127.0.0.1"] + ([address] if address else [])
    cert = ensure_certificate(folder, names, addresses)
    token_sha256, token = load_or_create_token(folder, renew=new_token)
    hosts = frozenset(LOOPBACK_HOSTS | set(names) | set(addresses) | set(allow_hosts))
    shown = address or "127.0.0.1"
    return ServePlan("0.0.0.0", f"https://{shown}:{port}/", AccessPolicy(hosts, token_sha256, secure=True), cert, token)


def check_port(bind: str, port: int) -> None:
    """Fail in one line, before the models load, when the port is taken."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((bind, port))
        except OSError:
            raise OSError(f"Port {port} is already in use (is Stillpoint already serving?); choose another with --port.") from None


def announce(p: ServePlan, out=sys.stderr) -> None:
    if p.cert is None:
        print(f"Stillpoint is at {p.url} (this computer only; Ctrl-C to stop).", file=out)
        return
    from .lan import terminal_qr

    print(f"Stillpoint is on your home network at {p.url} (Ctrl-C to stop).", file=out)
    print(f"Certificate SHA-256 (check it in the browser's certificate viewer):\n  {p.cert.sha256}", file=out)
    if p.token:
        link = f"{p.url}?token={p.token}"
        print("\nOpen this private link on your phone, or scan the code. It is shown only this once;", file=out)
        print("keep it like a key (anyone on your network with it can talk to Stillpoint as you).\n", file=out)
        print(f"  {link}\n", file=out)
        print(terminal_qr(link), file=out)
    else:
        print("Use the private link shown the first time. Lost it? Run `stillpoint serve --lan --new-token`.", file=out)


def run(settings: Settings, port: int, lan: bool, new_token: bool, verbose: int, backend: str | None = None,
        limits: Limits | None = None, allow_hosts: tuple[str, ...] = ()) -> None:
    import uvicorn

    from dialogue.crisis import CrisisResources

    from .app import create_page_app
    from .shared import SharedModels

    check_port("0.0.0.0" if lan else "127.0.0.1", port)  # before a new token is made: it must not be lost
    p = plan(settings, port, lan, new_token, allow_hosts=allow_hosts)
    store = open_store(settings)  # creates the data folder and database owner-only before anything else
    store.close()
    announce(p)  # a new private link is shown now, whatever happens while the models load
    models = SharedModels(settings, Progress(), backend)
    resources = CrisisResources.for_region(settings.safety.region, settings.safety.resources).text
    limits = limits or Limits()
    app = create_page_app(models, Path(store.path), resources_text=resources, policy=p.policy, limits=limits,
                          certificate=p.cert.cert_path if p.cert else None)
    uvicorn.run(
        app, host=p.bind, port=port, log_level="warning" if verbose == 0 else "info",
        ssl_certfile=str(p.cert.cert_path) if p.cert else None, ssl_keyfile=str(p.cert.key_path) if p.cert else None,
        ws_max_size=limits.transport_max_bytes, ws_ping_interval=20, ws_ping_timeout=20,
    )
