"""The built book in headless Chromium: pages, math, proofs, figures, interactive figures, navigation,
search, and the launch and download buttons (tests marked ``site``; screenshots in _build/screenshots).

The book is built once per session from the repository as committed (or taken from ``$SITE_HTML``)
and served on 127.0.0.1; MathJax and the widget scripts come from the vendored npm packages.
"""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml

pytestmark = pytest.mark.site

REPOSITORY = Path(__file__).resolve().parents[2]
CHAPTER = "book/part1/02_bilinear_games"
WAIT_FOR_MATH = """
const done = arguments[arguments.length - 1];
const started = Date.now();
(function poll() {
  if (!document.querySelector('.math')) return done('no math');
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    MathJax.startup.promise.then(() => done('typeset'), error => done('MathJax failed: ' + error));
  } else if (Date.now() - started > 30000) {
    done('MathJax did not start in 30 s');
  } else {
    setTimeout(poll, 50);
  }
})();
"""
PAGE_PROBLEMS = """
const problems = [];
document.querySelectorAll('.math').forEach((element, i) => {
  if (!element.querySelector('mjx-container')) problems.push('math not typeset: ' + element.textContent.slice(0, 60));
});
document.querySelectorAll('mjx-merror, [data-mjx-error]').forEach(element =>
  problems.push('MathJax error: ' + (element.getAttribute('data-mjx-error') || element.textContent).slice(0, 80)));
document.querySelectorAll('main img').forEach(image => {
  if (!image.complete || image.naturalWidth === 0) problems.push('image not loaded: ' + image.src.slice(0, 80));
});
document.querySelectorAll('.sf-figure').forEach(figure => {
  if (!figure.getAttribute('data-sf-rendered')) problems.push('interactive figure not drawn: ' + figure.id);
});
return problems;
"""


def html_pages(html: Path) -> list[str]:
    """Every page of the site, as paths relative to its root."""
    return sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html")
                  if not p.relative_to(html).as_posix().startswith(("_static/", "_sources/")))


def open_page(driver, page_tools, url: str) -> list[str]:
    """Load a page, wait for its math to be typeset; return its problems and console errors."""
    driver.get(url)
    page_tools.wait_for(driver, "document.readyState === 'complete'", what=f"{url} to load")
    state = driver.execute_async_script(WAIT_FOR_MATH)
    problems = [] if state in ("typeset", "no math") else [state]
    problems += driver.execute_script(PAGE_PROBLEMS)
    problems += [f"console: {message}" for message in page_tools.console_errors(driver)]
    return problems


def test_every_page_loads_with_no_console_errors_its_math_typeset_and_its_images_loaded(
        browser, book_site, book_html, page_tools):
    pages = html_pages(book_html)
    assert len(pages) >= 5, pages
    failures = {}
    for page in pages:
        problems = open_page(browser, page_tools, book_site.url(page))
        unvendored = page_tools.unvendored_assets((book_html / page).read_text(encoding="utf-8"))
        problems += [f"external asset the test cannot serve: {url}" for url in unvendored
                     if not url.startswith(tuple(page_tools.CDN_ASSETS))]
        if problems:
            failures[page] = problems
    assert failures == {}, json.dumps(failures, indent=1, ensure_ascii=False)[:6000]


def test_internal_links_point_to_pages_that_exist(book_html):
    broken = []
    for page in html_pages(book_html):
        text = (book_html / page).read_text(encoding="utf-8")
        for href in re.findall(r'<a[^>]*\shref="([^"#][^"]*)"', text):
            if urlsplit(href).scheme or href.startswith(("mailto:", "javascript:")):
                continue
            target = (book_html / page).parent / unquote(urlsplit(href).path)
            if not target.exists():
                broken.append(f"{page} -> {href}")
    assert broken == [], broken[:20]


def test_the_chapter_renders_math_proofs_figures_and_widgets(browser, book_site, page_tools):
    assert open_page(browser, page_tools, book_site.url(f"{CHAPTER}.html")) == []
    counts = browser.execute_script("""return {
        math: document.querySelectorAll('mjx-container').length,
        propositions: document.querySelectorAll('.proof.proposition').length,
        proofs: [...document.querySelectorAll('.proof.admonition')].filter(p => p.textContent.trim().length > 50).length,
        images: document.querySelectorAll('main img').length,
        references: document.querySelectorAll('a.reference.internal').length};""")
    assert counts["math"] > 50 and counts["propositions"] >= 5 and counts["proofs"] >= 10, counts
    assert counts["images"] >= 3 and counts["references"] >= 10, counts
    title = browser.execute_script("return document.querySelector('.proof.proposition .admonition-title').textContent")
    assert title.startswith("Proposition"), title
    page_tools.save_screenshot(browser, "chapter-bilinear-games")


