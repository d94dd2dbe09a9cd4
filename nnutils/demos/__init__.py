"""One module per lecture, each building that lecture's interactive demos.

Every module ends with ``DEMOS = {"name": DemoClass, ...}``; ``all_demos()`` collects them so
the course-wide tests and the latency benchmark drive every demo without a list to maintain.
"""

import importlib
import pkgutil


def all_demos() -> dict:
    """``{"module.name": DemoClass}`` for every demo registered in this package."""
    found = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name, factory in getattr(module, "DEMOS", {}).items():
            found[f"{info.name}.{name}"] = factory
    return found
