"""Domain parsing without the network.

``tldextract`` fetches the Public Suffix List on first use unless told not to; behind an egress firewall that
is a connect timeout inside a request, and anywhere else it is traffic a privacy gateway must not make.
``DOMAINS`` uses the snapshot bundled with the package and no disk cache. Presidio's e-mail recognizer calls
the module-level ``tldextract.extract``, so ``use_offline_domains()`` points that at ``DOMAINS`` too.
"""

from __future__ import annotations

import tldextract
import tldextract.tldextract

DOMAINS = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


def use_offline_domains() -> None:
    """Make every ``tldextract.extract()`` call in this process use the bundled suffix list (idempotent)."""
    tldextract.tldextract.TLD_EXTRACTOR = DOMAINS
