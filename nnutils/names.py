"""Things chosen by the name a student types: "ReLU", "leaky-relu", "Kaiming", "RMSprop"."""

__all__ = ["canonical"]


def canonical(name, known, what, aliases=None):
    """The entry of ``known`` that ``name`` means, ignoring case and reading "-" as "_";
    ``aliases`` maps other spellings to entries. Anything else is an error naming the choices.
    """
    choices = tuple(known)
    if not isinstance(name, str):
        raise TypeError(f"{what} name must be a string, one of {choices}; got {name!r}")
    key = name.lower().replace("-", "_")
    key = (aliases or {}).get(key, key)
    if key not in choices:
        raise ValueError(f"unknown {what} {name!r}; expected one of {choices}")
    return key
