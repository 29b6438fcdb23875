#!/usr/bin/python3
"""Mints a short-lived token with an EXAMPLE key, for trying the example daemon.

  mint_example_token.py spiffe://example.org/ns/claims/sa/assistant   # a JWT-SVID
  mint_example_token.py --github                                      # a GitHub Actions OIDC token
"""
import argparse
import pathlib
import time

import jwt  # PyJWT (Debian: python3-jwt)

KEYS = pathlib.Path(__file__).resolve().parent / "keys"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("spiffe_id", nargs="?", default="spiffe://example.org/ns/claims/sa/assistant")
    parser.add_argument("--github", action="store_true", help="mint a GitHub Actions OIDC token")
    parser.add_argument("--audience", default="crossgate")
    parser.add_argument("--lifetime", type=int, default=300, help="seconds")
    args = parser.parse_args()
    now = int(time.time())
    if args.github:
        key = (KEYS / "EXAMPLE-github-oidc.key.pem").read_bytes()
        claims = {"iss": "https://token.actions.githubusercontent.com", "aud": args.audience,
                  "sub": "repo:acme/claims-assistant:environment:production",
                  "repository": "acme/claims-assistant", "repository_id": "123456789",
                  "environment": "production",
                  "job_workflow_ref": "acme/claims-assistant/.github/workflows/deploy.yml@refs/heads/main",
                  "iat": now, "nbf": now, "exp": now + args.lifetime}
        print(jwt.encode(claims, key, algorithm="RS256", headers={"kid": "example-github-1"}))
    else:
        key = (KEYS / "EXAMPLE-spiffe-example.org.key.pem").read_bytes()
        claims = {"sub": args.spiffe_id, "aud": args.audience, "iat": now, "exp": now + args.lifetime}
        print(jwt.encode(claims, key, algorithm="ES256", headers={"kid": "example-spiffe-1", "typ": "JWT"}))


if __name__ == "__main__":
    main()
