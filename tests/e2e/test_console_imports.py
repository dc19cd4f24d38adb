"""The console's import pages in a real headless Chromium against `portal run`: paging through every row
of a preview, filtering by action, planned counts told apart from done ones, a synchronize that archives
leavers (refused above its threshold, raised, started), an update's old → new values, a job that failed
on its delimiter analysed again, a discarded job, and what a user without the write rights sees.
Screenshots land in test-artifacts/console-imports/, at 1280 and 360 px wide."""

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.browser import ARTIFACTS as ARTIFACTS_ROOT
from tests.e2e.console_fixtures import logged_in as log_in

ARTIFACTS = ARTIFACTS_ROOT / "console-imports"
ANALYSIS = 60000  # ms: the embedded workers analyse and apply on a shared, slow machine
# A moment written as the Logboek writes it (i18n.js formatMoment): "30 nov 2026, 15:18:08".
DUTCH_MOMENT = re.compile(r"^\d{1,2} (jan|feb|mrt|apr|mei|jun|jul|aug|sep|okt|nov|dec)\.? 20\d\d,? \d\d:\d\d:\d\d$")


def upload(page, tmp_path, name, content, *, as_student=True, mode="import", delimiter="", leavers=False,
           login_method=""):
    """Uploads a users file with the form; returns the job's id once its page shows."""
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8"))
    page.locator("#nav").get_by_role("link", name="Importeren").click()
    page.set_input_files("#import-file", str(path))
    if as_student:
        page.check("#import-as-student")
    page.select_option("#import-mode", mode)
    if delimiter:
        page.select_option("#import-delimiter", delimiter)
    if leavers:
        page.check("#import-archive-missing")
    if login_method:
        page.select_option("#import-login-method", login_method)
    page.get_by_role("button", name="Uploaden").click()
    expect(page.locator("#job-status")).to_be_visible()
    return page.url.split("#/imports/")[1]


def wait_for_status(page, status):
    expect(page.locator("#job-status")).to_have_attribute("data-status", status, timeout=ANALYSIS)


def shown_codes(page):
    return page.locator("#rows-table tbody tr").evaluate_all("rows => rows.map(row => row.dataset.key)")


def test_every_row_of_a_large_preview_is_paged_through_and_filtered_per_action(portal, admin_client, page, shots):
    base, password, tmp_path = portal
    admin_client.call("POST", "/api/v1/users", {"code": "459999", "is_student": True})
    lines = ["Leerlingnummer;Roepnaam;Tussenvoegsel;Achternaam"]
    lines += [f"{450001 + index};Leerling{index};;Achter{index}" for index in range(250)]
    lines += ["45x001;Fout;;Een", "459999;Bestaat;;Al", "45x002;Fout;;Twee", "45x003;Fout;;Drie"]
    log_in(page, base, "admin", password)
    job = upload(page, tmp_path, "groot.csv", "\r\n".join(lines) + "\r\n")
    wait_for_status(page, "ready")

    expect(page.locator("#counts")).to_have_attribute("data-phase", "planned")
    expect(page.locator("#counts h2")).to_contain_text("Gepland")
    expect(page.locator(".count-create")).to_have_text("250")
    expect(page.locator(".count-error")).to_have_text("3")
    expect(page.locator(".count-skip")).to_have_text("1")
    expect(page.locator("#rows-range")).to_have_text("Rijen 1–100 van 254")
    expect(page.locator("#rows-table tbody tr")).to_have_count(100)
    shots.both(page, "01-preview-page-1", focus="#rows h2")

    page.click("#rows-next")
    expect(page.locator("#rows-range")).to_have_text("Rijen 101–200 van 254")
    page.click("#rows-next")
    expect(page.locator("#rows-range")).to_have_text("Rijen 201–254 van 254")
    expect(page.locator("#rows-table tbody tr")).to_have_count(54)
    expect(page.locator("#rows-next")).to_be_disabled()
    # The last rows of the file, past the 200 the console used to stop at.
    assert shown_codes(page)[-4:] == ["45x001", "459999", "45x002", "45x003"]
    page.click("#rows-previous")
    expect(page.locator("#rows-range")).to_have_text("Rijen 101–200 van 254")
    assert shown_codes(page)[0] == "450101"

    # Per action: the skipped row is no longer hidden behind "only errors".
    expect(page.locator('[data-filter="error"] .imp-filter-count')).to_have_text("3")
    page.click('[data-filter="error"]')
    expect(page.locator("#rows-range")).to_have_text("Rijen 1–3 van 3")
    assert shown_codes(page) == ["45x001", "45x002", "45x003"]
    page.click('[data-filter="skip"]')
    expect(page.locator("#rows-table tbody tr")).to_have_count(1)
    expect(page.locator('#rows-table tr[data-action="skip"]')).to_contain_text("459999")
    expect(page.locator('[data-filter="skip"]')).to_have_attribute("aria-pressed", "true")
    shots.both(page, "02-preview-filtered-skip")
    page.click('[data-filter="all"]')
    expect(page.locator("#rows-table tbody tr")).to_have_count(100)

    # The history marks a job that never started: its counts are a plan, not what happened.
    page.locator("#nav").get_by_role("link", name="Importeren").click()
    history_row = page.locator(f'#import-history tr[data-id="{job}"]')
    expect(history_row).to_contain_text("klaar om te starten")
    expect(history_row.locator(".imp-planned")).to_contain_text("gepland:")
    expect(history_row.locator(".imp-planned")).to_contain_text("250")
    expect(history_row.locator("time")).to_have_text(DUTCH_MOMENT)
    shots.both(page, "03-history-planned")


