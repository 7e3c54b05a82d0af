import pytest

from sme_credit.contract import uscc

# Published codes: the GB 32100-2015 style example and 华为技术有限公司 (Shenzhen).
KNOWN_VALID = ["91350100M000100Y43", "914403001922038216"]


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_published_codes_validate(code):
    assert uscc.check_character(code[:17]) == code[17]
    assert uscc.org_code_check_character(code[8:16]) == code[16]
    assert uscc.is_valid(code)


def test_check_character_of_the_standard_example():
    assert uscc.check_character("91350100M000100Y4") == "3"
    assert uscc.org_code_check_character("M000100Y") == "4"


def test_weights_are_powers_of_three_mod_31():
    assert uscc.USCC_WEIGHTS[:6] == (1, 3, 9, 27, 19, 26)
    assert uscc.USCC_WEIGHTS[-1] == 28


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y44",  # wrong USCC check character
        "91350100M000100Y4",  # too short
        "91350100M000100Y433",  # too long
        "9135010OM000100Y43",  # O is not in the alphabet
        "91350100M000200Y4" + uscc.check_character("91350100M000200Y4"),  # USCC check fine, org code check broken
        "",
    ],
)
def test_invalid_codes_are_rejected(code):
    assert not uscc.is_valid(code)


def test_org_code_check_maps_10_to_x_and_11_to_0():
    # 11 - (sum mod 11) is 10 or 11 for some codes: those must come out as X and 0, never "10"/"11"
    specials = {uscc.org_code_check_character(f"{n:08d}") for n in range(200)}
    assert {"X", "0"} <= specials and all(len(c) == 1 for c in specials)


def test_resident_id_check_digit_gb11643_example():
    assert uscc.resident_id_check_digit("11010519491231002") == "X"
    assert uscc.is_valid_resident_id("11010519491231002X")
    assert not uscc.is_valid_resident_id("110105194912310021")


def test_bad_input_raises_with_a_clear_message():
    with pytest.raises(ValueError, match="17 characters"):
        uscc.check_character("123")
    with pytest.raises(ValueError, match="not in the USCC alphabet"):
        uscc.check_character("9135010IM000100Y4")
    with pytest.raises(ValueError, match="17 digits"):
        uscc.resident_id_check_digit("1101051949123100X")
