"""`stillpoint serve --lan`: a certificate, a token, and the link to open on a phone at home.

A phone's browser gives the microphone only to a secure context, so the page is served over
https with a self-signed certificate made once with `cryptography` (kept in the data folder,
owner-only, remade only if this computer's address changes). The token is made once, shown
once (as a link and a QR code in the terminal) and kept only as its SHA-256.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path

from .access import hash_token

CERT_DAYS = 825  # the longest validity Apple devices accept for a server certificate


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def lan_address() -> str | None:
    """This computer's address on the home network (the route a packet out would take; nothing is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: connect() on UDP only picks a route
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


@dataclass(frozen=True)
class Certificate:
    cert_path: Path
    key_path: Path
    sha256: str  # colon-separated, as browsers show it
    created: bool


def ensure_certificate(folder: Path, hostnames: list[str], addresses: list[str]) -> Certificate:
    """The page's certificate, made once; remade if a name or address it must cover is missing."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    cert_path, key_path = folder / "page-cert.pem", folder / "page-key.pem"
    wanted_ips = {ipaddress.ip_address(a) for a in addresses}
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        still_valid = cert.not_valid_after_utc > datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=7)
        if still_valid and wanted_ips <= set(names.get_values_for_type(x509.IPAddress)) \
                and set(hostnames) <= set(names.get_values_for_type(x509.DNSName)):
            return Certificate(cert_path, key_path, _fingerprint(cert), created=False)

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Stillpoint on this computer"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Stillpoint (self-signed)")])
    now = datetime.datetime.now(datetime.timezone.utc)
    alt_names = [x509.DNSName(h) for h in hostnames] + [x509.IPAddress(ip) for ip in sorted(wanted_ips, key=str)]
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=CERT_DAYS))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False, key_agreement=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_private(key_path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    _write_private(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return Certificate(cert_path, key_path, _fingerprint(cert), created=True)


def _fingerprint(cert) -> str:
    from cryptography.hazmat.primitives import hashes

    return ":".join(f"{b:02X}" for b in cert.fingerprint(hashes.SHA256()))


def certificate_der(cert_path: Path) -> bytes:
    """The certificate as a .crt file a phone can install to trust the page."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    return x509.load_pem_x509_certificate(cert_path.read_bytes()).public_bytes(serialization.Encoding.DER)


def load_or_create_token(folder: Path, renew: bool = False) -> tuple[str, str | None]:
    """(SHA-256 of the token, the token itself only when it was just made — shown once, never stored)."""
    path = folder / "page-token.sha256"
    if path.exists() and not renew:
        return path.read_text(encoding="ascii").strip(), None
    token = secrets.token_urlsafe(24)
    _write_private(path, (hash_token(token) + "\n").encode("ascii"))
    return hash_token(token), token


def terminal_qr(url: str) -> str:
    """The link as a QR code drawn with text blocks, for a phone's camera."""
    import io

    import segno

    out = io.StringIO()
    segno.make(url, error="m").terminal(out=out, compact=True, border=2)
    return out.getvalue()
