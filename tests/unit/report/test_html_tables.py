"""A result table as an HTML page for the report: every cell escaped, numbers aligned."""

from xstilts.report.html_tables import table_page


def test_a_csv_becomes_one_row_per_line_with_escaped_text(tmp_path):
    path = tmp_path / "table2.csv"
    path.write_text('intermediate,xnli,note\nmnli,66.00,"<b>collapsed</b> & more"\n')
    page = table_page(path)
    assert "<title>table2.csv</title>" in page
    assert "<th>intermediate</th><th>xnli</th><th>note</th>" in page
    assert ('<tr><td class="text">mnli</td><td class="number">66.00</td>'
            '<td class="text">&lt;b&gt;collapsed&lt;/b&gt; &amp; more</td></tr>') in page
    assert page.count("<tr>") == 2  # the header and the one line
