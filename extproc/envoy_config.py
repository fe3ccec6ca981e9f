"""``maskgate envoy-config``: the Envoy side of the ext_proc contract, generated rather than hand-written.

Every setting that the notes found to matter lives here once, so a config cannot drift from what the
processor expects: BUFFERED request bodies, per-response mode overrides with the exact
``allowed_override_modes`` the processor uses (``extproc.contract``), ``failure_mode_allow: false`` (fail
closed), ``forward_rules`` that send the processor only the headers it reads (``contract.FORWARDED_HEADERS``),
an HTTP/2 cluster for the processor, a raised buffer limit and a JSON 413 when a body exceeds it.

Two outputs:

- a complete standalone bootstrap: listener -> ext_proc -> router -> one upstream given as a URL (TLS with
  SNI, the system CA bundle and hostname verification for ``https``), optionally a second upstream that
  ``route`` mode sends PII-bearing requests to, and per-route modes;
- ``--snippet``: only the filter, the processor's cluster, the 413 local reply and a per-route example, to
  paste into an existing mesh.

Built with envoy-data-plane's typed classes (betterproto2), so a field name Envoy does not know fails here,
not at Envoy start-up.
"""

from __future__ import annotations

import argparse
import ipaddress
import shlex
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import betterproto2
import yaml
from envoy_data_plane.envoy.config.accesslog import v3 as accesslog
from envoy_data_plane.envoy.config.bootstrap import v3 as bootstrap_v3
from envoy_data_plane.envoy.config.cluster import v3 as cluster_v3
from envoy_data_plane.envoy.config.core import v3 as core
from envoy_data_plane.envoy.config.endpoint import v3 as endpoint
from envoy_data_plane.envoy.config.listener import v3 as listener_v3
from envoy_data_plane.envoy.config.route import v3 as route_v3
from envoy_data_plane.envoy.extensions.filters.http.ext_proc import v3 as ext_proc
from envoy_data_plane.envoy.extensions.filters.http.router import v3 as router
from envoy_data_plane.envoy.extensions.filters.network.http_connection_manager import v3 as hcm
from envoy_data_plane.envoy.extensions.transport_sockets.tls import v3 as tls
from envoy_data_plane.envoy.extensions.upstreams.http import v3 as upstream_http
from envoy_data_plane.envoy.type.matcher import v3 as matcher
from envoy_data_plane.google import protobuf

from extproc import contract

__all__ = ["EnvoySetup", "ModeRoute", "bootstrap", "configure", "render", "run", "snippet"]

UPSTREAM_CLUSTER = "llm_provider"
PII_ROUTE_CLUSTER = "maskgate_pii_route"
MODES = ("mask", "block", "detect", "route")
DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024  # the policy's default limits.max_body_bytes
CA_BUNDLES = (
    "/etc/ssl/certs/ca-certificates.crt",  # Debian, Ubuntu, Alpine
    "/etc/pki/tls/certs/ca-bundle.crt",  # Fedora, RHEL
    "/etc/ssl/cert.pem",  # macOS, BSD
)
_HTTP_PROTOCOL_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"


class ConfigError(ValueError):
    """An option that cannot become a valid Envoy config; the message names the option."""


@dataclass(frozen=True)
class Upstream:
    """An LLM provider (or local model) given as a URL such as ``https://api.openai.com``."""

    scheme: str
    host: str
    port: int
    path: str

    @classmethod
    def parse(cls, url: str, option: str = "--upstream") -> Upstream:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"{option}: expected http(s)://HOST[:PORT][/PATH], got {url!r}")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return cls(parts.scheme, parts.hostname, port, parts.path.rstrip("/"))

    @property
    def tls(self) -> bool:
        return self.scheme == "https"

    @property
    def authority(self) -> str:
        default = 443 if self.tls else 80
        return self.host if self.port == default else f"{self.host}:{self.port}"


