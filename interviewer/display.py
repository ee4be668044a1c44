"""Text made safe to show on a terminal: ``printable`` is applied wherever rubric or answer text is displayed.

Rubric text (a YAML escape such as ``"\\e[2J"`` puts any control character in a field) and answer text
(pasted, piped, read from a file or the session database) may hold terminal escape sequences: printed raw
they can clear the screen, retitle the window, hide text or plant a hyperlink. ``printable`` removes whole
escape sequences (CSI, OSC, DCS and the other string sequences, two-byte ESC sequences, and their 8-bit
C1 forms) and shows every other control character as U+FFFD, keeping newlines and tabs. It does not
touch Rich markup: Textual widgets show such text with ``markup=False`` or as ``rich.text.Text``.

No Textual or Rich here: the plain CLI uses it too.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"  # shown in place of a lone control character, so the reader sees something was there

_ST = r"(?:\x1b\\|\x9c|\x07)"  # string terminator (BEL ends an OSC in xterm)
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI: ESC [ or 8-bit CSI, parameters, intermediates, final byte
    rf"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x1b\x07\x9c]*{_ST}"  # OSC, DCS, SOS, PM, APC ... ST
    r"|\x1b[ -/]*[0-~]"  # any other escape sequence: ESC c, ESC 7, ESC ( B, ...
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 except tab and newline, DEL, C1


def printable(text: str, *, one_line: bool = False) -> str:
    """``text`` without escape sequences, with any other control character shown as U+FFFD.

    Newlines and tabs are kept (``one_line``: newlines become spaces, for a one-line error);
    ``\\r\\n`` and a lone ``\\r`` become a newline (a bare carriage return would overwrite the line).
    Text with no control character is returned as it is.
    """
    if _CONTROL.search(text) is not None:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = _CONTROL.sub(REPLACEMENT, _ESCAPE_SEQUENCE.sub("", text))
    return text.replace("\n", " ") if one_line else text


def clip(text: str, width: int) -> str:
    """``text`` on one line, cut to at most ``width`` characters at a word boundary with an ellipsis ("…")
    when it is longer, so a cut label never reads as a whole one."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    head = text[: max(1, width - 1)]
    if " " in head[width // 2:]:
        head = head[: head.rindex(" ")]
    return head.rstrip(" ,;:.-—") + "…"


def plural(count: int, noun: str) -> str:
    """"1 question", "2 questions" (regular plurals only)."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
