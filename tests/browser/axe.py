"""axe-core in the real page: Playwright injects it and reports what it finds.

axe-core is pinned in package.json at the top of the repository; `npm ci` puts it in
node_modules/ (CI does). Use the `axe` fixture from conftest.py, which skips with the reason
where axe-core isn't installed (and fails instead under DRAKO_REQUIRE_BROWSER=1):

    def test_my_page_is_accessible(web, axe):
        web.goto("/my/page/")
        axe.check(web.page, "my page")   # fails on any serious or critical violation

The script is evaluated through the DevTools protocol, so the page's CSP stays on and untouched.
Every check is remembered in `axe.results`, for a summary table (see test_accessibility.py).
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
# WCAG 2.2's target size (24 px) is off in axe-core by default; on here.
RULES = {"target-size": {"enabled": True}}

MIN_CONTRAST = 4.5
# axe-core leaves text "for review" instead of failing it when the text is the same colour as its
# background (1:1, "maybe hidden on purpose"): measured contrast there counts as a violation too.
_MEASURED = re.compile(r"has (?:a )?(\d+(?:\.\d+)?):1 contrast ratio")
_RUN = """async (options) => {
  const results = await window.axe.run(document, options);
  const shape = (v, nodes) => ({
    rule: v.id, impact: v.impact || "minor", help: v.help,
    targets: nodes.slice(0, 5).map(n => n.target.join(" ")), count: nodes.length,
  });
  const measured = results.incomplete.filter(v => v.id === "color-contrast").flatMap(v =>
    v.nodes.map(n => ({violation: shape(v, [n]), message: (n.any[0] || {}).message || ""})));
  return {violations: results.violations.map(v => shape(v, v.nodes)), measured};
}"""


def _measured_too_low(message: str) -> bool:
    match = _MEASURED.search(message)
    return match is not None and float(match[1]) < MIN_CONTRAST


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]
    count: int

    def __str__(self) -> str:
        return (
            f"[{self.impact}] {self.rule}: {self.help} ({self.count}x: {', '.join(self.targets)})"
        )


@dataclass
class Result:
    """One page, at one size: every violation axe-core found there."""

    where: str
    violations: list[Violation]

    @property
    def blocking(self) -> list[Violation]:
        return [v for v in self.violations if v.impact in BLOCKING]

    def count(self, *impacts: str) -> int:
        return sum(1 for v in self.violations if v.impact in impacts)


@dataclass
class Axe:
    source: str
    results: list[Result] = field(default_factory=list)

    @classmethod
    def installed(cls) -> "Axe | None":
        return cls(AXE_JS.read_text()) if AXE_JS.is_file() else None

    @property
    def version(self) -> str:
        return (
            self.source.split("axe v", 1)[-1].split(maxsplit=1)[0]
            if "axe v" in self.source
            else "?"
        )

    def run(self, page, where: str, *, rules: dict | None = None) -> Result:
        """Runs axe-core's default rules (WCAG 2 A and AA, best practices) and RULES on the page."""
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(self.source)
        answer = page.evaluate(_RUN, {"rules": RULES | (rules or {})})
        found = answer["violations"] + [
            m["violation"] for m in answer["measured"] if _measured_too_low(m["message"])
        ]
        violations = [Violation(**{**v, "targets": tuple(v["targets"])}) for v in found]
        result = Result(where=where, violations=violations)
        self.results.append(result)
        return result

    def table(self) -> str:
        """Every check so far as a Markdown table: violations by impact, per page and size."""
        rows = [
            f"| {r.where} | {r.count('critical')} | {r.count('serious')} | "
            f"{r.count('moderate')} | {r.count('minor')} |"
            for r in self.results
        ]
        head = f"axe-core {self.version}\n\n| page | critical | serious | moderate | minor |\n"
        return head + "|---|---|---|---|---|\n" + "\n".join(rows) + "\n"

    def check(self, page, where: str, *, rules: dict | None = None) -> Result:
        """Runs axe-core and fails on any serious or critical violation, listing them all."""
        result = self.run(page, where, rules=rules)
        assert not result.blocking, f"{where}: axe-core found\n" + "\n".join(
            str(v) for v in result.blocking
        )
        return result
