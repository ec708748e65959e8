"""Russian text handling for knowledge-base search: folding, tokens, stems, stop words, translit.

Every word becomes a *term*: a Cyrillic Snowball stem, so that "RUTUBE", "рутубе" and "Рутуба" meet,
and product codes such as "ПЧ-75" / "PCh-75" collapse to one term ("пч75").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

_STEMMER = Stemmer.Stemmer("russian")

# Words that carry no topic in a support question. Question words are here because almost every
# article title starts with one; negation ("не", "нет", "нельзя") is kept on purpose: it changes meaning.
_STOP_WORDS_TEXT = """
    а без более бы был была были было быть в вам вас ваш ваша ваше ваши весь во вот все всего всех вы
    где да даже для до его ее ей ему если есть еще же за зачем здесь и из или им их к как какая какие
    каким какой каких ко когда кто куда ли либо между меня мне мной много мое моей мои мой мою моя
    может мы на над надо наш наша наше наши него нее ней нем них но ну о об однако он она они оно от
    очень по под после почему при про с сам свой свою себе себя со так также такой там те тем то того
    тоже той только том тот ту тут ты у уже хотя чего чей чем через что чтобы чье чья эта эти это этого
    этой этом этот эту я
    здравствуйте здравствуй привет приветствую добрый доброе день вечер утро спасибо пожалуйста
    подскажите скажите помогите прошу заранее уважением вопрос вопросы хочу хотел хотела можно
"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_WORDS_TEXT.split())

_WORD = re.compile(r"[0-9a-zа-я]+(?:-[0-9a-zа-я]+)*")
_HAS_DIGIT = re.compile(r"\d")
_HAS_LATIN = re.compile(r"[a-z]")

# Longest sequences first, so "shch" is not read as "s" + "h" + ...
_LATIN_TO_CYRILLIC: tuple[tuple[str, str], ...] = (
    ("shch", "щ"), ("sch", "щ"), ("you", "ю"), ("yo", "е"), ("yu", "ю"), ("ya", "я"), ("ye", "е"),
    ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"), ("ph", "ф"), ("th", "т"),
    ("ck", "к"), ("ee", "и"), ("oo", "у"),
    ("a", "а"), ("b", "б"), ("c", "к"), ("d", "д"), ("e", "е"), ("f", "ф"), ("g", "г"), ("h", "х"),
    ("i", "и"), ("j", "дж"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"),
    ("q", "к"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("v", "в"), ("w", "в"), ("x", "кс"),
    ("y", "ы"), ("z", "з"),
)  # fmt: skip
# A final "ts" is an English plural ("shorts" -> "шортс"), elsewhere usually "ц" ("otsenka").
_TRANSLIT = re.compile("|".join("ts(?=[a-z])" if src == "ts" else src for src, _ in _LATIN_TO_CYRILLIC))
_TRANSLIT_MAP = dict(_LATIN_TO_CYRILLIC)
# Latin letters that look like Cyrillic ones, typed by mistake inside Russian words ("cтудия").
_HOMOGLYPHS = str.maketrans("aceopxykmth", "асеорхукмтн")
_HAS_CYRILLIC = re.compile(r"[а-я]")


@dataclass(frozen=True, slots=True)
class Token:
    """A word as written (for showing what matched) and the term it is indexed under."""

    surface: str
    term: str


def fold(text: str) -> str:
    """Lower-case and fold "ё" to "е", the way Russian users type interchangeably."""
    return text.lower().replace("ё", "е")


def transliterate(word: str) -> str:
    """Spell the Latin letters of a folded word in Cyrillic ("pch75" -> "пч75", "vmix" -> "вмикс")."""
    return _TRANSLIT.sub(lambda m: _TRANSLIT_MAP[m.group(0)], word)


@lru_cache(maxsize=200_000)
def term_of(word: str) -> str:
    """The index term of one folded word: transliterated, and stemmed unless it holds digits."""
    if _HAS_LATIN.search(word):
        if _HAS_CYRILLIC.search(word):
            word = word.translate(_HOMOGLYPHS)
        word = transliterate(word)
    if _HAS_DIGIT.search(word):
        return word
    return _STEMMER.stemWord(word)


def _split(text: str) -> list[tuple[str, str]]:
    """(folded word, word as written) pairs; a hyphenated code with digits stays one word."""
    folded = fold(text)
    # Folding keeps the length for Russian and Latin text, so spans can point back into the original.
    original = text if len(folded) == len(text) else folded
    out: list[tuple[str, str]] = []
    for match in _WORD.finditer(folded):
        word = match.group(0)
        written = original[match.start() : match.end()]
        if "-" not in word:
            out.append((word, written))
        elif _HAS_DIGIT.search(word):
            out.append((word.replace("-", ""), written))
        else:
            out.extend(zip(word.split("-"), written.split("-"), strict=True))
    return out


def words(text: str) -> list[str]:
    """Folded words; a hyphenated code with digits stays one word ("пч-75" -> "пч75")."""
    return [word for word, _ in _split(text)]


def tokens(text: str, keep_stop_words: bool = False) -> list[Token]:
    """Tokens of a text in order, without stop words and single letters (digits stay) unless asked."""
    out = []
    for word, written in _split(text):
        if not keep_stop_words and (word in STOP_WORDS or (len(word) < 2 and not word.isdigit())):
            continue
        out.append(Token(written, term_of(word)))
    return out


def terms(text: str) -> list[str]:
    """Index terms of a text in order (stop words removed)."""
    return [token.term for token in tokens(text)]