def test_the_interactive_figures_of_the_site_respond_to_their_controls(browser, book_site, book_html, page_tools):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    pages = [page for page in html_pages(book_html) if 'class="sf-figure"' in (book_html / page).read_text()]
    assert f"{CHAPTER}.html" in pages, f"{CHAPTER} has lost its interactive figure (pages with one: {pages})"
    for page in pages:
        assert open_page(browser, page_tools, book_site.url(page)) == []
        for figure in browser.find_elements("css selector", ".sf-figure"):
            for control in figure.find_elements("css selector", "select.sf-select, input.sf-slider"):
                before = _drawing(figure)
                if control.tag_name == "select":
                    options = Select(control)
                    current = options.first_selected_option.get_attribute("value")
                    options.select_by_value(next(o.get_attribute("value") for o in options.options
                                                 if o.get_attribute("value") != current))
                else:
                    control.send_keys(Keys.RIGHT if control.get_attribute("value") != control.get_attribute("max")
                                      else Keys.LEFT)
                after = _drawing(figure)
                assert after["paths"] != before["paths"], f"{page}: moving {control.get_attribute('aria-label')} " \
                                                          f"did not change the figure"
                assert after["caption"] != before["caption"], f"{page}: the caption did not follow"
        assert page_tools.console_errors(browser) == []
    browser.get(book_site.url(f"{CHAPTER}.html"))
    figure = browser.find_element("css selector", ".sf-figure")
    browser.execute_script("arguments[0].scrollIntoView()", figure)
    page_tools.SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    figure.screenshot(str(page_tools.SCREENSHOT_DIR / "interactive-figure.png"))


def _drawing(figure) -> dict:
    return {"paths": [p.get_attribute("d") for p in figure.find_elements("css selector", "path.sf-series")],
            "caption": figure.find_element("css selector", ".sf-caption").text}


TRY_IT_SECTIONS = r"""
return [...document.querySelectorAll('section')].filter(section => {
  const heading = section.querySelector(':scope > h2, :scope > h3');
  // Numbered parts prefix their headings ("2.1.6. Try it"): compare the words after the number.
  return heading && /^(Try it|Live,)/.test(heading.textContent.replace(/^[\d.\s]+/, ''));
}).map(section => ({
  heading: section.querySelector(':scope > h2, :scope > h3').textContent.trim(),
  galleries: [...section.querySelectorAll('.lf-gallery[data-lf-rendered] img.lf-picture')]
      .filter(image => image.complete && image.naturalWidth > 0).length,
  explorables: section.querySelectorAll('.sf-figure[data-sf-rendered]').length,
  lines: section.querySelectorAll('p.lf-kernel-only').length,
}));
"""


def test_every_try_it_section_shows_something_without_a_kernel_and_no_widget_is_frozen(
        browser, book_site, book_html, page_tools):
    """A live control has no kernel on the page: its section shows the precomputed gallery, an explorable
    figure, or one line saying why not and where to run it; a widget view left in a page draws nothing."""
    chapters = [page for page in html_pages(book_html) if page.startswith("book/part")]
    blank, frozen, sections = {}, {}, 0
    for page in chapters:
        widget_views = (book_html / page).read_text(encoding="utf-8").count("application/vnd.jupyter.widget-view+json")
        if widget_views:
            frozen[page] = widget_views
        assert open_page(browser, page_tools, book_site.url(page)) == []
        for section in browser.execute_script(TRY_IT_SECTIONS):
            sections += 1
            if not (section["galleries"] or section["explorables"] or section["lines"]):
                blank.setdefault(page, []).append(section["heading"])
    assert frozen == {}, f"pages with frozen widget views: {frozen}"
    assert blank == {}, f"'Try it' sections that show nothing without a kernel: {blank}"
    assert sections >= 11, f"only {sections} 'Try it' sections found: were the headings renamed?"


def test_the_galleries_of_live_figures_follow_their_controls(browser, book_site, book_html, page_tools):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    pages = [page for page in html_pages(book_html) if 'class="lf-gallery"' in (book_html / page).read_text()]
    assert len(pages) >= 9, pages
    for page in pages:
        assert open_page(browser, page_tools, book_site.url(page)) == []
        for gallery in browser.find_elements("css selector", ".lf-gallery"):
            for control in gallery.find_elements("css selector", "select.lf-select, input.lf-slider"):
                browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", control)
                if control.tag_name == "select":
                    options = Select(control)
                    if len(options.options) < 2:
                        continue
                    before = _picture(gallery)
                    current = options.first_selected_option.get_attribute("value")
                    options.select_by_value(next(o.get_attribute("value") for o in options.options
                                                 if o.get_attribute("value") != current))
                else:
                    if control.get_attribute("max") == "0":
                        continue
                    before = _picture(gallery)
                    control.send_keys(Keys.RIGHT if control.get_attribute("value") != control.get_attribute("max")
                                      else Keys.LEFT)
                after = _picture(gallery)
                name = control.get_attribute("aria-label")
                assert after["src"] != before["src"], f"{page}: moving {name} did not change the picture"
                assert after["caption"] != before["caption"], f"{page}: the caption did not follow {name}"
        assert page_tools.console_errors(browser) == []


def _picture(gallery) -> dict:
    return {"src": gallery.find_element("css selector", "img.lf-picture").get_attribute("src"),
            "caption": gallery.find_element("css selector", ".lf-caption").text}


