"""The OpenAPI schema and its Swagger UI, served from our own static files under the site's CSP."""

import pytest

pytestmark = pytest.mark.django_db

CONTRACT_PATHS = {
    "/api/v1/reports/",
    "/api/v1/reports/{id}/",
    "/api/v1/incidents/",
    "/api/v1/incidents/{id}/",
    "/api/v1/aggregates/daily/",
    "/api/v1/categories/",
    "/api/v1/areas/",
}


def test_the_schema_is_openapi_3_with_every_endpoint_of_the_contract(client):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) >= CONTRACT_PATHS
    assert schema["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
    parameters = {p["name"] for p in schema["paths"]["/api/v1/incidents/"]["get"]["parameters"]}
    assert {"category", "admin1", "admin2", "occurred_after", "occurred_before", "updated_after", "bbox"} <= parameters
    assert {"status", "cursor", "page_size", "format"} <= parameters
    incident = schema["components"]["schemas"]["Incident"]["properties"]
    assert "source_notes" not in str(schema["components"]["schemas"]["Incident"])
    assert {"merged_into", "updated_at", "casualties"} <= set(incident)


def test_the_docs_page_loads_only_our_own_scripts_and_no_inline_code(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html and "/static/drf_spectacular_sidecar/" in html
    assert "<script>" not in html and "<style>" not in html and "https://" not in html
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_swagger_ui_renders_the_operations_under_the_sites_csp(live_server):
    from playwright.sync_api import sync_playwright

    violations: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            page = browser.new_page()
            page.on(
                "console",
                lambda message: (
                    violations.append(message.text)
                    if "Content Security Policy" in message.text or "Refused" in message.text
                    else None
                ),
            )
            page.goto(f"{live_server.url}/api/v1/docs/")
            page.wait_for_selector(".opblock", timeout=30_000)
            operations = page.locator(".opblock-summary-path").all_inner_texts()
        finally:
            browser.close()
    assert any("/api/v1/incidents/" in path for path in operations)
    assert violations == []
