"""The upkeep of schedule projects, departments, learning paths and enrollments in a real headless
Chromium against `portal run`: what an application manager does from an empty system to the Somtoday
placements, with leavers marked and left out. Screenshots land in test-artifacts/console-enrollments/,
at a desktop's width and a small phone's (360 px), where the page itself never scrolls sideways."""

import csv
import io
import json
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import ARTIFACTS as ARTIFACTS_ROOT
from tests.e2e.console_fixtures import logged_in as log_in

ARTIFACTS = ARTIFACTS_ROOT / "console-enrollments"
PROJECT = "2026-2027-hv"
STUDENTS = (("430001", "Zoë", "van 't", "Hof"), ("430002", "Daniël", None, "Vermeulen"),
            ("430003", "Sem", None, "Bakker"))


@pytest.fixture(scope="module", autouse=True)
def students(admin_client):
    for code, first_name, prefix, last_name in STUDENTS:
        admin_client.call("POST", "/api/v1/users", {"code": code, "is_student": True, "first_name": first_name,
                                                    "prefix": prefix, "last_name": last_name})


def statuses(client):
    return {item["student"]: item["student_status"] for item in
            client.call("GET", f"/api/v1/schedule-projects/{PROJECT}/enrollments")["items"]}


def test_an_administrator_sets_up_a_project_enrolls_fixes_a_typo_and_downloads_the_placements(
        portal, admin_client, page, shots):
    base, password, _ = portal
    client = admin_client
    log_in(page, base, "admin", password)

    # a schedule project; a school year that is not one is refused at its field
    page.locator("#nav").get_by_role("link", name="Roosterprojecten").click()
    expect(page.locator("main")).to_contain_text("Er zijn nog geen roosterprojecten.")
    page.fill("#new-project-code", PROJECT)
    page.fill("#new-project-name", "Havo/vwo")
    page.fill("#new-project-school_year", "26-27")
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.locator("#new-project-school_year-error")).not_to_be_empty()
    page.fill("#new-project-school_year", "2026-2027")
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.locator("#projects-message")).to_contain_text(f"Toegevoegd: {PROJECT}")
    row = page.locator(f'#projects-table tr[data-code="{PROJECT}"]')
    row.get_by_role("button", name="Wijzigen").click()
    page.fill("#edit-project-name", "Havo/vwo bovenbouw en onderbouw")
    page.get_by_role("button", name="Opslaan").click()
    expect(row).to_contain_text("Havo/vwo bovenbouw en onderbouw")
    shots.desktop(page, "01-schedule-projects")
    shots.phone(page, "01-schedule-projects-phone")

    # its departments, one with a typo in its name, fixed
    row.get_by_role("link", name="Afdelingen").click()
    expect(page.locator("h1")).to_contain_text(f"Roosterproject {PROJECT}")
    for code, name, year in (("h1", "Havo 1", "1"), ("v4", "Vow 4", "4")):
        page.fill("#new-department-code", code)
        page.fill("#new-department-name", name)
        page.select_option("#new-department-year_of_education", year)
        page.get_by_role("button", name="Toevoegen").click()
        expect(page.locator(f'#departments-table tr[data-code="{code}"]')).to_contain_text(name)
    typo = page.locator('#departments-table tr[data-code="v4"]')
    typo.get_by_role("button", name="Wijzigen").click()
    expect(page.locator("#edit-department-year_of_education")).to_have_value("4")
    page.fill("#edit-department-name", "Vwo 4")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator("#departments-message")).to_contain_text("Opgeslagen")
    expect(page.locator('#departments-table tr[data-code="v4"]')).to_contain_text("Vwo 4")
    assert [department["name"] for department in client.call(
        "GET", f"/api/v1/schedule-projects/{PROJECT}/departments")["items"]] == ["Havo 1", "Vwo 4"]
    shots.desktop(page, "02-departments")
    shots.phone(page, "02-departments-phone")

    # learning paths: years as boxes, educations and profiles as lists
    page.locator("#nav").get_by_role("link", name="Leerpaden").click()
    for code, name, element, years, educations, profiles in (
            ("havo-ob", "Havo onderbouw", "2061", ("1", "2", "3"), "havo", ""),
            ("vwo-nt", "Vwo natuur en techniek", "3064", ("4",), "vwo", "NT, NG")):
        page.fill("#new-path-code", code)
        page.fill("#new-path-name", name)
        page.fill("#new-path-element_code", element)
        for year in years:
            page.locator("#new-path-years_of_education").get_by_label(year, exact=True).check()
        page.fill("#new-path-educations", educations)
        page.fill("#new-path-profiles", profiles)
        page.get_by_role("button", name="Toevoegen").click()
        expect(page.locator(f'#learning-paths-table tr[data-code="{code}"]')).to_contain_text(name)
    path = page.locator('#learning-paths-table tr[data-code="vwo-nt"]')
    path.get_by_role("button", name="Wijzigen").click()
    page.fill("#edit-path-lwoo_element_code", "3064L")
    page.get_by_role("button", name="Opslaan").click()
    expect(path).to_contain_text("3064L")
    expect(path).to_contain_text("NT, NG")
    assert client.call("GET", "/api/v1/learning-paths/vwo-nt")["profiles"] == ["NT", "NG"]
    shots.desktop(page, "03-learning-paths")
    shots.phone(page, "03-learning-paths-phone")

    # enrollments by hand: names, the prognosis in Dutch notation, the learning path that fits
    page.locator("#nav").get_by_role("link", name="Afdelingsdeelnames").click()
    for student, department, education, profile, prognosis in (
            ("430001", "h1", "havo", "", "62,5"), ("430002", "v4", "vwo", "NT", "75%"),
            ("430003", "h1", "havo", "", "")):
        page.fill("#enroll-student", student)
        page.select_option("#enroll-department", department)
        page.fill("#enroll-education", education)
        page.fill("#enroll-profile", profile)
        page.fill("#enroll-prognosis", prognosis)
        page.get_by_role("button", name="Toevoegen").click()
        expect(page.locator(f'#enrollments-table tr[data-student="{student}"]')).to_be_visible()
    zoe = page.locator('#enrollments-table tr[data-student="430001"]')
    expect(zoe).to_contain_text("Zoë van 't Hof")
    expect(zoe).to_contain_text("62,5")
    expect(zoe).to_contain_text("havo-ob")
    expect(page.locator('#enrollments-table tr[data-student="430002"]')).to_contain_text("vwo-nt")
    page.fill("#enroll-student", "430001")
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.locator("#add-enrollment-result")).to_contain_text("heeft al een afdelingsdeelname")

    # a change by hand
    sem = page.locator('#enrollments-table tr[data-student="430003"]')
    sem.get_by_role("button", name="Wijzigen").click()
    page.fill("#edit-enrollment-prognosis", "80,25")
    page.fill("#edit-enrollment-main_group", "H1B")
    page.get_by_role("button", name="Opslaan").click()
    expect(sem).to_contain_text("80,25")
    expect(sem).to_contain_text("H1B")
    sem.get_by_role("button", name="Wijzigen").click()
    page.fill("#edit-enrollment-prognosis", "101")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator("#edit-enrollment-prognosis-error")).to_contain_text("0 tot en met 100")
    expect(page.locator("#edit-enrollment-prognosis")).to_have_value("101")
    shots.desktop(page, "04-edit-enrollment")
    shots.phone(page, "04-edit-enrollment-phone")
    page.get_by_role("button", name="Annuleren").click()
    expect(page.locator("#edit-enrollment")).to_have_count(0)

    # what is in use cannot be deleted, and the console says why, in Dutch
    page.locator("#nav").get_by_role("link", name="Roosterprojecten").click()
    page.locator(f'#projects-table tr[data-code="{PROJECT}"]').get_by_role("button", name="Verwijderen").click()
    page.get_by_role("button", name="Ja, verwijderen").click()
    expect(page.locator("#projects-table")).to_contain_text("heeft nog afdelingsdeelnames")
    shots.desktop(page, "04-project-in-use")
    shots.phone(page, "04-project-in-use-phone")

    # leavers: archived, and no longer a student; marked in the list, left out of the placements
    client.call("PATCH", "/api/v1/users/430002", {"archived": True})
    client.call("PATCH", "/api/v1/users/430003", {"is_student": False})
    deadline = time.monotonic() + 20
    while statuses(client) != {"430001": "active", "430002": "archived", "430003": "not_a_student"}:
        assert time.monotonic() < deadline, statuses(client)
        time.sleep(0.2)
    page.goto(f"{base}/#/enrollments/{PROJECT}")
    expect(page.locator('#enrollments-table tr[data-student="430002"] .enr-badge')).to_have_text("gearchiveerd")
    expect(page.locator('#enrollments-table tr[data-student="430003"] .enr-badge')).to_have_text("geen leerling meer")
    expect(page.locator('#enrollments-table tr[data-student="430001"] .enr-badge')).to_have_count(0)
    expect(page.locator("#excluded-table tbody tr")).to_have_count(2)
    expect(page.locator("#excluded-table")).to_contain_text("Daniël Vermeulen")
    expect(page.locator("#placed-table tbody tr")).to_have_count(1)
    shots.desktop(page, "05-enrollments")
    shots.phone(page, "05-enrollments-phone")

    # the placements: the Somtoday CSV and the JSON, the leavers left out
    with page.expect_download() as download:
        page.get_by_role("button", name="Plaatsingen downloaden (CSV)").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text("utf-8-sig")), delimiter=";"))
    assert download.value.suggested_filename == f"plaatsingen-{PROJECT}.csv"
    assert rows == [["leerlingnummer", "afdeling", "stamklas", "leerpad", "elementcode"],
                    ["430001", "h1", "", "havo-ob", "2061"]]
    with page.expect_download() as download:
        page.get_by_role("button", name="Plaatsingen downloaden (JSON)").click()
    placements = json.loads(download.value.path().read_text("utf-8"))
    assert placements["excluded"] == [{"student": "430002", "department": "v4", "reason": "archived"},
                                      {"student": "430003", "department": "h1", "reason": "not_a_student"}]

    # delete only after a confirmation; "Annuleren" keeps it
    sem = page.locator('#enrollments-table tr[data-student="430003"]')
    sem.get_by_role("button", name="Verwijderen").click()
    expect(sem).to_contain_text("De afdelingsdeelname van 430003 Sem Bakker verwijderen?")
    shots.phone(page, "05-confirm-delete-phone")
    sem.get_by_role("button", name="Annuleren").click()
    assert set(statuses(client)) == {"430001", "430002", "430003"}
    sem.get_by_role("button", name="Verwijderen").click()
    sem.get_by_role("button", name="Ja, verwijderen").click()
    expect(page.locator('#enrollments-table tr[data-student="430003"]')).to_have_count(0)
    expect(page.locator("#enrollments-message")).to_contain_text("Verwijderd: 430003")
    assert set(statuses(client)) == {"430001", "430002"}

    page.get_by_role("button", name="English").click()
    expect(page.locator('#enrollments-table tr[data-student="430002"] .enr-badge')).to_have_text("archived")
    expect(page.locator('#enrollments-table tr[data-student="430001"]')).to_contain_text("62.5")
    shots.desktop(page, "06-enrollments-english")


