#!/usr/bin/python3
"""A self-contained crossgate test world, built in a directory of its own.

It generates every key it needs (policy owner Ed25519, registry P-256, a JWT-SVID key for
trust domain example.org, an RSA key standing in for GitHub's OIDC issuer, and an mTLS CA
with server and client certificates), copies the example policy bundle and owner registry
from deploy/example, moves their time windows around "now" and adds the registry entries
the end-to-end tests need, signs both with the real `crossgate sign`, and writes daemon
configurations that listen on 127.0.0.1 port 0. Tokens are minted with PyJWT.

  import fixture; world = fixture.World.create(out_dir, crossgate_binary)
  fixture.py --crossgate build/default/server/crossgate --out DIR   # also writes tokens.json

Use /usr/bin/python3 (Debian's python3-cryptography, python3-jwt and python3-yaml).
"""
import argparse
import base64
import datetime
import hashlib
import ipaddress
import json
import pathlib
import shutil
import subprocess
import tempfile
import time
import unittest
import uuid

import jwt  # PyJWT
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE = REPO_ROOT / "deploy" / "example"

AUDIENCE = "crossgate"
TRUST_DOMAIN = "example.org"
SPIFFE_KID = "e2e-spiffe-1"
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
GITHUB_KID = "e2e-github-1"

# Identities of the example registry (deploy/example/registry/workloads.yaml).
CLAIMS_ASSISTANT = "spiffe://example.org/ns/claims/sa/assistant"
CHURN_MODEL = "spiffe://example.org/ns/analytics/sa/churn-model"
LEGACY_BATCH = "spiffe://example.org/ns/batch/sa/legacy"
UNREGISTERED = "spiffe://example.org/ns/nobody/sa/unknown"
GATEWAY = "spiffe://example.org/gateway/bedrock-proxy"
OTHER_CALLER = "spiffe://example.org/other/caller"
PIPELINE_CLAIMS = {
    "sub": "repo:acme/claims-assistant:environment:production",
    "repository": "acme/claims-assistant",
    "repository_id": "123456789",
    "environment": "production",
    "job_workflow_ref": "acme/claims-assistant/.github/workflows/deploy.yml@refs/heads/main",
}

# Registry entries the fixture adds or rewrites (see _rewrite_registry).
VALID_GRANT = "eg-2026-0042"
EXPIRED_GRANT = "eg-expired"
SELF_APPROVED_GRANT = "eg-self-approved"
ENDING_SOON_GRANT = "eg-ending-soon"
VALID_GRANT_SECONDS_LEFT = 1800
ENDING_SOON_SECONDS_LEFT = 600  # less than STS's minimum session of 900 s


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _rfc3339(t: float) -> str:
    return datetime.datetime.fromtimestamp(int(t), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _private_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _public_pem(key) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def key_id(key) -> str:
    """crossgate's id of a signing key: SHA-256 (hex) of its DER SubjectPublicKeyInfo."""
    der = key.public_key().public_bytes(serialization.Encoding.DER,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def _ec_jwk(key, kid):
    numbers = key.public_key().public_numbers()
    return {"kty": "EC", "crv": "P-256", "kid": kid, "use": "sig", "alg": "ES256",
            "x": _b64url(numbers.x.to_bytes(32, "big")), "y": _b64url(numbers.y.to_bytes(32, "big"))}


def _rsa_jwk(key, kid):
    numbers = key.public_key().public_numbers()
    as_bytes = lambda n: n.to_bytes((n.bit_length() + 7) // 8, "big")  # noqa: E731
    return {"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
            "n": _b64url(as_bytes(numbers.n)), "e": _b64url(as_bytes(numbers.e))}


def bundle_digest(bundle_dir: pathlib.Path) -> str:
    """The digest crossgate reports for a signed bundle: SHA-256 of the signed statement
    ("crossgate-signatures-v1 KIND\\n" then "SHA256  PATH\\n" per file, in path order)."""
    document = json.loads((bundle_dir / "signatures.json").read_text())
    statement = f"{document['format']} {document['kind']}\n"
    statement += "".join(f"{digest}  {path}\n" for path, digest in sorted(document["files"].items()))
    return hashlib.sha256(statement.encode()).hexdigest()


class _Certificates:
    """An mTLS CA and the certificates it issues."""

    def __init__(self):
        self.ca_key = ec.generate_private_key(ec.SECP256R1())
        self.ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "crossgate e2e CA")])
        now = time.time()
        self.ca = self._build(self.ca_name, self.ca_key, now - 3600, now + 86400, [], is_ca=True)

    def _build(self, subject, key, not_before, not_after, sans, is_ca=False):
        dt = lambda t: datetime.datetime.fromtimestamp(t, datetime.timezone.utc)  # noqa: E731
        builder = (x509.CertificateBuilder()
                   .subject_name(subject)
                   .issuer_name(self.ca_name)
                   .public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(dt(not_before))
                   .not_valid_after(dt(not_after))
                   .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True))
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        return builder.sign(self.ca_key, hashes.SHA256())

    def issue(self, common_name, sans, not_before=None, not_after=None):
        """A new key and a certificate for it: (key PEM, certificate PEM)."""
        now = time.time()
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        cert = self._build(name, key, not_before or now - 3600, not_after or now + 86400, sans)
        return _private_pem(key), cert.public_bytes(serialization.Encoding.PEM)


