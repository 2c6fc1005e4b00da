#!/usr/bin/env python3
"""Drive the producer console (/console) in real Chromium through Selenium, as a producer would.

    python3 Tests/Support/console_check.py CONSOLE_URL --token-env NAME --product ID
        [--player PLAYER_URL] [--screenshots DIR] [--timeout SECONDS]

The script loads the console and waits until it follows the live playlist, then:

  1. types a wrong token: the page must say it was refused (body[data-auth=refused]);
  2. types the right one (from the environment variable NAME): the catalogue shows;
  3. clicks "Pin now" on product ID and measures how long until the live playlist (the first
     variant of the console's master.m3u8) has the pin's EXT-X-DATERANGE, and until the console's
     "what a viewer sees" card shows it; with --player (a player page with ?live=), opens it in a
     second tab and waits for the same card there;
  4. clicks "Pin now" again (the API's 409 is shown), "Unpin" (a closing DATERANGE: the same ID with
     DURATION), and "Unpin" again (the API's 404 is shown);
  5. at 390x844 (a phone) reads whether the page scrolls sideways, and tabs to a "Pin now" button.

Prints one JSON object on stdout. Exit status: 0 with the JSON; 1 when a step fails (the reason on
stderr); 2 for bad arguments; 3 when Selenium, Chromium or chromedriver is missing. Chromium as in
player_check.py (which this script imports for the browser and the waits).
"""

import argparse
import json
import os
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from player_check import CheckFailed, browser, fetch_text, screenshot, wait  # noqa: E402  (one browser setup)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402

STATE = r"""
const card = document.getElementById("card");
const status = document.getElementById("status");
return {
  auth: document.body.dataset.auth || null, live: document.body.dataset.live || null,
  catalogue: document.getElementById("catalogue").dataset.state || null,
  card: card && !card.hidden ? card.dataset.productId : null,
  status: status.dataset.status || null, outcome: status.dataset.outcome || null, statusText: status.textContent,
  markers: Array.from(document.querySelectorAll("#markers tr[data-marker-id]"),
                      (r) => ({ id: r.dataset.markerId, open: r.dataset.open === "true" })),
  messages: Array.from(document.querySelectorAll(".message:not([hidden])"), (m) => m.textContent),
};
"""

CARD = r"""
const card = document.getElementById("card");
if (card.hidden) return null;
return { id: card.dataset.productId, title: card.querySelector(".card-title").textContent,
         price: card.querySelector(".card-price").textContent };
"""


def state(driver):
    return driver.execute_script(STATE)


def type_token(driver, token):
    field = driver.find_element(By.ID, "token")
    field.clear()
    field.send_keys(token)
    field.send_keys(Keys.ENTER)


def click(driver, product, kind, timeout):
    """Clicks Pin now or Unpin of `product`; returns the status line once it has changed."""
    driver.execute_script("const s = document.getElementById('status'); delete s.dataset.status; s.textContent = '';")
    # The page renders the catalogue again whenever the markers change (each playlist update), so
    # the button found may be replaced before the click lands: find it again and click the new one.
    deadline = time.monotonic() + timeout
    while True:
        try:
            driver.find_element(By.CSS_SELECTOR, f'#catalogue li[data-product-id="{product}"] button.{kind}').click()
            break
        except StaleElementReferenceException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    wait(driver, "document.getElementById('status').dataset.status", timeout, f"the answer to {kind} {product}")
    current = state(driver)
    return {"status": int(current["status"]), "outcome": current["outcome"], "text": current["statusText"]}


def media_playlist(url):
    text = fetch_text(url)
    if "#EXT-X-STREAM-INF" not in text:
        return url
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("#EXT-X-STREAM-INF"))
    variant = next(line for line in lines[index + 1:] if line and not line.startswith("#"))
    return urllib.parse.urljoin(url, variant)


def until_playlist(url, predicate, timeout, started):
    """Seconds from `started` (time.monotonic()) until `predicate(text)` holds for the playlist at
    url, its target duration, and the playlist's text then."""
    target = None
    while time.monotonic() - started < timeout:
        text = fetch_text(url)
        target = next((int(line.split(":")[1]) for line in text.splitlines()
                       if line.startswith("#EXT-X-TARGETDURATION:")), target)
        if predicate(text):
            return time.monotonic() - started, target, text
        time.sleep(0.1)
    return None, target, None


