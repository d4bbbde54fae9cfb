"""The mark a benchmark prints before a figure: whether it met its target."""


def mark(ok: bool) -> str:
    return "ok " if ok else "MISS"
