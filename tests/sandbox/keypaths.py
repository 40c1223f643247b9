"""Key paths of JSON documents, for comparing the simulator's shapes with real recordings."""

from __future__ import annotations

from typing import Any


def missing_paths(
    real: Any, ours: Any, path: str = "", *, value_maps: frozenset[str] = frozenset()
) -> list[str]:
    """Key paths present in ``real`` and absent from ``ours``.

    Values are not compared, and a value may legitimately differ in kind: where ours holds ``null``
    or an empty list (no labels, no milestone), the real document's deeper paths under it are values
    we do not have, not missing keys. List items are compared item-wise against our first item.
    ``value_maps`` names objects whose keys are data (an App's chosen permissions), compared as values.
    """
    if path in value_maps:
        return []
    if isinstance(real, dict):
        if not isinstance(ours, dict):
            return [] if ours is None else [path or "<root>"]
        out: list[str] = []
        for key, value in real.items():
            child = f"{path}.{key}" if path else key
            if key not in ours:
                out.append(child)
            else:
                out.extend(missing_paths(value, ours[key], child, value_maps=value_maps))
        return out
    if isinstance(real, list) and real:
        if not isinstance(ours, list):
            return [] if ours is None else [path]
        if not ours:
            return []
        out = []
        for item in real:
            out.extend(missing_paths(item, ours[0], f"{path}[]", value_maps=value_maps))
        return sorted(set(out))
    return []
