"""Every page of the admin console, visited by users with part of the rights, in a real headless
Chromium against `portal run`: no enabled control leads to an action the API would refuse, each
control closed for want of a right says which one, a page the user may not read says so instead of
showing the API's refusal, and the header lists only the pages they may read. Then the console
following a change of rights while its user stays logged in. Screenshots land in
test-artifacts/console-rights/, at a desktop's width and at 360 px."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import ARTIFACTS as ARTIFACTS_ROOT
from tests.e2e.console_fixtures import log_in, logged_in
from tests.processes import wait_until

ARTIFACTS = ARTIFACTS_ROOT / "console-rights"
PASSWORD = "rechten-wachtwoord-1"
PROJECT = "2026-r"
STUDENT = "440001"

# The partial-rights users: code -> the rights of their one school function.
PEOPLE = {
    "mentor.r": ["users:read"],
    "importeur.r": ["imports:read", "imports:write", "enrollments:read", "enrollments:write"],
    "kijker.r": ["enrollments:read"],
    "inzage.r": ["users:read", "imports:read"],
    "beheer.r": ["users:read", "users:write", "school_functions:write"],
}

# How the console names each right (a reason names the code or these words).
RIGHT_WORDS = {
    "users:read": "Gebruikers bekijken", "users:write": "Gebruikers wijzigen",
    "school_functions:write": "Schoolfuncties wijzigen", "imports:read": "Imports bekijken",
    "imports:write": "Importeren", "enrollments:read": "Afdelingsdeelnames bekijken",
    "enrollments:write": "Afdelingsdeelnames wijzigen", "audit:read": "Logboek bekijken",
}

# Every page: [name, address ({job} is the import job), the right that reads it, a selector that is
# there once the page is drawn completely].
PAGES = [
    ["users", "#/users", "users:read", "#users-table tbody tr"],
    ["user", f"#/users/{STUDENT}", "users:read", "#user-title"],
    ["school-functions", "#/school-functions", "users:read", "#sf-grid"],
    ["imports", "#/imports", "imports:read", "#import-history"],
    ["import-job", "#/imports/{job}", "imports:read", "#rows-table"],
    ["enrollments", f"#/enrollments/{PROJECT}", "enrollments:read", "#placements"],
    ["schedule-projects", "#/schedule-projects", "enrollments:read", "#projects-table"],
    ["departments", f"#/schedule-projects/{PROJECT}", "enrollments:read", "#departments-table"],
    ["learning-paths", "#/learning-paths", "enrollments:read", "#learning-paths-table"],
    ["audit", "#/audit", "audit:read", "#audit-table tbody"],
]

# The controls of each page: [selector, the rights using it needs]. A control's "data-right" (a box
# of the school functions grid) adds that right: nobody gives a right they do not hold. Every enabled
# control on a page must match one of its selectors, and its user must hold its rights; the
# administrator's visit checks that the table covers every control there is.
CONTROLS = {
    "users": [["#user-type, #user-search, #main form.row button, .pager button", []],
              ["#add-user input, #add-user select, #add-user button", ["users:write"]]],
    "user": [["#main form[id^=user-] :is(input, select, button)", ["users:write"]]],
    "school-functions": [["#sf-grid input, #sf-grid button, #sf-create :is(input, button)",
                          ["school_functions:write"]]],
    "imports": [[".pager button", []],
                ["#new-import :is(input, select, button)", ["imports:write"]]],
    "import-job": [[".imp-filter, .pager button", []],
                   ["#settings :is(input, select, button), #discard :is(button)", ["imports:write", "users:write"]]],
    "enrollments": [["#enrollment-project, #enrollment-department, #placements button", []],
                    ["#enrollments-table button, #add-enrollment :is(input, select, button)", ["enrollments:write"]]],
    "schedule-projects": [["#projects-table button, #add-project :is(input, button)", ["enrollments:write"]]],
    "departments": [["#departments-table button, #add-department :is(input, select, button)", ["enrollments:write"]]],
    "learning-paths": [["#learning-paths-table button, #new-path :is(input, button)", ["enrollments:write"]]],
    "audit": [["#audit-filters :is(input, select, button), .pager button", []]],
}

# The right each address of the console needs (a link to a page the user may not read is a fault).
LINK_RIGHTS = [["#/users", "users:read"], ["#/school-functions", "users:read"], ["#/imports", "imports:read"],
               ["#/enrollments", "enrollments:read"], ["#/schedule-projects", "enrollments:read"],
               ["#/learning-paths", "enrollments:read"], ["#/audit", "audit:read"]]

# For each enabled, visible control in the page: which selectors of the table it matches, and the
# right its data-right names (or "" ). For each control closed for want of rights: its title and
# those rights. And every link to a page of the console.
SURVEY = """(table) => {
  const visible = (node) => node.getClientRects().length > 0;
  const controls = [...document.querySelectorAll("#main :is(button, input, select, textarea)")]
    .filter((node) => node.type !== "hidden" && visible(node));
  const enabled = controls.filter((node) => !node.matches(":disabled") && !node.readOnly).map((node) => ({
    what: node.id || `${node.tagName} ${node.getAttribute("aria-label") || node.textContent.trim() || node.name}`,
    matches: table.map(([selector]) => node.matches(selector)),
    right: node.dataset.right || (node.closest("#sf-create") && node.type === "checkbox" ? node.value : "") }));
  const gated = [...document.querySelectorAll("#main [data-missing-rights]")].map((node) => ({
    what: node.id || node.getAttribute("aria-label") || node.textContent.trim(),
    title: node.title, missing: node.dataset.missingRights.split(" "), disabled: node.matches(":disabled") }));
  const links = [...document.querySelectorAll("#main a[href^='#/'], #nav a")].map((node) => node.getAttribute("href"));
  const options = [...document.querySelectorAll("#import-kind option")].map((node) => ({
    value: node.value, disabled: node.disabled, text: node.textContent }));
  return { enabled, gated, links, options, text: document.getElementById("main").innerText };
}"""


@pytest.fixture(scope="module")
def world(admin_client):
    """The users with part of the rights, and something on every page to act on: a student with an
    enrollment, a schedule project with a department, a learning path and a users import ready to start."""
    for code, rights in PEOPLE.items():
        function = code.split(".")[0]
        admin_client.call("POST", "/api/v1/school-functions",
                          {"code": function, "name": function.title(), "rights": rights})
        admin_client.call("POST", "/api/v1/users", {"code": code, "is_employee": True, "password": PASSWORD,
                                                    "school_functions": [function]})
    admin_client.call("POST", "/api/v1/users", {"code": "niemand.r", "is_employee": True, "password": PASSWORD})
    admin_client.call("POST", "/api/v1/users", {"code": STUDENT, "is_student": True, "first_name": "Noor",
                                                "last_name": "Bakker"})
    admin_client.call("POST", "/api/v1/schedule-projects",
                      {"code": PROJECT, "name": "havo", "school_year": "2026-2027"})
    admin_client.call("POST", f"/api/v1/schedule-projects/{PROJECT}/departments",
                      {"code": "h1", "name": "havo 1", "year_of_education": 1})
    admin_client.call("POST", f"/api/v1/schedule-projects/{PROJECT}/enrollments",
                      {"student": STUDENT, "department": "h1", "prognosis": 62.5})
    admin_client.call("POST", "/api/v1/learning-paths", {"code": "lp-h1", "name": "havo 1", "element_code": "E1",
                                                         "years_of_education": [1]})
    status, job = admin_client.upload("/api/v1/imports", {"kind": "users", "as_student": True}, "klas.csv",
                                      b"Leerlingnummer;Roepnaam\r\n440002;Mila\r\n")
    assert status == 202
    wait_until(lambda: admin_client.call("GET", f"/api/v1/imports/{job['id']}")["status"] == "ready", 30,
               "the import analysed")
    return {"job": job["id"]}


def visit(page, address):
    """Opens an address of the console in the page already loaded (no reload), from an empty page."""
    page.evaluate("document.getElementById('main').replaceChildren()")
    page.evaluate("(address) => { location.hash = address; }", address)


def names_right(text, right):
    return right in text or RIGHT_WORDS[right] in text


def check_page(page, held, name, ready, read_right):
    """The survey of one drawn page, checked against the rights `held`; answers the survey."""
    may_read = read_right in held
    expect(page.locator(ready if may_read else "#no-access").first).to_be_attached(timeout=15_000)
    if not may_read:
        expect(page.locator("#no-access")).to_contain_text(read_right)
        expect(page.locator("#no-access")).to_contain_text(RIGHT_WORDS[read_right])
    # The rows of an import load after the page; the survey waits for what is drawn last.
    page.wait_for_function("!document.querySelector('#main [aria-busy=true]')")
    table = CONTROLS[name]
    survey = page.evaluate(SURVEY, table)
    for control in survey["enabled"]:
        matched = [rights for (selector, rights), hit in zip(table, control["matches"], strict=True) if hit]
        assert matched, f"{name}: an enabled control no table entry knows: {control['what']}"
        needed = set(matched[0]) | ({control["right"]} if control["right"] else set())
        assert needed <= held, f"{name}: {control['what']} is enabled without {needed - held}"
    for control in survey["gated"]:
        assert control["disabled"], f"{name}: {control['what']} is marked as gated but enabled"
        assert any(names_right(control["title"], right) for right in control["missing"]), \
            f"{name}: {control['what']} does not say which right it needs: {control['title']!r}"
    for option in survey["options"]:
        kind_right = "users:write" if option["value"] == "users" else "enrollments:write"
        if not {"imports:write", kind_right} <= held:
            assert option["disabled"] and names_right(option["text"], kind_right if kind_right not in held
                                                      else "imports:write"), option
    for link in survey["links"]:
        needed = next((right for prefix, right in LINK_RIGHTS if link.startswith(prefix)), None)
        assert needed is None or needed in held, f"{name}: a link to {link}, which needs {needed}"
    # Every write right the page knows and the user lacks is named on the page (the reason for what is closed).
    if may_read:
        for _, rights in table:
            for right in rights:
                if right not in held:
                    titles = " ".join(control["title"] for control in survey["gated"])
                    assert names_right(survey["text"] + titles, right), f"{name}: nothing says {right} is lacking"
    # No error banner on a plain visit.
    expect(page.locator("#main .notice")).to_have_count(0)
    return survey


@pytest.mark.parametrize("code", sorted(PEOPLE))
def test_every_page_closes_what_the_users_rights_do_not_allow(portal, world, page, shots, code):
    held = set(PEOPLE[code])
    refused = []
    page.on("response", lambda response: refused.append(response.url) if response.status == 403 else None)
    logged_in(page, portal.base, code, PASSWORD)
    # The header lists exactly the pages the user may read, and the console opens on the first of them.
    readable = [entry[0] for entry in LINK_RIGHTS if entry[1] in held]
    expect(page.locator("#nav a")).to_have_count(len(readable))
    assert page.eval_on_selector_all("#nav a", "links => links.map((link) => link.getAttribute('href'))") == readable
    expect(page.locator("#nav a[aria-current=page]")).to_have_attribute("href", readable[0])
    for name, address, read_right, ready in PAGES:
        visit(page, address.format(job=world["job"]))
        check_page(page, held, name, ready, read_right)
        shots.both(page, f"{code.split('.')[0]}-{name}")
    assert refused == [], f"plain visits that the API refused: {refused}"
    # In English too, the reason names the right.
    visit(page, "#/audit")
    page.get_by_role("button", name="English").click()
    expect(page.locator("#no-access")).to_contain_text(
        "You cannot view this page. This needs the right ‘View audit trail’ (audit:read).")


def test_the_administrators_controls_are_all_in_the_table(portal, world, page):
    """The table of controls covers every control there is: the administrator, holding every right,
    sees every one enabled, and each must match an entry (and there are write controls on each page)."""
    logged_in(page, portal.base, "admin", portal.password)
    every_right = set(RIGHT_WORDS)
    for name, address, read_right, ready in PAGES:
        visit(page, address.format(job=world["job"]))
        survey = check_page(page, every_right, name, ready, read_right)
        writes = [control for control in survey["enabled"]
                  if any(hit and rights for (_, rights), hit in zip(CONTROLS[name], control["matches"], strict=True))]
        assert writes or name == "audit", f"{name}: the administrator has no write control here"
        assert survey["gated"] == [], survey["gated"]


def test_someone_with_no_rights_but_a_login_is_turned_away(portal, world, page, shots):
    log_in(page, portal.base, "niemand.r", PASSWORD)
    expect(page.locator("#login-message")).to_contain_text("geen rechten voor het beheer")
    expect(page.locator("#nav")).to_be_hidden()
    shots.both(page, "niemand-login")


def test_the_console_follows_a_change_of_rights_without_a_new_login(portal, admin_client, world, page, shots):
    admin_client.call("POST", "/api/v1/school-functions", {"code": "groei", "name": "Groei", "rights": ["users:read"]})
    admin_client.call("POST", "/api/v1/users", {"code": "groei.r", "is_employee": True, "password": PASSWORD,
                                                "school_functions": ["groei"]})
    page.clock.install()
    logged_in(page, portal.base, "groei.r", PASSWORD)
    expect(page.locator("#add-user-reason")).to_contain_text("users:write")
    expect(page.locator("#nav-imports")).to_have_count(0)

    # A right given while the user is logged in: the next navigation after RECHECK_SECONDS (30) shows it,
    # with a new access token that carries it (the service checks the token's rights).
    admin_client.call("PATCH", "/api/v1/school-functions/groei",
                      {"rights": ["users:read", "users:write", "imports:read"]})
    page.get_by_role("link", name="Schoolfuncties").click()
    expect(page.locator("#sf-grid")).to_be_visible()
    page.locator("#nav").get_by_role("link", name="Gebruikers").click()
    expect(page.locator("#users-table tbody tr").first).to_be_visible()
    expect(page.locator("#add-user-reason")).to_be_visible()  # read at most every 30 seconds: not yet
    page.clock.fast_forward("00:31")
    page.get_by_role("link", name="Schoolfuncties").click()
    expect(page.locator("#sf-grid")).to_be_visible()
    page.locator("#nav").get_by_role("link", name="Gebruikers").click()
    expect(page.locator("#add-user")).to_be_visible()
    expect(page.locator("#nav-imports")).to_be_visible()
    page.fill("#new-code", "groei.nieuw")
    page.locator("#add-user").get_by_role("button", name="Toevoegen").click()
    expect(page.locator("#add-user-result")).to_contain_text("groei.nieuw")  # the service agrees
    shots.both(page, "groei-after-right-given")

    # A refusal for want of a right reads the rights at once: the page drawn anew follows them. (The
    # refusal is made here, as an API whose token was issued before a change would answer.)
    admin_client.call("PATCH", "/api/v1/school-functions/groei",
                      {"rights": ["users:read", "users:write", "imports:read", "audit:read"]})
    reads = []
    page.on("request", lambda request: reads.append(request.url)
            if request.url.endswith("/users/groei.r/rights") else None)
    page.route(re.compile(r".*/api/v1/users\?.*"), lambda route: route.fulfill(
        status=403, content_type="application/json",
        body='{"error": {"code": "insufficient_rights", "message": "Hiervoor mist u rechten: users:read.", '
             '"details": {"missing": ["users:read"], "right": "users:read"}}}'), times=1)
    page.get_by_role("button", name="Zoeken").click()
    expect(page.locator("#nav-audit")).to_be_visible()
    assert reads, "the rights were not read again after the refusal"
    expect(page.locator("#users-table tbody tr").first).to_be_visible()  # drawn anew, with the list

    # Coming back to the tab after a while (here: 31 seconds on the page's clock) reads the rights too.
    admin_client.call("PATCH", "/api/v1/school-functions/groei",
                      {"rights": ["users:read", "users:write", "imports:read", "audit:read", "enrollments:read"]})
    page.clock.fast_forward("00:31")
    expect(page.locator("#nav-enrollments")).to_have_count(0)
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(page.locator("#nav-enrollments")).to_be_visible()

    # A right taken away ends the user's sessions (Security: revocation): the console asks for a new
    # login, after which the page closes what is no longer allowed.
    admin_client.call("PATCH", "/api/v1/school-functions/groei", {"rights": ["users:read"]})
    page.get_by_role("link", name="Schoolfuncties").click()
    expect(page.locator("#login-message")).to_contain_text("sessie")
    page.get_by_label("Gebruikerscode").fill("groei.r")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.locator("#sf-no-write")).to_be_visible()
    page.locator("#nav").get_by_role("link", name="Gebruikers").click()
    expect(page.locator("#add-user-reason")).to_contain_text("users:write")
    expect(page.locator("#nav-audit")).to_have_count(0)
