"""Check characters of Chinese enterprise and personal identifiers.

- USCC, Unified Social Credit Code (GB 32100-2015), 18 characters: registering authority (1), entity type (1),
  region code (6, GB/T 2260), organisation code (9, GB 11714: 8 characters + their own check character),
  USCC check character (1). Alphabet without I, O, S, V, Z; weights 3^i mod 31.
- Organisation code (GB 11714): 8 digits/letters + a check character (weights 3,7,9,10,5,8,4,2, modulus 11).
- Resident identity number (GB 11643): 17 digits + an ISO 7064 MOD 11-2 check character.
"""

from __future__ import annotations

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, ...
_USCC_VALUE = {char: value for value, char in enumerate(USCC_ALPHABET)}

ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, ...


def check_character(first17: str) -> str:
    """The 18th character of a USCC whose first 17 characters are given."""
    if len(first17) != 17:
        raise ValueError(f"a USCC check needs 17 characters, got {len(first17)}: {first17!r}")
    try:
        total = sum(_USCC_VALUE[char] * weight for char, weight in zip(first17, USCC_WEIGHTS))
    except KeyError as error:
        raise ValueError(f"{first17!r} contains {error.args[0]!r}, which is not in the USCC alphabet") from None
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check_character(first8: str) -> str:
    """The 9th character of a GB 11714 organisation code (digits keep their value, A=10 ... Z=35)."""
    if len(first8) != 8 or not first8.isalnum() or not first8.isascii():
        raise ValueError(f"an organisation code check needs 8 digits or letters, got {first8!r}")
    total = sum(int(char, 36) * weight for char, weight in zip(first8.upper(), ORG_CODE_WEIGHTS))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def is_valid(code: str) -> bool:
    """True for an 18-character USCC whose own check character and embedded organisation code both check."""
    if not isinstance(code, str) or len(code) != 18 or any(char not in _USCC_VALUE for char in code):
        return False
    if check_character(code[:17]) != code[17]:
        return False
    return org_code_check_character(code[8:16]) == code[16]


def resident_id_check_digit(first17: str) -> str:
    """The 18th character of a resident identity number (ISO 7064 MOD 11-2; 10 is written X)."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError(f"a resident ID check needs 17 digits, got {first17!r}")
    total = sum(int(digit) * weight for digit, weight in zip(first17, RESIDENT_ID_WEIGHTS))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def is_valid_resident_id(number: str) -> bool:
    return (
        isinstance(number, str)
        and len(number) == 18
        and number[:17].isdigit()
        and resident_id_check_digit(number[:17]) == number[17]
    )
