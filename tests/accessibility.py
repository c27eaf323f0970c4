"""axe-core in the browser tests: the copy bundled with axe-playwright-python (a test
dependency), run on a Playwright page."""

from pathlib import Path

import axe_playwright_python

AXE_SOURCE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page, rules=WCAG):
    """What axe-core finds on the page, as "rule: element, element" lines. axe is evaluated,
    not added as a script element, so the page's weight and the site's policy are untouched."""
    page.evaluate(AXE_SOURCE)
    return page.evaluate(
        "async (rules) => (await axe.run(document, {runOnly: rules})).violations"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))",
        rules,
    )
