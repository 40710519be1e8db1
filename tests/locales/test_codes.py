"""BCP 47 well-formedness and canonical case of locale codes."""

import pytest

from locales.codes import InvalidLocaleCode, canonical_code, is_valid_code


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("en", "en"),
        ("fr-CA", "fr-CA"),
        ("fr-ca", "fr-CA"),
        ("PT-br", "pt-BR"),
        ("zh-hant-tw", "zh-Hant-TW"),
        ("es-419", "es-419"),
        ("de-CH-1901", "de-CH-1901"),
        ("en-US-x-twain", "en-US-x-twain"),
    ],
)
def test_canonical(given, canonical):
    assert canonical_code(given) == canonical


@pytest.mark.parametrize("bad", ["", "e", "french", "en-", "en--US", "123", "fr CA", None, 7, "x" * 40])
def test_invalid(bad):
    assert not is_valid_code(bad)


def test_underscore_gets_a_helpful_message():
    with pytest.raises(InvalidLocaleCode, match="`fr-CA`"):
        canonical_code("fr_CA")
