"""The console's session in a real headless Chromium against `portal run`: the cookie login, a reload
that keeps the administrator logged in on the same page, "Uitloggen", the refresh before the access token
expires (Playwright's clock moves the page's time; the service's tokens are the real 15-minute ones), a
forced new login that returns to the page, and the audit trail ("Logboek"). Screenshots land in
test-artifacts/console/ next to the other console tests'."""

import re

from playwright.sync_api import expect

from tests.e2e.browser import ARTIFACTS as ARTIFACTS_ROOT
from tests.e2e.console_fixtures import log_in

# The console tests' fixtures (tests/e2e/conftest.py): a `portal run` for this module, Chromium, and a page
# that fails the test on a script error or a refusal by the Content-Security-Policy.
ARTIFACTS = ARTIFACTS_ROOT / "console"

COOKIE = "portal_refresh"
DUTCH_DATE = re.compile(r"\d{1,2} (jan|feb|mrt|apr|mei|jun|jul|aug|sep|okt|nov|dec)\.? 20\d\d")


def session_cookie(page):
    return next((cookie for cookie in page.context.cookies() if cookie["name"] == COOKIE), None)


def expect_logged_in(page):
    expect(page.locator("#nav")).to_be_visible()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def expect_login_form(page):
    expect(page.get_by_role("button", name="Inloggen")).to_be_visible()
    expect(page.locator("#nav")).to_be_hidden()


def test_the_refresh_token_is_an_httponly_secure_cookie_the_page_cannot_read(portal, page):
    base, password, _ = portal
    log_in(page, base, "admin", password)
    expect_logged_in(page)
    # Chromium counts http://127.0.0.1 as a secure context, so it keeps a Secure cookie there.
    cookie = session_cookie(page)
    assert cookie is not None
    assert (cookie["httpOnly"], cookie["secure"], cookie["sameSite"], cookie["path"]) == (
        True, True, "Strict", "/api/v1/auth")
    assert COOKIE not in page.evaluate("document.cookie")
    assert page.evaluate("Object.keys(localStorage).length + Object.keys(sessionStorage).length") == 0


def test_a_reload_keeps_the_administrator_logged_in_on_the_same_page(portal, page, shots):
    base, password, _ = portal
    log_in(page, base, "admin", password)
    page.locator("#nav").get_by_role("link", name="Importeren").click()
    expect(page.locator("#import-file")).to_be_visible()
    with page.expect_response("**/api/v1/auth/refresh") as refresh:
        page.reload()
    assert refresh.value.status == 200
    assert refresh.value.request.headers.get("x-requested-with") == "portal"
    expect_logged_in(page)
    assert page.url.endswith("#/imports")
    expect(page.locator("#import-file")).to_be_visible()
    shots.desktop(page, "20-reloaded-on-imports")


def test_uitloggen_shows_the_login_and_a_reload_stays_logged_out(portal, page, shots):
    base, password, _ = portal
    log_in(page, base, "admin", password)
    expect_logged_in(page)
    with page.expect_response("**/api/v1/auth/logout") as logout:
        page.get_by_role("button", name="Uitloggen").click()
    assert logout.value.status == 204
    expect_login_form(page)
    assert session_cookie(page) is None
    shots.desktop(page, "21-logged-out")
    shots.phone(page, "21-logged-out-phone")
    page.reload()
    expect_login_form(page)
    # Logging in again after "Uitloggen" starts on the users page.
    log_in(page, base, "admin", password)
    expect(page.locator("#users-table")).to_contain_text("admin")


def test_the_console_refreshes_shortly_before_the_access_token_expires(portal, page):
    base, password, _ = portal
    page.clock.install()
    log_in(page, base, "admin", password)
    expect(page.locator("#users-table")).to_contain_text("admin")
    refreshes = []
    page.on("response", lambda response: refreshes.append(response.status)
            if response.url.endswith("/api/v1/auth/refresh") else None)
    page.clock.fast_forward("13:00")  # 13 of the token's 15 minutes: not yet
    page.wait_for_timeout(300)
    assert refreshes == []
    with page.expect_response("**/api/v1/auth/refresh") as refresh:
        page.clock.fast_forward("01:01")  # 14 minutes after the login: one minute before the token expires
    assert refresh.value.status == 200
    new_token = refresh.value.json()["access_token"]
    with page.expect_request("**/api/v1/users?*") as listing:
        page.get_by_role("button", name="Zoeken", exact=True).click()
    assert listing.value.headers["authorization"] == f"Bearer {new_token}"
    expect(page.locator("#users-table")).to_contain_text("admin")
    assert refreshes == [200]


