"""Each demo user logs in through a real browser and sees their role's navigation."""

import pytest

from accounts.demo import DEMO_USERS, create_demo_users
from tests.browser.conftest import log_in

EXPECTED_NAV = {
    "olivia": {"Home", "Tasks", "Processes", "Start a process", "Designer", "Webhooks"},
    "emma": {"Home", "Tasks", "Start a process"},
    "max": {"Home", "Tasks", "Processes", "Dashboards"},
    "ada": {"Home", "Tasks", "Processes", "Start a process", "System", "Admin", "Designer",
            "Webhooks", "Dashboards"},
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("username", sorted(EXPECTED_NAV))
def test_a_demo_user_logs_in_and_sees_their_navigation(page, username):
    create_demo_users()
    password = next(p for name, _, _, p in DEMO_USERS if name == username)

    page.goto("/")
    assert "/accounts/login/" in page.url, "anonymous visitors land on the login page"
    log_in(page, username, password)

    page.get_by_role("heading", name="Welcome").wait_for()
    nav = page.get_by_role("navigation", name="Main")
    labels = {t.strip() for t in nav.locator(".main-nav a").all_inner_texts()}
    assert labels == EXPECTED_NAV[username]
    assert page.get_by_role("button", name=f"Log out {username}").is_visible()


@pytest.mark.django_db(transaction=True)
def test_a_wrong_password_keeps_the_visitor_out(page):
    create_demo_users()
    log_in(page, "emma", "not-her-password")
    assert page.get_by_role("alert").inner_text().startswith("Your username and password")
    assert "/accounts/login/" in page.url


@pytest.mark.django_db(transaction=True)
def test_the_layout_fits_a_phone(page):
    create_demo_users()
    page.set_viewport_size({"width": 375, "height": 740})
    log_in(page, "ada", "ada-administers")
    page.get_by_role("heading", name="Welcome").wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "no horizontal scrolling on a phone"
    assert page.get_by_role("link", name="System").is_visible()
