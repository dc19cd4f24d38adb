"""The whole job of the school's help page ("Nieuwe leerlingen toevoegen", with its upkeep), done only
through the console in a real headless Chromium against a fresh `portal run`: a schedule project with
departments (one with a typo in its code) and learning paths, a student added by hand, students
imported from an export, enrollments imported (the typo's rows refused), the typo fixed and the rest
imported, leavers handled by a synchronize (refused at its threshold, raised, applied), the rights of
`leerling` set, and the Somtoday placements downloaded. The API is used only to check what the console
did. Screenshots of every step land in test-artifacts/console-whole-job/."""

import csv
import io
import time

from playwright.sync_api import expect

from tests.e2e.browser import ARTIFACTS as ARTIFACTS_ROOT
from tests.e2e.console_fixtures import logged_in

ARTIFACTS = ARTIFACTS_ROOT / "console-whole-job"
ANALYSIS = 60000  # ms: the embedded workers analyse and apply on a shared, slow machine
PROJECT = "2026-2027"
HEADER = "Leerlingnummer;Roepnaam;Tussenvoegsel;Achternaam;E-mailadres"
# What the student administration exports (Excel's "CSV UTF-8": a BOM, semicolons, CRLF).
STUDENTS = [("202601", "Noor", "", "Yılmaz"), ("202602", "Bram", "van der", "Linden"),
            ("202603", "Zoë", "", "Bakker"), ("202604", "Tijn", "van", "Dijk"), ("202605", "Fleur", "de", "Groot"),
            ("202606", "Daniël", "", "Vermeulen"), ("202607", "Léa", "", "Dubois"),
            ("202608", "IJsbrand", "", "Bijlsma")]
BY_HAND = ("202609", "Lieke", "van der", "Wijk")
LEAVER = "202607"
# Where they go: tab-separated, as the help page prefers; v1 is the department entered as "vl" by mistake.
ENROLLMENTS = ("leerlingcode\tafdeling\tPr%\tProfiel\tOpleiding\tStamklas\r\n"
               "202601\th1\t80\t\thavo\th1a\r\n202602\th1\t75%\t\thavo\th1a\r\n202603\th1\t\t\thavo\th1b\r\n"
               "202604\tv1\t90\t\tvwo\tv1a\r\n202605\tv1\t85,5\t\tvwo\tv1a\r\n202606\th1\t60\t\thavo\th1b\r\n"
               "202607\th1\t\t\thavo\th1b\r\n202608\tv1\t70\t\tvwo\tv1a\r\n")


def export(students) -> bytes:
    lines = [HEADER] + [f"{code};{first};{prefix};{last};{code}@leerling.example.nl"
                        for code, first, prefix, last in students]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def upload(page, path, content: bytes, *, kind="users"):
    """Opens Importeren, chooses the kind and the file; the caller sets the rest and presses Uploaden."""
    path.write_bytes(content)
    page.locator("#nav").get_by_role("link", name="Importeren").click()
    page.select_option("#import-kind", kind)
    # The file control speaks the console's language, not the browser's ("Choose File").
    expect(page.locator("#new-import .file-button")).to_have_text("Bestand kiezen")
    expect(page.locator("#import-file-chosen")).to_have_text("Geen bestand gekozen")
    page.set_input_files("#import-file", str(path))
    expect(page.locator("#import-file-chosen")).to_have_text(path.name)


def wait_for_status(page, status):
    expect(page.locator("#job-status")).to_have_attribute("data-status", status, timeout=ANALYSIS)


def enrollment_statuses(client):
    return {item["student"]: item["student_status"] for item in
            client.call("GET", f"/api/v1/schedule-projects/{PROJECT}/enrollments?limit=1000")["items"]}


