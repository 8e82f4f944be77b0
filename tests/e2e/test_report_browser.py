"""The published evaluation reports as a reader sees them: in a real browser (Debian's chromium).

Issue #18: chart labels were cut ("PKP Kota Jambi 2022 / Angkatan"). The browser lays the page out,
and every text of every chart must end inside its chart; the screenshot is kept for a person to look
at (``docs/img/`` holds the one taken from the demo).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import chromium, report_data

pytestmark = [pytest.mark.e2e]
OVERFLOWING = """
const out = [];
for (const svg of document.querySelectorAll('svg')) {
  const width = svg.width.baseVal.value;
  for (const text of svg.querySelectorAll('text')) {
    const box = text.getBBox();
    if (box.x < 0 || box.x + box.width > width + 0.5) out.push(text.textContent);
  }
}
return out;
"""


@pytest.fixture
def desktop():  # noqa: ANN201
    yield from chromium(1100, 1400)


def test_every_chart_label_of_both_reports_fits_its_chart_in_a_browser(desktop, tmp_path: Path) -> None:
    from diklat.report.evaluation import render_course_report, render_post_report

    data = report_data()
    long_label = "PKP Kota Jambi 2022 / Angkatan 1"  # what was cut
    for name, render in (("penyelenggaraan", render_course_report), ("pasca", render_post_report)):
        page = render(data, tmp_path / f"evaluasi-{name}.html", "id")
        desktop.get(page.as_uri())
        assert desktop.title.startswith("Laporan Evaluasi")
        texts = desktop.execute_script("return [...document.querySelectorAll('svg text')].map(t => t.textContent)")
        assert texts and any(long_label in t for t in texts)
        assert desktop.execute_script(OVERFLOWING) == []
        shot = tmp_path / f"{name}.png"
        desktop.save_screenshot(str(shot))
        assert shot.stat().st_size > 10_000
