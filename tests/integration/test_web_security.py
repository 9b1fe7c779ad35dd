"""Security of the web server over real HTTP: files, tokens, rate limits, headers, CORS, bind."""

from __future__ import annotations

import logging
from pathlib import Path

import aiohttp
import pytest
from yarl import URL

from streamsuites.web import WebOptions
from streamsuites.web.security import CSP
from tests.unit.web.harness import serve

pytestmark = pytest.mark.asyncio

SECRET = "TOP-SECRET-VALUE"


def static_tree(tmp_path: Path) -> Path:
    root = tmp_path / "static"
    (root / "sub").mkdir(parents=True)
    (root / ".hidden").mkdir()
    for page in ("overlay", "chat", "dashboard"):
        (root / f"{page}.html").write_text(f"<!doctype html><title>{page}</title>")
    (root / "app.js").write_text("console.log('ok');")
    (root / "sub" / "theme.css").write_text("body{}")
    (root / ".env").write_text(SECRET)
    (root / ".hidden" / "x.js").write_text(SECRET)
    (tmp_path / "secret.txt").write_text(SECRET)
    (root / "link.txt").symlink_to(tmp_path / "secret.txt")
    return root


TRAVERSALS = [
    "/static/../secret.txt",
    "/static/..%2fsecret.txt",
    "/static/%2e%2e/secret.txt",
    "/static/%2e%2e%2fsecret.txt",
    "/static/%2E%2E%2Fsecret.txt",
    "/static/..%5csecret.txt",
    "/static/..%252fsecret.txt",
    "/static/sub/../../secret.txt",
    "/static/sub/%2e%2e/%2e%2e/secret.txt",
    "/static//secret.txt",
    "/static/.env",
    "/static/%2eenv",
    "/static/.hidden/x.js",
    "/static/link.txt",
    "/static/",
    "/static/sub",
    "/static/sub/",
    "/static/app.js%00.html",
    "/.env",
    "/secret.txt",
    "/static/../../../../../../etc/passwd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
async def test_nothing_outside_the_static_folder_or_hidden_is_served(
    tmp_path: Path, path: str
) -> None:
    options = WebOptions(port=0, static_dir=static_tree(tmp_path))
    async with serve(tmp_path, options=options) as web:
        url = URL(web.base + path, encoded=True)
        async with web.http.get(url, allow_redirects=False) as response:
            body = await response.text()
    assert response.status in (400, 404)
    assert SECRET not in body
    assert response.headers["Content-Security-Policy"] == CSP


@pytest.mark.parametrize(
    "path",
    ["/static/../../../../pyproject.toml", "/static/..%2f..%2f..%2f..%2fpyproject.toml",
     "/static/..%2f..%2f..%2f..%2f.env", "/static/__init__.py", "/static/../app.py"],
)  # fmt: skip
async def test_the_package_folder_never_exposes_the_repository(tmp_path: Path, path: str) -> None:
    async with serve(tmp_path) as web:
        url = URL(web.base + path, encoded=True)
        async with web.http.get(url) as response:
            body = await response.text()
    assert response.status == 404
    assert "[project]" not in body and "import" not in body


async def test_pages_and_assets_are_served_with_the_security_headers(tmp_path: Path) -> None:
    options = WebOptions(port=0, static_dir=static_tree(tmp_path))
    async with serve(tmp_path, options=options) as web:
        for path, expected in [
            ("/overlay", "<title>overlay</title>"), ("/chat", "<title>chat</title>"),
            ("/dashboard", "<title>dashboard</title>"), ("/static/app.js", "console.log"),
            ("/static/sub/theme.css", "body{}"),
        ]:  # fmt: skip
            async with web.http.get(web.url(path)) as response:
                assert response.status == 200, path
                assert expected in await response.text()
                assert response.headers["Content-Security-Policy"] == CSP
                assert response.headers["X-Content-Type-Options"] == "nosniff"
                assert response.headers["Referrer-Policy"] == "no-referrer"
                assert response.headers["Server"] == "streamsuites"
        async with web.http.get(web.url("/"), allow_redirects=False) as response:
            assert (response.status, response.headers["Location"]) == (302, "/dashboard")


@pytest.mark.parametrize(
    "path", ["/api/v1/creators", "/healthz", "/metrics", "/api/v1/nothing", "/overlay"]
)
async def test_every_response_carries_the_csp_and_no_cors_wildcard(
    tmp_path: Path, path: str
) -> None:
    async with serve(tmp_path) as web:
        headers = {"Origin": "https://evil.example"}
        async with web.http.get(web.url(path), headers=headers) as response:
            assert response.headers["Content-Security-Policy"] == CSP
            assert "report-uri /api/v1/csp-report" in CSP
            assert not any(h.lower().startswith("access-control") for h in response.headers)


async def test_cors_echoes_only_a_configured_origin(tmp_path: Path) -> None:
    options = WebOptions(port=0, cors_origins=("https://studio.example",))
    async with serve(tmp_path, options=options) as web:
        good = {"Origin": "https://studio.example"}
        async with web.http.get(web.url("/api/v1/creators"), headers=good) as response:
            assert response.headers["Access-Control-Allow-Origin"] == "https://studio.example"
        async with web.http.options(web.url("/api/v1/creators"), headers=good) as response:
            assert response.status == 204
        bad = {"Origin": "https://evil.example"}
        async with web.http.get(web.url("/api/v1/creators"), headers=bad) as response:
            assert "Access-Control-Allow-Origin" not in response.headers


MUTATIONS = [
    ("/api/v1/creators/alice/messages", {"platform": "twitch", "text": "hi"}),
    ("/api/v1/polls/best-game/open", {"creator_id": "alice"}),
    ("/api/v1/polls/best-game/close", {"creator_id": "alice"}),
    ("/api/v1/triggers/shoutout/run", {"creator_id": "alice"}),
    ("/api/v1/replay/select", {"creator_id": "alice", "platform": "twitch", "session_id": "s"}),
]


@pytest.mark.parametrize(("path", "body"), MUTATIONS)
async def test_without_a_configured_token_mutations_are_403(
    tmp_path: Path, path: str, body: dict[str, str]
) -> None:
    async with serve(tmp_path, environ={}) as web:
        auth = {"Authorization": "Bearer anything"}
        async with web.http.post(web.url(path), json=body, headers=auth) as response:
            assert response.status == 403
            error = (await response.json())["error"]
    assert error == {"code": "forbidden", "message": "no operator token configured"}


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer wrong", "Basic czNjcmV0", "Bearer s3cret-but-longer", "s3cret"],
)
async def test_a_missing_or_wrong_token_is_401(tmp_path: Path, authorization: str | None) -> None:
    async with serve(tmp_path, environ={"STREAMSUITES_WEB_TOKEN": "s3cret"}) as web:
        headers = {} if authorization is None else {"Authorization": authorization}
        path, body = MUTATIONS[0]
        async with web.http.post(web.url(path), json=body, headers=headers) as response:
            assert response.status == 401
            assert (await response.json())["error"]["code"] == "unauthorized"
            assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_the_right_token_passes_the_guard(tmp_path: Path) -> None:
    # The harness runs no executor, so a request that passes the guard meets "unavailable".
    async with serve(tmp_path, options=WebOptions(port=0, token="s3cret")) as web:
        path, body = MUTATIONS[0]
        headers = {"Authorization": "Bearer s3cret"}
        async with web.http.post(web.url(path), json=body, headers=headers) as response:
            assert response.status == 503


