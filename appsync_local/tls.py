"""A self-signed certificate for localhost, so browsers and Node can use wss://.

Amplify JS rewrites every non-AWS GraphQL endpoint to `wss://{host}/graphql/realtime`
(reference 1.1), so a local runtime used with Amplify must serve TLS. The certificate is
its own issuer (no separate CA): one file to trust (`NODE_EXTRA_CA_CERTS`, the OS or browser
trust store, or `ssl.create_default_context(cafile=...)`). It is marked as an end-entity
certificate (CA:FALSE) because Firefox refuses a CA certificate used as a server
certificate. Written under `<state_dir>/tls/` and reused across restarts, so a client
trusts it once; regenerated when it is close to expiry, unreadable, or lacks a name.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEFAULT_DNS_NAMES: tuple[str, ...] = ("localhost",)
DEFAULT_IP_ADDRESSES: tuple[str, ...] = ("127.0.0.1", "::1")
VALID_DAYS = 365  # browsers reject leaf certificates valid for more than ~398 days
RENEW_BEFORE = dt.timedelta(days=7)


@dataclass(frozen=True)
class TlsFiles:
    cert_path: Path  # PEM certificate: what clients trust
    key_path: Path  # PEM private key (mode 0600): only the server reads it


def ensure_localhost_certificate(
    state_dir: Path,
    *,
    dns_names: Sequence[str] = DEFAULT_DNS_NAMES,
    ip_addresses: Sequence[str] = DEFAULT_IP_ADDRESSES,
    now: dt.datetime | None = None,
) -> TlsFiles:
    """Return the certificate under `state_dir/tls`, creating or renewing it if needed.

    Raises
    ------
    OSError
        The state directory cannot be created or written.
    """
    now = now or dt.datetime.now(dt.UTC)
    directory = Path(state_dir) / "tls"
    files = TlsFiles(directory / "localhost.crt", directory / "localhost.key")
    if _reusable(files, dns_names, ip_addresses, now):
        return files
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _build_certificate(key, dns_names, ip_addresses, now)
    _write(
        files.key_path,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        mode=0o600,
    )
    _write(files.cert_path, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)
    return files


def _build_certificate(
    key: ec.EllipticCurvePrivateKey,
    dns_names: Sequence[str],
    ip_addresses: Sequence[str],
    now: dt.datetime,
) -> x509.Certificate:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, dns_names[0] if dns_names else "localhost"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "appsync_local development"),
        ]
    )
    alt_names: list[x509.GeneralName] = [x509.DNSName(n) for n in dns_names]
    alt_names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ip_addresses]
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(int.from_bytes(secrets.token_bytes(16), "big") >> 1)
        # Backdated a little so a client whose clock runs behind still accepts it.
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def _reusable(
    files: TlsFiles, dns_names: Sequence[str], ip_addresses: Sequence[str], now: dt.datetime
) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(files.cert_path.read_bytes())
        key = serialization.load_pem_private_key(files.key_path.read_bytes(), password=None)
    except (OSError, ValueError):
        return False
    if cert.not_valid_after_utc - RENEW_BEFORE <= now or cert.not_valid_before_utc > now:
        return False
    if cert.public_key() != key.public_key():
        return False
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    have_dns = set(san.get_values_for_type(x509.DNSName))
    have_ips = {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}
    wanted_ips = {str(ipaddress.ip_address(ip)) for ip in ip_addresses}
    return set(dns_names) <= have_dns and wanted_ips <= have_ips


def _write(path: Path, data: bytes, *, mode: int) -> None:
    # Write then rename, so a server starting concurrently never reads half a file.
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(tmp, mode)
    os.replace(tmp, path)
