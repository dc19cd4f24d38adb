"""The admin console in a real headless Chromium against `portal run`: what an administrator does.
Screenshots of every step land in test-artifacts/console/ (ignored by git), a few also at a phone's width.
No step may break the console's Content-Security-Policy."""

from pathlib import Path

from playwright.sync_api import expect

from portal.client import PortalClient
from tests.e2e.browser import ARTIFACTS as ARTIFACTS_ROOT
from tests.e2e.console_fixtures import log_in

ARTIFACTS = ARTIFACTS_ROOT / "console"
EXPORT = ("Leerlingnummer;Roepnaam;Tussenvoegsel;Achternaam;E-mailadres;Afdeling\r\n"
          "410001;Zoë;;Bakker;zoe@leerling.example.nl;h1\r\n"
          "410002;Daniël;;Vermeulen;geen-adres;h4\r\n"
          "41x003;Léa;;Dubois;lea@leerling.example.nl;h4\r\n"
          "410004;Sem;van 't;Hof;=HYPERLINK(\"x\");v4\r\n"
          "=1+2;Evil;;Formula;;h1\r\n").encode("cp1252")


def test_a_user_without_rights_sees_a_clear_refusal(portal, page, shots):
    base, password, _ = portal
    client = PortalClient(base)
    client.login("admin", password)
    client.call("POST", "/api/v1/users", {"code": "400001", "is_student": True, "password": "leerling-400001"})
    log_in(page, base, "400001", "leerling-400001")
    expect(page.locator("#login-message")).to_contain_text("geen rechten voor het beheer")
    expect(page.locator("#nav")).to_be_hidden()
    shots.desktop(page, "00-refusal")
    log_in(page, base, "admin", "wrong password!")
    expect(page.locator("#login-message")).to_contain_text("onjuist")


def test_the_users_page_filters_adds_and_refuses_a_non_numeric_student_code_inline(portal, page, shots):
    base, password, _ = portal
    log_in(page, base, "admin", password)
    expect(page.locator("#users-table")).to_contain_text("admin")
    page.fill("#new-code", "12a45")
    page.check("#new-is_student")
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.locator("#new-code-error")).to_contain_text("mag alleen cijfers bevatten")
    shots.desktop(page, "01-users-refusal")
    page.fill("#new-code", "401234")
    page.fill("#new-first_name", "Noor")
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.locator("#add-user-result")).to_contain_text("401234")
    page.select_option("#user-type", "student")
    row = page.locator('#users-table tr[data-code="401234"]')
    expect(row.locator(".lln .tick")).to_be_visible()
    expect(page.locator('#users-table tr[data-code="admin"]')).to_have_count(0)
    page.fill("#user-search", "noor")
    page.get_by_role("button", name="Zoeken", exact=True).click()
    expect(page.locator("#users-table tbody tr")).to_have_count(1)
    shots.desktop(page, "02-users")
    shots.phone(page, "02-users-phone")