async def test_mutations_are_rate_limited_with_retry_after(tmp_path: Path) -> None:
    options = WebOptions(port=0, token="s3cret", rate=0.01, burst=3)
    async with serve(tmp_path, options=options) as web:
        statuses = []
        for _ in range(5):
            path, body = MUTATIONS[0]
            headers = {"Authorization": "Bearer wrong"}
            async with web.http.post(web.url(path), json=body, headers=headers) as response:
                statuses.append(response.status)
                retry_after = response.headers.get("Retry-After")
        assert statuses == [401, 401, 401, 429, 429]
        assert retry_after is not None and int(retry_after) >= 1
        async with web.http.get(web.url("/api/v1/creators")) as response:
            assert response.status == 200


async def test_csp_reports_are_counted(tmp_path: Path) -> None:
    async with serve(tmp_path) as web:
        assert await web.get_json("/api/v1/csp-report/count") == {"count": 0}
        report = {"csp-report": {"violated-directive": "script-src"}}
        headers = {"Content-Type": "application/csp-report"}
        async with web.http.post(web.url("/api/v1/csp-report"), json=report, headers=headers) as r:
            assert r.status == 204
        assert await web.get_json("/api/v1/csp-report/count") == {"count": 1}


async def test_binding_beyond_loopback_without_a_token_logs_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="streamsuites.web"):
        async with serve(tmp_path, options=WebOptions(host="0.0.0.0", port=0), environ={}):
            pass
    assert any("no operator token" in r.getMessage() for r in caplog.records)


async def test_loopback_binding_logs_no_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="streamsuites.web"):
        async with serve(tmp_path, environ={}) as web:
            assert {host for host, _ in web.server.addresses} == {"127.0.0.1"}
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8210", "127.0.0.1.nip.io"])
async def test_a_dns_rebinding_host_is_refused_on_loopback(tmp_path: Path, host: str) -> None:
    async with serve(tmp_path) as web:
        error = await web.get_json("/api/v1/chat/tail", 403, headers={"Host": host})
        localhost = await web.get_json("/api/v1/creators", headers={"Host": "localhost"})
    assert error["error"]["code"] == "forbidden_host"
    assert localhost["creators"]


async def test_a_websocket_from_another_site_is_refused(tmp_path: Path) -> None:
    async with serve(tmp_path) as web:
        evil = {"Origin": "https://evil.example"}
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await web.http.ws_connect(web.url("/api/v1/ws"), headers=evil)
        own = {"Origin": web.base}
        async with web.http.ws_connect(web.url("/api/v1/ws"), headers=own) as ws:
            assert (await ws.receive_json(timeout=10))["type"] == "state"
    assert refused.value.status == 403
