"""Text from the data is drawn as text in figures: never parsed as mathtext, and cut to a sane length."""
from __future__ import annotations

import io

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from PIL import Image  # noqa: E402

from evalpatterns import theme  # noqa: E402


@pytest.mark.parametrize("text, expected", [
    ("short", "short"),
    ("x" * 80, "x" * 80),
    ("x" * 81, "x" * 79 + "\u2026"),
    ("a\n" * 9 + "z", "a\n" * 7 + "a\u2026"),  # ten lines: eight kept, the last marked
])
def test_short_text_cuts_each_line_and_the_number_of_lines(text, expected):
    assert theme.short_text(text) == expected


def test_a_figure_of_hostile_text_draws_it_literally_and_at_a_sane_size():
    """'$$' would be parsed as mathtext (and fail or render math); a 2 MB label made an image 29 million pixels
    wide. Bars named by such text, a legend and an annotation: the PNG stays small and the text literal."""
    fig, ax = plt.subplots(figsize=(6, 4))
    huge = "w" * 2_000_000
    ax.bar(["cost $$5$$", huge], [1, 2], label=r"$\frac{1}{0}$ and $")
    ax.annotate("$$" + huge, (0, 1))
    ax.legend()
    theme.literal_texts(fig)
    buf = io.BytesIO()
    with theme.drawing_literally():
        fig.savefig(buf, format="png", bbox_inches="tight", dpi=100)
    width, height = Image.open(io.BytesIO(buf.getvalue())).size
    assert width < 1500 and height < 1500
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["cost $$5$$", "w" * 79 + "\u2026"]
    assert all(not t.get_parse_math() for t in ax.get_xticklabels() + ax.get_legend().get_texts())
    assert ax.get_legend().get_texts()[0].get_text() == r"$\frac{1}{0}$ and $"
    plt.close(fig)
