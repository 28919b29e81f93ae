"""route_tweepy_to: tweepy's hard-coded hosts reach another base URL, path and query intact."""

from __future__ import annotations

import httpx
import pytest
import tweepy

from distributor.publishers.transport import route_tweepy_to

AUTH = {"Authorization": 'OAuth oauth_consumer_key="k", oauth_token="5-t"'}


def test_api_host_is_rerouted_with_path_and_query(control: httpx.Client) -> None:
    client = tweepy.Client(bearer_token="b")
    route_tweepy_to(client, str(control.base_url))
    response = client.session.get("https://api.twitter.com/2/tweets?ids=1,2", headers=AUTH)
    assert response.status_code == 200
    assert [e["resource_id"] for e in response.json()["errors"]] == ["1", "2"]
    upload = client.session.post("https://upload.twitter.com/1.1/media/upload.json", headers=AUTH)
    assert upload.json()["errors"][0]["code"] == 38


def test_base_url_path_prefix_is_kept(control: httpx.Client) -> None:
    client = tweepy.Client(bearer_token="b")
    route_tweepy_to(client, f"{control.base_url}/sandbox")
    response = client.session.get("https://api.twitter.com/x/tweets")
    assert response.status_code == 200 and response.json() == []


def test_other_hosts_are_left_alone() -> None:
    client = tweepy.Client(bearer_token="b")
    route_tweepy_to(client, "http://127.0.0.1:9")
    adapter = client.session.get_adapter("https://example.com/")
    assert type(adapter).__name__ == "HTTPAdapter"


def test_the_environment_is_read_once_when_routing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "internal.example")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/bundle-for-test.pem")
    client = tweepy.Client(bearer_token="b")
    route_tweepy_to(client, "http://127.0.0.1:9")
    monkeypatch.setenv("HTTPS_PROXY", "http://changed.example:1")  # later changes are not read
    session = client.session
    assert session.trust_env is False
    assert session.proxies["https"] == "http://proxy.example:3128"
    assert session.verify == "/etc/ssl/bundle-for-test.pem"


def test_no_proxy_for_one_x_host_is_still_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "upload.twitter.com")
    client = tweepy.Client(bearer_token="b")
    route_tweepy_to(client, "http://127.0.0.1:9")
    session = client.session
    assert session.trust_env is True  # requests decides per request, as without routing
    upload, api = (
        session.merge_environment_settings(url, {}, None, None, None)["proxies"]
        for url in ("https://upload.twitter.com/x", "https://api.twitter.com/2")
    )
    assert "https" not in upload
    assert api["https"] == "http://proxy.example:3128"
