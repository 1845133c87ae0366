"""The hint vocabulary. The string values are part of the JSON contract: never rename them."""
from __future__ import annotations

from enum import Enum


class Hint(str, Enum):
    BLURRY = "blurry"
    TOO_DARK = "too_dark"
    TOO_BRIGHT = "too_bright"
    NOISY = "noisy"

    def __str__(self) -> str:  # so f"{hint}" and json give the contract string
        return self.value


def parse_hint(name: str) -> Hint:
    """Turn a user-supplied hint name into a Hint, with a clear error listing the known names."""
    try:
        return Hint(name.strip().lower())
    except ValueError:
        known = ", ".join(h.value for h in Hint)
        raise ValueError(f"unknown hint {name!r} (known hints: {known})") from None
