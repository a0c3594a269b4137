"""End to end on real servers (see conftest.py). The tests run in file order: the last ones stop
PostgreSQL, then gunicorn."""

import json

import pytest
from conftest import BROWSER_CHECKS, POD_HOST
from harness import web
from prometheus_client.parser import text_string_to_metric_families

# --- the backend under its container's conditions -----------------------------------------------

def test_migrate_job_command_succeeds_on_a_read_only_root_filesystem_as_uid_10001(migration, work):
    assert migration.returncode == 0, (work / "migrate.log").read_text()


def test_backend_start_script_logs_the_database_wait(gunicorn, database):
    log = gunicorn.log.read_text()
    assert f"wait_for_db: database travel at 127.0.0.1:{database.port} is up" in log, log


def test_gunicorn_control_socket_is_in_the_writable_tmp_dir_with_no_error_on_the_read_only_root(gunicorn):
    log = gunicorn.log.read_text()
    assert f"Control socket listening at {gunicorn.runtmp}/gunicorn.ctl" in log, log
    assert "Control server error" not in log, log


# --- nginx with the image's template ------------------------------------------------------------

def test_nginx_healthz_answers_200_for_the_kubelet(site):
    assert web.request(site.url + "/healthz").status == 200


def test_nginx_readyz_serves_the_page_for_the_kubelet(site):
    answer = web.request(site.url + "/readyz")
    assert answer.status == 200
    assert b'<div id="root">' in answer.body


def test_a_deep_link_serves_index_html_with_no_cache(site):
    answer = web.request(site.url + "/trips/12/edit")
    assert answer.status == 200
    assert answer.header("Cache-Control").startswith("no-cache")
    assert answer.header("Content-Type").startswith("text/html")
    assert b'<div id="root">' in answer.body


def test_hashed_assets_are_immutable_for_a_year_and_gzipped(site, frontend_build):
    asset = sorted((frontend_build / "assets").glob("*.js"))[0]
    answer = web.request(f"{site.url}/assets/{asset.name}", headers={"Accept-Encoding": "gzip"})
    assert answer.header("Cache-Control").startswith("public, max-age=31536000, immutable")
    assert answer.header("Content-Encoding") == "gzip"


def test_a_missing_asset_is_a_404_not_the_spa(site):
    assert web.request(site.url + "/assets/nope-123.js").status == 404


def test_a_missing_asset_404_is_not_cached_only_real_hits_get_a_year(site):
    answer = web.request(site.url + "/assets/nope-123.js")
    assert answer.status == 404
    assert answer.header("Cache-Control").startswith("no-store")
    assert "max-age" not in str(answer.headers).lower()


LONG = "x" * 9000
API_ERRORS = {
    "404 unknown endpoint": (404, dict(path="/api/no-such-endpoint/")),
    "413 body too large": (413, dict(path="/api/trips/", method="POST", body=b"x" * 2_000_000,
                                     headers={"Content-Type": "application/json"})),
    "414 request line over nginx's limit": (414, dict(path=f"/api/trips/?q={LONG}")),
    # Between gunicorn's request-line limit (4094) and nginx's (8 kB): gunicorn's own HTML 414, turned to JSON.
    "414 request line over gunicorn's limit": (414, dict(path=f"/api/trips/?q={LONG[:6000]}")),
    "400 header too large": (400, dict(path="/api/trips/", headers={"X-Big": LONG})),
    "400 nested JSON": (400, dict(path="/api/trips/", method="POST", body="[" * 1000 + "]" * 1000,
                                  headers={"Content-Type": "application/json"})),
    "400 bad request line": (400, dict(raw=b"GARBAGE\r\n\r\n")),
}


def assert_json_error(answer, status):
    assert answer.status == status, (answer.status, answer.body[:200])
    assert answer.header("Content-Type").startswith("application/json"), answer.header("Content-Type")
    detail = answer.json()["detail"]
    assert isinstance(detail, str) and detail


@pytest.mark.parametrize("case", API_ERRORS)
def test_every_api_error_through_nginx_is_json_with_a_message(site, case):
    status, how = API_ERRORS[case]
    if "raw" in how:
        answer = web.send_raw(site.port, how["raw"])
    else:
        answer = web.request(site.url + how["path"], how.get("method", "GET"), how.get("headers"), how.get("body"))
    assert_json_error(answer, status)