@dataclass(frozen=True)
class ModeRoute:
    """Requests matching a path prefix or a header value get this mode instead of the policy's."""

    mode: str
    prefix: str | None = None
    header: tuple[str, str] | None = None

    @classmethod
    def parse(cls, spec: str) -> ModeRoute:
        """``/v1/embeddings=detect`` or ``header:x-team:legal=block``."""
        match, _, mode = spec.rpartition("=")
        if mode not in MODES or not match:
            raise ConfigError(
                f"--route-mode: expected PREFIX=MODE or header:NAME:VALUE=MODE with MODE one of "
                f"{', '.join(MODES)}, got {spec!r}"
            )
        if match.startswith("header:"):
            name, _, value = match[len("header:") :].partition(":")
            if not name or not value:
                raise ConfigError(f"--route-mode: expected header:NAME:VALUE=MODE, got {spec!r}")
            return cls(mode, header=(name.lower(), value))
        if not match.startswith("/"):
            raise ConfigError(f"--route-mode: a path prefix starts with '/', got {match!r}")
        return cls(mode, prefix=match)

    def spec(self) -> str:
        return (
            f"header:{self.header[0]}:{self.header[1]}={self.mode}"
            if self.header
            else f"{self.prefix}={self.mode}"
        )


@dataclass(frozen=True)
class EnvoySetup:
    listen: str = "127.0.0.1:10000"
    upstream: str = "https://api.openai.com"
    extproc: str = "127.0.0.1:50051"
    message_timeout: float = 10.0
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    route_upstream: str | None = None
    mode_routes: tuple[ModeRoute, ...] = ()
    ca_file: str | None = None
    admin: str | None = None


# ------------------------------------------------------------------------------------------- addresses
def address(spec: str, option: str) -> core.Address:
    """``HOST:PORT``, ``[V6]:PORT`` or ``unix:PATH`` (``unix:@name`` for an abstract socket)."""
    if spec.startswith("unix:"):
        return core.Address(pipe=core.Pipe(path=spec[len("unix:") :]))
    host, sep, port = spec.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise ConfigError(f"{option}: expected HOST:PORT or unix:PATH, got {spec!r}")
    return core.Address(socket_address=core.SocketAddress(address=host.strip("[]"), port_value=int(port)))


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _endpoints(name: str, addr: core.Address) -> endpoint.ClusterLoadAssignment:
    lb_endpoint = endpoint.LbEndpoint(endpoint=endpoint.Endpoint(address=addr))
    return endpoint.ClusterLoadAssignment(
        cluster_name=name, endpoints=[endpoint.LocalityLbEndpoints(lb_endpoints=[lb_endpoint])]
    )


def _http_options(options: upstream_http.HttpProtocolOptions) -> dict[str, protobuf.Any]:
    return {_HTTP_PROTOCOL_OPTIONS: protobuf.Any.pack(options)}


# ------------------------------------------------------------------------------------------- clusters
def extproc_cluster(setup: EnvoySetup) -> cluster_v3.Cluster:
    """The processor's cluster: gRPC needs HTTP/2; a unix socket or an IP needs no DNS."""
    addr = address(setup.extproc, "--extproc")
    static = addr.pipe is not None or _is_ip(addr.socket_address.address)
    http2 = upstream_http.HttpProtocolOptions(
        explicit_http_config=upstream_http.HttpProtocolOptionsExplicitHttpConfig(
            http2_protocol_options=core.Http2ProtocolOptions()
        )
    )
    return cluster_v3.Cluster(
        name=contract.EXTPROC_CLUSTER,
        type=cluster_v3.ClusterDiscoveryType.STATIC if static else cluster_v3.ClusterDiscoveryType.STRICT_DNS,
        connect_timeout=timedelta(seconds=1),
        typed_extension_protocol_options=_http_options(http2),
        load_assignment=_endpoints(contract.EXTPROC_CLUSTER, addr),
    )


def _ca_file(setup: EnvoySetup) -> str:
    if setup.ca_file:
        return setup.ca_file
    for candidate in CA_BUNDLES:
        if Path(candidate).is_file():
            return candidate
    raise ConfigError("--ca-file: no system CA bundle found; give the path of a PEM bundle")


