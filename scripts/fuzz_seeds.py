#!/usr/bin/python3
"""Collects the fuzz targets' seed corpora into a build-tree folder (never committed).

  scripts/fuzz_seeds.py OUT_DIR [--proto-python DIR] [--shared DIR] [--per-kind N]

OUT_DIR/<target>/ receives: the project's own examples (deploy/example), test data
(tests/), the hand-written seeds in fuzz/seeds/<target>/, and, when present, the shared
Cedar conformance data beside the checkout (at most --per-kind files of each kind from
its generated corpus). Tokens and AuthorizeRequest messages are minted with the EXAMPLE
keys for the fuzzers' fixed time (fuzz/fuzz_world.h), so that they verify. The
AuthorizeRequest seeds need the generated Python modules (--proto-python, the build's
proto/python); without them those seeds are skipped with a message.
"""
import argparse
import hashlib
import io
import pathlib
import sys
import tarfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "deploy" / "example"
NOW = 1795780800  # fuzz::kNowSeconds, 2026-11-27T12:00:00Z

# yaml_records_fuzzer: the first byte selects the file the rest replaces (kTargets).
YAML_TARGETS = [
    "bundle/manifest.yaml", "registry/manifest.yaml", "registry/owners.yaml",
    "registry/workloads.yaml", "registry/accounts.yaml", "registry/trust.yaml",
    "registry/emergency.yaml", "registry/models.yaml", "crossgate.yaml",
]


class Corpus:
    def __init__(self, out):
        self.out = out
        self.counts = {}

    def add(self, target, data):
        if isinstance(data, str):
            data = data.encode()
        folder = self.out / target
        folder.mkdir(parents=True, exist_ok=True)
        (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)
        self.counts[target] = self.counts.get(target, 0) + 1

    def add_files(self, target, paths):
        for path in paths:
            if path.is_file():
                self.add(target, path.read_bytes())


def files(root, *patterns):
    out = []
    for pattern in patterns:
        out.extend(sorted(root.glob(pattern)))
    return out


def tar_gz(folder, prefix):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        archive.add(folder, arcname=prefix)
    return buffer.getvalue()


def shared_corpus(corpus, shared, per_kind):
    conformance = shared / "cedar-conformance"
    if not conformance.is_dir():
        print(f"fuzz_seeds: {conformance} absent: no shared Cedar seeds")
        return
    corpus.add_files("cedar_policy_fuzzer", files(conformance, "tests/**/*.cedar"))
    corpus.add_files("cedar_schema_fuzzer", files(conformance, "**/*.cedarschema"))
    corpus.add_files("cedar_entities_fuzzer", files(conformance, "sample-data/**/*.json"))
    archive = conformance / "corpus-tests-shared.tar.gz"
    if not archive.is_file():
        return
    taken = {}
    kinds = {".cedar": "cedar_policy_fuzzer", ".cedarschema": "cedar_schema_fuzzer",
             ".entities.json": "cedar_entities_fuzzer"}
    with tarfile.open(archive) as tar:
        for member in tar:
            for suffix, target in kinds.items():
                if member.isfile() and member.name.endswith(suffix) and \
                        taken.get(target, 0) < per_kind:
                    corpus.add(target, tar.extractfile(member).read())
                    taken[target] = taken.get(target, 0) + 1
                    break


