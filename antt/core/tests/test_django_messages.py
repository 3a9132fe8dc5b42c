"""Django's stock Vietnamese, corrected by our catalogue, on the fields our forms use."""

from __future__ import annotations

import pytest
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import translation


class Sample(forms.Form):
    headcount = forms.IntegerField(validators=[MinValueValidator(1), MaxValueValidator(50)])
    day = forms.DateField()
    at = forms.DateTimeField()
    kind = forms.ChoiceField(choices=[("a", "A")])
    name = forms.CharField(max_length=3)


def _errors(data: dict[str, str]) -> dict[str, list[str]]:
    with translation.override("vi"):
        form = Sample(data)
        form.is_valid()
        return {name: [str(e) for e in errors] for name, errors in form.errors.items()}


def test_a_whole_number_is_so_named() -> None:
    assert _errors({"headcount": "1.5"})["headcount"] == ["Nhập một số nguyên."]


@pytest.mark.parametrize(
    ("value", "message"),
    [("0", "Giá trị phải lớn hơn hoặc bằng 1."), ("51", "Giá trị phải nhỏ hơn hoặc bằng 50.")],
)
def test_limits_read_without_a_stray_space(value: str, message: str) -> None:
    assert _errors({"headcount": value})["headcount"] == [message]


def test_every_message_a_bad_form_shows_is_vietnamese() -> None:
    errors = _errors({"headcount": "x", "day": "31/02/2026", "at": "soon", "kind": "z", "name": "abcd"})
    assert errors == {
        "headcount": ["Nhập một số nguyên."],
        "day": ["Nhập một ngày hợp lệ."],
        "at": ["Nhập ngày và giờ hợp lệ."],
        "kind": ["Hãy chọn một giá trị hợp lệ: z không có trong danh sách."],
        "name": ["Tối đa 3 ký tự (hiện có 4)."],
    }


def test_a_required_field_says_so() -> None:
    assert _errors({})["headcount"] == ["Trường này là bắt buộc."]
