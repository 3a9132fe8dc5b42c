"""``{% options choices %}``: a filter's ``<option>`` elements joined in Python, escaped, the chosen one selected."""

from __future__ import annotations

from django.template import Context, Template

PAGE = Template("{% load antt_ui %}<select>{% options choices %}</select>")


def test_options_are_escaped_and_the_chosen_one_is_selected() -> None:
    html = PAGE.render(
        Context(
            {"choices": [(1, 'Đội 1 · <b>Cổng</b> & "Bắc"', False), (2, "Đội 2", True), ("x'y", "Z", False)]}
        )
    )
    assert html == (
        '<select><option value="1">Đội 1 · &lt;b&gt;Cổng&lt;/b&gt; &amp; &quot;Bắc&quot;</option>'
        '<option value="2" selected>Đội 2</option><option value="x&#x27;y">Z</option></select>'
    )


def test_no_choices_give_no_options() -> None:
    assert PAGE.render(Context({"choices": []})) == "<select></select>"