def test_an_update_shows_each_changed_value_old_and_new(portal, admin_client, page, shots):
    base, password, tmp_path = portal
    admin_client.call("POST", "/api/v1/users", {
        "code": "430001", "first_name": "Jan", "last_name": "Smit", "email": "jan@school.example.nl",
        "is_student": True})
    log_in(page, base, "admin", password)
    upload(page, tmp_path, "bijwerken.csv",
           "Leerlingnummer;Roepnaam;Achternaam;E-mailadres\r\n430001;Johan;Smit;johan@school.example.nl\r\n",
           mode="update")
    wait_for_status(page, "ready")
    expect(page.locator(".count-update")).to_have_text("1")
    row = page.locator('#rows-table tr[data-action="update"]')
    expect(row.locator('li[data-field="first_name"]')).to_have_text("Roepnaam: Jan → Johan")
    expect(row.locator('li[data-field="email"] .imp-old')).to_have_text("jan@school.example.nl")
    expect(row.locator('li[data-field="email"] .imp-new')).to_have_text("johan@school.example.nl")
    expect(row.locator('li[data-field="last_name"]')).to_have_count(0)  # unchanged: not listed
    shots.both(page, "04-update-old-new")


def test_imported_users_get_the_login_method_chosen_for_the_import(portal, admin_client, page):
    base, password, tmp_path = portal
    client = admin_client
    log_in(page, base, "admin", password)
    page.locator("#nav").get_by_role("link", name="Importeren").click()
    page.select_option("#import-mode", "update")
    expect(page.locator("#import-login-method")).to_be_hidden()  # an update creates nobody
    upload(page, tmp_path, "sso.csv", "Leerlingnummer;Roepnaam\r\n432001;Ilse\r\n432002;Kees\r\n", login_method="sso")
    wait_for_status(page, "ready")
    expect(page.locator("#job-login-method")).to_have_value("sso")
    page.click("#start-import")
    wait_for_status(page, "completed")
    expect(page.locator("#summary")).to_contain_text("nieuw 2")
    assert [client.call("GET", f"/api/v1/users/{code}")["login_method"] for code in ("432001", "432002")] == ["sso"] * 2


def active_student_codes(client) -> list[str]:
    codes, cursor = [], None
    while True:
        query = "/api/v1/users?type=student&archived=false&limit=1000" + (f"&cursor={cursor}" if cursor else "")
        answer = client.call("GET", query)
        codes += [user["code"] for user in answer["items"]]
        cursor = answer["next_cursor"]
        if not cursor:
            return codes


