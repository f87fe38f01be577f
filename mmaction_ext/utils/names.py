import difflib
from typing import Iterable


def unknown_name_message(name: str, valid: Iterable[str], what: str) -> str:
    """``"unknown <what> 'nmae'; did you mean 'name'? (valid: ...)"``, for errors on misspelled keys."""
    valid = sorted(valid)
    close = difflib.get_close_matches(name, valid, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else ''
    return f"unknown {what} '{name}'{hint} (valid: {', '.join(valid)})"
