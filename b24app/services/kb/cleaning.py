"""Turning a request's title and description into a search query: drop greetings, signatures,
quoted replies, links and e-mail addresses, which match everything and mean nothing."""

from __future__ import annotations

import re

# Everything from one of these lines on is an older message or a signature.
_TAIL_MARKERS = re.compile(
    r"""^\s*(?:
        -{2,}\s*(?:original\s+message|исходное\s+сообщение|пересылаемое\s+сообщение)\s*-{2,}
      | -{2,}\s*$
      | (?:от|from)\s*:.*
      | .*(?:wrote|пишет|написал|написала)\s*:\s*$
      | с\s+уважением\b.*
      | (?:best\s+regards|kind\s+regards|regards)\b.*
      | отправлено\s+с\s+(?:iphone|моего|мобильного).*
    )""",
    re.IGNORECASE | re.VERBOSE | re.MULTILINE,
)
# A quoted header "От: ... Отправлено: ..." written on one line also ends the new text.
_INLINE_QUOTE_HEADER = re.compile(
    r"\b(?:от|from)\s*:.{0,200}?\b(?:отправлено|sent)\s*:", re.IGNORECASE | re.DOTALL
)
_QUOTED_LINE = re.compile(r"^\s*>.*$", re.MULTILINE)
_URL = re.compile(r"(?:https?://|ftp://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_GREETING = re.compile(
    r"""(?:^|(?<=[\s.,!?]))
        (?:здравствуйте|здравствуй|здрасьте|добр(?:ый|ое|ого)\s+(?:день|дня|вечер|вечера|утро|утра|времени\s+суток)
          |доброго\s+времени\s+суток|приветствую(?:\s+вас)?|привет|hello|hi|good\s+(?:morning|afternoon|evening))
        (?:\s*,?\s*(?:уважаем\w*\s+)?(?:коллеги|друзья|поддержка|служба\s+поддержки|разработчики|администрация))?
        \s*[!.,:;)]*""",
    re.IGNORECASE | re.VERBOSE,
)
_THANKS = re.compile(
    r"(?:заранее\s+)?(?:спасибо|благодарю)(?:\s+(?:заранее|за\s+(?:ответ|помощь)))?\s*[!.)]*\s*$",
    re.IGNORECASE,
)
_SPACES = re.compile(r"[ \t\u00a0]+")


def clean_query(text: str) -> str:
    """The part of a client's message worth searching for: the new text, without pleasantries."""
    inline = _INLINE_QUOTE_HEADER.search(text)
    if inline:
        text = text[: inline.start()]
    tail = _TAIL_MARKERS.search(text)
    if tail:
        text = text[: tail.start()]
    text = _QUOTED_LINE.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _EMAIL.sub(" ", text)
    text = _GREETING.sub(" ", text)
    text = _THANKS.sub(" ", text.strip())
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def request_query(title: str, description: str = "") -> str:
    """The cleaned query for a request: its title and the new part of its description."""
    return clean_query(f"{title}\n{description}" if description else title)