def upstream_cluster(name: str, upstream: Upstream, setup: EnvoySetup) -> cluster_v3.Cluster:
    """A provider: TLS verifies the chain against the CA bundle AND the certificate's name (SAN)."""
    addr = core.Address(socket_address=core.SocketAddress(address=upstream.host, port_value=upstream.port))
    http1 = upstream_http.HttpProtocolOptions(
        explicit_http_config=upstream_http.HttpProtocolOptionsExplicitHttpConfig(
            http_protocol_options=core.Http1ProtocolOptions()
        )
    )
    cluster = cluster_v3.Cluster(
        name=name,
        type=cluster_v3.ClusterDiscoveryType.STATIC
        if _is_ip(upstream.host)
        else cluster_v3.ClusterDiscoveryType.LOGICAL_DNS,
        connect_timeout=timedelta(seconds=5),
        # Buffered response bodies (JSON answers) are held in this buffer until restored.
        per_connection_buffer_limit_bytes=setup.max_body_bytes,
        typed_extension_protocol_options=_http_options(http1),
        load_assignment=_endpoints(name, addr),
    )
    if not _is_ip(upstream.host):
        cluster.dns_lookup_family = cluster_v3.ClusterDnsLookupFamily.V4_PREFERRED
    if upstream.tls:
        validation = tls.CertificateValidationContext(
            trusted_ca=core.DataSource(filename=_ca_file(setup)),
            match_typed_subject_alt_names=[
                tls.SubjectAltNameMatcher(
                    san_type=tls.SubjectAltNameMatcherSanType.DNS,
                    matcher=matcher.StringMatcher(exact=upstream.host),
                )
            ],
        )
        context = tls.UpstreamTlsContext(
            sni=upstream.host, common_tls_context=tls.CommonTlsContext(validation_context=validation)
        )
        cluster.transport_socket = core.TransportSocket(
            name="envoy.transport_sockets.tls", typed_config=protobuf.Any.pack(context)
        )
    return cluster


# ------------------------------------------------------------------------------------------- filter
def _processing_mode(mode: Any) -> ext_proc.ProcessingMode:
    """The contract's protobuf mode as a betterproto2 message: same wire format, parsed from its bytes."""
    return ext_proc.ProcessingMode.parse(mode.SerializeToString())


def ext_proc_filter(setup: EnvoySetup) -> hcm.HttpFilter:
    config = ext_proc.ExternalProcessor(
        grpc_service=core.GrpcService(
            envoy_grpc=core.GrpcServiceEnvoyGrpc(cluster_name=contract.EXTPROC_CLUSTER)
        ),
        # Fail closed: a processor that is down or late must never mean "forward unmasked".
        failure_mode_allow=False,
        processing_mode=_processing_mode(contract.STATIC_MODE),
        message_timeout=timedelta(seconds=setup.message_timeout),
        max_message_timeout=timedelta(seconds=contract.LONG_MESSAGE_TIMEOUT_S),
        allow_mode_override=True,
        allowed_override_modes=[_processing_mode(mode) for mode in contract.ALLOWED_OVERRIDES],
        forward_rules=ext_proc.HeaderForwardingRules(
            allowed_headers=matcher.ListStringMatcher(
                patterns=[matcher.StringMatcher(exact=name) for name in contract.FORWARDED_HEADERS]
            )
        ),
    )
    return hcm.HttpFilter(name=contract.FILTER_NAME, typed_config=protobuf.Any.pack(config))


def mode_override(mode: str) -> dict[str, protobuf.Any]:
    """``typed_per_filter_config`` giving a route its own mode (gRPC metadata: clients cannot forge it)."""
    overrides = ext_proc.ExtProcOverrides(
        grpc_initial_metadata=[core.HeaderValue(key=contract.MODE_KEY, value=mode)]
    )
    return {contract.FILTER_NAME: protobuf.Any.pack(ext_proc.ExtProcPerRoute(overrides=overrides))}


