"""The WordPress import's test environment."""

from pathlib import Path

import pytest

# WordPress's theme unit test export, shared by the helpers' worktrees; never copied here.
SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "wxr" / "themeunittestdata.wordpress.xml"


@pytest.fixture
def sample_export():
    if not SAMPLE.is_file():
        pytest.skip(f"{SAMPLE} is not on this machine")
    return SAMPLE
