"""The query page in a real browser (headless Chromium through Selenium) against the endpoint on loopback.

One browser session walks the steps a researcher takes (issue 19, item 5); each step writes a screenshot
under the test's temporary folder, so a failure can be looked at. Every request the browser made, read
from Chrome's performance log, must have gone to the server on 127.0.0.1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.slow

WAIT_SECONDS = 30
RQ2 = "rq2-model-motivations-barriers"


class Walk:
    """The browser, the server and the screenshots of one walk through the page."""

    def __init__(self, driver: Any, base: str, folder: Path) -> None:
        self.driver = driver
        self.base = base
        self.folder = folder
        self.requested: list[str] = []

    def wait(self, condition: Any) -> Any:
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, WAIT_SECONDS).until(condition)

    def shot(self, name: str) -> Path:
        path = self.folder / f"{name}.png"
        self.driver.save_screenshot(str(path))
        self.collect_requests()
        return path

    def collect_requests(self) -> None:
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                self.requested.append(message["params"]["request"]["url"])

    def css(self, selector: str) -> list[Any]:
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def viewport(self, width: int, height: int) -> None:
        """Make the page's viewport (not the window) ``width``×``height``."""
        self.driver.set_window_size(width, height)
        inner = self.driver.execute_script("return [window.innerWidth, window.innerHeight]")
        self.driver.set_window_size(2 * width - inner[0], 2 * height - inner[1])


