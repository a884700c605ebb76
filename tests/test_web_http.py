"""HTTP details of the web front end (real app, real SQLite file): every page answering GET
answers HEAD, and a redirect never sends the reader to the host a request named."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.web_data import WebData

SLASHED = ("/cases/", "/stats/", "/subscribe/", "/api/cases/", "/cases/?page=2")


def test_every_page_answering_get_answers_head_without_a_body(web: WebData,
                                                              client: TestClient) -> None:
    for path in ("/", "/cases", "/cases?format=csv", f"/notices/{web.hostile_id}", "/stats",
                 "/subscribe", "/feeds/sectors/paper.atom", "/api/notices", "/static/site.css"):
        get, head = client.get(path), client.head(path)
        assert (get.status_code, head.status_code) == (200, 200), path
        assert head.content == b"", path
        assert head.headers["content-type"] == get.headers["content-type"], path


def test_head_keeps_the_status_of_get(client: TestClient) -> None:
    assert client.head("/notices/999999").status_code == 404
    assert client.head("/subscribe/", follow_redirects=False).status_code == 307
    assert client.head("/admin/outbox/resend").status_code == 405  # POST only


def test_a_redirect_never_names_the_host_of_the_request(client: TestClient) -> None:
    for path in SLASHED:
        answer = client.get(path, headers={"Host": "evil.example"}, follow_redirects=False)
        assert answer.status_code == 307, path
        location = answer.headers["location"]
        assert "evil.example" not in location, path
        assert location == path.replace("/?", "?").rstrip("/"), path  # on this site, as a path
    assert client.get("/cases/").status_code == 200  # and it still leads to the page
