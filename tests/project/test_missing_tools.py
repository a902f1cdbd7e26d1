"""A test that needs a tool or the real data skips on a bare machine and fails in CI."""

from __future__ import annotations

import pytest

from tests.conftest import require_real_data, require_tool


@pytest.fixture
def nothing_installed(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr("tests.conftest.shutil.which", lambda name: None)
    monkeypatch.setattr("tests.conftest.SYSTEM_DIR", tmp_path / "no-data")


@pytest.mark.usefixtures("nothing_installed")
def test_a_missing_tool_or_data_skips_locally(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"pdftoppm .* \(Debian package poppler-utils"):
        require_tool("pdftoppm")
    with pytest.raises(pytest.skip.Exception, match="dataset-fashion-mnist"):
        require_real_data()


@pytest.mark.usefixtures("nothing_installed")
def test_a_missing_tool_or_data_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    ci = r"xvfb-run is not installed \(Debian package xvfb\), but CI=true"
    with pytest.raises(pytest.fail.Exception, match=ci):
        require_tool("xvfb-run")
    with pytest.raises(pytest.fail.Exception, match=r"real Fashion-MNIST .*CI=true"):
        require_real_data()