class World:
    """Keys, signed bundle and registry, configurations and token minting in one folder.

    Attributes: root, bundle_dir, registry_dir, plaintext_config, mtls_config, ca_pem,
    client_certs (name -> (key path, cert path)), policy_key_id, registry_key_id.
    """

    @classmethod
    def create(cls, root, crossgate_binary):
        world = cls(pathlib.Path(root), pathlib.Path(crossgate_binary))
        world._build()
        return world

    def __init__(self, root: pathlib.Path, crossgate_binary: pathlib.Path):
        self.root = root.resolve()
        self.crossgate = crossgate_binary
        self.keys_dir = self.root / "keys"
        self.bundle_dir = self.root / "bundle"
        self.registry_dir = self.root / "registry"
        self.now = time.time()

    # ---- building ---------------------------------------------------------------------

    def _build(self):
        self.keys_dir.mkdir(parents=True, exist_ok=True)
        self._make_signing_keys()
        self._make_token_keys()
        self._make_tls()
        self._copy_and_sign()
        self.plaintext_config = self.write_config("plaintext.yaml", mtls=False,
                                                  decision_log=self.root / "state" / "plaintext.log")
        self.mtls_config = self.write_config("mtls.yaml", mtls=True,
                                             decision_log=self.root / "state" / "mtls.log")

    def _write_key(self, name, key, public=True):
        (self.keys_dir / f"{name}.key.pem").write_bytes(_private_pem(key))
        if public:
            (self.keys_dir / f"{name}.pub.pem").write_bytes(_public_pem(key))

    def _make_signing_keys(self):
        self.policy_key = ed25519.Ed25519PrivateKey.generate()
        self.registry_key = ec.generate_private_key(ec.SECP256R1())
        self._write_key("policy-owner", self.policy_key)
        self._write_key("registry", self.registry_key)
        self.policy_key_id = key_id(self.policy_key)
        self.registry_key_id = key_id(self.registry_key)

    def _make_token_keys(self):
        self.spiffe_key = ec.generate_private_key(ec.SECP256R1())
        # Not in any key set: tokens it signs (under the real kid) must not verify.
        self.impostor_key = ec.generate_private_key(ec.SECP256R1())
        self.github_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._write_key("spiffe-example.org", self.spiffe_key, public=False)
        self._write_key("github-oidc", self.github_key, public=False)
        self.spiffe_jwks = self.keys_dir / "spiffe-example.org.jwks.json"
        self.spiffe_jwks.write_text(json.dumps({"keys": [_ec_jwk(self.spiffe_key, SPIFFE_KID)]}))
        self.github_jwks = self.keys_dir / "github-oidc.jwks.json"
        self.github_jwks.write_text(json.dumps({"keys": [_rsa_jwk(self.github_key, GITHUB_KID)]}))

    def _make_tls(self):
        certs = _Certificates()
        self.ca_pem = self.keys_dir / "ca.pem"
        self.ca_pem.write_bytes(certs.ca.public_bytes(serialization.Encoding.PEM))
        self.client_certs = {}

        def write(name, pair):
            key_path, cert_path = self.keys_dir / f"{name}.key.pem", self.keys_dir / f"{name}.pem"
            key_path.write_bytes(pair[0])
            cert_path.write_bytes(pair[1])
            return key_path, cert_path

        self.server_key, self.server_cert = write("server", certs.issue(
            "localhost", [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]))
        uri = x509.UniformResourceIdentifier
        self.client_certs["gateway"] = write("gateway", certs.issue("bedrock-proxy", [uri(GATEWAY)]))
        self.client_certs["untrusted"] = write("untrusted", certs.issue("other-caller", [uri(OTHER_CALLER)]))
        # The trusted gateway's identity, but the certificate ran out yesterday.
        self.client_certs["expired"] = write("expired", certs.issue(
            "bedrock-proxy-expired", [uri(GATEWAY)], self.now - 3 * 86400, self.now - 86400))

    def _copy_and_sign(self):
        ignore = shutil.ignore_patterns("signatures.json")
        shutil.copytree(EXAMPLE / "bundle", self.bundle_dir, ignore=ignore)
        shutil.copytree(EXAMPLE / "registry", self.registry_dir, ignore=ignore)
        self._rewrite_registry()
        self._sign(self.bundle_dir, self.keys_dir / "policy-owner.key.pem", "policy-bundle")
        self._sign(self.registry_dir, self.keys_dir / "registry.key.pem", "owner-registry")
        self.bundle_digest = bundle_digest(self.bundle_dir)
        self.registry_digest = bundle_digest(self.registry_dir)

    def _sign(self, directory, key, kind):
        subprocess.run([str(self.crossgate), "sign", "--dir", str(directory), "--key", str(key),
                        "--kind", kind], check=True, capture_output=True, text=True)

    def _edit_yaml(self, name, edit):
        path = self.registry_dir / name
        document = yaml.safe_load(path.read_text())
        edit(document)
        path.write_text(yaml.safe_dump(document, sort_keys=False))

    def _rewrite_registry(self):
        """Time windows relative to now, plus the entries that reach every reason code."""
        hour, day = 3600, 86400

        def grant(grant_id, not_before, not_after, **overrides):
            entry = {"id": grant_id, "incident_id": "INC-4711", "incident_owner": "oncall-ml-platform",
                     "requested_by": "bob.smith", "approved_by": "carol.jones",
                     "workload": "claims-assistant-prod", "target_account": "999900001111",
                     "role_arn": "arn:aws:iam::999900001111:role/bedrock-breakglass",
                     "regions": ["eu-central-1"],
                     "not_before": _rfc3339(not_before), "not_after": _rfc3339(not_after)}
            entry.update(overrides)
            return entry

        def emergency(doc):
            doc["grants"] = [
                grant(VALID_GRANT, self.now - hour, self.now + VALID_GRANT_SECONDS_LEFT),
                grant(EXPIRED_GRANT, self.now - 3 * hour, self.now - hour),
                grant(SELF_APPROVED_GRANT, self.now - hour, self.now + hour, approved_by="bob.smith"),
                grant(ENDING_SOON_GRANT, self.now - hour, self.now + ENDING_SOON_SECONDS_LEFT),
            ]

        def trust(doc):
            for record in doc["trust"]:
                record["expires_at"] = _rfc3339(self.now + 30 * day)
            doc["trust"] += [
                # A dev workload into an account nobody owns: only UNOWNED_BOUNDARY remains.
                {"id": "trust-churn-to-experiments", "workload": "churn-model-dev",
                 "source_account": "777788889999", "target_account": "555566667777",
                 "role_arn": "arn:aws:iam::555566667777:role/bedrock-experiments",
                 "regions": ["us-east-1"], "approved_by": "jane.doe",
                 "expires_at": _rfc3339(self.now + 30 * day)},
                # Trust that ran out: it counts for nothing (NO_EXPLICIT_TRUST).
                {"id": "trust-claims-to-eu-expired", "workload": "claims-assistant-prod",
                 "source_account": "111122223333", "target_account": "999900001111",
                 "role_arn": "arn:aws:iam::999900001111:role/bedrock-invoker-claims",
                 "regions": ["eu-central-1"], "approved_by": "jane.doe",
                 "expires_at": _rfc3339(self.now - day)},
            ]

        def workloads(doc):
            # The gateway's own X.509-SVID is a workload too (for x509-svid evidence).
            doc["workloads"].append({
                "id": "bedrock-proxy", "application": "bedrock-gateway", "environment": "prod",
                "business_function": "analytics", "identity_owner": "team-ml-platform",
                "identities": [{"spiffe": GATEWAY}], "home_accounts": ["444455556666"]})

        self._edit_yaml("emergency.yaml", emergency)
        self._edit_yaml("trust.yaml", trust)
        self._edit_yaml("workloads.yaml", workloads)

    def write_config(self, name, *, mtls, decision_log, max_batch_size=8):
        """A daemon configuration on 127.0.0.1 port 0; returns its path."""
        config = {"listen": {"address": "127.0.0.1:0"}}
        if mtls:
            config["tls"] = {"cert": str(self.server_cert), "key": str(self.server_key),
                             "client_ca": str(self.ca_pem)}
            config["callers"] = [{"spiffe_id": GATEWAY,
                                  "roles": ["ask", "assert_aws_session", "read_status"]}]
        else:
            config["listen"]["plaintext"] = True
        config.update({
            "policy_bundle": {"path": str(self.bundle_dir),
                              "public_keys": [str(self.keys_dir / "policy-owner.pub.pem")],
                              "signatures_required": 1},
            "owner_registry": {"path": str(self.registry_dir),
                               "public_keys": [str(self.keys_dir / "registry.pub.pem")],
                               "signatures_required": 1},
            "identity": {"audience": AUDIENCE, "leeway_seconds": 30,
                         "spiffe_trust_domains": [{"trust_domain": TRUST_DOMAIN,
                                                   "jwks": str(self.spiffe_jwks)}],
                         "oidc_issuers": [{"issuer": GITHUB_ISSUER, "jwks": str(self.github_jwks)}]},
            "decision_log": {"path": str(decision_log)},
            "limits": {"max_batch_size": max_batch_size},
        })
        path = self.root / name
        path.write_text(yaml.safe_dump(config, sort_keys=False))
        return path

    # ---- tokens -----------------------------------------------------------------------

    def _claims(self, lifetime, issued_ago, audience, extra):
        now = int(time.time())
        claims = {"aud": audience, "iat": now - issued_ago, "exp": now - issued_ago + lifetime,
                  "jti": str(uuid.uuid4())}  # every token is distinct
        claims.update(extra)
        return {k: v for k, v in claims.items() if v is not None}

    def jwt_svid(self, spiffe_id=CLAIMS_ASSISTANT, *, lifetime=300, issued_ago=0,
                 audience=AUDIENCE, kid=SPIFFE_KID, key=None, **extra):
        """A JWT-SVID. `issued_ago` < 0 means issued in the future; `key` defaults to the
        trust domain's key (pass world.impostor_key for a bad signature)."""
        claims = self._claims(lifetime, issued_ago, audience, {"sub": spiffe_id, **extra})
        return jwt.encode(claims, _private_pem(key or self.spiffe_key), algorithm="ES256",
                          headers={"kid": kid, "typ": "JWT"})

    def github_token(self, *, lifetime=300, issued_ago=0, audience=AUDIENCE, kid=GITHUB_KID,
                     **claims):
        """A GitHub Actions OIDC token for the claims deploy pipeline, claims overridable."""
        body = self._claims(lifetime, issued_ago, audience,
                            {"iss": GITHUB_ISSUER, **PIPELINE_CLAIMS, **claims})
        body.setdefault("nbf", body["iat"])
        return jwt.encode(body, _private_pem(self.github_key), algorithm="RS256",
                          headers={"kid": kid})

    def ready_tokens(self):
        """Tokens for clients that cannot mint their own (the C++ test), valid ten minutes."""
        ten_minutes = 600
        return {
            "claims_assistant": self.jwt_svid(CLAIMS_ASSISTANT, lifetime=ten_minutes),
            "churn_model_dev": self.jwt_svid(CHURN_MODEL, lifetime=ten_minutes),
            "retired_workload": self.jwt_svid(LEGACY_BATCH, lifetime=ten_minutes),
            "unregistered": self.jwt_svid(UNREGISTERED, lifetime=ten_minutes),
            "bad_signature": self.jwt_svid(CLAIMS_ASSISTANT, lifetime=ten_minutes, key=self.impostor_key),
            "too_long_lifetime": self.jwt_svid(CLAIMS_ASSISTANT, lifetime=13 * 3600),
            "expired": self.jwt_svid(CLAIMS_ASSISTANT, lifetime=300, issued_ago=900),
            "pipeline": self.github_token(lifetime=ten_minutes),
        }

    def describe(self):
        """Paths and expected values, for clients in other languages."""
        return {
            "plaintext_config": str(self.plaintext_config),
            "mtls_config": str(self.mtls_config),
            "plaintext_log": str(self.root / "state" / "plaintext.log"),
            "mtls_log": str(self.root / "state" / "mtls.log"),
            "ca": str(self.ca_pem),
            "client_certs": {name: {"key": str(k), "cert": str(c)} for name, (k, c) in self.client_certs.items()},
            "policy_bundle": {"name": "bedrock-cross-boundary", "digest": self.bundle_digest,
                              "signer_key_id": self.policy_key_id},
            "owner_registry": {"name": "example-owner-registry", "digest": self.registry_digest,
                               "signer_key_id": self.registry_key_id},
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--crossgate", required=True, help="the crossgate binary (for `crossgate sign`)")
    parser.add_argument("--out", required=True, help="an empty or new directory for the world")
    args = parser.parse_args()
    world = World.create(args.out, args.crossgate)
    (world.root / "tokens.json").write_text(json.dumps(world.ready_tokens(), indent=2) + "\n")
    (world.root / "world.json").write_text(json.dumps(world.describe(), indent=2) + "\n")
    print(world.root)


if __name__ == "__main__":
    main()


_shared_world = None


def shared_world(binary, prefix):
    """One World per test process (each ctest runs one module's class), built on first use in a
    temporary folder named with `prefix` and removed when the module's tests are done. Skips
    the test when `binary` (CROSSGATE_BIN) is not set."""
    global _shared_world
    if _shared_world is None:
        if not binary:
            raise unittest.SkipTest("CROSSGATE_BIN is not set")
        directory = tempfile.TemporaryDirectory(prefix=prefix)
        unittest.addModuleCleanup(directory.cleanup)
        _shared_world = World.create(directory.name, binary)
    return _shared_world
