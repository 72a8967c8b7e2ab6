"""A manager opens the dashboards: the KPI cards, then one process with its charts,
heatmap and control charts drawn."""

from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.demo import create_demo_users
from processes.demo import deploy_demo_processes
from tests.browser.conftest import log_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def drawn_points(page, canvas_id: str) -> int:
    """How many values the chart drawn on the canvas holds (0 when nothing was drawn)."""
    return page.evaluate(
        """name => {
            const chart = Chart.getChart(document.querySelector(`canvas[data-chart="${name}"]`));
            return chart ? chart.data.datasets[0].data.filter(v => v !== null).length : 0;
        }""",
        canvas_id,
    )


@pytest.mark.django_db(transaction=True)
def test_a_manager_reads_the_overview_then_a_process_with_its_charts_and_heatmap(page, settings):
    settings.CELERY_BROKER_URL = ""
    create_demo_users()
    deploy_demo_processes()
    call_command("generate_history", instances=600, seed=7, days=120, force=True, verbosity=0)
    log_in(page, "max", "max-measures")

    page.get_by_role("link", name="Dashboards").click()
    card = page.locator(".kpi-card[data-process='accounts_payable']")
    card.wait_for()
    assert page.locator(".kpi-card").count() == 3
    assert "%" in card.inner_text(), "its error and quality rates are shown"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-overview.png"), full_page=True)

    card.get_by_role("link").first.click()
    page.get_by_role("heading", name="Accounts payable").wait_for()
    page.locator("#heatmap[data-drawn='true']").wait_for()
    for chart in ("chart-histogram", "chart-throughput", "chart-rates", "chart-individuals",
                  "chart-error_p", "chart-quality_p"):
        assert drawn_points(page, chart) > 0, f"{chart} is drawn with data"
    badges = page.locator("#heatmap .heat-badge")
    assert badges.count() >= 3, "the steps that ran carry their frequency and mean time"
    assert page.locator(".bottlenecks tbody tr").count() >= 3
    page.locator("#comparison").scroll_into_view_if_needed()
    comparison = page.locator("#comparison table")
    comparison.wait_for()  # loaded once shown: it reads every instance of both versions
    assert "Mann-Whitney U" in comparison.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "dashboard-process.png"), full_page=True)