def test_a_synchronize_with_leavers_is_refused_above_its_threshold_raised_and_archives_them(
        portal, admin_client, page, shots):
    base, password, tmp_path = portal
    client = admin_client
    for number in range(440001, 440021):
        client.call("POST", "/api/v1/users", {"code": str(number), "first_name": f"L{number}", "is_student": True})
    leavers = [str(number) for number in range(440016, 440021)]
    staying = [code for code in active_student_codes(client) if code not in leavers]
    lines = ["Leerlingnummer;Roepnaam"] + [f"{code};L{code}" for code in staying]
    log_in(page, base, "admin", password)
    page.locator("#nav").get_by_role("link", name="Importeren").click()
    # The leavers option belongs to a synchronize of students only.
    expect(page.locator("#import-leavers")).to_be_hidden()
    page.check("#import-as-student")
    page.select_option("#import-mode", "synchronize")
    expect(page.locator("#import-leavers")).to_be_visible()
    expect(page.locator("#import-leavers")).to_contain_text("Leerlingen die niet in het bestand staan archiveren")
    page.check("#import-archive-missing")
    expect(page.locator("#import-max-archive-percent")).to_have_value("10")
    shots.both(page, "05-leavers-form")
    page.uncheck("#import-archive-missing")
    upload(page, tmp_path, "synchroniseren.csv", "\r\n".join(lines) + "\r\n", mode="synchronize", leavers=True)
    wait_for_status(page, "ready")
    expect(page.locator("#job-archive-missing")).to_be_checked()
    expect(page.locator(".count-archive")).to_have_text("5")
    page.click('[data-filter="archive"]')
    expect(page.locator("#rows-range")).to_have_text("Rijen 1–5 van 5")
    expect(page.locator('#rows-table tr[data-action="archive"]')).to_have_count(5)
    assert sorted(shown_codes(page)) == leavers
    shots.both(page, "05-leavers-preview")

    page.click("#start-import")
    refusal = page.locator("#threshold-refusal")
    expect(refusal).to_contain_text("Starten is geweigerd")
    expect(page.locator("#threshold-facts")).to_contain_text(f"Te archiveren: 5 van de {len(staying) + 5} actieve")
    expect(page.locator("#threshold-facts")).to_contain_text("de drempel is 10%")
    shots.both(page, "06-leavers-threshold-refused")
    page.fill("#raise-threshold-percent", "60")
    page.click("#raise-threshold")
    expect(page.locator("#threshold-raised")).to_contain_text("De drempel is nu 60%")
    wait_for_status(page, "ready")
    expect(page.locator("#job-max-archive-percent")).to_have_value("60")
    page.click("#start-import")
    wait_for_status(page, "completed")
    expect(page.locator("#counts")).to_have_attribute("data-phase", "done")
    expect(page.locator(".count-archive")).to_have_text("5")
    page.click('[data-filter="archive"]')
    expect(page.locator("#rows-range")).to_have_text("Rijen 1–5 van 5")
    expect(page.locator('#rows-table tr[data-action="archive"]')).to_have_count(5)
    assert sorted(shown_codes(page)) == leavers
    shots.both(page, "07-leavers-archived")
    assert all(client.call("GET", f"/api/v1/users/{code}")["archived"] for code in leavers)
    assert not client.call("GET", f"/api/v1/users/{staying[0]}")["archived"]


def test_a_job_that_failed_on_its_delimiter_is_analysed_again_with_the_right_one(portal, page, shots):
    base, password, tmp_path = portal
    log_in(page, base, "admin", password)
    upload(page, tmp_path, "komma.csv", "Leerlingnummer,Roepnaam,Achternaam\r\n460001,Sanne,Visser\r\n"
           "460002,Bram,de Vries\r\n", delimiter=";")
    wait_for_status(page, "failed")
    expect(page.locator("#job-error")).to_contain_text("controleer het scheidingsteken")
    # A sentence naming the file and its kind; the code only under Details and as the notice's title.
    expect(page.locator("#job-error > p")).to_contain_text(
        "Het bestand komma.csv (een import van gebruikers) kan niet worden geïmporteerd.")
    expect(page.locator("#job-error > p")).not_to_contain_text("(missing_required_column)")
    expect(page.locator("#job-error")).to_have_attribute("title", "missing_required_column")
    expect(page.locator("#reanalyse-delimiter")).to_have_value(";")
    shots.both(page, "08-failed-delimiter")
    page.select_option("#reanalyse-delimiter", ",")
    page.click("#reanalyse")
    wait_for_status(page, "ready")
    expect(page.locator("#job-delimiter")).to_have_value(",")
    expect(page.locator(".count-create")).to_have_text("2")
    expect(page.locator("#sample-rows")).to_contain_text("de Vries")


