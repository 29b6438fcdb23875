#!/usr/bin/python3
"""deploy/envoy/envoy.yaml: the example Envoy configuration parses, runs the ext_authz filter
before the router, and calls crossgate's envoy.service.auth.v3.Authorization over gRPC
(HTTP/2, mTLS, fail closed) on a cluster it defines; its routes' context extensions are
keys crossgate reads. Envoy itself is not packaged in Debian 12, so it is not run here.

Usage: envoy_config_test.py PYTHON_PROTO_DIR (the generated modules, for the service name).
"""
import pathlib
import re
import sys
import unittest

import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
ENVOY_YAML = REPO / "deploy" / "envoy" / "envoy.yaml"
MAPPING_SOURCE = REPO / "server" / "ext_authz" / "request_mapping.cc"
EXT_AUTHZ = "type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz"


class EnvoyConfig(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.config = yaml.safe_load(ENVOY_YAML.read_text())
        cls.clusters = {c["name"]: c for c in cls.config["static_resources"]["clusters"]}
        (listener,) = cls.config["static_resources"]["listeners"]
        (chain,) = listener["filter_chains"]
        (hcm,) = chain["filters"]
        cls.listener_chain = chain
        cls.hcm = hcm["typed_config"]

    def ext_authz(self):
        filters = self.hcm["http_filters"]
        names = [f["name"] for f in filters]
        self.assertIn("envoy.filters.http.ext_authz", names)
        self.assertEqual(names[-1], "envoy.filters.http.router")
        self.assertLess(names.index("envoy.filters.http.ext_authz"), names.index("envoy.filters.http.router"))
        return filters[names.index("envoy.filters.http.ext_authz")]["typed_config"]

    def test_ext_authz_calls_crossgate_over_grpc_v3_and_fails_closed(self):
        config = self.ext_authz()
        self.assertEqual(config["@type"], EXT_AUTHZ)
        # V3 is what makes Envoy call /envoy.service.auth.v3.Authorization/Check.
        self.assertEqual(config["transport_api_version"], "V3")
        self.assertFalse(config.get("failure_mode_allow", False))
        self.assertNotIn("http_service", config)
        cluster_name = config["grpc_service"]["envoy_grpc"]["cluster_name"]
        self.assertIn(cluster_name, self.clusters)

    def test_crossgate_cluster_is_http2_with_a_client_certificate(self):
        cluster = self.clusters[self.ext_authz()["grpc_service"]["envoy_grpc"]["cluster_name"]]
        options = cluster["typed_extension_protocol_options"]["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]
        self.assertIn("http2_protocol_options", options["explicit_http_config"])
        tls = cluster["transport_socket"]["typed_config"]
        self.assertTrue(tls["@type"].endswith("UpstreamTlsContext"))
        self.assertTrue(tls["common_tls_context"]["tls_certificates"], "no client certificate for mTLS")
        self.assertIn("validation_context", tls["common_tls_context"])
        (endpoint,) = cluster["load_assignment"]["endpoints"][0]["lb_endpoints"]
        self.assertEqual(endpoint["endpoint"]["address"]["socket_address"]["port_value"], 50051)

    def test_routes_go_to_defined_clusters_with_known_context_extensions(self):
        source = MAPPING_SOURCE.read_text()
        known = set(re.findall(r'std::tuple\{"([a-z_]+)"', source)) | {"target_region", "resource"}
        self.assertIn("target_account", known)
        routes = [r for vh in self.hcm["route_config"]["virtual_hosts"] for r in vh["routes"]]
        self.assertTrue(routes)
        for route in routes:
            self.assertIn(route["route"]["cluster"], self.clusters)
            per_route = route["typed_per_filter_config"]["envoy.filters.http.ext_authz"]
            extensions = per_route["check_settings"]["context_extensions"]
            self.assertLessEqual(set(extensions), known, "a context extension crossgate does not read")
            for value in extensions.values():
                self.assertIsInstance(value, str, "context_extensions values must be strings")

    def test_listener_requires_client_certificates(self):
        tls = self.listener_chain["transport_socket"]["typed_config"]
        self.assertTrue(tls["require_client_certificate"])

    def test_generated_service_is_the_one_envoy_calls(self):
        sys.path.insert(0, sys.argv[1] if len(sys.argv) > 1 else "")
        from envoy.service.auth.v3 import external_auth_pb2
        service = external_auth_pb2.DESCRIPTOR.services_by_name["Authorization"]
        self.assertEqual(service.full_name, "envoy.service.auth.v3.Authorization")
        check = service.methods_by_name["Check"]
        self.assertEqual(check.input_type.full_name, "envoy.service.auth.v3.CheckRequest")
        self.assertEqual(check.output_type.full_name, "envoy.service.auth.v3.CheckResponse")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
