"""gen docs: the plan as the segment builders read it, generated from the contract."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from generator.cli import main

EXAMPLE = Path(__file__).resolve().parent / "contract" / "cases" / "example" / "contract.yaml"


def test_markdown_names_every_event_property_and_segment() -> None:
    result = CliRunner().invoke(main, ["docs", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "### Subscription Paused" in text and "### Order Line Item" in text
    assert "| `order_id` | string | yes |" in text
    assert "one of `active`, `canceled`, `paused`" in text
    assert "| `last_order_date` | date (unix seconds) |" in text  # a person attribute
    assert "`phone_number`" in text  # an alias the attribute is also accepted as
    assert "`Required-Missing:cart_value`" in text and "`Required-Missing:product_id\\|sku`" in text  # in a table
    assert "each element of `products` is also sent as one `Order Line Item` event" in text


def test_html_is_one_offline_page(tmp_path: Path) -> None:
    out = tmp_path / "plan.html"
    result = CliRunner().invoke(main, ["docs", str(EXAMPLE), "--format", "html", "--out", str(out)])
    assert result.exit_code == 0 and result.output == ""
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    assert "<h3>Order Completed</h3>" in page and "<code>dq_issues</code>" in page


def test_an_invalid_contract_is_diagnosed(tmp_path: Path) -> None:
    bad = tmp_path / "contract.yaml"
    bad.write_text("contract: {name: x, version: 1}\nevents: {A: {propertes: {}}}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["docs", str(bad)])
    assert result.exit_code == 2 and "unknown key 'propertes'" in result.output


def test_a_lone_surrogate_in_a_description_is_written_escaped(tmp_path: Path) -> None:
    contract = tmp_path / "contract.yaml"
    contract.write_text('contract: {name: p, version: 1}\nevents: {A: {description: "bad \\ud800 here"}}\n',
                        encoding="utf-8")
    for fmt in ("md", "html"):
        result = CliRunner().invoke(main, ["docs", str(contract), "--format", fmt])
        assert result.exit_code == 0, result.output
        assert "bad \\ud800 here" in result.output