def test_a_job_is_discarded_only_after_a_confirmation(portal, admin_client, page, shots):
    base, password, tmp_path = portal
    client = admin_client
    log_in(page, base, "admin", password)
    job = upload(page, tmp_path, "weg.csv", "Leerlingnummer;Roepnaam\r\n470001;Weg\r\n")
    wait_for_status(page, "ready")
    page.click("#discard-import")
    expect(page.locator("#discard-confirm")).to_be_visible()
    shots.both(page, "09-discard-confirm")
    page.click("#discard-no")
    expect(page.locator("#discard-confirm")).to_be_hidden()
    assert client.request("GET", f"/api/v1/imports/{job}")[0] == 200
    page.click("#discard-import")
    page.click("#discard-yes")
    expect(page.locator("#imports-announcement")).to_have_text("De import van weg.csv is verwijderd.")
    expect(page.locator("#import-history")).to_be_visible()
    expect(page.locator(f'#import-history tr[data-id="{job}"]')).to_have_count(0)
    assert client.request("GET", f"/api/v1/imports/{job}")[0] == 404


def test_a_reader_without_write_rights_sees_why_the_controls_are_off(portal, admin_client, page, shots):
    base, _, tmp_path = portal
    client = admin_client
    client.call("POST", "/api/v1/school-functions",
                {"code": "inzage-imports", "name": "Inzage imports", "rights": ["imports:read", "users:read"]})
    client.call("POST", "/api/v1/users", {"code": "mentor.imp", "is_employee": True, "password": "mentor-wachtwoord",
                                          "school_functions": ["inzage-imports"]})
    status, job = client.upload("/api/v1/imports", {"kind": "users", "as_student": True}, "klas.csv",
                                b"Leerlingnummer;Roepnaam\r\n480001;Mila\r\n")
    assert status == 202
    log_in(page, base, "mentor.imp", "mentor-wachtwoord")
    page.locator("#nav").get_by_role("link", name="Importeren").click()
    expect(page.locator("#import-not-allowed")).to_contain_text("imports:write")
    expect(page.locator("#new-import")).to_have_count(0)
    page.goto(f"{base}/#/imports/{job['id']}")
    wait_for_status(page, "ready")
    expect(page.locator("#job-read-only")).to_contain_text(
        "‘Importeren’ (imports:write) en ‘Gebruikers wijzigen’ (users:write)")
    expect(page.locator("#start-import")).to_be_disabled()
    expect(page.locator("#job-mode")).to_be_disabled()
    expect(page.locator("#discard-import")).to_be_disabled()
    expect(page.locator("#rows-table tbody tr")).to_have_count(1)  # reading is allowed
    shots.both(page, "10-read-only")


def test_someone_who_may_import_only_enrollments_is_offered_only_that_kind(portal, admin_client, page, shots):
    base, _, _ = portal
    client = admin_client
    client.call("POST", "/api/v1/school-functions", {
        "code": "roostermaker-imp", "name": "Roostermaker",
        "rights": ["imports:read", "imports:write", "enrollments:read", "enrollments:write"]})
    client.call("POST", "/api/v1/users", {"code": "rooster.imp", "is_employee": True, "password": "rooster-wachtwoord",
                                          "school_functions": ["roostermaker-imp"]})
    log_in(page, base, "rooster.imp", "rooster-wachtwoord")
    page.locator("#nav").get_by_role("link", name="Importeren").click()
    expect(page.locator("#import-kind")).to_have_value("enrollments")
    users_option = page.locator('#import-kind option[value="users"]')
    expect(users_option).to_be_disabled()
    expect(users_option).to_contain_text("users:write")
    expect(page.locator("#import-project")).to_be_visible()
    expect(page.locator("#import-as-student")).to_be_hidden()
    expect(page.locator("main")).not_to_contain_text("null")
    shots.both(page, "12-enrollments-only")