def test_an_administrator_imports_an_export_relabels_a_column_starts_and_downloads_the_errors(portal, page, shots):
    base, password, tmp_path = portal
    export = tmp_path / "leerlingen.csv"
    export.write_bytes(EXPORT)
    log_in(page, base, "admin", password)
    page.locator("#nav").get_by_role("link", name="Importeren").click()
    page.set_input_files("#import-file", str(export))
    page.check("#import-as-student")
    shots.desktop(page, "03-import-form")
    page.get_by_role("button", name="Uploaden").click()

    expect(page.locator("#sample-rows")).to_be_visible(timeout=30000)
    expect(page.locator("#job-delimiter")).to_have_value(";")
    expect(page.locator("#job-encoding")).to_have_value("cp1252")
    expect(page.locator("#sample-rows")).to_contain_text("Zoë")
    expect(page.locator(".count-create")).to_have_text("1")
    expect(page.locator(".count-error")).to_have_text("4")
    expect(page.locator('#rows-table tr[data-action="error"]')).to_have_count(4)
    shots.desktop(page, "04-preview")
    shots.phone(page, "04-preview-phone")

    page.select_option("#column-4", "ignore")  # E-mailadres: the bad addresses no longer count
    expect(page.locator(".count-create")).to_have_text("3", timeout=30000)
    expect(page.locator(".count-error")).to_have_text("2")
    page.click('[data-filter="error"]')
    expect(page.locator("#rows-table tbody tr")).to_have_count(2)
    expect(page.locator("#rows-table")).to_contain_text("41x003")
    shots.desktop(page, "05-relabelled")

    page.get_by_role("button", name="Starten").click()
    expect(page.locator("#job-status")).to_have_attribute("data-status", "completed", timeout=60000)
    expect(page.locator("#summary")).to_contain_text("nieuw 3")
    expect(page.locator("#summary")).to_contain_text("fout 2")
    shots.desktop(page, "06-completed")
    with page.expect_download() as download:
        page.get_by_role("button", name="Foutenrapport downloaden (errors.csv)").click()
    report = Path(download.value.path()).read_bytes().decode("utf-8-sig").splitlines()
    assert report[0] == "line;code;action;message" and report[1].startswith("4;41x003;error;")
    assert report[2].startswith("6;'=1+2;error;")  # no formula for a spreadsheet

    page.locator("#nav").get_by_role("link", name="Gebruikers").click()
    page.select_option("#user-type", "student")
    expect(page.locator('#users-table tr[data-code="410004"] .lln .tick')).to_be_visible()
    expect(page.locator('#users-table tr[data-code="410001"]')).to_contain_text("Zoë")
    shots.desktop(page, "07-users-after-import")
    page.locator("#nav").get_by_role("link", name="Importeren").click()
    expect(page.locator("#import-history")).to_contain_text("voltooid")


def test_a_file_that_is_no_csv_fails_with_a_dutch_explanation_and_the_details(portal, page, shots):
    base, password, tmp_path = portal
    picture = tmp_path / "pasfoto.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    log_in(page, base, "admin", password)
    page.locator("#nav").get_by_role("link", name="Importeren").click()
    page.set_input_files("#import-file", str(picture))
    page.get_by_role("button", name="Uploaden").click()
    expect(page.locator("#job-error")).to_contain_text("Dit is geen CSV-tekstbestand", timeout=30000)
    expect(page.locator("#job-error")).to_contain_text("not_text")
    shots.desktop(page, "10-failed-import")


def test_the_enrollments_page_lists_adds_filters_deletes_and_shows_placements(portal, page, shots):
    base, password, _ = portal
    client = PortalClient(base)
    client.login("admin", password)
    client.call("POST", "/api/v1/schedule-projects",
                {"code": "2026-2027", "name": "havo/vwo", "school_year": "2026-2027"})
    for code, year in (("h1", 1), ("v4", 4)):
        client.call("POST", "/api/v1/schedule-projects/2026-2027/departments",
                    {"code": code, "name": code, "year_of_education": year})
    client.call("POST", "/api/v1/learning-paths", {"code": "havo-ob", "name": "havo onderbouw", "element_code": "2061",
                                                   "years_of_education": [1, 2, 3], "educations": ["havo"]})
    for code in ("420001", "420002"):
        client.call("POST", "/api/v1/users", {"code": code, "is_student": True})
    log_in(page, base, "admin", password)
    page.get_by_role("link", name="Afdelingsdeelnames").click()
    for student, department, education in (("420001", "h1", "havo"), ("420002", "v4", "vwo")):
        page.fill("#enroll-student", student)
        page.select_option("#enroll-department", department)
        page.fill("#enroll-education", education)
        page.fill("#enroll-prognosis", "75%")
        page.get_by_role("button", name="Toevoegen").click()
        expect(page.locator("#enrollments-table")).to_contain_text(student)
    expect(page.locator("#enrollments-table")).to_contain_text("havo-ob")
    expect(page.locator("#placements")).to_contain_text("geen passend leerpad")
    shots.desktop(page, "08-enrollments")
    page.select_option("#enrollment-department", "v4")
    expect(page.locator("#enrollments-table tbody tr")).to_have_count(1)
    page.get_by_role("button", name="Verwijderen").click()
    page.get_by_role("button", name="Ja, verwijderen").click()
    expect(page.locator("#enrollments-table tbody tr")).to_have_count(0)

    # Deleted behind the console's back: deleting it again is refused, and the console says so.
    page.select_option("#enrollment-department", "h1")
    expect(page.locator("#enrollments-table tbody tr")).to_have_count(1)
    enrollments = client.call("GET", "/api/v1/schedule-projects/2026-2027/enrollments")["items"]
    client.call("DELETE", f"/api/v1/schedule-projects/2026-2027/enrollments/{enrollments[0]['id']}")
    page.get_by_role("button", name="Verwijderen").click()
    page.get_by_role("button", name="Ja, verwijderen").click()
    expect(page.locator("#enrollments-table .notice")).to_be_visible()
    # A download the gateway cannot answer (a proxy's error page, no JSON) is explained too.
    page.route("**/placements?format=csv", lambda route: route.fulfill(status=502, body="<h1>Bad Gateway</h1>"))
    page.get_by_role("button", name="Plaatsingen downloaden (CSV)").click()
    expect(page.locator("#placements .notice")).to_have_text(
        "De server is niet bereikbaar (status 502). Probeer het over enkele ogenblikken opnieuw.")
    shots.desktop(page, "11-refused-delete-and-download")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("link", name="Enrollments")).to_be_visible()
    # The menu switches at once, the page only once it is drawn again from its answers: wait for its English.
    expect(page.get_by_role("button", name="Download placements (CSV)")).to_be_visible()
    expect(page.locator("#main")).not_to_contain_text("Plaatsingen")
    shots.desktop(page, "09-english")


