"""Check digits of Russian company identifiers (ИНН, КПП, ОГРН, ОГРНИП) before anything goes to 1C.

Each check returns a `CheckResult` that is truthy when the value is valid and otherwise carries a
reason in Russian that can be shown to an operator as is; `message` and `args` give the same reason as
a msgid with its arguments, for an application that shows it in the reader's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_KPP_RE = re.compile(r"^[0-9]{4}[0-9A-Z]{2}[0-9]{3}$")


def N_(text: str) -> str:
    """Marks a reason as a message for translation catalogs (`pybabel extract -k N_`); returns it as is."""
    return text


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    message: str = ""  # the reason as a msgid, with %(name)s placeholders
    args: dict[str, object] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.ok

    @property
    def reason(self) -> str:
        return self.message % self.args if self.args else self.message


_OK = CheckResult(True)


def _weighted_digit(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_check_digits(first_digits: str) -> str:
    """The check digit(s) to append: 1 for a 9-digit prefix (legal entity), 2 for a 10-digit one."""
    if len(first_digits) == 9:
        return str(_weighted_digit(first_digits, _INN10_WEIGHTS))
    if len(first_digits) == 10:
        eleventh = str(_weighted_digit(first_digits, _INN12_WEIGHTS_11))
        return eleventh + str(_weighted_digit(first_digits + eleventh, _INN12_WEIGHTS_12))
    raise ValueError("an INN prefix has 9 or 10 digits")


def inn_is_valid(value: str | None) -> CheckResult:
    """ИНН: 10 digits for a legal entity, 12 for an individual or ИП, with valid check digits."""
    inn = (value or "").strip()
    if not inn:
        return CheckResult(False, N_("ИНН не заполнен"))
    if not inn.isdigit() or not inn.isascii():
        return CheckResult(False, N_("ИНН должен состоять только из цифр"))
    if len(inn) not in (10, 12):
        return CheckResult(
            False, N_("ИНН должен содержать 10 или 12 цифр, а не %(count)s"), {"count": len(inn)}
        )
    body_length = 9 if len(inn) == 10 else 10
    if inn_check_digits(inn[:body_length]) != inn[body_length:]:
        return CheckResult(False, N_("Неверные контрольные цифры ИНН"))
    return _OK


def kpp_is_valid(value: str | None) -> CheckResult:
    """КПП: 4 digits (tax office), 2 digits or capital Latin letters (reason), 3 digits."""
    kpp = (value or "").strip()
    if not kpp:
        return CheckResult(False, N_("КПП не заполнен"))
    if len(kpp) != 9:
        return CheckResult(False, N_("КПП должен содержать 9 символов, а не %(count)s"), {"count": len(kpp)})
    if not _KPP_RE.match(kpp):
        return CheckResult(False, N_("КПП имеет неверный формат: ожидается NNNNPPNNN (P: цифра или A–Z)"))
    return _OK


def ogrn_is_valid(value: str | None) -> CheckResult:
    """ОГРН (13 digits, first 12 mod 11 mod 10) or ОГРНИП (15 digits, first 14 mod 13 mod 10).

    python-stdnum takes the ОГРНИП remainder without the final mod 10, so remainders 10–12 give a
    two-digit "check digit" there; the rule here is the one the tax service applies.
    """
    ogrn = (value or "").strip()
    if not ogrn:
        return CheckResult(False, N_("ОГРН не заполнен"))
    if not ogrn.isdigit() or not ogrn.isascii():
        return CheckResult(False, N_("ОГРН должен состоять только из цифр"))
    if len(ogrn) == 13:
        expected = int(ogrn[:12]) % 11 % 10
    elif len(ogrn) == 15:
        expected = int(ogrn[:14]) % 13 % 10
    else:
        return CheckResult(
            False, N_("ОГРН содержит 13 цифр, ОГРНИП 15, а не %(count)s"), {"count": len(ogrn)}
        )
    if int(ogrn[-1]) != expected:
        return CheckResult(False, N_("Неверная контрольная цифра ОГРН"))
    return _OK


def ogrn_check_digit(first_digits: str) -> str:
    """The check digit to append to the first 12 (ОГРН) or 14 (ОГРНИП) digits."""
    if len(first_digits) == 12:
        return str(int(first_digits) % 11 % 10)
    if len(first_digits) == 14:
        return str(int(first_digits) % 13 % 10)
    raise ValueError("an OGRN prefix has 12 or 14 digits")
