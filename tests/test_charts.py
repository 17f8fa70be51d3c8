"""Figures over time: series from the report's observations, as HTML (Plotly) and PNG.

Expected figures come from the report (shared/seed/facts.md, sections 5.4-5.8).
"""

from __future__ import annotations

import io
import json
import re

import pandas as pd
import pytest
from click.testing import CliRunner
from PIL import Image

from kg.charts import CHARTS, SERIES_COLUMNS, read_series, select_chart
from kg.cli import cli
from kg.errors import NotFoundError
from kg.namespaces import entity_iri
from kg.render.assets import asset_text
from kg.render.chart_png import render_chart_png
from kg.render.timeline_html import PLOTLY_URL, render_chart_html

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _by_period(chart) -> dict[str, tuple[float, bool]]:
    return {
        row["period"]: (row["value"], row["forecast"])
        for row in chart.frame.to_dict(orient="records")
    }


def _figure(page: str) -> dict:
    found = re.search(
        r'<script type="application/json" id="kg-plot-data">(.*?)</script>', page, re.S
    )
    assert found, "the page carries its figure in a JSON script element"
    return json.loads(found[1])["figure"]


def test_market_size_2024_to_2032_with_forecasts(built):
    chart = select_chart(built, "market-size")
    # 6.15亿美元 (2024), 7.17亿美元 (2025E), 25.63亿美元 (2032E); Fortune Business Insights.
    assert _by_period(chart) == {
        "2024": (615e6, False),
        "2025": (717e6, True),
        "2032": (2563e6, True),
    }
    assert chart.unit == "USD"
    assert chart.layout == "time"
    assert chart.notes == ["1 figure in CNY not drawn (one unit per chart)"]
    assert list(chart.frame.columns) == list(SERIES_COLUMNS)
    assert chart.frame["precision"].unique().tolist() == ["year"]


def test_poe_message_shares(built):
    chart = select_chart(built, "message-share")
    shares = dict(zip(chart.frame["series"], chart.frame["value"], strict=True))
    assert len(shares) == 11
    assert shares["Runway"] == pytest.approx(23.6)
    assert shares["Kling 2.0 (Master)"] == pytest.approx(20.9)
    assert shares["Veo 2"] == pytest.approx(16.6)
    assert sum(shares.values()) == pytest.approx(100.1), "the printed shares sum to 100.1%"
    assert set(chart.frame["period"]) == {"2025-05-04"}
    assert chart.layout == "ranking", "one week only: a ranking, not a line"


def test_web_visits_and_runway_arr(built):
    visits = select_chart(built, "web-visits")
    assert len(visits.frame) == 20
    top = visits.frame.sort_values("value", ascending=False).iloc[0]
    assert (top["series"], top["value"], top["period"]) == ("Sora | ChatGPT", 63.34e6, "2025-05")
    arr = select_chart(built, "arr")
    # The report: 8400万美元 (Dec 2024) and 2.65亿美元 (2025, a projection), citing The Information.
    # 36Kr relaying The Information (Aug 2025): USD 70 million actual at the end of 2024, short of a
    # mid-2024 forecast of USD 84 million. Each figure keeps its source.
    rows = sorted(
        (row["period"], row["value"], row["forecast"], row["source"].rsplit("/", 1)[-1])
        for row in arr.frame.to_dict(orient="records")
    )
    assert rows == [
        ("2024-12", 70e6, False, "press-36kr-runway-luma-2025-08"),
        ("2024-12", 84e6, False, "report-runway-arr"),
        ("2024-12", 84e6, True, "press-36kr-runway-luma-2025-08"),
        ("2025", 265e6, True, "report-runway-arr"),
    ]
    assert set(arr.frame["subject"]) == {entity_iri("org", "runway")}


def test_any_measure_slug_is_a_chart(built):
    chart = select_chart(built, "generation-time")
    assert set(chart.frame["value"]) == {41.4}, "Seedance 1.0: 41.4 s for 5 s of 1080p on an L20"
    assert chart.unit == "seconds"


def test_unknown_chart_suggests_names(built):
    with pytest.raises(
        NotFoundError, match=r"Unknown chart 'market-sise'\. Did you mean 'market-size'"
    ):
        select_chart(built, "market-sise")


def test_read_series_of_an_unknown_measure_is_empty(built):
    frame = read_series(built, "no-such-measure")
    assert frame.empty
    assert list(frame.columns) == list(SERIES_COLUMNS)


def test_every_named_chart_draws_from_the_real_data(built):
    for name in CHARTS:
        chart = select_chart(built, name)
        assert len(chart.frame) >= 2, name
        assert chart.frame["source_label"].notna().all(), f"{name}: every figure has a source"


