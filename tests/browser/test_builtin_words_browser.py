"""Streamlit's own texts in Welsh on a Welsh page, in a real browser: the Data page's file
uploader, the table toolbar's buttons, the sidebar's collapse button and a select box's
placeholder say what they do in Welsh — in the text and the names a screen reader reads —
and in English again on an English page; axe-core still finds no violation."""

from __future__ import annotations

import pytest

from tests.a11y_support import describe, run_axe
from tests.browser_support import (
    IDLE,
    app_with_accounts,
    chromium,
    local_only,
    open_idle,
    outside,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORDS = {"alice": "analyst-pass-1"}
UPLOADER = '[data-testid="stFileUploader"]'


@pytest.fixture(scope="module")
def page(tmp_path_factory, demo_store):
    requests: list[str] = []
    folder = tmp_path_factory.mktemp("words-app")
    with app_with_accounts(folder, demo_store.root, PASSWORDS) as url, chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(60_000)
        local_only(context, requests)
        page = context.new_page()
        open_idle(page, url)
        sign_in(page, "alice", PASSWORDS["alice"])
        page.app_url = url
        yield page
        context.close()
    assert outside(requests) == [], outside(requests)


def _open(page, lang: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{page.app_url}/data?lang={lang}")
    expect(page.locator(IDLE)).to_have_count(1)
    page.locator(UPLOADER).scroll_into_view_if_needed(timeout=180_000)  # a first run is slow
    page.wait_for_timeout(700)
    expect(page.locator(IDLE)).to_have_count(1)


def _words(page) -> dict:
    return page.evaluate(
        """() => {
        const up = document.querySelector('[data-testid="stFileUploader"]');
        const label = s => [...document.querySelectorAll(s)].map(e => e.getAttribute('aria-label'));
        return {
          button: up.querySelector('button').innerText.trim(),
          limit: up.querySelector('[data-testid="stFileUploaderDropzoneInstructions"]')
                   .innerText.trim(),
          input: up.querySelector('input[type=file]').getAttribute('aria-label'),
          toolbar: label('[data-testid="stBaseButton-elementToolbar"]'),
          collapse: label('[data-testid="stSidebarCollapseButton"] button, '
                          + '[data-testid="stBaseButton-headerNoPadding"]'),
          placeholder: [...document.querySelectorAll('[data-testid="stSidebar"] input')]
                         .map(e => e.getAttribute('placeholder')).filter(Boolean),
          skip: document.querySelector('[data-testid="stSkipToContent"]')?.innerText ?? '',
        };
    }"""
    )


def test_the_uploader_and_the_toolbars_in_welsh_then_english(page):
    from playwright.sync_api import expect

    _open(page, "cy")
    button = page.locator(f"{UPLOADER} button")
    expect(button.locator("p")).to_have_text("Uwchlwytho")  # what is shown ...
    expect(button).to_have_accessible_name("Uwchlwytho")  # ... is what is read
    words = _words(page)
    assert words["limit"] == "200MB y ffeil"
    assert words["input"] == "uwchlwytho ffeil"
    assert words["toolbar"] and set(words["toolbar"]) <= {
        "Dangos/cuddio colofnau",
        "Lawrlwytho fel CSV",
        "Chwilio",
        "Sgrin lawn",
    }
    assert words["collapse"] == ["Cau’r bar ochr"]
    # Streamlit's own main menu (English only, nothing needed in it) is not shown.
    assert page.locator("[data-testid=stMainMenu]").count() == 0
    assert set(words["placeholder"]) <= {"Dewiswch opsiwn"}
    assert words["skip"] in ("", "Neidio i’r prif gynnwys")
    found = run_axe(page)
    assert found["violations"] == [], f"axe-core {found['version']}:\n" + describe(
        found["violations"]
    )

    _open(page, "en")
    expect(page.locator(f"{UPLOADER} button")).to_have_accessible_name("Upload")
    words = _words(page)
    assert words["limit"] == "200MB per file" and words["input"] == "file upload"
    assert "Download as CSV" in words["toolbar"] and words["collapse"] == ["Collapse sidebar"]
    found = run_axe(page)
    assert found["violations"] == [], f"axe-core {found['version']}:\n" + describe(
        found["violations"]
    )