def check(driver, args, shots):
    timeout = args.timeout
    token = os.environ.get(args.token_env, "")
    if not token:
        raise CheckFailed(f"the environment variable {args.token_env} is empty")
    driver.get(args.url)
    wait(driver, "document.body.dataset.live === 'following'", timeout, "the console following the live playlist")
    report = {"cardBefore": driver.execute_script(CARD)}
    playlist = media_playlist(urllib.parse.urljoin(driver.execute_script("return document.baseURI"), "master.m3u8"))

    type_token(driver, "wrong-" + token)
    wait(driver, "document.body.dataset.auth === 'refused'", timeout, "the wrong token refused")
    report["wrongToken"] = state(driver)
    screenshot(driver, args.screenshots, "console-wrong-token", shots)

    type_token(driver, token)
    wait(driver, "document.body.dataset.auth === 'ok' && document.getElementById('catalogue').dataset.state === 'ready'",
         timeout, "the right token taken and the catalogue shown")
    report["catalogue"] = driver.execute_script(
        "return Array.from(document.querySelectorAll('#catalogue li[data-product-id]'), (li) => li.dataset.productId)")
    report["tokenInURL"] = token in driver.current_url
    screenshot(driver, args.screenshots, "console-signed-in", shots)

    pin_at = time.monotonic()
    report["pin"] = click(driver, args.product, "pin", timeout)
    pin_id = report["pin"]["text"].rsplit("(", 1)[-1].rstrip(")")
    report["pinID"] = pin_id
    seconds, target, text = until_playlist(playlist, lambda text: f'#EXT-X-DATERANGE:ID="{pin_id}"' in text, timeout, pin_at)
    report["secondsToPlaylist"] = seconds
    report["playlistAtPin"] = text
    report["targetDuration"] = target
    wait(driver, f"!document.getElementById('card').hidden && document.getElementById('card').dataset.productId === {json.dumps(pin_id)}",
         timeout, "the viewer card on the console")
    report["secondsToConsoleCard"] = time.monotonic() - pin_at
    report["consoleCard"] = driver.execute_script(CARD)
    # The live preview plays: frames advance in the browser's own HLS player (restarted by the
    # page when that player gives up; the restarts are reported).
    wait(driver, "document.getElementById('player').dataset.playing === 'true'", timeout, "the live preview playing")
    report["preview"] = driver.execute_script(
        "const v = document.getElementById('player');"
        "return { currentTime: v.currentTime, paused: v.paused, restarts: Number(v.dataset.restarts || 0) };")
    screenshot(driver, args.screenshots, "console-pinned", shots)

    if args.player:
        console = driver.current_window_handle
        driver.switch_to.new_window("tab")
        driver.get(args.player)
        wait(driver, f"!document.getElementById('card').hidden && document.getElementById('card').dataset.productId === {json.dumps(pin_id)}",
             timeout, "the card on the live player page")
        report["playerCard"] = driver.execute_script(CARD)
        # A viewer presses play (the page does not autoplay with sound): a real click on the video.
        driver.find_element(By.ID, "player").click()
        wait(driver, "document.getElementById('player').dataset.playing === 'true'", timeout, "the live player playing")
        report["playerPlaying"] = True
        screenshot(driver, args.screenshots, "player-pinned", shots)
        driver.close()
        driver.switch_to.window(console)

    report["pinAgain"] = click(driver, args.product, "pin", timeout)
    screenshot(driver, args.screenshots, "console-pin-again", shots)

    unpin_at = time.monotonic()
    report["unpin"] = click(driver, args.product, "unpin", timeout)

    def closed(text):
        return any(line.startswith(f'#EXT-X-DATERANGE:ID="{pin_id}"') and "DURATION=" in line for line in text.splitlines())

    report["secondsToClose"], _, report["playlistAtClose"] = until_playlist(playlist, closed, timeout, unpin_at)
    wait(driver, "document.getElementById('card').hidden", timeout, "the viewer card gone after Unpin")
    report["cardAfterUnpin"] = driver.execute_script(CARD)
    report["unpinAgain"] = click(driver, args.product, "unpin", timeout)
    screenshot(driver, args.screenshots, "console-unpinned", shots)

    driver.set_window_size(390, 844)
    time.sleep(0.5)
    report["phone"] = driver.execute_script(
        "return { innerWidth: window.innerWidth, scrollWidth: document.documentElement.scrollWidth };")
    screenshot(driver, args.screenshots, "console-phone", shots)
    # The keyboard: Tab from the token field reaches a Pin now button.
    driver.find_element(By.ID, "token").click()
    reached = None
    # The catalogue re-renders while the page polls, so an element found one moment may be gone
    # the next (StaleElementReference, seen on CI): the key goes to the page, and the focused
    # element is read in the page, in one step.
    for _ in range(30):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        kind, label = driver.execute_script(
            "const e = document.activeElement; return e ? [e.className, e.getAttribute('aria-label')] : ['', null];")
        if kind == "pin":
            reached = label
            break
    report["keyboardPin"] = reached
    report["state"] = state(driver)
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--token-env", required=True)
    parser.add_argument("--product", required=True)
    parser.add_argument("--player")
    parser.add_argument("--screenshots")
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()
    driver = browser()
    shots = []
    try:
        result = check(driver, args, shots)
        result["screenshots"] = shots
        print(json.dumps(result))
    except CheckFailed as failure:
        print(f"console_check.py: {failure}", file=sys.stderr)
        sys.exit(1)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
