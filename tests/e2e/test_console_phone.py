"""The console's header on a phone, in a real headless Chromium against `portal run`: at 360 px (the
narrowest phone the console supports) the pages fold away behind a "Menu" button, so the header is one
line; the menu lists every page, takes the administrator there and closes, Escape closes it, and the
keyboard alone can use it. No page of the console scrolls sideways at that width. Screenshots land in
test-artifacts/console-phone/."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import ARTIFACTS as ARTIFACTS_ROOT
from tests.e2e.console_fixtures import NARROW, log_in, logged_in

ARTIFACTS = ARTIFACTS_ROOT / "console-phone"
TABLET = {"width": 768, "height": 1024}
APP_JS = Path(__file__).resolve().parents[2] / "portal" / "console" / "app.js"


def nav_pages() -> list[str]:
    """The pages of the header, read from NAV in app.js, so that a page added there is visited here too."""
    nav = re.search(r"const NAV = \[(.*?)\n\];", APP_JS.read_text(), re.S)
    assert nav, "app.js has no NAV list"
    return re.findall(r'^\s*\["([a-z-]+)",', nav.group(1), re.M)


@pytest.fixture(scope="module")
def filled_lists(admin_client):
    """A row or two in every list, with the long names a phone has to fit."""
    admin_client.call("POST", "/api/v1/users", {
        "code": "431001", "is_student": True, "first_name": "Maximiliaan-Alexander", "prefix": "van der",
        "last_name": "Wetering-Schimmelpenninck", "email": "maximiliaan.van.der.wetering@leerlingen.example.nl"})
    admin_client.call("POST", "/api/v1/schedule-projects",
                      {"code": "2026-2027-havo-vwo", "name": "Havo/vwo bovenbouw", "school_year": "2026-2027"})
    admin_client.call("POST", "/api/v1/schedule-projects/2026-2027-havo-vwo/departments",
                      {"code": "h4", "name": "havo 4", "year_of_education": 4})
    admin_client.call("POST", "/api/v1/learning-paths", {
        "code": "havo-bb-nt", "name": "havo bovenbouw natuur en techniek", "element_code": "2061",
        "years_of_education": [4, 5], "educations": ["havo"], "profiles": ["NT", "NG"]})
    admin_client.call("POST", "/api/v1/schedule-projects/2026-2027-havo-vwo/enrollments", {
        "student": "431001", "department": "h4", "education": "havo", "profile": "NT", "prognosis": 62.5})


def logged_in_on_a_phone(page, portal):
    """The administrator logged in on the narrowest phone: the header shows the menu button."""
    page.set_viewport_size(NARROW)
    log_in(page, portal.base, "admin", portal.password)
    expect(page.locator("#menu-button")).to_be_visible()


def box(locator):
    found = locator.bounding_box()
    assert found, locator
    return found


def assert_one_line(page):
    """The header is as tall as its tallest item and its padding: everything in it stands on one row."""
    header, brand = box(page.locator("header")), box(page.locator("#brand"))
    items = [box(item) for item in page.locator("header :is(strong, a, button):visible").all()]
    tallest = max(item["height"] for item in items)
    assert header["height"] <= tallest + 2 * 12 + 1, (header, items)
    assert all(item["y"] < brand["y"] + brand["height"] and brand["y"] < item["y"] + item["height"]
               for item in items), items


def assert_no_sideways_scroll(page, name):
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    widths = page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
    assert widths[0] <= widths[1], (name, widths)


def menu_closed(page):
    expect(page.locator("#menu-button")).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#nav")).to_be_hidden()
    expect(page.locator("#logout")).to_be_hidden()


def test_the_header_is_one_line_and_the_menu_takes_the_administrator_to_every_page(portal, filled_lists, page):
    logged_in_on_a_phone(page, portal)
    menu = page.locator("#menu-button")
    expect(menu).to_have_text("Menu")
    expect(menu).to_have_attribute("aria-controls", "menu-panel")
    menu_closed(page)
    assert_one_line(page)

    pages = nav_pages()
    assert len(pages) >= 7, pages
    for number, name in enumerate(pages, start=1):
        menu.click()
        expect(menu).to_have_attribute("aria-expanded", "true")
        links = page.locator("#nav a")
        expect(links).to_have_count(len(pages))
        for link in links.all():
            expect(link).to_be_visible()
        # The page shown is marked in the list, and only that one.
        expect(page.locator('#nav a[aria-current="page"]')).to_have_count(1)
        if number == 1:
            expect(page.locator("#nav-users")).to_have_attribute("aria-current", "page")
            expect(page.locator("#language")).to_be_visible()
            expect(page.locator("#logout")).to_be_visible()
            assert_no_sideways_scroll(page, "00-menu-open")
        link = page.locator(f"#nav-{name}")
        text = link.inner_text()
        link.click()
        expect(page).to_have_url(re.compile(f"#/{name}$"))
        menu_closed(page)
        expect(page.locator("main h1")).to_have_text(text)
        expect(page.locator(f"#nav-{name}")).to_have_attribute("aria-current", "page")
        page.wait_for_load_state("networkidle")
        assert_one_line(page)
        assert_no_sideways_scroll(page, f"{number:02}-{name}")


def test_escape_closes_the_menu_and_the_keyboard_alone_can_use_it(portal, filled_lists, page):
    logged_in_on_a_phone(page, portal)
    menu = page.locator("#menu-button")
    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    # The list follows the button: Tab goes straight into it.
    page.keyboard.press("Tab")
    expect(page.locator("#nav-users")).to_be_focused()
    page.keyboard.press("Escape")
    menu_closed(page)
    expect(menu).to_be_focused()

    page.keyboard.press("Space")
    expect(menu).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator("#nav-school-functions")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#/school-functions$"))
    menu_closed(page)

    # A tap on the page outside the header closes it as well.
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    page.locator("main h1").click()
    menu_closed(page)


def test_the_language_switch_and_logout_are_in_the_menu(portal, filled_lists, page):
    logged_in_on_a_phone(page, portal)
    menu = page.locator("#menu-button")
    menu.click()
    page.get_by_role("button", name="English").click()
    # The menu stays open, now in English, for the next choice.
    expect(page.locator("#nav-users")).to_have_text("Users")
    expect(menu).to_have_text("Menu")
    expect(page.locator("main h1")).to_have_text("Users")
    assert_no_sideways_scroll(page, "20-menu-open-english")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    # Logged out there is nothing to fold away: the language switch stands in the header's one line.
    expect(menu).to_be_hidden()
    expect(page.locator("#language")).to_be_visible()
    assert_one_line(page)
    assert_no_sideways_scroll(page, "21-logged-out")


def test_on_a_desktop_the_header_is_the_row_it_was_and_a_tablet_has_the_menu(portal, filled_lists, page):
    logged_in(page, portal.base, "admin", portal.password)  # the page opens at a desktop's width
    expect(page.locator("#menu-button")).to_be_hidden()
    expect(page.locator("#nav a")).to_have_count(len(nav_pages()))
    expect(page.locator("#logout")).to_be_visible()
    assert_one_line(page)
    page.screenshot(path=str(ARTIFACTS / "30-desktop.png"))
    # A field with a hint under it (the prognosis) stays level with its neighbours, and so does the button.
    page.locator("#nav-enrollments").click()
    fields = [box(page.locator(selector)) for selector in
              ("#enroll-student", "#enroll-prognosis", "#enroll-main_group")]
    assert max(field["y"] for field in fields) - min(field["y"] for field in fields) <= 1, fields
    add = box(page.locator("#add-enrollment").get_by_role("button", name="Toevoegen"))
    assert abs(add["y"] + add["height"] / 2 - (fields[0]["y"] + fields[0]["height"] / 2)) <= 3, (add, fields)
    # A tablet gets the menu too: its pages took four rows there.
    page.set_viewport_size(TABLET)
    expect(page.locator("#menu-button")).to_be_visible()
    expect(page.locator("#nav")).to_be_hidden()
    assert_one_line(page)
    page.screenshot(path=str(ARTIFACTS / "31-tablet.png"))
