"""The user page and the school functions page of the admin console, in a real headless Chromium
against `portal run`: what an administrator does to look after users and the rights of school
functions, and what someone with fewer rights sees. Screenshots land in test-artifacts/console-users/,
at a desktop's width and at 360 px (the narrowest phone the console supports)."""

import pytest
from playwright.sync_api import expect

from portal.client import ApiError, PortalClient
from tests.e2e.browser import ARTIFACTS as ARTIFACTS_ROOT
from tests.e2e.console_fixtures import logged_in as log_in

ARTIFACTS = ARTIFACTS_ROOT / "console-users"
MENTOR = {"code": "mentor", "name": "Mentor", "rights": ["users:read"]}


def user(client, code):
    return client.call("GET", f"/api/v1/users/{code}")


def test_an_administrator_looks_after_a_student_on_the_user_page(portal, admin_client, page, shots):
    base, password, _ = portal
    admin_client.call("POST", "/api/v1/users", {
        "code": "430001", "is_student": True, "first_name": "Zoë", "prefix": "van der", "last_name": "Berg",
        "email": "zoe@oud.example.nl"})
    admin_client.call("POST", "/api/v1/school-functions", MENTOR)
    admin_client.call("POST", "/api/v1/schedule-projects", {"code": "2026-2027", "name": "havo/vwo",
                                                            "school_year": "2026-2027"})
    admin_client.call("POST", "/api/v1/schedule-projects/2026-2027/departments",
                      {"code": "h1", "name": "havo 1", "year_of_education": 1})
    admin_client.call("POST", "/api/v1/schedule-projects/2026-2027/enrollments",
                      {"student": "430001", "department": "h1", "prognosis": 62.5})
    log_in(page, base, "admin", password)
    page.get_by_role("link", name="430001").click()
    expect(page).to_have_url(f"{base}/#/users/430001")
    expect(page.locator("#user-title")).to_contain_text("Zoë van der Berg")
    expect(page.locator("#usr-code")).to_have_attribute("readonly", "")
    enrollments = page.locator("#user-enrollments-table")
    expect(enrollments).to_contain_text("62,5%")
    expect(enrollments.get_by_role("link", name="2026-2027 – havo/vwo")).to_have_attribute(
        "href", "#/schedule-projects/2026-2027")
    shots.both(page, "01-user")

    page.fill("#usr-email", "geen-adres")
    page.locator("#user-details").get_by_role("button", name="Opslaan").click()
    expect(page.locator("#usr-email-error")).not_to_be_empty()
    shots.both(page, "02-user-refused-email")
    page.fill("#usr-email", "zoe@nieuw.example.nl")
    page.check("#usr-is_employee")
    page.locator("#user-details").get_by_role("button", name="Opslaan").click()
    expect(page.locator("#user-details-result")).to_have_text("Opgeslagen.")
    saved = user(admin_client, "430001")
    assert saved["email"] == "zoe@nieuw.example.nl" and saved["is_employee"] and saved["is_student"]

    page.fill("#usr-password", "nieuw-wachtwoord-1")
    page.get_by_role("button", name="Wachtwoord instellen").click()
    expect(page.locator("#user-password-result")).to_contain_text("ingesteld")
    expect(page.locator("#usr-password")).to_have_value("")
    expect(page.locator("#user-has-password")).to_have_text("Er is een wachtwoord ingesteld.")
    assert PortalClient(base).login("430001", "nieuw-wachtwoord-1")

    page.select_option("#usr-add-function", "mentor")
    page.locator("#user-functions").get_by_role("button", name="Toevoegen").click()
    expect(page.locator('#user-functions li[data-function="mentor"]')).to_be_visible()
    assert user(admin_client, "430001")["school_functions"] == ["leerling", "mentor"]
    # leerling comes with the student type: it cannot be taken away here.
    expect(page.locator('#user-functions li[data-function="leerling"] button')).to_be_disabled()
    leerling = page.locator('#user-functions li[data-function="leerling"]')
    expect(leerling.locator(".reason")).to_contain_text("gebruikerstype leerling")
    shots.both(page, "03-user-changed")
    page.get_by_role("button", name="Verwijderen mentor").click()
    expect(page.locator('#user-functions li[data-function="mentor"]')).to_have_count(0)
    assert user(admin_client, "430001")["school_functions"] == ["leerling"]

    page.get_by_role("button", name="Archiveren", exact=True).click()
    expect(page.locator("#archived-badge")).to_have_text("gearchiveerd")
    assert user(admin_client, "430001")["archived"] is True
    with pytest.raises(ApiError):
        PortalClient(base).login("430001", "nieuw-wachtwoord-1")
    shots.both(page, "04-user-archived")
    page.get_by_role("button", name="Terugzetten").click()
    expect(page.locator("#archived-badge")).to_have_count(0)
    assert user(admin_client, "430001")["archived"] is False


