"""axe-core (vendored, see vendor/README.md) run inside the page a browser shows."""

from __future__ import annotations

from pathlib import Path

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
BLOCKING = ("serious", "critical")
# Findings of lesser impact that the pages once had and must not get back.
ALSO_BLOCKING = {
    "heading-order",
    "page-has-heading-one",
    "landmark-one-main",
    "region",
    "scrollable-region-focusable",
    "meta-viewport",
}

_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]}).then(
  (result) => done(result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  }))),
  (error) => done([{id: "axe-error", impact: "critical", help: String(error), nodes: []}]),
);
"""


def blocking_violations(driver) -> list[dict]:
    """The serious and critical axe findings (and ALSO_BLOCKING ones) on the page `driver` shows.

    axe is injected by the test, never served by the app.
    """
    driver.set_script_timeout(60)
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(AXE_SOURCE)
    return [
        violation
        for violation in driver.execute_async_script(_RUN)
        if violation["impact"] in BLOCKING or violation["id"] in ALSO_BLOCKING
    ]
