"""`make d2l`'s index.html as a reader sees it: six framework columns in a 1400 x 900 Chromium window.

The page is the real one: the NumPy tab computed here, judged and drawn by chapter's publish(),
under the six framework names the chapter has tabs for (so the table is as wide as a full run's),
with one long error message as MXNet really prints it. Only the layout is under test here; the
numbers are tests/unit/test_chapter_page.py's business.
"""
from __future__ import annotations

import copy
import json

import pytest

import backends
from chapter.__main__ import publish
from chapter.tab import run

VIEWPORT = {"width": 1400, "height": 900}  # a laptop browser window: the width the page must fit
FRAMEWORKS = ("numpy", "torch", "tensorflow", "jax", "paddle", "mxnet")
OK = {"status": "ok", "detail": "finished"}
# The longest kind of text a column holds: an error the framework raised, kept whole in the page.
MXNET_ERROR = ("MXNetError: Invalid Parameter format for pad expect Shape(tuple) but value='same', in operator "
               "Convolution(name=\"\", kernel=\"(3, 3)\", stride=\"(1, 1)\", num_filter=\"1\", no_bias=\"True\", "
               "pad=\"same\")")

# The longest message of the readers' section: MXNet's for a kernel autograd was never told about.
MXNET_AUTOGRAD_ERROR = ("MXNetError: Check failed: !AGInfo: :IsNone(*i): Cannot differentiate node because it is not in "
                        "a computational graph. You need to set is_recording to true or use autograd.record() to save "
                        "computational graphs for backward. If you want to differentiate the same graph twice, you "
                        "need to pass retain_graph=True to backward.")

# Every element whose box ends right of the viewport, unless a scrolling ancestor (overflow-x auto
# or scroll, inside the viewport) holds it: that box scrolls on its own and the page does not.
# overflow hidden does not count: it would cut the content off instead of letting it be read.
STICKING_OUT_JS = """() => {
  const width = document.documentElement.clientWidth;
  const scrollBox = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === 'auto' || o === 'scroll') return a;
    }
    return null;
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= width + 0.5) continue;
    const box = scrollBox(el);
    if (box && box.getBoundingClientRect().right <= width + 0.5) continue;
    out.push(`${el.tagName.toLowerCase()}.${el.className} right=${Math.round(r.right)} > ${width}: `
             + (el.textContent || el.getAttribute('src') || '').slice(0, 60));
  }
  return out;
}"""


@pytest.fixture(scope="module")
def index_html(tmp_path_factory):
    folder = tmp_path_factory.mktemp("d2l")
    tab = {"backend": "numpy", "cells": run(backends.load("numpy"))}
    for name in FRAMEWORKS:
        clone = copy.deepcopy(tab)
        if name == "mxnet":
            clone["cells"]["padding-native"] = {"error": MXNET_ERROR}
            clone["cells"]["reader-unregistered"]["value"]["unregistered"] = {"error": MXNET_AUTOGRAD_ERROR}
        (folder / f"{name}.json").write_text(json.dumps({**clone, "backend": name}))
    publish(list(FRAMEWORKS), {name: OK for name in FRAMEWORKS}, folder, "en")
    return folder / "index.html"


@pytest.fixture(scope="module")
def page(browser, index_html):
    """The page loaded at 1400 x 900, with every console error and failed request it caused."""
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    tab.set_default_timeout(5000)  # a missing element fails in seconds, not playwright's 30
    tab.errors = []
    tab.on("console", lambda msg: tab.errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: tab.errors.append(f"page error: {exc}"))
    tab.on("requestfailed", lambda req: tab.errors.append(f"request failed: {req.url}"))
    tab.goto(index_html.as_uri(), wait_until="load")
    yield tab
    context.close()


def test_the_page_renders_without_errors(page):
    assert page.title() == "convtabs: Convolutions for Images, side by side"
    assert page.locator("h1").inner_text() == "Convolutions for Images, side by side"
    headers = page.locator("table").first.locator("tr").first.locator("th").all_inner_texts()
    assert headers[2:] == list(FRAMEWORKS)  # six framework columns, so the width is really exercised
    assert page.errors == []