def test_someone_who_may_only_read_enrollments_sees_no_controls_and_why(portal, admin_client, page, shots):
    base, _, _ = portal
    client = admin_client
    client.call("POST", "/api/v1/school-functions",
                {"code": "roostermaker", "name": "Roostermaker", "rights": ["enrollments:read"]})
    client.call("POST", "/api/v1/users", {"code": "rooster.lezer", "is_employee": True, "password": "alleen-lezen-1",
                                          "school_functions": ["roostermaker"]})
    if not client.call("GET", "/api/v1/schedule-projects")["items"]:
        client.call("POST", "/api/v1/schedule-projects",
                    {"code": PROJECT, "name": "Havo/vwo", "school_year": "2026-2027"})
    log_in(page, base, "rooster.lezer", "alleen-lezen-1")
    for link, table in (("Roosterprojecten", "#projects-table"), ("Leerpaden", "main"),
                        ("Afdelingsdeelnames", "main")):
        page.locator("#nav").get_by_role("link", name=link).click()
        # The page is drawn once its answers are in: until its title shows, the last page is still there.
        expect(page.locator("#main h1")).to_have_text(link)
        expect(page.locator(".enr-readonly")).to_contain_text("enrollments:write")
        expect(page.locator(table)).to_be_visible()
        expect(page.get_by_role("button", name="Toevoegen")).to_have_count(0)
        expect(page.get_by_role("button", name="Wijzigen")).to_have_count(0)
        expect(page.get_by_role("button", name="Verwijderen")).to_have_count(0)
    shots.desktop(page, "07-read-only")
    shots.phone(page, "07-read-only-phone")
