"""maskgate for the LiteLLM proxy: PII is replaced by placeholders before a request leaves, and restored in
the answer, streamed or not. Enable it in the proxy's ``config.yaml`` in either of two ways::

    guardrails:                                   # 1. a guardrail entry, options beside it
      - guardrail_name: maskgate
        litellm_params:
          guardrail: litellm_hooks.MaskgateGuardrail
          mode: [pre_call, post_call]
          default_on: true
          policy: /etc/maskgate/policy.yaml

    litellm_settings:                             # 2. the ready-made instance, options from the environment
      callbacks: litellm_hooks.callback           #    (MASKGATE_POLICY, MASKGATE_MODE)

This package needs the optional ``litellm[proxy]`` dependency (``pip install 'maskgate[litellm]'``); the
core (``maskgate``) and the Envoy service never import it.
"""

from litellm_hooks.guardrail import MaskgateGuardrail

__all__ = ["MaskgateGuardrail", "callback"]

callback = MaskgateGuardrail()
"""A guardrail instance with its defaults (pre- and post-call, on for every request), for
``litellm_settings: callbacks``. Building it is cheap: the detector loads on the first request."""
