#!/usr/bin/python3
"""Generates the EXAMPLE keys and certificates in keys/ (run once; the results are committed).

Everything written here is public and for the example only: anyone can sign a bundle or
mint a token with these keys. A real deployment makes its own keys and keeps the private
ones out of any repository.
"""
import base64
import datetime
import json
import pathlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

KEYS = pathlib.Path(__file__).resolve().parent / "keys"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def write_private(name, key):
    (KEYS / name).write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))


def write_public(name, key):
    (KEYS / name).write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))


def ec_jwk(key, kid):
    numbers = key.public_key().public_numbers()
    return {"kty": "EC", "crv": "P-256", "kid": kid, "use": "sig", "alg": "ES256",
            "x": b64url(numbers.x.to_bytes(32, "big")), "y": b64url(numbers.y.to_bytes(32, "big"))}


def rsa_jwk(key, kid):
    numbers = key.public_key().public_numbers()
    n = numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")
    e = numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")
    return {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": b64url(n), "e": b64url(e)}


def certificate(subject_cn, key, issuer_name, issuer_key, sans, is_ca=False, days=3650):
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject_cn)]))
               .issuer_name(issuer_name)
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now)
               .not_valid_after(now + datetime.timedelta(days=days))
               .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True))
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def main():
    KEYS.mkdir(exist_ok=True)
    policy_owner = ed25519.Ed25519PrivateKey.generate()
    write_private("EXAMPLE-policy-owner.key.pem", policy_owner)
    write_public("EXAMPLE-policy-owner.pub.pem", policy_owner)

    registry = ec.generate_private_key(ec.SECP256R1())
    write_private("EXAMPLE-registry.key.pem", registry)
    write_public("EXAMPLE-registry.pub.pem", registry)

    spiffe = ec.generate_private_key(ec.SECP256R1())
    write_private("EXAMPLE-spiffe-example.org.key.pem", spiffe)
    (KEYS / "spiffe-example.org.jwks.json").write_text(
        json.dumps({"keys": [ec_jwk(spiffe, "example-spiffe-1")]}, indent=2) + "\n")

    github = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    write_private("EXAMPLE-github-oidc.key.pem", github)
    (KEYS / "github-oidc.jwks.json").write_text(
        json.dumps({"keys": [rsa_jwk(github, "example-github-1")]}, indent=2) + "\n")

    # mTLS: a CA, the daemon's certificate, and a gateway's X.509-SVID.
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "EXAMPLE crossgate CA")])
    ca = certificate("EXAMPLE crossgate CA", ca_key, ca_name, ca_key,
                     [x509.UniformResourceIdentifier("spiffe://example.org")], is_ca=True)
    (KEYS / "EXAMPLE-ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    write_private("EXAMPLE-ca.key.pem", ca_key)
    import ipaddress
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = certificate("localhost", server_key, ca_name, ca_key,
                         [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                          x509.UniformResourceIdentifier("spiffe://example.org/crossgate")])
    (KEYS / "EXAMPLE-server.pem").write_bytes(server.public_bytes(serialization.Encoding.PEM))
    write_private("EXAMPLE-server.key.pem", server_key)
    gateway_key = ec.generate_private_key(ec.SECP256R1())
    gateway = certificate("bedrock-proxy", gateway_key, ca_name, ca_key,
                          [x509.UniformResourceIdentifier("spiffe://example.org/gateway/bedrock-proxy")])
    (KEYS / "EXAMPLE-gateway.pem").write_bytes(gateway.public_bytes(serialization.Encoding.PEM))
    write_private("EXAMPLE-gateway.key.pem", gateway_key)


if __name__ == "__main__":
    main()