def local_reply_config(setup: EnvoySetup) -> hcm.LocalReplyConfig:
    """Envoy's own 413 (body over the buffer limit) as JSON in the API's error format, not bare text."""
    message = (
        f"maskgate: the request body exceeds the {setup.max_body_bytes} byte limit of the PII filter; "
        "it was not forwarded"
    )
    status_413 = accesslog.AccessLogFilter(
        status_code_filter=accesslog.StatusCodeFilter(
            comparison=accesslog.ComparisonFilter(
                op=accesslog.ComparisonFilterOp.EQ,
                value=core.RuntimeUInt32(default_value=413, runtime_key="maskgate.local_reply_413"),
            )
        )
    )
    anthropic_path = accesslog.AccessLogFilter(
        header_filter=accesslog.HeaderFilter(
            header=route_v3.HeaderMatcher(
                name=":path",
                string_match=matcher.StringMatcher(
                    safe_regex=matcher.RegexMatcher(regex=r".*/messages(/count_tokens)?(\?.*)?")
                ),
            )
        )
    )
    anthropic = {"type": "error", "error": {"type": "request_too_large", "message": message}}
    openai = {
        "error": {
            "message": message,
            "type": "invalid_request_error",
            "param": None,
            "code": "request_too_large",
        }
    }
    return hcm.LocalReplyConfig(
        mappers=[
            hcm.ResponseMapper(
                filter=accesslog.AccessLogFilter(
                    and_filter=accesslog.AndFilter(filters=[status_413, anthropic_path])
                ),
                body_format_override=core.SubstitutionFormatString(
                    json_format=protobuf.Struct.from_dict(anthropic)
                ),
            ),
            hcm.ResponseMapper(
                filter=status_413,
                body_format_override=core.SubstitutionFormatString(
                    json_format=protobuf.Struct.from_dict(openai)
                ),
            ),
        ]
    )


# ------------------------------------------------------------------------------------------- routes
def _forward(cluster: str, upstream: Upstream) -> route_v3.RouteAction:
    action = route_v3.RouteAction(
        cluster=cluster,
        host_rewrite_literal=upstream.authority,
        timeout=timedelta(seconds=600),  # LLM answers (and reasoning) take minutes; Envoy's default is 15 s
    )
    if upstream.path:
        action.prefix_rewrite = upstream.path + "/"
    return action


def routes(setup: EnvoySetup) -> list[route_v3.Route]:
    upstream = Upstream.parse(setup.upstream)
    result: list[route_v3.Route] = []
    if setup.route_upstream:
        # First: after the processor marks a request and clears the route cache, this route wins.
        pii = route_v3.HeaderMatcher(
            name=contract.ROUTE_HEADER, string_match=matcher.StringMatcher(exact=contract.ROUTE_VALUE)
        )
        result.append(
            route_v3.Route(
                name="maskgate_pii_to_local_model",
                match=route_v3.RouteMatch(prefix="/", headers=[pii]),
                route=_forward(PII_ROUTE_CLUSTER, Upstream.parse(setup.route_upstream, "--route-upstream")),
                request_headers_to_remove=[contract.ROUTE_HEADER],
            )
        )
    for index, mode_route in enumerate(setup.mode_routes):
        match = route_v3.RouteMatch(prefix=mode_route.prefix or "/")
        if mode_route.header:
            name, value = mode_route.header
            match.headers = [
                route_v3.HeaderMatcher(name=name, string_match=matcher.StringMatcher(exact=value))
            ]
        result.append(
            route_v3.Route(
                name=f"maskgate_mode_{mode_route.mode}_{index}",
                match=match,
                route=_forward(UPSTREAM_CLUSTER, upstream),
                typed_per_filter_config=mode_override(mode_route.mode),
            )
        )
    result.append(
        route_v3.Route(
            name="llm_provider",
            match=route_v3.RouteMatch(prefix="/"),
            route=_forward(UPSTREAM_CLUSTER, upstream),
        )
    )
    return result