def test_a_401_token_expired_is_answered_by_one_refresh_and_the_request_again(portal, page):
    base, password, _ = portal
    log_in(page, base, "admin", password)
    expect(page.locator("#users-table")).to_contain_text("admin")
    # A laptop that slept past the token's expiry: the service's answer for such a token, once.
    expired = {"error": {"code": "token_expired", "message": "The token has expired.", "details": {}}}
    page.route("**/api/v1/users?*", lambda route: route.fulfill(status=401, json=expired), times=1)
    with page.expect_response("**/api/v1/auth/refresh") as refresh:
        page.get_by_role("button", name="Zoeken", exact=True).click()
    assert refresh.value.status == 200
    expect(page.locator("#users-table")).to_contain_text("admin")
    expect_logged_in(page)


def test_a_session_ended_elsewhere_asks_for_a_login_that_returns_to_the_page(portal, admin_client, page, shots):
    base, password, _ = portal
    client = admin_client
    client.call("POST", "/api/v1/users", {"code": "beheer2", "is_employee": True, "password": "eerste-wachtwoord",
                                          "school_functions": ["applicatiebeheerder"]})
    log_in(page, base, "beheer2", "eerste-wachtwoord")
    page.get_by_role("link", name="Logboek").click()
    expect(page.locator("#audit-table tbody tr").first).to_be_visible()
    # A password reset by another administrator ends every session of beheer2, the console's too.
    client.call("PATCH", "/api/v1/users/beheer2", {"password": "tweede-wachtwoord"})
    page.get_by_role("button", name="Filteren").click()
    expect(page.locator("#login-message")).to_contain_text("opnieuw in")
    assert page.url.endswith("#/audit")
    shots.desktop(page, "22-session-ended")
    page.get_by_label("Gebruikerscode").fill("beheer2")
    page.get_by_label("Wachtwoord").fill("tweede-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.locator("#audit-table tbody tr").first).to_be_visible()
    assert page.url.endswith("#/audit")

    # A reload after the session ended elsewhere: the refresh is refused, the login returns to the page.
    client.call("PATCH", "/api/v1/users/beheer2", {"password": "derde-wachtwoord"})
    page.locator("#nav").get_by_role("link", name="Importeren").click()
    expect(page.locator("#login-message")).to_contain_text("opnieuw in")
    page.reload()
    expect_login_form(page)
    page.get_by_label("Gebruikerscode").fill("beheer2")
    page.get_by_label("Wachtwoord").fill("derde-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.locator("#import-file")).to_be_visible()
    assert page.url.endswith("#/imports")


def test_only_holders_of_audit_read_see_the_logboek(portal, admin_client, page):
    base, password, _ = portal
    client = admin_client
    client.call("POST", "/api/v1/school-functions", {"code": "lezer", "name": "Lezer", "rights": ["users:read"]})
    client.call("POST", "/api/v1/users", {"code": "lezer1", "is_employee": True, "password": "lezer-wachtwoord",
                                          "school_functions": ["lezer"]})
    log_in(page, base, "lezer1", "lezer-wachtwoord")
    expect(page.locator("#users-table")).to_contain_text("lezer1")
    expect(page.get_by_role("link", name="Logboek")).to_be_hidden()
    page.goto(base + "/#/audit")
    expect(page.locator("#no-access")).to_contain_text("audit:read")  # the address says which right it needs


def test_the_logboek_lists_logins_and_user_changes_newest_first_filters_and_pages(portal, admin_client, page, shots):
    base, password, _ = portal
    client = admin_client
    client.call("POST", "/api/v1/users", {"code": "430001", "is_student": True, "last_name": "Jansen"})
    client.call("PATCH", "/api/v1/users/430001", {"last_name": "Janssen"})
    for number in range(2, 14):
        client.call("POST", "/api/v1/users", {"code": f"4300{number:02}", "is_student": True})
    log_in(page, base, "admin", password)
    page.get_by_role("link", name="Logboek").click()
    rows = page.locator("#audit-table tbody tr")
    expect(rows.first).to_have_attribute("data-action", "auth.login")  # this login is the newest entry
    expect(rows.first).to_contain_text("ingelogd")
    expect(rows.first.locator("time")).to_have_text(DUTCH_DATE)
    times = page.locator("#audit-table time").evaluate_all("nodes => nodes.map((node) => node.dateTime)")
    assert times == sorted(times, reverse=True)
    changed = page.locator('#audit-table tr[data-action="user.updated"]', has_text="430001")
    expect(changed).to_contain_text("gebruiker gewijzigd")
    expect(changed).to_contain_text("velden: last_name")
    # Every action the API lists has a Dutch name in the filter.
    options = page.locator("#audit-action option").evaluate_all("nodes => nodes.map((node) => [node.value, node.text])")
    assert {value for value, _ in options} >= {"", "auth.login", "auth.login_failed", "user.created", "user.updated",
                                               "import.completed", "enrollment.deleted"}
    assert all(value != text for value, text in options)
    shots.desktop(page, "23-logboek")
    shots.phone(page, "23-logboek-phone")

    page.select_option("#audit-action", "user.updated")
    expect(rows.first).to_have_attribute("data-action", "user.updated")
    assert set(rows.evaluate_all("rows => rows.map((row) => row.dataset.action)")) == {"user.updated"}
    page.fill("#audit-actor", "nobody")
    page.get_by_role("button", name="Filteren").click()
    expect(page.locator("#audit-table caption")).to_have_text("Geen regels gevonden.")
    page.fill("#audit-actor", "admin")
    page.get_by_role("button", name="Filteren").click()
    expect(rows.first).to_have_attribute("data-action", "user.updated")
    assert set(rows.locator("td:nth-child(2)").all_inner_texts()) == {"admin"}

    page.select_option("#audit-action", "user.created")
    page.select_option("#audit-limit", "10")
    expect(rows).to_have_count(10)
    first_page = rows.evaluate_all("rows => rows.map((row) => row.dataset.id)")
    expect(page.locator("#audit-previous")).to_be_disabled()
    page.click("#audit-next")
    expect(page.locator("#audit-page")).to_have_text("2")
    expect(rows.first).not_to_have_attribute("data-id", first_page[0])
    second_page = rows.evaluate_all("rows => rows.map((row) => row.dataset.id)")
    assert len(second_page) >= 3 and not set(first_page) & set(second_page)
    shots.desktop(page, "24-logboek-page-2")
    shots.phone(page, "24-logboek-page-2-phone")
    page.click("#audit-previous")
    expect(rows.first).to_have_attribute("data-id", first_page[0])
    assert rows.evaluate_all("rows => rows.map((row) => row.dataset.id)") == first_page


def test_a_failed_login_is_in_the_logboek(portal, page):
    base, password, _ = portal
    log_in(page, base, "admin", "niet het wachtwoord")
    expect(page.locator("#login-message")).to_contain_text("onjuist")
    log_in(page, base, "admin", password)
    page.get_by_role("link", name="Logboek").click()
    page.select_option("#audit-action", "auth.login_failed")
    expect(page.locator('#audit-table tr[data-action="auth.login_failed"]').first).to_contain_text("inloggen mislukt")


def test_a_page_whose_answers_arrive_after_the_administrator_went_on_does_not_cover_the_next_page(portal, page):
    base, password, _ = portal
    log_in(page, base, "admin", password)
    expect_logged_in(page)
    held = []
    # The imports page waits for its schedule projects; those answers are held until the Logboek is drawn.
    page.route("**/api/v1/schedule-projects?*", lambda route: held.append(route))
    page.evaluate("location.hash = '#/imports'")
    for _ in range(100):  # Playwright answers the page's requests while the test waits
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the imports page asked for its schedule projects"
    page.evaluate("location.hash = '#/audit'")
    expect(page.get_by_role("heading", name="Logboek")).to_be_visible()
    for route in held:
        route.continue_()
    page.unroute("**/api/v1/schedule-projects?*")
    # The late answers reach the page and are dropped: the Logboek stays, the imports page is not drawn.
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", name="Logboek")).to_be_visible()
    expect(page.get_by_role("heading", name="Importeren")).to_have_count(0)