@pytest.fixture(scope="module")
def walk(browser: Any, page_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Walk:
    return Walk(browser, page_server.base, tmp_path_factory.mktemp("screenshots"))


def _answer_rows(walk: Walk) -> list[Any]:
    return walk.css("#results tbody tr")


def test_page_answers_a_research_question(walk: Walk) -> None:
    """Pick RQ2, include the synthetic survey, read the table, the chart and the notice; the permalink
    restores the query and the parameter."""
    walk.viewport(1366, 768)
    walk.driver.get(walk.base + "/")
    walk.wait(lambda d: len(walk.css("#picker a[data-name]")) > 10)
    groups = [s.text for s in walk.css("#picker summary")]
    assert groups[:4] == ["RQ1 where: where models are shared", "RQ1 who: who shares them",
                          "RQ1.1 data, code and models compared", "RQ2 why and why not"]
    walk.shot("1-page-loaded")

    walk.css(f'#picker a[data-name="{RQ2}"]')[0].click()
    walk.wait(lambda d: len(_answer_rows(walk)) > 5)
    assert walk.css("#query-description")[0].get_attribute("textContent").startswith("One row per reason")
    walk.shot("2-question-picked")

    checkbox = walk.css("#param-include-synthetic")[0]
    assert checkbox.get_attribute("type") == "checkbox" and not checkbox.is_selected()
    survey = walk.css("#param-survey")[0]
    assert survey.tag_name == "select"  # an IRI parameter is chosen by label
    assert "SYNTHETIC demo survey" in survey.text
    checkbox.click()
    walk.css("#run")[0].click()
    walk.wait(lambda d: walk.css("#notice")[0].is_displayed() and "SYNTHETIC" in walk.css("#notice")[0].text)
    walk.wait(lambda d: any("SYNTHETIC" in row.text for row in _answer_rows(walk)))
    walk.shot("3-parameter-set")

    headers = [th.text for th in walk.css("#results thead th")]
    assert {"evidence", "base", "n"} <= set(headers)
    assert "labelLabel" not in headers
    body = walk.css("#results tbody")[0].text
    assert "^^" not in body and "XMLSchema" not in body  # plain numbers
    concept = headers.index("concept")
    first_cells = [row.find_elements("css selector", "td")[concept] for row in _answer_rows(walk)]
    assert all(not cell.text.startswith("http") for cell in first_cells)  # labels, the IRI as a tooltip
    assert first_cells[0].get_attribute("title").startswith("https://w3id.org/odlm/vocab/")
    numbers = [cell.text for cell in walk.css("#results td.number") if cell.text]
    assert numbers and all(text.replace(",", "").replace(".", "").isdigit() for text in numbers)

    bars = walk.css("#chart svg rect")
    assert len(bars) >= 10  # a chart of the published shares
    assert walk.css("#chart svg rect.synthetic"), "synthetic rows are told apart in the chart"
    # regression: bars were named "model · role · published" and shares of different bases (motivations of
    # sharers, barriers of non-sharers) stood in one block; now a bar carries its row's label and each side
    # is its own titled block
    chart_text = walk.css("#chart svg")[0].text
    assert "contributing to collaborative model development" in chart_text
    assert len(walk.css("#chart svg text.bar-group")) == 2
    assert "include-synthetic=true" in walk.driver.current_url

    permalink = walk.css("#permalink")[0].get_attribute("href")
    walk.driver.get(walk.base + "/")
    walk.wait(lambda d: len(walk.css("#picker a[data-name]")) > 10)
    walk.driver.get(permalink)
    walk.driver.refresh()  # a fresh load of the permalink, not a hash change in a loaded page
    walk.wait(lambda d: len(_answer_rows(walk)) > 5 and walk.css("#param-include-synthetic"))
    assert walk.css("#param-include-synthetic")[0].is_selected()
    assert walk.css("#query-title")[0].text.startswith("RQ2 why and why not")
    walk.wait(lambda d: walk.css("#notice")[0].is_displayed())
    walk.shot("4-permalink-restored")

    walk.viewport(1024, 768)
    walk.shot("5-page-1024")
    layout = walk.driver.execute_script(
        "const r = (s) => document.querySelector(s).getBoundingClientRect();"
        "return {scrollX: document.documentElement.scrollWidth - window.innerWidth,"
        " run: r('#run').bottom, picker: r('#picker').right, table: r('#results').top};")
    assert layout["scrollX"] <= 0, "the page does not scroll sideways at 1024×768"
    assert layout["run"] < 768 and layout["picker"] < 1024 / 2


def test_docs_render_from_the_package(walk: Walk) -> None:
    walk.viewport(1366, 768)
    walk.driver.get(walk.base + "/docs")
    walk.wait(lambda d: len(walk.css(".swagger-ui .opblock")) >= 5)
    text = walk.css(".swagger-ui")[0].text
    assert "/sparql" in text and "/validate" in text
    walk.shot("6-docs")


def test_editor_keeps_edits_and_shows_a_one_line_error(walk: Walk) -> None:
    """The YASGUI editor: the project's prefixes declared, a malformed query's error on one line, the
    edited query still there after a reload."""
    walk.viewport(1024, 768)
    walk.driver.get(walk.base + "/editor")
    walk.wait(lambda d: d.execute_script("return !!(window.odlmYasgui && window.odlmYasgui.getTab())"))
    starter = walk.driver.execute_script("return window.odlmYasgui.getTab().getYasqe().getValue()")
    assert "PREFIX odlm: <https://w3id.org/odlm#>" in starter and "PREFIX vocab:" in starter
    tabs = walk.css(".tabsList .tab")
    assert 1 <= len(tabs) <= 3
    walk.shot("7-editor")

    broken = "SELECT * WHERE { ?s a foo:Bar }"
    walk.driver.execute_script(
        "const yasqe = window.odlmYasgui.getTab().getYasqe(); yasqe.setValue(arguments[0]); yasqe.query();", broken)
    walk.wait(lambda d: walk.css(".yasr .errorResult"))
    walk.wait(lambda d: "foo:" in walk.css(".yasr .errorResult")[0].text)
    error = walk.css(".yasr .errorResult")[0].text
    message = [line for line in error.splitlines() if "malformed query" in line]
    assert message == ["malformed query: error at 1:30: the prefix 'foo:' is not declared "
                       "(add PREFIX foo: <…> before SELECT)"]
    assert "\\u{" not in error
    top_of_results = walk.driver.execute_script("return document.querySelector('.yasr').getBoundingClientRect().top")
    assert top_of_results < 768, "the results start within the first screen at 1024×768"
    walk.shot("8-editor-error")

    walk.driver.refresh()
    walk.wait(lambda d: d.execute_script("return !!(window.odlmYasgui && window.odlmYasgui.getTab())"))
    kept = walk.driver.execute_script("return window.odlmYasgui.getTab().getYasqe().getValue()")
    assert kept == broken, "the edit survives a reload"
    walk.shot("9-editor-reloaded")


def test_no_request_left_the_machine(walk: Walk) -> None:
    """Runs last in this module: every request of the walk went to the server on 127.0.0.1."""
    walk.collect_requests()
    assert len(walk.requested) > 10
    elsewhere = sorted({url for url in walk.requested
                        if urlsplit(url).scheme not in ("data", "blob", "about")
                        and urlsplit(url).hostname != "127.0.0.1"})
    assert elsewhere == []