def test_an_administrator_does_the_whole_job_of_the_help_page_in_the_console(portal, admin_client, page, shots):
    folder = portal.tmp_path
    logged_in(page, portal.base, "admin", portal.password)
    shots.desktop(page, "00-logged-in")

    # 1. A schedule project for the coming school year.
    page.locator("#nav").get_by_role("link", name="Roosterprojecten").click()
    page.fill("#new-project-code", PROJECT)
    page.fill("#new-project-name", "Havo/vwo")
    page.fill("#new-project-school_year", "2026-2027")
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.locator("#projects-message")).to_contain_text(f"Toegevoegd: {PROJECT}")
    shots.both(page, "01-schedule-project")

    # 2. Its departments; "vl" should have been "v1" (a typo nobody notices yet).
    page.locator(f'#projects-table tr[data-code="{PROJECT}"]').get_by_role("link", name="Afdelingen").click()
    for code, name, year in (("h1", "Havo 1", "1"), ("vl", "Vwo 1", "1")):
        page.fill("#new-department-code", code)
        page.fill("#new-department-name", name)
        page.select_option("#new-department-year_of_education", year)
        page.get_by_role("button", name="Toevoegen").click()
        expect(page.locator(f'#departments-table tr[data-code="{code}"]')).to_contain_text(name)
    shots.desktop(page, "02-departments-with-typo")

    # 3. Learning paths, so the placements get their element codes.
    page.locator("#nav").get_by_role("link", name="Leerpaden").click()
    for code, name, element, education in (("havo-ob", "Havo onderbouw", "2061", "havo"),
                                           ("vwo-ob", "Vwo onderbouw", "3061", "vwo")):
        page.fill("#new-path-code", code)
        page.fill("#new-path-name", name)
        page.fill("#new-path-element_code", element)
        for year in ("1", "2", "3"):
            page.locator("#new-path-years_of_education").get_by_label(year, exact=True).check()
        page.fill("#new-path-educations", education)
        page.get_by_role("button", name="Toevoegen").click()
        expect(page.locator(f'#learning-paths-table tr[data-code="{code}"]')).to_contain_text(name)
    assert admin_client.call("GET", "/api/v1/learning-paths/vwo-ob")["years_of_education"] == [1, 2, 3]
    shots.both(page, "03-learning-paths")

    # 4. One student by hand (Gebruikers > Toevoegen, "Toevoegen als leerling").
    code, first, prefix, last = BY_HAND
    page.locator("#nav").get_by_role("link", name="Gebruikers").click()
    page.fill("#new-code", code)
    page.fill("#new-first_name", first)
    page.fill("#new-prefix", prefix)
    page.fill("#new-last_name", last)
    page.fill("#new-password", "lieke-wachtwoord-1")
    page.check("#new-is_student")
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.locator("#add-user-result")).to_contain_text(code)
    # The help page's next step is pointed at; it waits until the project has its students.
    expect(page.locator("#add-user-next")).to_have_attribute("href", "#/enrollments")
    expect(page.locator(f'#users-table tr[data-code="{code}"] .lln .tick')).to_be_visible()
    assert admin_client.call("GET", f"/api/v1/users/{code}")["school_functions"] == ["leerling"]
    shots.both(page, "04-student-by-hand")

    # 5. The new students from the administration's export.
    upload(page, folder / "leerlingen.csv", export(STUDENTS))
    page.focus("#import-kind")
    page.keyboard.press("Tab")  # the file control is reached from the keyboard, its own button hidden
    assert page.evaluate("document.activeElement.id") == "import-file"
    page.check("#import-as-student")
    page.select_option("#import-mode", "import")
    shots.both(page, "05-students-upload")
    page.get_by_role("button", name="Uploaden").click()
    wait_for_status(page, "ready")
    expect(page.locator("#job-delimiter")).to_have_value(";")
    expect(page.locator("#sample-rows")).to_contain_text("IJsbrand")
    expect(page.locator(".count-create")).to_have_text("8")
    shots.both(page, "06-students-preview", focus="#counts")
    page.get_by_role("button", name="Starten").click()
    wait_for_status(page, "completed")
    expect(page.locator("#summary")).to_contain_text("nieuw 8")
    bram = admin_client.call("GET", "/api/v1/users/202602")
    assert (bram["first_name"], bram["prefix"], bram["last_name"], bram["is_student"]) == (
        "Bram", "van der", "Linden", True)
    assert admin_client.call("GET", "/api/v1/users/202603")["first_name"] == "Zoë"
    shots.desktop(page, "07-students-imported")

    # 6. Their enrollments: the rows for v1 are refused, since the department is called "vl".
    upload(page, folder / "afdelingsdeelnames.txt", ENROLLMENTS.encode("utf-8"), kind="enrollments")
    page.select_option("#import-project", PROJECT)
    page.get_by_role("button", name="Uploaden").click()
    wait_for_status(page, "ready")
    expect(page.locator(".count-create")).to_have_text("5")
    expect(page.locator(".count-error")).to_have_text("3")
    expect(page.locator("#job-project")).to_contain_text(f"Roosterproject: {PROJECT}")
    page.click('[data-filter="error"]')
    expect(page.locator("#rows-table")).to_contain_text("geen afdeling met code v1")
    shots.both(page, "08-enrollments-preview-typo", focus="#rows")
    page.get_by_role("button", name="Starten").click()
    wait_for_status(page, "completed")
    assert set(enrollment_statuses(admin_client)) == {"202601", "202602", "202603", "202606", "202607"}

    # 7. The typo fixed: the job links to the project's departments; a code cannot be changed (the edit
    # form says so), so "vl" is deleted (nothing uses it) and v1 added.
    expect(page.locator("#summary")).to_contain_text("fout 3")
    shots.desktop(page, "08-enrollments-imported-with-errors")
    page.locator("#summary-project").get_by_role("link", name="afdelingen bekijken of corrigeren").click()
    typo = page.locator('#departments-table tr[data-code="vl"]')
    typo.get_by_role("button", name="Wijzigen").click()
    expect(page.locator("#edit-department-code-hint")).to_contain_text("Verwijder deze afdeling")
    shots.both(page, "09-department-edit")
    page.get_by_role("button", name="Annuleren").click()
    typo.get_by_role("button", name="Verwijderen").click()
    typo.get_by_role("button", name="Ja, verwijderen").click()
    expect(page.locator('#departments-table tr[data-code="vl"]')).to_have_count(0)
    page.fill("#new-department-code", "v1")
    page.fill("#new-department-name", "Vwo 1")
    page.select_option("#new-department-year_of_education", "1")
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.locator('#departments-table tr[data-code="v1"]')).to_contain_text("Vwo 1")
    assert [department["code"] for department in admin_client.call(
        "GET", f"/api/v1/schedule-projects/{PROJECT}/departments")["items"]] == ["h1", "v1"]
    shots.both(page, "10-department-fixed")

    # 8. The same file again: what is enrolled already is skipped, not changed; the v1 rows now go in.
    upload(page, folder / "afdelingsdeelnames.txt", ENROLLMENTS.encode("utf-8"), kind="enrollments")
    page.select_option("#import-project", PROJECT)
    page.get_by_role("button", name="Uploaden").click()
    wait_for_status(page, "ready")
    expect(page.locator(".count-create")).to_have_text("3")
    expect(page.locator(".count-skip")).to_have_text("5")
    page.get_by_role("button", name="Starten").click()
    wait_for_status(page, "completed")
    expect(page.locator("#summary")).to_contain_text("nieuw 3")
    shots.desktop(page, "11-enrollments-imported")

    # 9. The student added by hand gets an enrollment by hand.
    page.locator("#nav").get_by_role("link", name="Afdelingsdeelnames").click()
    page.fill("#enroll-student", BY_HAND[0])
    page.select_option("#enroll-department", "v1")
    page.fill("#enroll-education", "vwo")
    page.fill("#enroll-prognosis", "62,5")
    page.get_by_role("button", name="Toevoegen").click()
    lieke = page.locator(f'#enrollments-table tr[data-student="{BY_HAND[0]}"]')
    expect(lieke).to_contain_text("Lieke van der Wijk")
    expect(lieke).to_contain_text("62,5")
    expect(lieke).to_contain_text("vwo-ob")
    assert len(enrollment_statuses(admin_client)) == 9
    shots.both(page, "12-enrollments")

    # 10. Leavers: a synchronize of the students without Léa, "archiveren" on; 1 of 9 is above 10 %.
    staying = [student for student in STUDENTS if student[0] != LEAVER] + [BY_HAND]
    upload(page, folder / "leerlingen-september.csv", export(staying))
    page.check("#import-as-student")
    page.select_option("#import-mode", "synchronize")
    page.check("#import-archive-missing")
    expect(page.locator("#import-max-archive-percent")).to_have_value("10")
    shots.both(page, "13-synchronize-upload")
    page.get_by_role("button", name="Uploaden").click()
    wait_for_status(page, "ready")
    expect(page.locator(".count-archive")).to_have_text("1")
    page.click('[data-filter="archive"]')
    expect(page.locator(f'#rows-table tr[data-key="{LEAVER}"]')).to_be_visible()
    page.click("#start-import")
    expect(page.locator("#threshold-refusal")).to_contain_text("Starten is geweigerd")
    expect(page.locator("#threshold-facts")).to_contain_text("1 van de 9 actieve")
    shots.both(page, "14-synchronize-refused", focus="#threshold-refusal")
    assert admin_client.call("GET", f"/api/v1/users/{LEAVER}")["archived"] is False
    page.fill("#raise-threshold-percent", "20")
    page.click("#raise-threshold")
    expect(page.locator("#threshold-raised")).to_contain_text("20%")
    wait_for_status(page, "ready")
    page.click("#start-import")
    wait_for_status(page, "completed")
    expect(page.locator(".count-archive")).to_have_text("1")
    shots.both(page, "15-synchronize-applied", focus="#counts")
    assert admin_client.call("GET", f"/api/v1/users/{LEAVER}")["archived"] is True
    assert admin_client.call("GET", f"/api/v1/users/{BY_HAND[0]}")["archived"] is False

    # 11. The leaver is marked in the enrollment list and left out of the placements.
    deadline = time.monotonic() + 20  # the enrollments service learns of the archiving from an event
    while enrollment_statuses(admin_client)[LEAVER] != "archived":
        assert time.monotonic() < deadline, enrollment_statuses(admin_client)
        time.sleep(0.2)
    page.locator("#nav").get_by_role("link", name="Afdelingsdeelnames").click()
    leaver = page.locator(f'#enrollments-table tr[data-student="{LEAVER}"]')
    expect(leaver.locator(".enr-badge")).to_have_text("gearchiveerd")
    expect(page.locator("#excluded-table")).to_contain_text("Léa Dubois")
    shots.both(page, "16-leaver-marked", focus=f'#enrollments-table tr[data-student="{LEAVER}"]')

    # 12. The rights of school function leerling (Onderwijs > Schoolfuncties > Instellingen).
    page.locator("#nav").get_by_role("link", name="Schoolfuncties").click()
    page.check('tr[data-function="leerling"] input[data-right="enrollments:read"]')
    expect(page.locator("#sf-status-leerling")).to_have_text("Opgeslagen")
    assert admin_client.call("GET", "/api/v1/school-functions/leerling")["rights"] == ["enrollments:read"]
    shots.both(page, "17-leerling-rights")

    # 13. The placements for Somtoday: the leaver is not in them.
    page.locator("#nav").get_by_role("link", name="Afdelingsdeelnames").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Plaatsingen downloaden (CSV)").click()
    assert download.value.suggested_filename == f"plaatsingen-{PROJECT}.csv"
    rows = list(csv.reader(io.StringIO(download.value.path().read_text("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["leerlingnummer", "afdeling", "stamklas", "leerpad", "elementcode"]
    placed = {row[0]: row for row in rows[1:]}
    assert LEAVER not in placed
    assert set(placed) == {"202601", "202602", "202603", "202604", "202605", "202606", "202608", BY_HAND[0]}
    assert placed["202604"] == ["202604", "v1", "v1a", "vwo-ob", "3061"]
    shots.both(page, "18-placements", focus="#placements")
