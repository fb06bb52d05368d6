"""Names a package exports but imports only on first use (PEP 562 module `__getattr__`)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any


def attributes(package: str, table: dict[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` for `package` that imports each name of `table` from the submodule it maps to,
    once: the value is then kept in the package, so later look-ups do not come here."""

    def __getattr__(name: str) -> Any:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{module}", package), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