def tokens():
    """(kind, token) pairs minted with the EXAMPLE keys for the fixed time."""
    import jwt  # PyJWT (python3-jwt)
    keys = EXAMPLE / "keys"
    spiffe_key = (keys / "EXAMPLE-spiffe-example.org.key.pem").read_bytes()
    github_key = (keys / "EXAMPLE-github-oidc.key.pem").read_bytes()
    spiffe = {"sub": "spiffe://example.org/ns/claims/sa/assistant", "aud": "crossgate",
              "iat": NOW - 60, "exp": NOW + 300}
    github = {"iss": "https://token.actions.githubusercontent.com", "aud": "crossgate",
              "sub": "repo:acme/claims-assistant:environment:production",
              "repository": "acme/claims-assistant", "repository_id": "123456789",
              "environment": "production",
              "job_workflow_ref": "acme/claims-assistant/.github/workflows/deploy.yml@refs/heads/main",
              "iat": NOW - 60, "nbf": NOW - 60, "exp": NOW + 300}
    spiffe_headers = {"kid": "example-spiffe-1", "typ": "JWT"}
    out = [
        ("svid", jwt.encode(spiffe, spiffe_key, algorithm="ES256", headers=spiffe_headers)),
        ("svid", jwt.encode(dict(spiffe, exp=NOW - 3600, iat=NOW - 7200), spiffe_key,
                            algorithm="ES256", headers=spiffe_headers)),
        ("svid", jwt.encode(dict(spiffe, aud=["other", "crossgate"]), spiffe_key,
                            algorithm="ES256", headers=spiffe_headers)),
        ("oidc", jwt.encode(github, github_key, algorithm="RS256",
                            headers={"kid": "example-github-1"})),
        ("svid", jwt.encode(spiffe, "not-a-key-secret", algorithm="HS256")),
        ("svid", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."),
    ]
    return out


def authorize_requests(corpus, proto_python, minted):
    if proto_python is None or not (proto_python / "crossgate" / "v1").is_dir():
        print("fuzz_seeds: no generated Python modules: no AuthorizeRequest seeds")
        return
    sys.path.insert(0, str(proto_python))
    from crossgate.v1 import decision_pb2 as pb  # noqa: E402

    def request(**evidence):
        return pb.AuthorizeRequest(
            request_id="seed", identity=pb.IdentityEvidence(**evidence), action="Converse",
            resource="us.anthropic.claude-3-5-sonnet-20240620-v1:0",
            source_account="111122223333", source_region="us-east-1",
            target_account="444455556666", target_region="us-east-1",
            data_classification="internal")

    for kind, token in minted:
        r = request(**({"jwt_svid": token} if kind == "svid" else {"oidc_token": token}))
        corpus.add("authorize_request_fuzzer", r.SerializeToString())
    r = request(x509_svid=pb.X509SvidEvidence())
    corpus.add("authorize_request_fuzzer", r.SerializeToString())
    r.data_classification = "restricted"
    r.emergency_grant_id = "eg-2026-0042"
    r.action = "bedrock:InvokeModel"
    r.resource = ("arn:aws:bedrock:us-east-1:444455556666:inference-profile/"
                  "us.anthropic.claude-3-5-sonnet-20240620-v1:0")
    r.call_chain.add(workload="claims-assistant-prod", kind="agent")
    r.call_chain.add(workload="spiffe://example.org/ns/claims/sa/assistant", kind="tool")
    r.context["ticket"].string_value = "INC-1"
    r.context["depth"].number_value = 2
    r.context["flags"].list_value.values.add().bool_value = True
    corpus.add("authorize_request_fuzzer", r.SerializeToString())
    aws = request(aws_session=pb.AwsSessionEvidence(
        role_arn="arn:aws:sts::111122223333:assumed-role/claims-assistant/session-1",
        source_identity="claims-assistant"))
    corpus.add("authorize_request_fuzzer", aws.SerializeToString())


def check_requests(corpus, proto_python, minted):
    """Envoy CheckRequests for ext_authz_fuzzer, as Envoy would send them."""
    try:
        sys.path.insert(0, str(proto_python))
        from envoy.service.auth.v3 import external_auth_pb2 as ext  # noqa: E402
    except ImportError:
        print("fuzz_seeds: no generated Envoy Python modules: no CheckRequest seeds")
        return
    svid = next(token for kind, token in minted if kind == "svid")
    oidc = next(token for kind, token in minted if kind == "oidc")
    facts = {"x-request-id": "seed", "x-crossgate-source-account": "111122223333",
             "x-crossgate-source-region": "us-east-1", "x-crossgate-target-account": "444455556666",
             "x-crossgate-data-classification": "internal"}
    cases = [
        ("POST", "/model/us.anthropic.claude-3-5-sonnet-20240620-v1:0/converse",
         "bedrock-runtime.us-east-1.amazonaws.com", {"authorization": "Bearer " + svid}, {}),
        ("POST", "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A444455556666%3Ainference-profile%2F"
                 "us.anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke",
         "bedrock-runtime-fips.us-east-1.amazonaws.com:443", {"x-crossgate-oidc": oidc},
         {"target_account": "444455556666"}),
        ("POST", "/guardrail/gr-123/version/1/apply", "bedrock-runtime.eu-west-1.amazonaws.com",
         {"x-crossgate-aws-role-arn": "arn:aws:sts::111122223333:assumed-role/claims/s1",
          "x-crossgate-aws-issued-at": str(NOW - 60), "x-crossgate-aws-expires-at": str(NOW + 900),
          "x-crossgate-aws-session-tags": '{"team": "claims", "note": "caf\\u00e9 \\"q\\""}'}, {}),
        ("POST", "/agents/AGENT1/agentAliases/ALIAS1/sessions/s1/text",
         "bedrock-agent-runtime.us-east-1.amazonaws.com", {"authorization": svid}, {}),
        ("POST", "/agents/session-1", "bedrock-agent-runtime.us-east-1.amazonaws.com",
         {"authorization": "Bearer " + svid}, {}),
        ("POST", "/async-invoke", "bedrock-runtime.us-east-1.amazonaws.com",
         {"authorization": "Bearer " + svid,
          "x-crossgate-resource": "anthropic.claude-3-haiku-20240307-v1:0"}, {}),
    ]
    # Bodies as Envoy sends them with with_request_body, for the routes that read theirs.
    bodies = {"/agents/session-1": '{"foundationModel": "anthropic.claude-3-haiku-20240307-v1:0", '
                                   '"instruction": "answer", "inputText": "hi"}'}
    for method, path, host, headers, extensions in cases:
        check = ext.CheckRequest()
        http = check.attributes.request.http
        http.method, http.path, http.host = method, path, host
        http.body = bodies.get(path, "")
        for name, value in dict(facts, **headers).items():
            http.headers[name] = value
        for name, value in extensions.items():
            check.attributes.context_extensions[name] = value
        check.attributes.source.principal = "spiffe://example.org/ns/claims/sa/assistant"
        corpus.add("ext_authz_fuzzer", check.SerializeToString())


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--proto-python", type=pathlib.Path)
    parser.add_argument("--shared", type=pathlib.Path, default=ROOT.parent / "shared")
    parser.add_argument("--per-kind", type=int, default=300)
    args = parser.parse_args()
    corpus = Corpus(args.out)
    tests = ROOT / "tests"

    for seeds in sorted((ROOT / "fuzz" / "seeds").glob("*")):
        if seeds.is_dir():
            corpus.add_files(seeds.name, files(seeds, "*"))

    corpus.add_files("cedar_policy_fuzzer",
                     files(EXAMPLE, "bundle/**/*.cedar") + files(tests, "**/*.cedar"))
    corpus.add_files("cedar_schema_fuzzer", files(EXAMPLE, "**/*.cedarschema") +
                     files(tests, "**/*.cedarschema", "**/*schema*.json"))
    corpus.add_files("cedar_entities_fuzzer", files(tests, "**/*entities*.json"))
    for request in files(tests, "cli/cedar_example/requests/*.json"):
        import json
        context = json.loads(request.read_text()).get("context")
        if context is not None:
            corpus.add("cedar_entities_fuzzer", json.dumps(context))
    shared_corpus(corpus, args.shared, args.per_kind)

    for index, target in enumerate(YAML_TARGETS):
        for path in [EXAMPLE / target] + files(tests, "**/" + pathlib.Path(target).name):
            if path.is_file():
                corpus.add("yaml_records_fuzzer", bytes([index]) + path.read_bytes())

    for folder in ("bundle", "registry"):
        corpus.add("bundle_archive_fuzzer", tar_gz(EXAMPLE / folder, folder))
    corpus.add("bundle_archive_fuzzer", tar_gz(tests / "cli" / "cedar_example", "cedar_example"))
    corpus.add_files("bundle_archive_fuzzer", files(tests, "**/*.tar.gz", "**/*.tgz"))

    corpus.add_files("jwks_fuzzer", files(EXAMPLE, "keys/*.jwks.json") +
                     files(tests, "**/*.jwks.json", "**/*jwks*.json"))
    minted = tokens()
    for _, token in minted:
        corpus.add("jwt_fuzzer", token)
    authorize_requests(corpus, args.proto_python, minted)
    if args.proto_python is not None:
        check_requests(corpus, args.proto_python, minted)

    for target, count in sorted(corpus.counts.items()):
        print(f"fuzz_seeds: {target}: {count} seeds")


if __name__ == "__main__":
    main()
