"""The cost and capacity model prints figures consistent with the design (decision 004)."""

from __future__ import annotations

import pytest

from infra.cost_model import PerBallot, cost_per_million, main, peak_ballots_per_second


def test_a_million_ballots_cost_a_few_dollars_led_by_the_api_gateway():
    costs = cost_per_million(PerBallot())

    assert 5 < sum(costs.values()) < 10
    assert max(costs, key=costs.get) == "API Gateway (REST)"
    assert costs["DynamoDB writes"] == pytest.approx(2.01 * 0.7625)


def test_the_naive_eight_unit_design_costs_four_times_the_writes():
    cheap = cost_per_million(PerBallot())["DynamoDB writes"]
    naive = cost_per_million(PerBallot(wcu_per_ballot=8))["DynamoDB writes"]

    assert naive / cheap == pytest.approx(8 / 2.01)


def test_one_poll_absorbs_ten_thousand_ballots_a_second_bound_by_the_gateway():
    ceilings = peak_ballots_per_second(PerBallot(), consumer_max_concurrency=100)

    assert min(ceilings.values()) == 10_000
    assert ceilings["ledger partitions (16 x 1,000 WCU/s, 1 WCU a ballot)"] == 16_000


def test_the_script_prints_both_figures(capsys):
    assert main(["--wcu-per-ballot", "2.02"]) == 0
    out = capsys.readouterr().out

    assert "total" in out and "absorbed without throttling: 10,000 ballots/s" in out