def test_the_last_application_manager_cannot_be_archived_and_the_console_says_why(portal, admin_client, page, shots):
    base, password, _ = portal
    log_in(page, base, "admin", password)
    page.goto(f"{base}/#/users/admin")
    page.get_by_role("button", name="Archiveren", exact=True).click()
    expect(page.locator("#user-archive-result")).to_contain_text("laatste actieve applicatiebeheerder")
    page.select_option("#usr-login_method", "none")
    page.locator("#user-details").get_by_role("button", name="Opslaan").click()
    expect(page.locator("#user-details-result")).to_contain_text("laatste actieve applicatiebeheerder")
    assert user(admin_client, "admin")["archived"] is False
    assert user(admin_client, "admin")["login_method"] == "password"
    shots.both(page, "05-last-manager")


def test_a_user_is_added_by_hand_from_the_list_and_opened(portal, page, shots):
    base, password, _ = portal
    log_in(page, base, "admin", password)
    expect(page.locator("#users-table")).to_contain_text("admin")
    # Beside the list, the way to many users at once: the Importeren page, with users to choose.
    importing = page.get_by_role("link", name="Gebruikers importeren")
    expect(importing).to_have_attribute("href", "#/imports")
    shots.both(page, "00-users")
    importing.click()
    expect(page.locator("main h1")).to_have_text("Importeren")
    expect(page.locator("#import-kind option[value=users]")).to_be_enabled()
    page.go_back()
    expect(page.locator("#users-table")).to_contain_text("admin")
    page.fill("#new-code", "j.devries")
    page.fill("#new-first_name", "Jan")
    page.fill("#new-last_name", "de Vries")
    page.check("#new-is_family_member")
    page.get_by_role("button", name="Toevoegen").click()
    page.locator("#add-user-result").get_by_role("link", name="j.devries").click()
    expect(page.locator("#usr-is_family_member")).to_be_checked()
    expect(page.locator("#usr-is_student")).not_to_be_checked()
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("button", name="Archive", exact=True)).to_be_visible()
    expect(page.get_by_label("Parent/guardian")).to_be_checked()
    shots.both(page, "11-user-english")


def test_school_functions_get_rights_in_the_grid_and_new_names(portal, admin_client, page, shots):
    base, password, _ = portal
    admin_client.request("POST", "/api/v1/school-functions", MENTOR)
    log_in(page, base, "admin", password)
    page.get_by_role("link", name="Schoolfuncties").click()
    expect(page.locator("#sf-about-leerling")).to_contain_text("geen beheerrechten")
    expect(page.locator("#sf-about-applicatiebeheerder")).to_contain_text("altijd alle rechten")
    manager_box = page.locator('tr[data-function="applicatiebeheerder"] input[data-right="users:write"]')
    expect(manager_box).to_be_disabled()
    expect(manager_box).to_have_attribute("title", "de applicatiebeheerder heeft altijd alle rechten")

    page.check('tr[data-function="leerling"] input[data-right="enrollments:read"]')
    expect(page.locator("#sf-status-leerling")).to_have_text("Opgeslagen")
    assert admin_client.call("GET", "/api/v1/school-functions/leerling")["rights"] == ["enrollments:read"]
    page.fill("#sf-name-mentor", "Mentor bovenbouw")
    page.locator('tr[data-function="mentor"]').get_by_role("button", name="Naam opslaan").click()
    expect(page.locator("#sf-status-mentor")).to_have_text("Opgeslagen")
    assert admin_client.call("GET", "/api/v1/school-functions/mentor") == {
        "code": "mentor", "name": "Mentor bovenbouw", "rights": ["users:read"]}

    page.fill("#sf-new-code", "roostermaker")
    page.fill("#sf-new-name", "Roostermaker")
    page.check("#sf-new-enrollments\\:read")
    page.check("#sf-new-enrollments\\:write")
    page.get_by_role("button", name="Schoolfunctie aanmaken").click()
    expect(page.locator("#sf-create-result")).to_contain_text("roostermaker")
    expect(page.locator('tr[data-function="roostermaker"] input[data-right="enrollments:write"]')).to_be_checked()
    page.fill("#sf-new-code", "zonder naam")
    page.get_by_role("button", name="Schoolfunctie aanmaken").click()
    expect(page.locator("#sf-new-code-error")).not_to_be_empty()
    shots.both(page, "06-school-functions")
    page.get_by_role("button", name="English").click()
    expect(page.locator("#sf-about-applicatiebeheerder")).to_contain_text("always has every right")
    shots.both(page, "07-school-functions-english")


