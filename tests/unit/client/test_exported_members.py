"""The public surface of ``pchat`` is exactly ``__all__`` (after httpx's test of the same name)."""

from __future__ import annotations

import inspect
import types

import pchat


def test_all_names_exist_and_nothing_else_public_leaks() -> None:
    exported = set(pchat.__all__)
    assert len(exported) == len(pchat.__all__), "duplicates in __all__"
    for name in exported:
        assert hasattr(pchat, name), f"__all__ lists {name}, which does not exist"
    public = {
        name
        for name in vars(pchat)
        if not name.startswith("_")
        and not isinstance(getattr(pchat, name), types.ModuleType)
        and name != "annotations"
    }
    assert public == exported - {"__version__"}


def test_exported_classes_and_functions_are_defined_in_the_package() -> None:
    for name in pchat.__all__:
        member = getattr(pchat, name)
        if inspect.isclass(member) or inspect.isfunction(member):  # not aliases or constants
            assert member.__module__.startswith("pchat."), f"{name} is {member.__module__}'s"


def test_the_error_tree() -> None:
    assert issubclass(pchat.ConflictError, pchat.ApiError)
    for error in (pchat.ApiError, pchat.AuthError, pchat.OfflineError, pchat.ConfigError):
        assert issubclass(error, pchat.PchatError)
