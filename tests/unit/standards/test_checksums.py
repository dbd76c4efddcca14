"""The standards' own worked examples (shared/reference/standards.md, verified there)."""

from pipelines.standards.checksums import (
    mod37_36_check_char,
    org_code_check_char,
    ric_check_char,
    ric_upgrade_15,
    uscc_check_char,
)


def test_citizen_id_examples_of_gb_11643():
    assert ric_check_char("11010519491231002") == "X"
    assert ric_check_char("44052418800101001") == "4"
    assert ric_check_char("36042619910101007") == "1"
    assert ric_check_char("44011320141005001") == "X"
    assert ric_check_char("81000020000101001") == "4"  # Hong Kong residence permit


def test_legacy_15_digit_upgrade():
    assert ric_upgrade_15("110105491231002") == "11010519491231002X"
    assert ric_upgrade_15("440524800101001") == "440524198001010013"


def test_organisation_code_examples_of_gb_11714():
    assert org_code_check_char("M000100Y") == "4"
    assert org_code_check_char("60003734") == "1"


def test_credit_code_examples_of_gb_32100():
    assert uscc_check_char("91350100M000100Y4") == "3"
    assert uscc_check_char("91110000600037341") == "L"


def test_electronic_licence_mod_37_36():
    assert mod37_36_check_char("11100000000013338W00111110000000021135M2024000001001") == "Z"
    body = "11100000000013338W011" + "11430000006122244L" + "20230000403" + "001"
    assert mod37_36_check_char(body) == "U"
