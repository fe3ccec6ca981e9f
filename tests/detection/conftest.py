"""Detection tests share one detector: loading spaCy takes seconds, detecting takes milliseconds."""

from __future__ import annotations

import pytest

from maskgate.detection import Detector


@pytest.fixture(scope="session")
def detector() -> Detector:
    """A detector with the default policy, for tests that only call ``detect``."""
    return Detector()