def test_the_english_switch_translates_the_import_page(portal, page, shots):
    base, password, tmp_path = portal
    log_in(page, base, "admin", password)
    upload(page, tmp_path, "engels.csv", "Leerlingnummer;Roepnaam\r\n490001;Eva\r\n")
    wait_for_status(page, "ready")
    page.click("#language")
    expect(page.locator("#counts h2")).to_have_text("Planned (preview: nothing has changed yet)")
    expect(page.locator('[data-filter="all"]')).to_contain_text("All rows")
    expect(page.locator("#discard-import")).to_have_text("Discard import")
    shots.both(page, "13-english")


def test_the_english_console_downloads_the_english_errors_csv(portal, page):
    base, password, tmp_path = portal
    log_in(page, base, "admin", password)
    upload(page, tmp_path, "english-errors.csv", "Leerlingnummer;Roepnaam\r\n48x001;Eva\r\n480002;Ties\r\n")
    wait_for_status(page, "ready")
    page.get_by_role("button", name="Starten").click()
    wait_for_status(page, "completed")
    page.click("#language")
    with page.expect_download() as download:
        page.click("#download-errors")
    report = Path(download.value.path()).read_bytes().decode("utf-8-sig").splitlines()
    assert report[0] == "line;code;action;message"
    assert report[1].startswith("2;48x001;error;") and "A student's code may contain digits only" in report[1]


def test_an_enrollments_preview_shows_a_prognosis_in_dutch_notation(portal, admin_client, page, shots):
    base, password, tmp_path = portal
    client = admin_client
    client.call("POST", "/api/v1/schedule-projects", {"code": "2027-2028", "name": "havo", "school_year": "2027-2028"})
    client.call("POST", "/api/v1/schedule-projects/2027-2028/departments",
                {"code": "h2", "name": "havo 2", "year_of_education": 2})
    client.call("POST", "/api/v1/users", {"code": "495001", "is_student": True})
    export = tmp_path / "deelnames.csv"
    export.write_bytes(b"Leerlingnummer;Afdeling;Prognose\r\n495001;h2;62.5\r\n")
    log_in(page, base, "admin", password)
    page.locator("#nav").get_by_role("link", name="Importeren").click()
    page.select_option("#import-kind", "enrollments")
    page.select_option("#import-project", "2027-2028")
    page.set_input_files("#import-file", str(export))
    page.get_by_role("button", name="Uploaden").click()
    wait_for_status(page, "ready")
    row = page.locator('#rows-table tr[data-key="495001"]')
    expect(row).to_contain_text("Prognose: 62,5")
    expect(row).not_to_contain_text("62.5")
    shots.both(page, "11-enrollments-prognosis")


def test_an_enrollments_import_of_an_unknown_schedule_project_is_given_an_existing_one(portal, admin_client, page):
    base, password, _ = portal
    client = admin_client
    client.call("POST", "/api/v1/schedule-projects", {"code": "2028-2029", "name": "vwo", "school_year": "2028-2029"})
    client.call("POST", "/api/v1/schedule-projects/2028-2029/departments",
                {"code": "v1", "name": "vwo 1", "year_of_education": 1})
    client.call("POST", "/api/v1/users", {"code": "496001", "is_student": True})
    status, job = client.upload("/api/v1/imports", {"kind": "enrollments", "schedule_project": "2028-2920"},
                                "tikfout.csv", b"Leerlingnummer;Afdeling\r\n496001;v1\r\n")
    assert status == 202
    log_in(page, base, "admin", password)
    page.goto(f"{base}/#/imports/{job['id']}")
    wait_for_status(page, "failed")
    page.select_option("#reanalyse-project", "2028-2029")
    page.click("#reanalyse")
    wait_for_status(page, "ready")
    expect(page.locator("#settings")).to_contain_text("Roosterproject: 2028-2029")
    expect(page.locator(".count-create")).to_have_text("1")
