"""Images in comments in Chromium, against a real server: a reader adds an image to the comment form,
describes it, posts, and sees it in the thread, loaded from rejoinder's own URL (re-encoded there), with its
text alternative, width and height; the widget stays axe-clean with the attach control and the image."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.e2e.conftest import Stack, open_widget
from tests.fixtures.browser import run_axe

pytestmark = pytest.mark.e2e

SITE_ARGS = ("--images", "--max-images", "2")


def picture() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Location", "51.5007 N, 0.1246 W")
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 110, 60)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def test_attach_an_image_and_see_it_in_the_thread(stack: Stack, browser_page: Any) -> None:
    url = stack.host.page("/posts/images.html", stack.api)
    w = open_widget(browser_page, url)
    page = w.page
    form = page.locator("form.rj-compose")
    chooser = form.get_by_label("Add an image")
    chooser.wait_for(state="attached")
    chooser.set_input_files({"name": "allotment.png", "mimeType": "image/png", "buffer": picture()})
    describe = form.get_by_label("Describe the image: allotment.png")
    describe.wait_for()
    describe.fill("Rows of beans under netting")
    assert run_axe(page) == []
    form.get_by_label("Comment", exact=True).fill("This is what the plot looks like now.")
    form.get_by_label("Name", exact=True).fill("Ann Example")
    form.get_by_role("button", name="Post comment").click()

    comment = page.locator(".rj-comment", has_text="what the plot looks like")
    comment.wait_for()
    image = comment.get_by_role("img", name="Rows of beans under netting")
    image.wait_for()
    assert image.get_attribute("width") == "64" and image.get_attribute("height") == "48"
    assert image.get_attribute("loading") == "lazy"
    src = image.get_attribute("src") or ""
    assert src.startswith(stack.api + "/api/images/") and src.endswith(".png")
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth === 64", arg=image.element_handle(), timeout=10_000
    )
    # The attach list is empty again for the next comment.
    assert form.locator(".rj-images p").count() == 0
    served = httpx.get(src)
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    assert served.content != picture() and b"51.5007" not in served.content  # re-encoded, metadata gone
    thread = stack.thread(url)
    assert thread["comments"][0]["images"] == [
        {"url": src.removeprefix(stack.api), "width": 64, "height": 48, "alt": "Rows of beans under netting"}
    ]
    assert run_axe(page) == []
    w.assert_clean()