def test_someone_with_fewer_rights_sees_the_controls_disabled_with_the_reason(portal, admin_client, page, shots):
    base, _, _ = portal
    admin_client.request("POST", "/api/v1/users", {"code": "430002", "is_student": True, "first_name": "Sem"})
    admin_client.call("POST", "/api/v1/school-functions", {"code": "lezer", "name": "Lezer", "rights": ["users:read"]})
    admin_client.call("POST", "/api/v1/users", {"code": "l.lezer", "is_employee": True, "password": "lezer-pw-12",
                                                "school_functions": ["lezer"]})
    log_in(page, base, "l.lezer", "lezer-pw-12")
    expect(page.locator("#add-user-reason")).to_contain_text("users:write")
    expect(page.locator("#new-code")).to_have_count(0)
    expect(page.locator("#users-import")).to_have_count(0)  # importing users needs imports:write and users:write
    page.get_by_role("link", name="430002").click()
    expect(page.locator("#user-no-write")).to_contain_text("users:write")
    expect(page.locator("#usr-email")).to_be_disabled()
    expect(page.get_by_role("button", name="Wachtwoord instellen")).to_be_disabled()
    expect(page.get_by_role("button", name="Archiveren", exact=True)).to_be_disabled()
    shots.both(page, "08-read-only-user")
    page.get_by_role("link", name="Schoolfuncties").click()
    expect(page.locator("#sf-no-write")).to_contain_text("school_functions:write")
    expect(page.locator("#sf-grid input:enabled")).to_have_count(0)
    expect(page.locator("#sf-create")).to_have_count(0)
    shots.both(page, "09-read-only-school-functions")


def test_a_user_administrator_cannot_touch_an_application_managers_password_and_sees_why(
        portal, admin_client, page, shots):
    base, _, _ = portal
    admin_client.call("POST", "/api/v1/school-functions", {"code": "llnadmin", "name": "Leerlingadministratie",
                                                           "rights": ["users:read", "users:write"]})
    admin_client.call("POST", "/api/v1/users", {"code": "e.jansen", "is_employee": True, "password": "jansen-pw-12",
                                                "school_functions": ["llnadmin"]})
    log_in(page, base, "e.jansen", "jansen-pw-12")
    expect(page.locator("#add-user")).to_be_visible()
    expect(page.locator("#users-import")).to_have_count(0)  # users:write alone does not import
    page.goto(f"{base}/#/users/admin")
    password_form = page.locator("#user-password")
    expect(password_form.get_by_role("button", name="Wachtwoord instellen")).to_be_disabled()
    expect(password_form.locator(".reason")).to_contain_text("rechten die u zelf niet heeft")
    expect(page.locator("#user-beyond")).to_contain_text("Schoolfuncties wijzigen, Imports bekijken")
    expect(page.locator("#user-beyond")).to_contain_text("Logboek bekijken")
    # The name and e-mail need only users:write.
    page.fill("#usr-first_name", "Ada")
    page.locator("#user-details").get_by_role("button", name="Opslaan").click()
    expect(page.locator("#user-details-result")).to_have_text("Opgeslagen.")
    assert user(admin_client, "admin")["first_name"] == "Ada"
    shots.both(page, "10-beyond-own-rights")

    # Changed behind the console's back: the parent now holds a right e.jansen lacks; the service's
    # refusal names it. (A parent: `leerling` may hold rights by now that e.jansen lacks.)
    admin_client.call("POST", "/api/v1/users", {"code": "o.ouder", "is_family_member": True})
    page.goto(f"{base}/#/users/o.ouder")
    expect(page.get_by_role("button", name="Wachtwoord instellen")).to_be_enabled()
    admin_client.call("POST", "/api/v1/school-functions",
                      {"code": "logboek", "name": "Logboek", "rights": ["audit:read"]})
    admin_client.call("PATCH", "/api/v1/users/o.ouder", {"school_functions": ["logboek"]})
    page.fill("#usr-password", "geheim-wachtwoord-3")
    page.get_by_role("button", name="Wachtwoord instellen").click()
    # The service's text names the right as the rights grid does, not by its code.
    expect(page.locator("#user-password-result")).to_have_text("Dit mag u niet: u mist het recht ‘Logboek bekijken’.")
    # Without the service's message (a proxy's error page), the console words the code the same way.
    assert page.evaluate("""async () => (await import("/console/errors.js")).errorText({ error: {
        code: "insufficient_rights", message: "", details: { missing: ["audit:read", "users:write"] } } })""") \
        == "Dit mag u niet: u mist de rechten ‘Logboek bekijken’, ‘Gebruikers wijzigen’."
    expect(page.locator("#user-password-result")).to_have_class("notice")
    shots.both(page, "10b-refusal-names-the-right")
