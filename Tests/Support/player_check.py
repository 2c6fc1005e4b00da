#!/usr/bin/env python3
"""Drive the shoppable player (a replay package's index.html) in real Chromium through Selenium.

    python3 Tests/Support/player_check.py replay URL [--sources hls,mp4] [--card ID@SECONDS ...]
        [--gap SECONDS] [--chapter CUE_ID] [--click-product ID] [--storyboard SECONDS]
        [--keyboard] [--phone ID@SECONDS] [--captions] [--screenshots DIR] [--timeout SECONDS]
    python3 Tests/Support/player_check.py live URL --api ROOT --token-env NAME --marker JSON
        [--screenshots DIR] [--timeout SECONDS]

`replay`: URL is the player page of a package served over http. For each source (the page's
`?source=`), the script loads the page and waits until it is ready (a source chosen, the video's
metadata, products.json, the chapters and the products track read), then, as a viewer would:

  --card ID@S        pauses, seeks to S and waits for the product card of ID (title, price, Buy)
  --gap S            seeks to S (between products) and checks that no card shows
  --chapter CUE_ID   clicks the Chapters button, then the chapter, and reads where the video went
  --click-product ID clicks the product in the list and reads where the video went
  --storyboard S     moves the mouse over the scrub bar at S and reads the tile the preview shows
  --keyboard         opens the chapters menu with Enter, moves with ArrowDown, seeks with Enter
  --phone ID@S       at 390x844 (a phone), seeks to S: the page does not scroll sideways and the
                     card of ID stays inside the video
  --captions         reads the subtitle tracks and loads the cues of each

`live`: URL is the player page with `?live=<playlist>`. The script waits until the page follows
the playlist with no card, then posts MARKER to the marker API at ROOT (the bearer token from
the environment variable NAME), as a producer's "Pin now" does, and measures how long until
the live playlist has its EXT-X-DATERANGE and until the page shows its card.

Prints one JSON object on stdout. Screenshots go to --screenshots (a directory, created).
Exit status: 0 with the JSON; 1 when a step fails (the reason on stderr); 2 for bad arguments;
3 when Selenium, Chromium or chromedriver is missing.

Chromium: /usr/bin/chromium with --headless=new --no-sandbox (as root), muted, autoplay allowed,
driven by /usr/bin/chromedriver (Debian's chromium and chromium-driver; pip selenium).
"""

import argparse
import json
import os
import sys
import time
import urllib.parse
import urllib.request

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
except ImportError:
    print("player_check.py: selenium is missing (python3 -m pip install selenium)", file=sys.stderr)
    sys.exit(3)

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")


class CheckFailed(Exception):
    """A step did not happen; the message says which and what the page showed."""


