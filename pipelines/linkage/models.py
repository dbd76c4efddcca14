"""The Splink models for persons and legal entities: what is compared, at which levels, and how
candidate pairs are found.

Both models learn from the data itself: records sharing a valid identifier (citizen ID, credit code)
are true matches, so the m probabilities of the other fields come from them (`estimate_m_from_label_column`)
and the u probabilities from random pairs. The identifier comparison is the one set by hand: its labels
would teach it that matches always share a valid identifier, which is exactly what records needing
linkage do not have.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on


def _identifier(column: str, prefix: str, label: str) -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name=column,
        comparison_description=label,
        comparison_levels=[
            cll.NullLevel(column),
            cll.ExactMatchLevel(column).configure(m_probability=0.95, fix_m_probability=True),
            cll.ExactMatchLevel(prefix).configure(
                m_probability=0.04, fix_m_probability=True, label_for_charts="first 17 characters equal"
            ),
            cll.ElseLevel().configure(m_probability=0.01, fix_m_probability=True),
        ],
    )


def _exact(column: str, tf: bool = False) -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name=column,
        comparison_levels=[
            cll.NullLevel(column),
            cll.ExactMatchLevel(column, term_frequency_adjustments=tf),
            cll.ElseLevel(),
        ],
    )


def _within(function: str, column: str, op: str, threshold: float, label: str) -> cll.CustomLevel:
    """A similarity level computed by character on every engine (pipelines.engines.similarity)."""
    return cll.CustomLevel(f"{function}({column}_l, {column}_r) {op} {threshold}", label_for_charts=label)


def _similar(column: str, jaro_winkler: float, tf: bool = False) -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name=column,
        comparison_levels=[
            cll.NullLevel(column),
            cll.ExactMatchLevel(column, term_frequency_adjustments=tf),
            _within("char_jaro_winkler", column, ">=", jaro_winkler, f"Jaro-Winkler of {column} >= {jaro_winkler}"),
            cll.ElseLevel(),
        ],
    )


@dataclass(frozen=True)
class LinkageModel:
    """One subject's linkage: its feature table, identifier, comparisons and candidate-pair rules."""

    subject: str
    features: str  # the dbt model holding one row per record
    identifier: str  # valid identifier: the deterministic link and the training label
    id_prefix: str
    settings: SettingsCreator
    tf_columns: list[str] = field(default_factory=list)


def person_model() -> LinkageModel:
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="source_record_id",
        comparisons=[
            _identifier("citizen_id_as_given", "id_prefix", "citizen ID as given"),
            cl.CustomComparison(
                output_column_name="person_name",
                comparison_levels=[
                    cll.NullLevel("person_name"),
                    cll.ExactMatchLevel("person_name", term_frequency_adjustments=True),
                    cll.ExactMatchLevel("name_pinyin").configure(label_for_charts="same pinyin (homophone)"),
                    cll.And(
                        cll.ExactMatchLevel("surname"),
                        _within("char_levenshtein", "given_name", "<=", 1, "one character of the given name differs"),
                    ).configure(label_for_charts="same surname, one character of the given name differs"),
                    cll.ElseLevel(),
                ],
            ),
            cl.CustomComparison(
                output_column_name="birth_date",
                comparison_levels=[
                    cll.NullLevel("birth_date"),
                    cll.ExactMatchLevel("birth_date"),
                    _within("char_damerau_levenshtein", "birth_date", "<=", 1, "one digit differs"),
                    cll.ElseLevel(),
                ],
            ),
            _exact("sex_code"),
            cl.CustomComparison(
                output_column_name="division_code",
                comparison_levels=[
                    cll.NullLevel("division_code"),
                    cll.ExactMatchLevel("division_code"),
                    cll.CustomLevel(
                        "substr(division_code_l, 1, 4) = substr(division_code_r, 1, 4)", label_for_charts="same city"
                    ),
                    cll.ElseLevel(),
                ],
            ),
            _exact("mobile_phone", tf=True),
            cl.CustomComparison(
                output_column_name="contexts",
                comparison_description="household or legal entity the records are about",
                comparison_levels=[
                    cll.NullLevel("contexts"),
                    cll.ArrayIntersectLevel("contexts", 1).configure(label_for_charts="same household or entity"),
                    cll.ElseLevel(),
                ],
            ),
            _similar("address", 0.9),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("id_prefix"),
            block_on("birth_date", "surname"),
            block_on("person_name"),
            block_on("name_pinyin", "division_code"),
            block_on("mobile_phone"),
            # named with the same person or in the same household or entity: a father named without an ID
            # whose given name was mistyped still meets himself on his wife's records
            block_on("contexts", arrays_to_explode=["contexts"]),
        ],
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
    )
    return LinkageModel(
        "population",
        "int_person_linkage_features",
        "citizen_id",
        "id_prefix",
        settings,
        ["person_name", "mobile_phone"],
    )


def entity_model() -> LinkageModel:
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="source_record_id",
        comparisons=[
            _identifier("uscc_as_given", "uscc_prefix", "credit code as given"),
            _similar("entity_name", 0.92, tf=True),
            _exact("division_code"),
            _similar("address", 0.9),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("uscc_prefix"),
            block_on("entity_name"),
            block_on("address"),
        ],
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
    )
    return LinkageModel(
        "legal_entities", "int_entity_linkage_features", "uscc", "uscc_prefix", settings, ["entity_name"]
    )


MODELS = {"population": person_model, "legal_entities": entity_model}
