"""Front-end libraries come from node_modules (npm ci), served by the app with long cache headers."""

from labtrack.vendor import ASSETS


def test_every_listed_library_file_is_served_with_a_year_of_cache(client):
    for name in ASSETS:
        response = client.get(f"/vendor/{name}")
        assert response.status_code == 200, name
        assert response.cache_control.max_age == 365 * 24 * 3600
        assert response.cache_control.immutable
        assert len(response.data) > 1000
        response.close()


def test_only_listed_files_are_reachable(client):
    for path in ("/vendor/echarts/package.json", "/vendor/../package.json", "/vendor/nothing.js"):
        assert client.get(path).status_code == 404


def test_urls_carry_the_installed_version(app):
    from labtrack.vendor import vendor_url

    with app.test_request_context():
        url = vendor_url("echarts.min.js")
    assert url.startswith("/vendor/echarts.min.js?v=")
    assert url.rsplit("=", 1)[1] not in ("", "0")


def test_the_site_icon_is_served_at_the_root_and_named_by_every_page(app, client):
    """Browsers ask for /favicon.ico on their own: an icon, not a 404 (nor a session cookie)."""
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert "Set-Cookie" not in icon.headers
    assert b"<svg" in icon.data
    page = client.get("/login").get_data(as_text=True)
    assert 'rel="icon" type="image/svg+xml" href="/static/favicon.svg' in page
    with client.get("/static/favicon.svg") as static:
        assert static.status_code == 200
