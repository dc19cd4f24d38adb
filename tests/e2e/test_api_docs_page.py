"""/api/docs in a real headless Chromium: the gateway in this process (over the three services'
routes; the page needs no database) serves Swagger UI, which draws every operation of the merged
OpenAPI document without a refusal by the page's Content-Security-Policy and without reaching
another site. Screenshots at a desktop's and a phone's width land in test-artifacts/api-docs/."""

import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from portal.api_reference import documentation_gateway, merged_document
from tests.e2e.browser import ARTIFACTS as ARTIFACTS_ROOT
from tests.e2e.browser import DESKTOP, PHONE, watched_page

ARTIFACTS = ARTIFACTS_ROOT / "api-docs"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    server = make_server("127.0.0.1", 0, documentation_gateway(tmp_path_factory.mktemp("api-docs")), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def page(browser, base):
    """Watched as the console's pages are (no script error, no refusal by the Content-Security-Policy),
    and failing the test on any request to another site too."""
    with watched_page(browser, viewport=DESKTOP) as page:
        elsewhere = []
        page.on("request", lambda request: elsewhere.append(request.url)
                if not request.url.startswith(base + "/") and not request.url.startswith("data:") else None)
        # The page's own record of refusals too, in case the browser's wording of them changes.
        page.add_init_script("window.refused = []; document.addEventListener('securitypolicyviolation', "
                             "event => window.refused.push(event.violatedDirective + ' ' + event.blockedURI))")
        yield page
        refused = page.evaluate("window.refused")
    assert refused == [], refused
    assert elsewhere == [], elsewhere


def operation_block(page, method, path):
    return page.locator(f".opblock-{method.lower()}", has=page.locator(f'[data-path="{path}"]'))


def test_the_api_page_draws_every_operation_of_the_merged_document(page, base):
    page.goto(base + "/api/docs")
    upload = operation_block(page, "POST", "/api/v1/imports")
    expect(upload.locator(".opblock-summary-method")).to_have_text("POST")
    expect(upload.locator(".opblock-summary-path")).to_have_text("/api/v1/imports")
    operations = sum(len(methods) for methods in merged_document()["paths"].values())
    expect(page.locator(".opblock")).to_have_count(operations)
    page.screenshot(path=str(ARTIFACTS / "api-docs.png"), full_page=True)

    upload.locator(".opblock-summary-control").click()
    expect(upload).to_contain_text("Needs the right imports:write.")
    expect(upload).to_contain_text("unsupported_media_type")
    page.screenshot(path=str(ARTIFACTS / "api-docs-upload-open.png"), full_page=True)


def test_try_it_out_calls_the_portal_itself(page, base):
    page.goto(base + "/api/docs")
    users = operation_block(page, "GET", "/api/v1/users")
    users.locator(".opblock-summary-control").click()
    users.get_by_role("button", name="Try it out").click()
    users.get_by_role("button", name="Execute").click()
    # Without "Authorize" the users service refuses, in the portal's error shape.
    expect(users.locator(".live-responses-table")).to_contain_text("missing_token")
    page.screenshot(path=str(ARTIFACTS / "api-docs-try-it-out.png"), full_page=True)


def test_the_api_page_reads_on_a_phone(page, base):
    page.set_viewport_size(PHONE)
    page.goto(base + "/api/docs")
    expect(operation_block(page, "POST", "/api/v1/imports")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "api-docs-phone.png"))
    page.screenshot(path=str(ARTIFACTS / "api-docs-phone-full.png"), full_page=True)
    # Long paths wrap; the page itself never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
