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
