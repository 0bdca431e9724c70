"""Scaffolding: a new spec made from a template and a blueprint's values."""

from __future__ import annotations

from lpsync.specdoc.edit import update_text
from lpsync.specdoc.fields import preamble_links
from lpsync.specdoc.model import BlueprintValues


def scaffold(template: str, values: BlueprintValues) -> str:
    """A new spec: the template with the four fields filled in; the rest (instruction
    comment, sections, guidance text) stays as the author's starting point.

    Only the link the spec itself carries (the template's first blueprint link outside
    comments, its ``Include the URL of your launchpad blueprint`` line) becomes the new
    blueprint's URL. The examples in the template's instructions ("a URL of
    .../+spec/awesome-thing should be named awesome-thing.rst") keep their example:
    rewritten, they would name the real blueprint beside a file name they no longer
    explain."""
    text = template
    links = preamble_links(template)
    if links:
        own = links[0]
        text = text[: own.start] + values.url + text[own.end :]
    return update_text(text, values, template=template, path="<template>")