# ------------------------------------------------------------------------------------------- outputs
def bootstrap(setup: EnvoySetup) -> bootstrap_v3.Bootstrap:
    """A complete Envoy bootstrap: one listener, the filter chain ext_proc -> router, the clusters."""
    manager = hcm.HttpConnectionManager(
        stat_prefix="maskgate",
        codec_type=hcm.HttpConnectionManagerCodecType.AUTO,
        route_config=route_v3.RouteConfiguration(
            name="llm", virtual_hosts=[route_v3.VirtualHost(name="llm", domains=["*"], routes=routes(setup))]
        ),
        http_filters=[
            ext_proc_filter(setup),
            hcm.HttpFilter(name="envoy.filters.http.router", typed_config=protobuf.Any.pack(router.Router())),
        ],
        local_reply_config=local_reply_config(setup),
    )
    listener = listener_v3.Listener(
        name="llm_ingress",
        address=address(setup.listen, "--listen"),
        # BUFFERED request bodies must fit here; the default 1 MiB would turn long prompts into 413s.
        per_connection_buffer_limit_bytes=setup.max_body_bytes,
        filter_chains=[
            listener_v3.FilterChain(
                filters=[
                    listener_v3.Filter(
                        name="envoy.filters.network.http_connection_manager",
                        typed_config=protobuf.Any.pack(manager),
                    )
                ]
            )
        ],
    )
    clusters = [
        upstream_cluster(UPSTREAM_CLUSTER, Upstream.parse(setup.upstream), setup),
        extproc_cluster(setup),
    ]
    if setup.route_upstream:
        clusters.append(
            upstream_cluster(
                PII_ROUTE_CLUSTER, Upstream.parse(setup.route_upstream, "--route-upstream"), setup
            )
        )
    result = bootstrap_v3.Bootstrap(
        static_resources=bootstrap_v3.BootstrapStaticResources(listeners=[listener], clusters=clusters)
    )
    if setup.admin:
        result.admin = bootstrap_v3.Admin(address=address(setup.admin, "--admin"))
    return result


def snippet(setup: EnvoySetup) -> dict[str, Any]:
    """The parts an existing mesh needs, keyed by where they go."""
    example_route = route_v3.Route(
        name="example_detect_only_route",
        match=route_v3.RouteMatch(prefix="/v1/embeddings"),
        route=route_v3.RouteAction(cluster="your_llm_cluster"),
        typed_per_filter_config=mode_override("detect"),
    )
    return {
        "http_filters": [_dict(ext_proc_filter(setup))],
        "clusters": [_dict(extproc_cluster(setup))],
        "local_reply_config": _dict(local_reply_config(setup)),
        "per_connection_buffer_limit_bytes": setup.max_body_bytes,
        "example_route": _dict(example_route),
    }


SNIPPET_GUIDE = """\
# maskgate for an existing Envoy mesh. Paste each part where its key says:
#   http_filters:   into your HttpConnectionManager's http_filters, BEFORE envoy.filters.http.router
#   clusters:       into static_resources.clusters (the maskgate extproc service, gRPC over HTTP/2)
#   local_reply_config: into the same HttpConnectionManager (a JSON 413 for bodies over the limit)
#   per_connection_buffer_limit_bytes: on the listener and on your LLM clusters (whole bodies are buffered)
#   example_route:  how a route picks its own mode (mask | block | detect | route) or
#                   `typed_per_filter_config: {envoy.filters.http.ext_proc: {"@type": ...ExtProcPerRoute,
#                   disabled: true}}` to switch maskgate off for a route.
"""


def _dict(message: betterproto2.Message) -> dict[str, Any]:
    return message.to_dict(casing=betterproto2.Casing.SNAKE)


def render(document: betterproto2.Message | dict[str, Any], command: str = "") -> str:
    """YAML with a header naming the command that produced it (the up-to-date check re-runs it)."""
    data = _dict(document) if isinstance(document, betterproto2.Message) else document
    header = f"# Generated by: {command}\n# Do not edit: regenerate instead.\n" if command else ""
    return header + yaml.safe_dump(data, sort_keys=False, default_flow_style=False, width=110)