def test_pagination_and_api_root_links_through_nginx_are_relative_not_the_backend_host(site):
    page = web.request(site.url + "/api/destinations/?page_size=5&page=2").json()
    assert page["next"] == "/api/destinations/?page=3&page_size=5"
    assert page["previous"] == "/api/destinations/?page_size=5"
    assert web.request(site.url + "/api/").json() == {"destinations": "/api/destinations/", "trips": "/api/trips/"}


def test_post_to_api_trips_without_the_trailing_slash_creates_the_trip(site):
    trip = {"title": "No slash", "destination": 1, "start_date": "2027-01-01", "end_date": "2027-01-02",
            "travellers": 1}
    answer = web.request(site.url + "/api/trips", "POST", {"Content-Type": "application/json"}, json.dumps(trip))
    assert answer.status == 201, answer.body[:200]
    assert web.request(f"{site.url}/api/trips/{answer.json()['id']}/", "DELETE").status == 204


def test_the_spa_carries_the_security_headers(site):
    headers = web.request(site.url + "/").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"]
    csp = headers["Content-Security-Policy"]
    assert csp.startswith("default-src 'self';") and "frame-ancestors 'none'" in csp, csp


def test_api_is_proxied_to_the_backend_on_the_same_origin(site):
    answer = web.request(site.url + "/api/destinations/")
    assert answer.status == 200 and b'"Lisbon"' in answer.body


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
def test_backend_probe_and_metrics_paths_answer_a_pod_ip_host_header(gunicorn, path):
    assert web.request(gunicorn.url + path, headers={"Host": POD_HOST}).status == 200


def test_backend_api_still_refuses_a_host_not_in_allowed_hosts(gunicorn):
    assert web.request(gunicorn.url + "/api/trips/", headers={"Host": POD_HOST}).status == 400


# --- headless Chromium --------------------------------------------------------------------------

@pytest.mark.parametrize("check", BROWSER_CHECKS)
def test_in_the_browser(browser, check):
    verdict, reason = browser["results"].get(check, ("MISSING", "e2e.mjs printed no line for it"))
    assert verdict == "PASS", f"{reason}\n{browser['output'][-3000:]}"


def delta(browser, name, **labels):
    def total(text):
        return sum(s.value for family in text_string_to_metric_families(text) for s in family.samples
                   if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()))
    return int(total(browser["after"]) - total(browser["before"]))


# What the browser checks sent: POST 201 twice (the form, the long-title trip), 400 twice (the end
# date, every field at once); PUT 200 three times (the reloaded deep link, both tabs) and 409 once
# (the stale tab); DELETE 204 twice (the UI's delete, the long-title trip). 2 workers: multiprocess mode.
RESPONSES = "django_http_responses_total_by_status_view_method_total"


def test_metrics_counted_the_ui_created_201_and_rejected_400_trips(browser):
    assert delta(browser, RESPONSES, view="trip-list", method="POST", status="201") == 2
    assert delta(browser, RESPONSES, view="trip-list", method="POST", status="400") == 2
    assert delta(browser, "django_http_requests_latency_seconds_by_view_method_count",
                 view="trip-list", method="POST") == 4


def test_metrics_counted_the_ui_updates_the_stale_one_409_and_deletes(browser):
    assert delta(browser, RESPONSES, view="trip-detail", method="PUT", status="200") == 3
    assert delta(browser, RESPONSES, view="trip-detail", method="PUT", status="409") == 1
    assert delta(browser, RESPONSES, view="trip-detail", method="DELETE", status="204") == 2


# --- failures: the database, then the backend, go away (last: they stop servers) -----------------

def test_backend_readyz_is_503_with_a_reason_while_the_database_is_down(gunicorn, database, site):
    database.stop()
    answer = web.request(gunicorn.url + "/readyz")
    assert answer.status == 503
    assert answer.json()["reason"] == "database unreachable"


def test_backend_healthz_stays_200_while_the_database_is_down(gunicorn, database):
    assert not database.running
    assert web.request(gunicorn.url + "/healthz", headers={"Host": POD_HOST}).status == 200


def test_with_the_backend_down_api_through_nginx_is_a_json_502(gunicorn, site):
    gunicorn.stop()
    assert_json_error(web.request(site.url + "/api/trips/"), 502)


@pytest.mark.parametrize("probe", ["/healthz", "/readyz"])
def test_with_the_backend_down_the_frontends_probes_still_answer_200(gunicorn, site, probe):
    gunicorn.stop()
    assert gunicorn.process.poll() is not None
    assert web.request(site.url + probe).status == 200
