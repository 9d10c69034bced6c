"""Helpers for the accessibility tests: axe-core injected from disk, the WCAG A/AA tags,
and what "the focus is visible on screen" means.

axe-core 4.14 is fetched at set-up (``scripts/fetch_axe.py``) into ``.vendor/``; without
it the axe-core bundled with ``axe-playwright-python`` is used (and its version is in
every failure message). Either way nothing is fetched while the tests run.
"""

from __future__ import annotations

from pathlib import Path

#: The WCAG 2.0, 2.1 and 2.2 level A and AA rules.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_script() -> str:
    """The axe-core source to inject: 4.14 from ``.vendor`` when fetched, else the bundled."""
    from scripts.fetch_axe import TARGET

    if TARGET.exists():
        return TARGET.read_text(encoding="utf-8")
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).with_name("axe.min.js")).read_text(
        encoding="utf-8"
    )


_SCRIPT: list[str] = []


def run_axe(page) -> dict:
    """Run axe-core on ``page`` (the WCAG A/AA rules): ``{"version", "violations"}``, each
    violation as ``{"id", "impact", "help", "nodes": [target, ...]}``."""
    if not _SCRIPT:
        _SCRIPT.append(axe_script())
    page.evaluate(_SCRIPT[0])
    result = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                     resultTypes: ['violations']})""",
        WCAG_TAGS,
    )
    return {
        "version": result["testEngine"]["version"],
        "violations": [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [
                    (" ".join(map(str, n["target"])), n.get("failureSummary", "")[:300])
                    for n in v["nodes"]
                ],
            }
            for v in result["violations"]
        ],
    }


def describe(violations: list[dict]) -> str:
    """The violations in a few lines each (for a failure message)."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {v['help']}")
        lines += [f"    {t} :: {s}" for t, s in v["nodes"][:4]]
    return "\n".join(lines)


#: The focused element (through shadow roots and same-origin frames) as its box in the
#: top page's viewport, its tag and text, and the viewport; null when nothing has focus.
JS_FOCUS = """() => {
  let el = document.activeElement, dx = 0, dy = 0;
  while (el) {
    if (el.shadowRoot && el.shadowRoot.activeElement) {
      el = el.shadowRoot.activeElement; continue;
    }
    if (el.tagName === 'IFRAME' && el.contentDocument && el.contentDocument.activeElement
        && el.contentDocument.activeElement !== el.contentDocument.body) {
      const r = el.getBoundingClientRect(); dx += r.left; dy += r.top;
      el = el.contentDocument.activeElement; continue;
    }
    break;
  }
  if (!el || el === document.body) return null;
  let r = el.getBoundingClientRect();
  // A data grid's cell: its hidden accessibility table has focus, the canvas shows it.
  const grid = el.closest('[data-testid="stDataFrameResizable"]');
  if (grid && (r.width === 0 || r.height === 0)) r = grid.getBoundingClientRect();
  return {tag: el.tagName, testid: (el.closest('[data-testid]') || {}).dataset?.testid || '',
          label: (el.getAttribute('aria-label') || el.innerText || el.value || '').slice(0, 60),
          left: r.left + dx, top: r.top + dy, width: r.width, height: r.height,
          vw: window.innerWidth, vh: window.innerHeight};
}"""


def focus_problem(box: dict | None) -> str | None:
    """Why the focused element is not visible on screen, or None when it is."""
    if box is None:
        return "nothing has focus"
    what = f"{box['tag']} {box['testid']} {box['label']!r}"
    if box["width"] <= 0 or box["height"] <= 0:
        return f"{what} has no size"
    right, bottom = box["left"] + box["width"], box["top"] + box["height"]
    if right <= 0 or bottom <= 0 or box["left"] >= box["vw"] or box["top"] >= box["vh"]:
        return f"{what} is off screen at ({box['left']:.0f}, {box['top']:.0f})"
    return None


def ward_tables(at) -> list:
    """The ward tables an AppTest run drew (``dashboard.tables.ward_table_html``), each as
    a DataFrame: columns named by the table's keys (``data-col``), cells as shown with
    numbers ("1,234", "12.3") as numbers, "—" as None; ``.attrs["links"]`` holds each
    row's profile link and ``.attrs["caption"]`` the caption."""
    import pandas as pd

    from dashboard.tables import TABLE_CLASS

    out = []
    for element in at.get("html"):
        body = element.proto.body
        if f'class="{TABLE_CLASS}"' in body:
            out.append(parse_ward_table(body, pd))
    return out


def parse_ward_table(body: str, pd=None):
    """One ward table's HTML as a DataFrame (see :func:`ward_tables`)."""
    import re
    from html.parser import HTMLParser

    if pd is None:
        import pandas as pd

    class Reader(HTMLParser):
        def __init__(self):
            super().__init__()
            self.keys, self.rows, self.links, self.caption = [], [], [], ""
            self.cell = None
            self.where = None
            self.hidden = 0

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "caption":
                self.where = "caption"
            elif tag == "th" and a.get("scope") == "col":
                self.keys.append(a.get("data-col"))
            elif tag == "tr" and self.keys:
                self.rows.append([])
            elif tag in ("td", "th") and a.get("scope") != "col" and self.rows:
                self.cell = ""
            elif tag == "a" and self.cell is not None:
                self.links.append(a.get("href"))

        def handle_endtag(self, tag):
            if tag == "caption":
                self.where = None
            elif tag in ("td", "th") and self.cell is not None:
                self.rows[-1].append(self.cell)
                self.cell = None

        def handle_data(self, data):
            if self.where == "caption":
                self.caption += data
            elif self.cell is not None:
                self.cell += data

    r = Reader()
    r.feed(body)

    def value(text: str):
        if text == "—":
            return None
        if re.fullmatch(r"-?[\d,]+", text):
            return int(text.replace(",", ""))
        if re.fullmatch(r"-?\d+\.\d+", text):
            return float(text)
        return text

    frame = pd.DataFrame([[value(c) for c in row] for row in r.rows], columns=r.keys, dtype=object)
    frame.attrs["links"] = r.links
    frame.attrs["caption"] = r.caption
    return frame
