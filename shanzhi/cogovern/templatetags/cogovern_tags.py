"""Masking filters for co-governance pages (personal data is masked by default)."""

from django import template

from shanzhi.core import pii

register = template.Library()


@register.filter
def masked_phone(value: str) -> str:
    return pii.mask_phone(value or "")


@register.filter
def masked_name(value: str) -> str:
    return pii.mask_name(value or "")


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"
