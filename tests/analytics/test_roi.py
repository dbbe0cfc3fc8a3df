"""The ROI calculator: the formula's figures, the cap, the measured earned media, bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest

from advocacy.analytics import roi


def test_the_formula_with_round_numbers():
    inputs = roi.parse_inputs(
        {
            "people": "4",
            "average_salary": "86000",
            "time_share": "50",
            "accounts": "10",
            "hours_per_account": "2",
            "platform_cost": "10000",
        }
    )
    result = roi.calculate(inputs, Decimal("2500"))
    assert result.social_cost == Decimal("172000.00")  # 4 × 86,000 × 50 %
    assert result.hourly_cost == Decimal("50.00")  # 86,000 ÷ 1,720
    assert result.hours_saved == Decimal(920)  # 10 × 2 × 46
    assert result.savings == Decimal("46000.00")  # 920 × 50
    assert result.hires_funded == Decimal("0.5")  # 46,000 ÷ 86,000
    assert result.value == Decimal("48500.00")
    assert result.roi_percent == Decimal("385.0")  # (48,500 − 10,000) ÷ 10,000
    assert not result.capped


def test_savings_never_exceed_the_time_spent_on_social():
    inputs = roi.parse_inputs(
        {
            "people": "1",
            "average_salary": "43000",
            "time_share": "10",
            "accounts": "50",
            "hours_per_account": "5",
        }
    )
    result = roi.calculate(inputs, Decimal(0))
    assert result.capped
    assert result.hours_saved == Decimal(172)  # 1 × 10 % × 1,720
    assert result.savings == result.social_cost == Decimal("4300.00")
    assert result.roi_percent is None  # no platform cost given


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("people", "2.5", "whole number"),
        ("people", "-1", "from 0"),
        ("time_share", "120", "to 100"),
        ("average_salary", "lots", "enter a number"),
        ("average_salary", "NaN", "enter a number"),
    ],
)
def test_bad_figures_are_named(field, value, message):
    with pytest.raises(Exception) as caught:
        roi.parse_inputs({field: value})
    assert message in caught.value.errors[field][0]


def test_the_page_uses_the_measured_earned_media_value(app, login_as, admin):
    assert roi.earned_media_value(*roi.last_year()) == 0  # no reach module yet
    roi.register_earned_media_source(app, lambda start, end: Decimal("1234.50"))
    page = login_as(admin).get(
        "/analytics/roi?people=4&average_salary=86000&time_share=50&accounts=10&hours_per_account=2"
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "46,000.00" in html and "1,234.50" in html and "47,234.50" in html
    assert "86,000.00 ÷ 1,720 working hours" in html


def test_the_page_refuses_bad_figures_with_422(login_as, admin):
    response = login_as(admin).get("/analytics/roi?people=lots")
    assert response.status_code == 422
    assert "People working on social media: enter a number." in response.get_data(as_text=True)


def test_the_page_is_for_admins(login_as, curator):
    assert login_as(curator).get("/analytics/roi").status_code == 403