def test_every_image_loaded(page):
    images = page.evaluate("() => [...document.images].map(i => [i.getAttribute('src'), i.naturalWidth])")
    assert sorted(src for src, _ in images) == ["edges.png", "loss_curves.png", "lr_sweep.png", "registration.png"]
    assert [src for src, width in images if width == 0] == []


def test_the_page_needs_no_horizontal_scroll(page):
    widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth, "
                           "window.innerWidth]")
    scroll_width, client_width, inner_width = widths
    assert client_width <= inner_width == VIEWPORT["width"]
    assert scroll_width <= client_width, f"the page scrolls sideways: {scroll_width} px wide in {client_width} px"


def test_nothing_sticks_out_except_inside_a_scroll_box(page):
    sticking_out = page.evaluate(STICKING_OUT_JS)
    assert sticking_out == [], f"{len(sticking_out)} elements end right of the window, e.g. {sticking_out[:5]}"


def test_the_first_column_stays_when_a_table_scrolls(page):
    """Every table scrolls in a box of its own; scrolled to its right end, the widest still shows
    each row's caption at the box's left edge."""
    box = page.evaluate("""() => {
      const boxes = [...document.querySelectorAll('table')].map(t => t.parentElement);
      const scrolling = boxes.filter(b => ['auto', 'scroll'].includes(getComputedStyle(b).overflowX));
      const b = boxes.reduce((x, y) => (y.scrollWidth > x.scrollWidth ? y : x));
      b.scrollLeft = b.scrollWidth;
      const cell = b.querySelector('tr:nth-child(2) > :first-child');
      return {tables: boxes.length, in_scroll_boxes: scrolling.length, scrolled: b.scrollLeft,
              box_left: b.getBoundingClientRect().left, caption_left: cell.getBoundingClientRect().left};
    }""")
    assert box["in_scroll_boxes"] == box["tables"], "a table is not in a scroll box of its own"
    assert box["scrolled"] > 0, "no table is wider than its box: six columns should not fit in 1400 px"
    assert abs(box["caption_left"] - box["box_left"]) <= 2, f"the first column scrolled away: {box}"


def test_verdicts_are_marks_with_the_ratio_on_hover(page):
    mark = page.locator("td.match .mark").first
    assert mark.inner_text() == "✓"
    assert "error/bound" in mark.get_attribute("title")


NEW_SECTIONS = ("Readers' questions on 7.2", "Transposed convolution: basic operation",
                "Transposed convolution: padding, strides, and multiple channels",
                "Transposed convolution: connection to matrix transposition", "Transposed convolution: exercises")


def test_the_transposed_and_readers_sections_are_tables_like_the_others(page):
    """Each new section: its heading, then (after any picture) its table in a scroll box of its own,
    with the reference's notes as prose inside the window."""
    sections = page.evaluate("""() => [...document.querySelectorAll('h2')].map(h => {
      let el = h.nextElementSibling;
      const pictures = [];
      while (el && el.tagName === 'IMG') { pictures.push(el.getAttribute('src')); el = el.nextElementSibling; }
      return {title: h.innerText, pictures, table_box: !!el && el.className === 'scroll' && !!el.querySelector('table'),
              notes: el ? [...el.querySelectorAll('pre.note')].map(n => n.getBoundingClientRect().width) : []};
    })""")
    by_title = {s["title"]: s for s in sections}
    for title in NEW_SECTIONS:
        assert by_title[title]["table_box"], f"{title}: no table in a scroll box"
    assert by_title["Readers' questions on 7.2"]["pictures"] == ["registration.png"]
    notes = [width for title in NEW_SECTIONS for width in by_title[title]["notes"]]
    assert len(notes) >= 5 and all(0 < width < VIEWPORT["width"] / 2 for width in notes), notes
