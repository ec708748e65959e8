"""INN, KPP and OGRN checks done before anything is sent to 1C."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onec_client.validation import (
    inn_check_digits,
    inn_is_valid,
    kpp_is_valid,
    ogrn_check_digit,
    ogrn_is_valid,
)
from sandbox.demo_data import COMPANIES


@pytest.mark.parametrize("company", COMPANIES, ids=lambda c: c["key"])
def test_demo_companies_have_valid_identifiers(company):
    assert inn_is_valid(company["inn"])
    assert ogrn_is_valid(company["ogrn"])
    if company["kpp"]:
        assert kpp_is_valid(company["kpp"])


@pytest.mark.parametrize(
    ("inn", "reason"),
    [
        ("", "не заполнен"),
        ("50240899", "10 или 12 цифр, а не 8"),
        ("50240899AB", "только из цифр"),
        ("5024089921", "контрольные цифры"),
        ("771234567850", "контрольные цифры"),
    ],
)
def test_bad_inn_is_refused_with_a_reason(inn, reason):
    result = inn_is_valid(inn)
    assert not result
    assert reason in result.reason


@given(st.from_regex(r"[0-9]{9}", fullmatch=True), st.sampled_from([9, 10]))
def test_any_prefix_with_computed_check_digits_is_valid_and_a_changed_last_digit_is_not(digits, length):
    prefix = (digits + "7")[:length]
    inn = prefix + inn_check_digits(prefix)
    assert inn_is_valid(inn)
    wrong = inn[:-1] + str((int(inn[-1]) + 1) % 10)
    assert not inn_is_valid(wrong)


@pytest.mark.parametrize("kpp", ["502401001", "7701AB001", "590245001"])
def test_kpp_with_digits_or_capital_letters_in_the_reason_part_is_valid(kpp):
    assert kpp_is_valid(kpp)


@pytest.mark.parametrize(
    ("kpp", "reason"), [("", "не заполнен"), ("5024010", "9 символов"), ("5024ab001", "формат")]
)
def test_bad_kpp_is_refused_with_a_reason(kpp, reason):
    result = kpp_is_valid(kpp)
    assert not result
    assert reason in result.reason


def test_ogrnip_with_remainder_above_nine_uses_its_last_digit():
    # int("30477000012340") % 13 == 11, so the check digit is 1 (python-stdnum expects "11").
    assert ogrn_is_valid("304770000123401")
    assert not ogrn_is_valid("304770000123400")
    assert ogrn_check_digit("30477000012340") == "1"


@pytest.mark.parametrize(
    ("ogrn", "reason"), [("1075024007157", "контрольная"), ("10750240071", "13 цифр"), ("", "не заполнен")]
)
def test_bad_ogrn_is_refused_with_a_reason(ogrn, reason):
    result = ogrn_is_valid(ogrn)
    assert not result
    assert reason in result.reason
