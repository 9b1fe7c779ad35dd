"""A self-signed certificate made at start, so the emulator can speak TLS with nothing on disk.

The key is ECDSA P-256 (fast to make); the certificate is valid for ``localhost``,
``127.0.0.1``, ``::1`` and the host the emulator listens on, for one day. Clients trust it
through :func:`client_context` or by pointing their CA file at :attr:`CertFiles.cert`.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["CertFiles", "client_context", "make_self_signed", "server_context"]


@dataclass(frozen=True, slots=True)
class CertFiles:
    """Where a certificate and its private key were written (PEM)."""

    cert: Path
    key: Path


def make_self_signed(directory: Path, host: str) -> CertFiles:
    """Write a new self-signed certificate for `host` (and localhost) into `directory`."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "streamsuites twitch emulator")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(_alt_names(host)), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    files = CertFiles(cert=directory / "emulator-cert.pem", key=directory / "emulator-key.pem")
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return files


def _alt_names(host: str) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(ipaddress.ip_address("::1")),
    ]
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if host and host != "localhost":
            names.append(x509.DNSName(host))
    else:
        if x509.IPAddress(address) not in names:
            names.append(x509.IPAddress(address))
    return names


def server_context(files: CertFiles) -> ssl.SSLContext:
    """Return the server-side TLS context for `files`."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(files.cert, files.key)
    return context


def client_context(files: CertFiles) -> ssl.SSLContext:
    """Return a client-side context that verifies the emulator against its own certificate."""
    return ssl.create_default_context(cafile=str(files.cert))