# ------------------------------------------------------------------------------------------- CLI
def configure(parser: argparse.ArgumentParser) -> None:
    defaults = EnvoySetup()
    parser.add_argument(
        "--listen", default=defaults.listen, help="Envoy's listener, HOST:PORT (default %(default)s)"
    )
    parser.add_argument(
        "--upstream",
        default=defaults.upstream,
        help="the LLM provider's URL, http(s)://HOST[:PORT][/PATH] (default %(default)s)",
    )
    parser.add_argument(
        "--extproc",
        default=defaults.extproc,
        help="where `maskgate extproc` listens, HOST:PORT or unix:PATH (default %(default)s)",
    )
    parser.add_argument(
        "--snippet", action="store_true", help="print only the parts to add to an existing mesh"
    )
    parser.add_argument(
        "--message-timeout",
        type=float,
        default=defaults.message_timeout,
        metavar="SECONDS",
        help="per-message deadline for the processor; later means 504 (default %(default)s)",
    )
    parser.add_argument(
        "--max-body-bytes",
        type=int,
        default=defaults.max_body_bytes,
        help="largest request body Envoy buffers for masking; bigger gets 413 (default %(default)s)",
    )
    parser.add_argument(
        "--route-upstream",
        metavar="URL",
        help="`route` mode: where requests carrying PII go instead (e.g. a local model)",
    )
    parser.add_argument(
        "--route-mode",
        action="append",
        default=[],
        metavar="MATCH=MODE",
        help="a route with its own mode: /PATH/PREFIX=MODE or header:NAME:VALUE=MODE (repeatable)",
    )
    parser.add_argument("--ca-file", help="PEM bundle to verify https upstreams (default: the system bundle)")
    parser.add_argument("--admin", metavar="HOST:PORT", help="also open Envoy's admin interface here")
    parser.add_argument("-o", "--output", help="write to this file instead of standard output")


def setup_from_args(args: argparse.Namespace) -> EnvoySetup:
    return EnvoySetup(
        listen=args.listen,
        upstream=args.upstream,
        extproc=args.extproc,
        message_timeout=args.message_timeout,
        max_body_bytes=args.max_body_bytes,
        route_upstream=args.route_upstream,
        mode_routes=tuple(ModeRoute.parse(spec) for spec in args.route_mode),
        ca_file=args.ca_file,
        admin=args.admin,
    )


def command_line(setup: EnvoySetup, as_snippet: bool) -> str:
    """The canonical command that produces this output: the options it depends on, defaults left out
    (except ``--upstream``, which a bootstrap is for)."""
    defaults = EnvoySetup()
    options: list[tuple[str, object, object]] = [
        ("--extproc", setup.extproc, defaults.extproc),
        ("--message-timeout", setup.message_timeout, defaults.message_timeout),
        ("--max-body-bytes", setup.max_body_bytes, defaults.max_body_bytes),
    ]
    if not as_snippet:
        options = [
            ("--upstream", setup.upstream, None),
            ("--listen", setup.listen, defaults.listen),
            *options,
            ("--route-upstream", setup.route_upstream, None),
            ("--ca-file", setup.ca_file, None),
            ("--admin", setup.admin, None),
            *(("--route-mode", route.spec(), None) for route in setup.mode_routes),
        ]
    argv = ["maskgate", "envoy-config"]
    for option, value, default in options:
        if value is not None and value != default:
            argv += [option, str(value)]
    if as_snippet:
        argv.append("--snippet")
    return shlex.join(argv)


def generate(setup: EnvoySetup, as_snippet: bool = False) -> str:
    command = command_line(setup, as_snippet)
    if as_snippet:
        return SNIPPET_GUIDE + render(snippet(setup), command)
    return render(bootstrap(setup), command)


def run(args: argparse.Namespace) -> int:
    try:
        text = generate(setup_from_args(args), args.snippet)
    except ConfigError as exc:
        print(f"maskgate envoy-config: {exc}", file=sys.stderr)
        return 2
    if args.output:
        Path(args.output).write_text(text)
    else:
        sys.stdout.write(text)
    return 0