def browser():
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            print(f"player_check.py: {path} is missing (apt install chromium chromium-driver)", file=sys.stderr)
            sys.exit(3)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--mute-audio", "--disable-dev-shm-usage",
                     "--autoplay-policy=no-user-gesture-required", "--window-size=1280,900"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def wait(driver, script, timeout, what):
    """Evaluates `script` (an expression) until it is truthy; returns its value."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = driver.execute_script("return " + script)
        if value:
            return value
        time.sleep(0.1)
    state = driver.execute_script(STATE)
    raise CheckFailed(f"{what} did not happen within {timeout:.0f} s; the page: {json.dumps(state)}")


STATE = r"""
const video = document.getElementById("player");
const card = document.getElementById("card");
return {
  source: document.body.dataset.source || null, live: document.body.dataset.live || null,
  readyState: video ? video.readyState : -1, currentTime: video ? video.currentTime : null,
  duration: video && isFinite(video.duration) ? video.duration : null,
  videoError: video && video.error ? video.error.code : null, src: video ? video.currentSrc : null,
  products: (document.getElementById("products") || {}).dataset?.state || null,
  chapters: (document.getElementById("chapters-menu") || {}).dataset?.state || null,
  productsTrack: document.body.dataset.productsTrack || null,
  card: card && !card.hidden ? card.dataset.productId : null,
  messages: Array.from(document.querySelectorAll(".message:not([hidden])"), (m) => m.textContent),
};
"""

CARD = r"""
const card = document.getElementById("card");
if (card.hidden) return null;
const box = card.getBoundingClientRect(), video = document.getElementById("player").getBoundingClientRect();
const buy = card.querySelector(".card-buy");
return {
  id: card.dataset.productId, title: card.querySelector(".card-title").textContent,
  price: card.querySelector(".card-price").textContent, buy: buy.hidden ? null : buy.href,
  insideVideo: box.left >= video.left - 1 && box.right <= video.right + 1 && box.top >= video.top - 1
    && box.bottom <= video.bottom + 1,
};
"""


def seek(driver, seconds, timeout):
    """Pauses and seeks; returns once the video has seeked there."""
    driver.execute_script(
        "const v = document.getElementById('player'); v.pause(); window.__seeked = false;"
        "v.addEventListener('seeked', () => { window.__seeked = true; }, { once: true });"
        "v.currentTime = arguments[0];", seconds)
    wait(driver, "window.__seeked === true", timeout, f"seeking to {seconds} s")


def screenshot(driver, directory, name, shots):
    if not directory:
        return
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name + ".png")
    driver.save_screenshot(path)
    shots.append(path)


def product_at(spec):
    identifier, _, seconds = spec.rpartition("@")
    if not identifier:
        raise SystemExit(f"player_check.py: expected ID@SECONDS, got {spec!r}")
    return identifier, float(seconds)


def check_replay(driver, url, source, args, shots):
    separator = "&" if "?" in url else "?"
    driver.get(f"{url}{separator}source={source}")
    timeout = args.timeout
    wait(driver, "document.body.dataset.source && document.getElementById('player').readyState >= 1"
         " && document.getElementById('products').dataset.state === 'ready'"
         " && document.getElementById('chapters-menu').dataset.state === 'ready'"
         " && document.body.dataset.productsTrack === 'ready'", timeout, "the page getting ready")
    report = {"source": driver.execute_script("return document.body.dataset.source"),
              "state": driver.execute_script(STATE)}
    report["chapters"] = driver.execute_script(
        "return Array.from(document.querySelectorAll('#chapters-menu li'), (li) => ({id: li.dataset.cueId,"
        " start: Number(li.dataset.start), text: li.querySelector('.title').textContent}))")
    report["products"] = driver.execute_script(
        "return Array.from(document.querySelectorAll('#products li[data-product-id]'), (li) => li.dataset.productId)")
    report["cards"] = []
    for spec in args.card:
        identifier, seconds = product_at(spec)
        seek(driver, seconds, timeout)
        wait(driver, f"(() => {{ const c = document.getElementById('card'); return !c.hidden && c.dataset.productId === {json.dumps(identifier)}; }})()",
             timeout, f"the card of {identifier} at {seconds} s")
        card = driver.execute_script(CARD)
        card["time"] = seconds
        report["cards"].append(card)
        screenshot(driver, args.screenshots, f"{source}-card-{identifier}", shots)
    if args.gap is not None:
        seek(driver, args.gap, timeout)
        time.sleep(0.5)  # a cue change would have fired by now
        report["gap"] = {"time": args.gap, "card": driver.execute_script(CARD)}
        screenshot(driver, args.screenshots, f"{source}-gap", shots)
    if args.chapter:
        driver.execute_script("window.__seeked = false; document.getElementById('player').addEventListener("
                              "'seeked', () => { window.__seeked = true; }, { once: true });")
        driver.find_element(By.ID, "chapters-button").click()
        wait(driver, "!document.getElementById('chapters-menu').hidden", timeout, "the chapters menu opening")
        screenshot(driver, args.screenshots, f"{source}-chapters-menu", shots)
        driver.find_element(By.CSS_SELECTOR, f"#chapters-menu li[data-cue-id={json.dumps(args.chapter)}] button").click()
        wait(driver, "window.__seeked === true", timeout, f"the seek to chapter {args.chapter}")
        report["chapterSeek"] = {"id": args.chapter, "currentTime": driver.execute_script(
            "return document.getElementById('player').currentTime"),
            "menuClosed": driver.execute_script("return document.getElementById('chapters-menu').hidden")}
    if args.click_product:
        driver.execute_script("window.__seeked = false; document.getElementById('player').addEventListener("
                              "'seeked', () => { window.__seeked = true; }, { once: true });")
        driver.find_element(By.CSS_SELECTOR, f"#products li[data-product-id={json.dumps(args.click_product)}] button.seek").click()
        wait(driver, "window.__seeked === true", timeout, f"the seek to product {args.click_product}")
        report["productSeek"] = {"id": args.click_product, "currentTime": driver.execute_script(
            "return document.getElementById('player').currentTime")}
    if args.keyboard:
        driver.execute_script("window.__seeked = false; document.getElementById('player').addEventListener("
                              "'seeked', () => { window.__seeked = true; }, { once: true });")
        driver.execute_script("document.getElementById('chapters-button').focus()")
        driver.switch_to.active_element.send_keys(Keys.ENTER)
        wait(driver, "!document.getElementById('chapters-menu').hidden", timeout, "Enter opening the chapters menu")
        first = driver.execute_script("return document.activeElement.closest('li')?.dataset.cueId || null")
        driver.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
        second = driver.execute_script("return document.activeElement.closest('li')?.dataset.cueId || null")
        driver.switch_to.active_element.send_keys(Keys.ENTER)
        wait(driver, "window.__seeked === true", timeout, "Enter on a chapter seeking")
        report["keyboard"] = {
            "focusedOnOpen": first, "focusedAfterArrow": second,
            "currentTime": driver.execute_script("return document.getElementById('player').currentTime"),
            "focusBackOnButton": driver.execute_script("return document.activeElement.id === 'chapters-button'"),
            "menuClosed": driver.execute_script("return document.getElementById('chapters-menu').hidden"),
        }
        driver.switch_to.active_element.send_keys(Keys.ENTER)
        wait(driver, "!document.getElementById('chapters-menu').hidden", timeout, "the menu opening again")
        driver.switch_to.active_element.send_keys(Keys.ESCAPE)
        report["keyboard"]["escapeCloses"] = driver.execute_script(
            "return document.getElementById('chapters-menu').hidden && document.activeElement.id === 'chapters-button'")
    if args.storyboard is not None:
        wait(driver, "document.body.dataset.storyboard === 'ready'", timeout, "the storyboard cues loading")
        bar = driver.find_element(By.ID, "seekbar")
        width = bar.size["width"]
        duration = driver.execute_script("return Number(document.getElementById('seekbar').max)")
        offset = int(width * args.storyboard / duration - width / 2)
        ActionChains(driver).move_to_element_with_offset(bar, offset, 0).perform()
        wait(driver, "!document.getElementById('preview').hidden", timeout, "the scrub bar preview showing")
        report["storyboard"] = driver.execute_script(
            "const p = document.getElementById('preview'); const i = p.querySelector('.preview-image');"
            "return {tile: p.dataset.tile || null, time: p.querySelector('.preview-time').textContent,"
            " image: i.style.backgroundImage, position: i.style.backgroundPosition, width: i.style.width};")
        screenshot(driver, args.screenshots, f"{source}-storyboard", shots)
        ActionChains(driver).move_to_element(driver.find_element(By.ID, "page-title")).perform()
    if args.captions:
        driver.execute_script(
            "for (const t of document.getElementById('player').textTracks) if (t.kind === 'subtitles') t.mode = 'hidden';")
        wait(driver, "Array.from(document.getElementById('player').textTracks).filter((t) => t.kind === 'subtitles')"
             ".every((t) => t.cues && t.cues.length > 0)", timeout, "the caption tracks loading")
        report["captions"] = driver.execute_script(
            "return Array.from(document.getElementById('player').textTracks).filter((t) => t.kind === 'subtitles')"
            ".map((t) => ({language: t.language, label: t.label, cues: t.cues.length,"
            " first: t.cues[0].getCueAsHTML().textContent}))")
    if args.phone:
        identifier, seconds = product_at(args.phone)
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
        driver.get(f"{url}{separator}source={source}")
        wait(driver, "document.getElementById('player').readyState >= 1"
             " && document.body.dataset.productsTrack === 'ready'", timeout, "the page getting ready at phone width")
        seek(driver, seconds, timeout)
        wait(driver, f"(() => {{ const c = document.getElementById('card'); return !c.hidden && c.dataset.productId === {json.dumps(identifier)}; }})()",
             timeout, f"the card of {identifier} at phone width")
        layout = driver.execute_script(
            "return {innerWidth: window.innerWidth, scrollWidth: document.documentElement.scrollWidth,"
            " videoWidth: document.getElementById('player').getBoundingClientRect().width,"
            " buyHeight: document.querySelector('#card .card-buy').getBoundingClientRect().height};")
        layout["card"] = driver.execute_script(CARD)
        report["phone"] = layout
        screenshot(driver, args.screenshots, f"{source}-phone", shots)
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    report["messages"] = driver.execute_script(
        "return Array.from(document.querySelectorAll('.message:not([hidden])'), (m) => m.textContent)")
    return report


def fetch_text(url):
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Cache-Control": "no-cache"}), timeout=5) as response:
        return response.read().decode("utf-8")


def check_live(driver, args, shots):
    timeout = args.timeout
    driver.get(args.url)
    wait(driver, "document.body.dataset.live === 'following'", timeout, "the page following the live playlist")
    before = driver.execute_script(CARD)
    screenshot(driver, args.screenshots, "live-before-pin", shots)
    marker = json.loads(args.marker)
    token = os.environ.get(args.token_env or "", "")
    request = urllib.request.Request(
        args.api.rstrip("/") + "/v1/markers", data=json.dumps(marker).encode("utf-8"), method="POST",
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    pinned_at = time.monotonic()
    with urllib.request.urlopen(request, timeout=10) as response:
        status = response.status
    playlist_url = driver.execute_script(
        "return new URL(new URLSearchParams(location.search).get('live'), document.baseURI).href")
    if "#EXT-X-STREAM-INF" in fetch_text(playlist_url):
        master = fetch_text(playlist_url).splitlines()
        variant = next(line for line in master[master.index(next(l for l in master if l.startswith("#EXT-X-STREAM-INF"))) + 1:]
                       if line and not line.startswith("#"))
        playlist_url = urllib.parse.urljoin(playlist_url, variant)
    in_playlist = None
    on_page = None
    target = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (in_playlist is None or on_page is None):
        if in_playlist is None:
            text = fetch_text(playlist_url)
            target = next((int(line.split(":")[1]) for line in text.splitlines()
                           if line.startswith("#EXT-X-TARGETDURATION:")), target)
            if f'#EXT-X-DATERANGE:ID="{marker["id"]}"' in text:
                in_playlist = time.monotonic() - pinned_at
        if on_page is None and driver.execute_script(
                f"const c = document.getElementById('card'); return !c.hidden && c.dataset.productId === {json.dumps(marker['id'])};"):
            on_page = time.monotonic() - pinned_at
        time.sleep(0.1)
    card = driver.execute_script(CARD)
    screenshot(driver, args.screenshots, "live-pinned", shots)
    if on_page is None:
        raise CheckFailed(f"the card of {marker['id']} did not show within {timeout:.0f} s; the page: "
                          f"{json.dumps(driver.execute_script(STATE))}")
    return {"status": status, "cardBefore": before, "secondsToPlaylist": in_playlist, "secondsToCard": on_page,
            "targetDuration": target, "card": card, "state": driver.execute_script(STATE)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("replay", "live"))
    parser.add_argument("url")
    parser.add_argument("--sources", default="hls,mp4")
    parser.add_argument("--card", action="append", default=[], metavar="ID@SECONDS")
    parser.add_argument("--gap", type=float)
    parser.add_argument("--chapter")
    parser.add_argument("--click-product")
    parser.add_argument("--storyboard", type=float)
    parser.add_argument("--keyboard", action="store_true")
    parser.add_argument("--phone", metavar="ID@SECONDS")
    parser.add_argument("--captions", action="store_true")
    parser.add_argument("--api")
    parser.add_argument("--token-env")
    parser.add_argument("--marker")
    parser.add_argument("--screenshots")
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()
    if args.mode == "live" and not (args.api and args.marker):
        parser.error("live needs --api and --marker")
    driver = browser()
    shots = []
    try:
        if args.mode == "replay":
            result = {"runs": [check_replay(driver, args.url, source, args, shots)
                               for source in args.sources.split(",")]}
        else:
            result = check_live(driver, args, shots)
        result["screenshots"] = shots
        print(json.dumps(result))
    except CheckFailed as failure:
        print(f"player_check.py: {failure}", file=sys.stderr)
        sys.exit(1)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
