#!/usr/bin/python3
"""Asks the example daemon (scripts/run.sh) for a first decision, with Python grpcio.

  /usr/bin/python3 deploy/example/first_request.py [--address 127.0.0.1:50051] [--deny]

Mints a JWT-SVID for the claims assistant with the EXAMPLE trust-domain key, asks whether
it may call Claude through the us. inference profile in the GenAI account, and prints the
answer. --deny asks the same for restricted data, which a forbid policy refuses.
"""
import argparse
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "build" / "default" / "proto" / "python"))

import grpc  # noqa: E402
from google.protobuf import json_format  # noqa: E402
from crossgate.v1 import decision_pb2, decision_pb2_grpc  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--address", default="127.0.0.1:50051")
    parser.add_argument("--deny", action="store_true", help="ask for restricted data instead")
    args = parser.parse_args()
    token = subprocess.check_output([sys.executable, str(HERE / "mint_example_token.py"),
                                     "spiffe://example.org/ns/claims/sa/assistant"], text=True).strip()
    request = decision_pb2.AuthorizeRequest(
        request_id="first-request",
        identity=decision_pb2.IdentityEvidence(jwt_svid=token),
        action="Converse",
        resource="us.anthropic.claude-3-5-sonnet-20240620-v1:0",
        source_account="111122223333", source_region="us-east-1",
        target_account="444455556666", target_region="us-east-1",
        data_classification="restricted" if args.deny else "internal")
    with grpc.insecure_channel(args.address) as channel:
        response = decision_pb2_grpc.DecisionServiceStub(channel).Authorize(request, timeout=5)
    print(json_format.MessageToJson(response, preserving_proto_field_name=True))


if __name__ == "__main__":
    main()