def test_the_services_answer_in_the_language_the_console_is_switched_to(portal, page):
    """api.js sends the console's language; errors.js shows the service's message, and explains what no
    service said (no answer at all) itself; the shared catalogue fills in the codes it shows."""
    base, password, _ = portal
    log_in(page, base, "admin", password)
    expect(page.locator("#nav")).to_be_visible()
    explain = """async () => {
        const { api } = await import("/console/api.js");
        const { errorText } = await import("/console/errors.js");
        const { catalogueText } = await import("/console/i18n.js");
        const { data } = await api("GET", "/users/nobody");
        return [errorText(data), errorText({ error: { code: "unreachable", message: "Failed to fetch" } }),
                catalogueText("insufficient_rights", { missing: ["users:write", "imports:write"] }),
                catalogueText("rows_expired", {})];
    }"""
    assert page.evaluate(explain) == [
        "Er is geen gebruiker met code nobody.", "De server is niet bereikbaar. Controleer de verbinding en probeer "
        "het opnieuw.", "Hiervoor mist u rechten: users:write, imports:write.",
        "De regels van deze import zijn na de bewaartermijn verwijderd; de import en zijn aantallen blijven bewaard."]
    page.locator("#language").click()
    assert page.evaluate(explain) == [
        "No user has code nobody.", "The server cannot be reached. Check the connection and try again.",
        "This needs rights you do not hold: users:write, imports:write.",
        "The rows of this import were deleted after the retention period; the import and its counts are kept."]


def test_an_answer_that_is_no_contract_error_is_told_by_its_status_in_the_consoles_language(portal, page):
    """A proxy's error page (HTML, its status text in English) is never shown in its own words: the console
    says the server could not be reached (502, 503, 504) or answered with an error, naming the status."""
    base, password, _ = portal
    log_in(page, base, "admin", password)
    expect(page.locator("#nav")).to_be_visible()
    page.route("**/api/v1/proxied/*", lambda route: route.fulfill(
        status=int(route.request.url.rsplit("/", 1)[1]), content_type="text/html", body="<h1>Bad Gateway</h1>"))
    explain = """async () => {
        const { api, download } = await import("/console/api.js");
        const { errorText } = await import("/console/errors.js");
        const gateway = await download("/proxied/502");
        const failed = await api("GET", "/proxied/500");
        return [gateway.ok, gateway.data.error.details.status, errorText(gateway.data), errorText(failed.data)];
    }"""
    assert page.evaluate(explain) == [
        False, 502, "De server is niet bereikbaar (status 502). Probeer het over enkele ogenblikken opnieuw.",
        "De server antwoordde met een fout (status 500). Probeer het later opnieuw."]
    page.locator("#language").click()
    assert page.evaluate(explain) == [
        False, 502, "The server cannot be reached (status 502). Try again in a few moments.",
        "The server answered with an error (status 500). Try again later."]
