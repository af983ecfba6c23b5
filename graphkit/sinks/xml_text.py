"""Text that XML 1.0 can hold: every XML writer passes its strings through :func:`xml_safe`.

XML 1.0 allows tab, newline, carriage return and the code points from U+0020 on, except the surrogates and
U+FFFE/U+FFFF; C0 controls cannot appear even as character references (``&#1;`` is not well-formed), and a
lone surrogate cannot be encoded at all. Anything else becomes U+FFFD (the replacement character), so the
output stays well-formed and the reader sees that something was there.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"
_ILLEGAL = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 cannot hold replaced by U+FFFD."""
    if text.isascii() and text.isprintable():  # the common case: nothing to look at
        return text
    return _ILLEGAL.sub(REPLACEMENT, text)


def xml_value(value: object) -> object:
    """:func:`xml_safe` for strings; other values unchanged."""
    return xml_safe(value) if isinstance(value, str) else value