def test_navigation_by_the_sidebar_and_the_next_link(browser, book_site, page_tools):
    assert open_page(browser, page_tools, book_site.url("index.html")) == []
    page_tools.save_screenshot(browser, "home")
    links = browser.find_elements("css selector", "nav.bd-docs-nav a.reference.internal")
    labels = [link.text for link in links]
    assert len(links) >= 4 and any("bilinear" in label for label in labels), labels
    next(link for link in links if "bilinear" in link.text).click()
    page_tools.wait_for(browser, f"location.pathname.endsWith('{CHAPTER}.html')", what="the chapter to open")
    heading = browser.execute_script("return document.querySelector('article h1, main h1').textContent")
    assert "bilinear" in heading.lower(), heading
    next_link = browser.find_element("css selector", "a.right-next")
    target = next_link.get_attribute("href")
    next_link.click()
    page_tools.wait_for(browser, f"location.href === {json.dumps(target)}", what="the next page")
    assert page_tools.console_errors(browser) == []


def test_search_finds_the_chapter(browser, book_site, page_tools):
    browser.get(book_site.url("search.html?q=extragradient"))
    page_tools.wait_for(browser, "document.querySelectorAll('#search-results li').length > 0", timeout=30,
                        what="search results")
    hrefs = browser.execute_script("return [...document.querySelectorAll('#search-results li a')].map(a => a.href)")
    assert any(CHAPTER in href for href in hrefs), hrefs
    page_tools.save_screenshot(browser, "search")
    assert page_tools.console_errors(browser) == []


def expected_launch_links(chapter: str) -> dict[str, str]:
    """Where the launch and source buttons of a chapter must point, from _config.yml."""
    config = yaml.safe_load((REPOSITORY / "_config.yml").read_text(encoding="utf-8"))
    repository, launch = config["repository"], config.get("launch_buttons", {})
    org_repo = urlsplit(repository["url"]).path.strip("/")
    branch = repository.get("branch", "main")
    path = "/".join(part for part in (repository.get("path_to_book", "").strip("/"), chapter) if part)
    links = {"repository": repository["url"]}
    if launch.get("binderhub_url"):
        interface = "lab/tree" if launch.get("notebook_interface") == "jupyterlab" else "tree"
        links["binder"] = f"{launch['binderhub_url'].rstrip('/')}/v2/gh/{org_repo}/{branch}?urlpath={interface}/{path}.ipynb"
    if launch.get("colab_url"):
        links["colab"] = f"{launch['colab_url'].rstrip('/')}/github/{org_repo}/blob/{branch}/{path}.ipynb"
    if launch.get("jupyterhub_url"):
        links["jupyterhub"] = launch["jupyterhub_url"].rstrip("/")
    return links


def test_launch_and_download_buttons_point_where_the_config_says(browser, book_site, page_tools):
    assert open_page(browser, page_tools, book_site.url(f"{CHAPTER}.html")) == []
    page_tools.wait_for(browser, "document.querySelectorAll('a.btn, a.dropdown-item').length > 0", what="the buttons")
    hrefs = browser.execute_script("return [...document.querySelectorAll('a')].map(a => a.href)")
    for name, expected in expected_launch_links(CHAPTER).items():
        if name == "jupyterhub":
            assert any(href.startswith(expected) and CHAPTER in href for href in hrefs), (name, expected)
        else:
            assert expected in hrefs, f"no {name} link {expected}"
    download = next(href for href in hrefs if href.endswith(f"_sources/{CHAPTER}.ipynb"))
    with urllib.request.urlopen(urljoin(book_site.url(), download), timeout=30) as response:
        notebook = json.loads(response.read())
    assert notebook["nbformat"] == 4 and len(notebook["cells"]) > 20, "the download is the chapter's notebook"


def test_the_appendix_pages_show_the_runs_values(browser, book_site, page_tools):
    assert open_page(browser, page_tools, book_site.url("book/appendix/claims_ledger.html")) == []
    rows = browser.execute_script("return [...document.querySelectorAll('main table tbody tr')].map(r => r.innerText)")
    # Every claim shows its verdict, whichever it is: a claim that does not hold stays on the page.
    verdicts = ("holds", "does not hold", "undecided")
    assert len(rows) >= 5 and all(any(v in row for v in verdicts) for row in rows), rows[:3]
    summary = browser.execute_script(
        "return [...document.querySelectorAll('main p strong')].map(s => s.innerText).find(t => t.startsWith('Quick profile'))")
    assert summary and "empirical" in summary and "verification" in summary, summary
    # The table fits the text column: nothing to scroll sideways.
    widths = browser.execute_script("const t = document.querySelector('main table.claims-ledger');"
                                    "return [t.scrollWidth, t.parentElement.clientWidth]")
    assert widths[0] <= widths[1] + 1, f"the claims table is wider than its column: {widths}"
    assert browser.find_elements("css selector", "main table a.reference.internal"), "sources link to the theorems"
    page_tools.save_screenshot(browser, "claims-ledger")
    assert open_page(browser, page_tools, book_site.url("book/assignments/index.html")) == []
    page_tools.save_screenshot(browser, "coursework")