# ------------------------------------------------------------------ HTML


def test_chart_page_standalone_and_in_the_app(built):
    chart = select_chart(built, "market-size")
    standalone = render_chart_html(chart, standalone=True)
    assert not re.search(r"<(script|link)[^>]+(src|href)=", standalone)
    assert asset_text("plotly.min.js")[:2000] in standalone
    web = render_chart_html(chart, standalone=False)
    assert re.findall(r'<script src="([^"]+)"', web) == [PLOTLY_URL, "/static/timeline.js"]
    assert asset_text("plotly.min.js")[:2000] not in web
    assert 'data-figures="3"' in web


def test_forecasts_are_dashed_and_hover_shows_printed_values(built):
    figure = _figure(render_chart_html(select_chart(built, "market-size"), standalone=False))
    solid, dashed = figure["data"]
    assert solid["line"]["dash"] == "solid"
    assert dashed["line"]["dash"] == "dash"
    assert dashed["name"].endswith("(forecast)")
    assert dashed["y"][-1] == pytest.approx(2.563), "drawn in USD billions"
    assert figure["layout"]["yaxis"]["title"]["text"] == "USD (billions)"
    hover = " ".join(solid["hovertext"] + dashed["hovertext"])
    assert "25.63亿美元" in hover
    assert "Fortune Business Insights" in hover
    assert figure["layout"]["xaxis"]["ticktext"] == ["2024", "2025", "2032"]


def test_ranking_page_has_a_bar_per_figure_largest_first(built):
    figure = _figure(render_chart_html(select_chart(built, "message-share"), standalone=True))
    (bars,) = figure["data"]
    assert bars["type"] == "bar"
    assert bars["y"][:2] == ["Runway", "Kling 2.0 (Master)"]
    assert bars["text"][0] == "23.6%"


def test_repeated_series_get_their_period(built):
    figure = _figure(render_chart_html(select_chart(built, "api-price"), standalone=True))
    assert sorted(figure["data"][0]["y"]) == ["Veo 2 (2025)", "Veo 2 (2025-02)"]


# ------------------------------------------------------------------ PNG


def test_png_is_an_image_of_the_chart(built):
    data = render_chart_png(select_chart(built, "market-size"))
    assert data.startswith(PNG_MAGIC)
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (990, 528), "9 x 4.8 inches at 110 dpi"
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is not None
    assert len(colours) > 20, "something is drawn, not a blank page"


def test_png_draws_chinese_names_without_missing_glyph_warnings(built):
    # Names such as "Kling ai | 快手" are printed in the data; the font has no CJK glyphs.
    # pytest turns warnings into errors, so a missing glyph would fail this test.
    for name in ("web-visits", "message-share", "arr"):
        assert render_chart_png(select_chart(built, name)).startswith(PNG_MAGIC)


# ------------------------------------------------------------------ the command


def test_cli_chart_png_and_html(built_settings, tmp_path):
    runner = CliRunner()
    png = tmp_path / "market.png"
    result = runner.invoke(
        cli,
        [
            "--store",
            built_settings.store,
            "chart",
            "market-size",
            "--format",
            "png",
            "--out",
            str(png),
        ],
    )
    assert result.exit_code == 0, result.output
    assert png.read_bytes().startswith(PNG_MAGIC)
    assert "3 figures" in result.stderr
    html_file = tmp_path / "arr.html"
    result = runner.invoke(
        cli, ["--store", built_settings.store, "chart", "arr", "--out", str(html_file)]
    )
    assert result.exit_code == 0, result.output
    assert "Runway annual recurring revenue" in html_file.read_text(encoding="utf-8")


def test_cli_chart_list_and_unknown(built_settings):
    runner = CliRunner()
    result = runner.invoke(cli, ["--store", built_settings.store, "chart", "--list"])
    assert result.exit_code == 0
    names = [line for line in result.stdout.splitlines() if not line.startswith(" ")]
    assert {"market-size", "message-share", "web-visits", "arr"} <= set(names)
    result = runner.invoke(cli, ["--store", built_settings.store, "chart", "web-visit"])
    assert result.exit_code == 1
    assert "Did you mean 'web-visits'?" in result.stderr


def test_series_frame_keeps_period_precision(built):
    frame = read_series(built, "arr")
    by_period = frame.drop_duplicates("period")
    assert list(by_period["period"]) == ["2024-12", "2025"]
    assert list(by_period["precision"]) == ["month", "year"]
    assert list(by_period["sort_key"]) == [pd.Timestamp("2024-12-01"), pd.Timestamp("2025-01-01")]
