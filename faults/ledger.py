"""The ledger of checks: for each, how many were tried and held; `lost` is the difference."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Check:
    scenario: str
    name: str
    tried: int
    held: int
    lost: int
    note: str = ""


@dataclass
class Ledger:
    checks: list[Check] = field(default_factory=list)

    def add(self, scenario: str, name: str, tried: int, held: int, note: str = "") -> Check:
        check = Check(scenario, name, tried, held, max(0, tried - held), note)
        self.checks.append(check)
        return check

    def of(self, scenario: str) -> list[Check]:
        return [c for c in self.checks if c.scenario == scenario]

    def table(self) -> str:
        head = ("scenario", "check", "tried", "held", "lost", "note")
        rows = [
            (c.scenario, c.name, str(c.tried), str(c.held), str(c.lost), c.note)
            for c in self.checks
        ]
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

        def line(r: tuple[str, ...]) -> str:
            return "| " + " | ".join(x.ljust(w) for x, w in zip(r, widths, strict=True)) + " |"

        return "\n".join(
            [line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)]
        )
