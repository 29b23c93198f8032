"""The criteria bench's set and table are valid and both paths agree on them (no timing)."""

from bench import criteria


def test_the_bench_set_has_20_criteria_and_both_paths_agree():
    result = criteria.measure(units=300)
    assert result["criteria"] == 20 and result["agree"]
