"""The comparison `make bench` prints: the portal, a peer and the raw floor, step by step, as a
Markdown table ready for the README."""

from __future__ import annotations

NO_FIGURE = "—"


def seconds(value: float | None) -> str:
    """Two significant decimals below a second (COPY's scale), one above."""
    if value is None:
        return NO_FIGURE
    return f"{value:.2f} s" if value < 1 else f"{value:.1f} s"


def comparison(size: int, portal: dict[str, float], peer_name: str, peer: dict[str, float],
               raw: dict[str, float]) -> str:
    """`portal` and `peer` give "preview s" and "apply s"; `raw` gives "executemany s" and "COPY s"."""
    def flow(figures: dict[str, float]) -> float:
        return figures["preview s"] + figures["apply s"]

    rows = [
        ("step", "this portal", peer_name, "raw executemany / COPY of the same rows"),
        ("---", "---", "---", "---"),
        ("preview (dry run of every row)", seconds(portal["preview s"]), seconds(peer["preview s"]), NO_FIGURE),
        ("apply (create every student)", seconds(portal["apply s"]), seconds(peer["apply s"]),
         f"{seconds(raw['executemany s'])} / {seconds(raw['COPY s'])}"),
        ("the administrator's flow, preview + apply", seconds(flow(portal)), seconds(flow(peer)), NO_FIGURE),
    ]
    lines = ["| " + " | ".join(row) + " |" for row in rows]
    verdict = "faster" if portal["apply s"] < peer["apply s"] else "slower"
    lines.append(f"({size:,} students; the portal's apply is {verdict} than the peer's: "
                 f"{portal['apply s'] / peer['apply s']:.2f} × its time)")
    return "\n".join(lines)
