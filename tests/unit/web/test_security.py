"""The pure security rules: static file resolution, token comparison, rate limits, CORS, bind."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamsuites.web.security import (
    CSP,
    LOOPBACK_NAMES,
    RateLimiter,
    bind_warning,
    cors_headers,
    host_allowed,
    is_loopback,
    origin_allowed,
    resolve_static,
    retry_after,
    security_headers,
    token_matches,
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    static = tmp_path / "static"
    (static / "themes").mkdir(parents=True)
    (static / "app.js").write_text("ok")
    (static / "themes" / "slate.css").write_text("ok")
    (static / ".env").write_text("secret")
    (tmp_path / "outside.txt").write_text("secret")
    (static / "escape.js").symlink_to(tmp_path / "outside.txt")
    (static / "themes" / "up").symlink_to(tmp_path)
    return static


@pytest.mark.parametrize("name", ["app.js", "themes/slate.css"])
def test_files_under_the_root_resolve(root: Path, name: str) -> None:
    assert resolve_static(root, name) == (root / name).resolve()


@pytest.mark.parametrize(
    "name",
    [
        "", "/", "../outside.txt", "themes/../../outside.txt", "..", ".", ".env", "themes/.",
        "themes//slate.css", "/etc/passwd", "..\\outside.txt", "app.js\x00", "themes",
        "escape.js", "themes/up/outside.txt", "missing.js",
    ],
)  # fmt: skip
def test_anything_else_is_refused(root: Path, name: str) -> None:
    assert resolve_static(root, name) is None


def test_the_token_must_be_a_bearer_token_equal_to_the_configured_one() -> None:
    assert token_matches("Bearer s3cret", "s3cret")
    assert token_matches("bearer s3cret", "s3cret")
    for header in (None, "", "Bearer", "Bearer s3cre", "Bearer s3cret2", "Basic s3cret", "s3cret"):
        assert not token_matches(header, "s3cret")


def test_the_bucket_allows_a_burst_then_refills_at_the_rate() -> None:
    limiter = RateLimiter(rate=2.0, burst=3)
    assert [limiter.acquire("a", 0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire("a", 0.0) == pytest.approx(0.5)
    assert limiter.acquire("b", 0.0) == 0.0  # another client has its own bucket
    assert limiter.acquire("a", 0.5) == 0.0  # one token back after 1/rate seconds
    assert limiter.acquire("a", 0.5) > 0


def test_the_limiter_forgets_the_oldest_clients_beyond_its_bound() -> None:
    limiter = RateLimiter(rate=0.001, burst=1, max_clients=2)
    for client in ("a", "b", "c"):
        assert limiter.acquire(client, 0.0) == 0.0
    assert limiter.acquire("c", 0.0) > 0
    assert limiter.acquire("a", 0.0) == 0.0  # forgotten, so it starts with a full bucket


def test_retry_after_is_whole_seconds_rounded_up() -> None:
    assert [retry_after(s) for s in (0.0, 0.2, 1.0, 1.01)] == ["1", "1", "1", "2"]


def test_cors_echoes_only_an_exact_configured_origin_and_never_a_wildcard() -> None:
    allowed = ("https://studio.example",)
    assert cors_headers("https://studio.example", allowed)["Access-Control-Allow-Origin"] == (
        "https://studio.example"
    )
    assert cors_headers("https://studio.example.evil", allowed) == {}
    assert cors_headers(None, allowed) == {}
    assert cors_headers("https://studio.example", ()) == {}


def test_every_response_header_set_holds_the_strict_csp() -> None:
    headers = security_headers()
    assert headers["Content-Security-Policy"] == CSP
    assert "default-src 'none'" in CSP and "frame-ancestors 'none'" in CSP
    assert "'unsafe-inline'" not in CSP and "*" not in CSP
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize(
    ("host", "token", "warns"),
    [("127.0.0.1", None, False), ("localhost", None, False), ("::1", None, False),
     ("0.0.0.0", None, True), ("192.168.1.5", "", True), ("0.0.0.0", "t", False),
     ("studio.local", None, True)],
)  # fmt: skip
def test_binding_beyond_loopback_without_a_token_warns(
    host: str, token: str | None, warns: bool
) -> None:
    assert (bind_warning(host, token) is not None) is warns
    assert is_loopback(host) is (host in ("127.0.0.1", "localhost", "::1"))


@pytest.mark.parametrize(
    ("host", "allowed"),
    [("127.0.0.1:8210", True), ("localhost:8210", True), ("LOCALHOST", True), ("[::1]:8210", True),
     ("evil.example:8210", False), ("127.0.0.1.evil.example", False), (None, False), ("", False),
     ("[::1", False)],
)  # fmt: skip
def test_a_loopback_server_answers_only_to_its_own_names(host: str | None, allowed: bool) -> None:
    assert host_allowed(host, LOOPBACK_NAMES) is allowed
    assert host_allowed(host, ()) is True


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [(None, True), ("http://127.0.0.1:8210", True), ("https://studio.example", True),
     ("https://evil.example", False), ("http://127.0.0.1:9999", False), ("null", False)],
)  # fmt: skip
def test_websockets_open_only_from_our_pages_configured_origins_or_non_browsers(
    origin: str | None, allowed: bool
) -> None:
    assert origin_allowed(origin, "127.0.0.1:8210", ("https://studio.example",)) is allowed


def test_cors_lets_a_configured_origin_send_the_headers_the_api_reads() -> None:
    headers = cors_headers("https://studio.example", ("https://studio.example",))
    allowed = {h.strip() for h in headers["Access-Control-Allow-Headers"].split(",")}
    assert {"Authorization", "Content-Type", "Idempotency-Key", "Last-Event-ID"} <= allowed
