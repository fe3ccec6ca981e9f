"""maskgate for Envoy: an ``envoy.service.ext_proc.v3.ExternalProcessor`` gRPC service.

``maskgate extproc`` serves it (``extproc.server``), ``maskgate envoy-config`` prints the Envoy side
(``extproc.envoy_config``). One ``Exchange`` per HTTP stream translates Envoy's messages into calls of the
masking core (``maskgate.Gate``); every rule about what is masked and how lives there.
"""
