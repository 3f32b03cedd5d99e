"""Where a picture is used, for apps media does not know (media imports none of them).

An app that shows library pictures in a way no foreign key records (blog's article
bodies) registers a finder in its AppConfig.ready: `finder(image)` returns the objects
that show `image`. Deleting a picture something still shows is refused.
"""

from collections.abc import Callable, Iterable

_finders: list[Callable[[object], Iterable[object]]] = []

IN_USE_MESSAGE = "“{image}” is still shown by {count} item(s): {uses}. Remove it from them first."


def register(finder: Callable[[object], Iterable[object]]) -> None:
    if finder not in _finders:
        _finders.append(finder)


def uses(image) -> list[object]:
    """Everything registered finders say shows `image`."""
    found: list[object] = []
    for finder in _finders:
        found.extend(finder(image))
    return found
