"""Scaffolding: a new spec made from a template and a blueprint's values."""

from __future__ import annotations

from lpsync.specdoc.edit import update_text
from lpsync.specdoc.fields import preamble_links
from lpsync.specdoc.model import BlueprintValues


def scaffold(template: str, values: BlueprintValues) -> str:
    """A new spec: the template with the four fields filled in; the rest (instruction
    comment, sections, guidance text) stays as the author's starting point.

    Every blueprint link of the template's preamble becomes the new blueprint's URL:
    an example left there (cinder's notes name ``+spec/awesome-thing``) would read
    as a link to a blueprint that does not exist."""
    text = template
    for link in reversed(preamble_links(template)):
        text = text[: link.start] + values.url + text[link.end :]
    return update_text(text, values, template=template, path="<template>")
