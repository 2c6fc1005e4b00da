#!/usr/bin/env python3
"""Load a replay preview page in headless Chromium and report what the page shows.

    python3 Tests/Support/chromium_check.py URL [--click PRODUCT_ID] [--timeout SECONDS]

URL is the preview page of a replay package (the `index.html` written by
`PreviewPage.html(title:)`), served over http. The script waits (at most --timeout seconds,
default 30) until the video has its metadata (readyState >= 1), the chapters track has
loaded its cues, the page has listed the chapters, and the product list is rendered. With
--click it then clicks the product's entry with a real mouse event (CDP Input events at the
entry's position, not element.click()) and waits for the video's `seeked` event.

Prints one JSON object on stdout:
    {"duration": 20.0, "videoError": null, "readyState": 4,
     "chapterCues": [{"id": "p-0001", "start": 1.5, "end": 5.5, "text": "…"}],
     "products": ["p-0001", …], "seekedTo": 6.0}
`text` is the cue text as shown (WebVTT escapes like `&amp;` decoded). `seekedTo` is
`video.currentTime` at the `seeked` event after the click (null without --click).

Exit status: 0 with the JSON; 1 when the page never gets ready, the video, products.json or
chapters.vtt fails to load, or the click does not seek (message on stderr, nothing on
stdout); 2 for bad arguments; 3 when Chromium is not installed.

How it talks to Chromium: `--remote-debugging-pipe`, i.e. the Chrome DevTools Protocol over
fds 3 (commands in) and 4 (responses and events out), each message one JSON text followed
by a NUL byte. No port, no websocket, only the Python standard library. Chromium runs with
`--headless=new`, a temporary `--user-data-dir` (removed afterwards), `--mute-audio`,
`--autoplay-policy=no-user-gesture-required`, and `--no-sandbox` when run as root. Set
CHROMIUM to use another binary. Playback is real time, so a page takes a few seconds.
"""

import argparse
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

EXIT_NOT_READY = 1
EXIT_NO_CHROMIUM = 3

# Everything the script reads from the page, in one evaluation. Non-finite numbers become
# null (CDP cannot return NaN by value).
STATE_EXPRESSION = r"""
(() => {
  const num = (x) => (typeof x === "number" && isFinite(x) ? x : null);
  // The cue text as shown (WebVTT escapes such as &amp; decoded, tags dropped).
  const cueText = (c) => (typeof c.getCueAsHTML === "function" ? c.getCueAsHTML().textContent : c.text);
  const video = document.querySelector("video#player");
  const track = video && video.querySelector("track[kind=chapters]");
  const productList = document.getElementById("products");
  const chapterList = document.getElementById("chapters");
  const cues = track && track.track.cues ? Array.from(track.track.cues) : [];
  return {
    // Until the page's own document is parsed, evaluation may still see about:blank.
    documentParsed: location.href !== "about:blank" && document.readyState !== "loading",
    httpStatus: (performance.getEntriesByType("navigation")[0] || {}).responseStatus || null,
    hasVideo: !!video,
    duration: video ? num(video.duration) : null,
    videoError: video && video.error ? video.error.code : null,
    readyState: video ? video.readyState : 0,
    trackReadyState: track ? track.readyState : -1,
    chapterCues: cues.map((c) => ({ id: c.id, start: c.startTime, end: c.endTime, text: cueText(c) })),
    chapterListState: chapterList ? chapterList.dataset.state || null : null,
    productListState: productList ? productList.dataset.state || null : null,
    products: productList ? Array.from(productList.querySelectorAll("[data-product-id]"),
                                       (li) => li.dataset.productId) : [],
    messages: Array.from(document.querySelectorAll(".message:not([hidden])"), (m) => m.textContent),
  };
})()
"""


class CheckFailed(Exception):
    """Chromium did not do what was asked; the message says why, Chromium's log may tell more."""


class CommandRefused(CheckFailed):
    """Chromium answered a command with an error (e.g. the page's context was just replaced)."""


class PageFailed(CheckFailed):
    """The page did not get ready or did not behave; the message says it all."""


class DevToolsPipe:
    """A minimal Chrome DevTools Protocol client over Chromium's debugging pipe."""

    def __init__(self, write_fd, read_fd):
        self.write_fd = write_fd
        self.read_fd = read_fd
        self.buffer = b""
        self.next_id = 0

    def call(self, method, params=None, session_id=None, timeout=10.0):
        """Sends one command and returns its `result`; raises CheckFailed on a protocol error."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session_id:
            message["sessionId"] = session_id
        data = json.dumps(message).encode() + b"\0"
        while data:
            written = os.write(self.write_fd, data)
            data = data[written:]
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline)
            if reply is None:
                raise CheckFailed(f"Chromium did not answer {method} within {timeout:.0f} s")
            if reply.get("id") != self.next_id:
                continue  # an event or a late reply; this client does not need them
            if "error" in reply:
                raise CommandRefused(f"{method}: {reply['error'].get('message', reply['error'])}")
            return reply.get("result", {})

    def _receive(self, deadline):
        while b"\0" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self.read_fd], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(self.read_fd, 1 << 16)
            if not chunk:
                raise CheckFailed("Chromium closed the debugging pipe (it exited)")
            self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b"\0")
        return json.loads(message)


def find_chromium():
    override = os.environ.get("CHROMIUM")
    if override:
        return override if os.access(override, os.X_OK) else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def launch(binary, profile, log):
    """Starts Chromium with the debugging pipe on fds 3 and 4; returns (process, client)."""
    to_chromium_read, to_chromium_write = os.pipe()
    from_chromium_read, from_chromium_write = os.pipe()

    def move_pipe_to_fds_3_and_4():
        # Runs in the child between fork and exec. Copy both ends above 4 first, so that
        # neither dup2 below can overwrite the other's source; dup2 makes them inheritable.
        import fcntl
        command_end = fcntl.fcntl(to_chromium_read, fcntl.F_DUPFD, 10)
        reply_end = fcntl.fcntl(from_chromium_write, fcntl.F_DUPFD, 10)
        os.dup2(command_end, 3)
        os.dup2(reply_end, 4)

    args = [
        binary,
        "--headless=new",
        f"--user-data-dir={profile}",
        "--remote-debugging-pipe",
        "--autoplay-policy=no-user-gesture-required",
        "--mute-audio",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-extensions",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "about:blank",
    ]
    if os.geteuid() == 0:
        args.insert(2, "--no-sandbox")  # Chromium refuses to start as root with its sandbox
    process = subprocess.Popen(
        args,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        pass_fds=(3, 4),
        preexec_fn=move_pipe_to_fds_3_and_4,
        start_new_session=True,  # so its helper processes can be stopped together with it
    )
    os.close(to_chromium_read)
    os.close(from_chromium_write)
    return process, DevToolsPipe(to_chromium_write, from_chromium_read)


def evaluate(client, session, expression, await_promise=False, timeout=10.0):
    """The value of a JavaScript expression in the page; None when the page threw."""
    result = client.call(
        "Runtime.evaluate",
        {"expression": expression, "returnByValue": True, "awaitPromise": await_promise},
        session_id=session,
        timeout=timeout,
    )
    if "exceptionDetails" in result:
        return None
    return result.get("result", {}).get("value")


def is_ready(state):
    return (
        state["readyState"] >= 1
        and state["trackReadyState"] == 2
        and state["chapterListState"] == "ready"
        and state["productListState"] == "ready"
    )


def failure_reason(state):
    """Why the page can never get ready, or None while it still may."""
    if not state["documentParsed"]:
        return None
    if state["httpStatus"] and state["httpStatus"] >= 400:
        return f"the page answered HTTP {state['httpStatus']}"
    if not state["hasVideo"]:
        return "the page has no <video id=\"player\">"
    if state["videoError"] is not None:
        return f"the video failed to load (MediaError code {state['videoError']})"
    if state["trackReadyState"] == 3:
        return "the chapters track failed to load"
    if state["trackReadyState"] == -1:
        return "the video has no <track kind=\"chapters\">"
    if state["productListState"] == "error":
        return "the product list failed to load"
    if state["chapterListState"] == "error":
        return "the chapter list failed to load"
    return None


def wait_until_ready(client, session, deadline):
    state = None
    while time.monotonic() < deadline:
        try:
            state = evaluate(client, session, STATE_EXPRESSION, timeout=max(1.0, deadline - time.monotonic()))
        except CommandRefused:
            pass  # e.g. the execution context was replaced by navigation; try again
        if state:
            if is_ready(state):
                return state
            reason = failure_reason(state)
            if reason:
                raise PageFailed(f"{reason}; page state: {json.dumps(state)}")
        time.sleep(0.2)
    raise PageFailed(f"the page did not get ready in time; last page state: {json.dumps(state)}")


def click_product(client, session, product_id, deadline):
    """Clicks the product's seek button with real mouse events; returns currentTime at `seeked`."""
    selector = json.dumps(product_id)
    where = evaluate(
        client,
        session,
        f"""
        (() => {{
          const item = document.querySelector('#products [data-product-id="' + CSS.escape({selector}) + '"]');
          const target = item && (item.querySelector("button.seek") || item);
          if (!target) return null;
          target.scrollIntoView({{block: "center", inline: "center"}});
          const video = document.querySelector("video#player");
          window.__chromiumCheckSeek = new Promise((resolve) => {{
            video.addEventListener("seeked", () => resolve(video.currentTime), {{once: true}});
          }});
          const rect = target.getBoundingClientRect();
          const x = rect.left + Math.min(rect.width / 2, 40), y = rect.top + rect.height / 2;
          const hit = document.elementFromPoint(x, y);
          const covered = !hit || !target.contains(hit);
          return {{x, y, covered, hit: hit ? hit.outerHTML.slice(0, 120) : null}};
        }})()
        """,
    )
    if not where:
        raise PageFailed(f"product {product_id!r} is not in the page's product list")
    if where["covered"]:
        raise PageFailed(f"product {product_id!r} cannot be clicked: {where['hit']} is on top of it")
    for event in ("mouseMoved", "mousePressed", "mouseReleased"):
        params = {"type": event, "x": where["x"], "y": where["y"]}
        if event != "mouseMoved":
            params.update(button="left", buttons=1 if event == "mousePressed" else 0, clickCount=1)
        client.call("Input.dispatchMouseEvent", params, session_id=session)
    wait_ms = int(max(0.5, min(10.0, deadline - time.monotonic())) * 1000)
    seeked = evaluate(
        client,
        session,
        f"Promise.race([window.__chromiumCheckSeek, new Promise((r) => setTimeout(() => r(null), {wait_ms}))])",
        await_promise=True,
        timeout=wait_ms / 1000 + 5,
    )
    if seeked is None:
        raise PageFailed(f"clicking product {product_id!r} did not seek the video within {wait_ms / 1000:.1f} s")
    return seeked


def stop(process):
    """Waits for Chromium to exit (after Browser.close), else ends it; then ends any helper it
    left behind. All of them are in the session this script started for it."""
    def signal_group(sig):
        try:
            os.killpg(process.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        signal_group(signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            signal_group(signal.SIGKILL)
            process.wait()
    signal_group(signal.SIGKILL)


def run(url, click, timeout):
    binary = find_chromium()
    if not binary:
        print("chromium_check: Chromium is not installed (apt install chromium, or set CHROMIUM)", file=sys.stderr)
        return EXIT_NO_CHROMIUM
    deadline = time.monotonic() + timeout
    profile = tempfile.mkdtemp(prefix="chromium-check-")
    log = tempfile.TemporaryFile()
    process = None
    try:
        process, client = launch(binary, profile, log)
        target = client.call("Target.createTarget", {"url": "about:blank"}, timeout=20)["targetId"]
        session = client.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        navigation = client.call("Page.navigate", {"url": url}, session_id=session, timeout=20)
        if navigation.get("errorText"):
            raise PageFailed(f"cannot load {url}: {navigation['errorText']}")
        state = wait_until_ready(client, session, deadline)
        seeked_to = click_product(client, session, click, deadline + 10) if click else None
        result = {
            "duration": state["duration"],
            "videoError": state["videoError"],
            "readyState": state["readyState"],
            "chapterCues": state["chapterCues"],
            "products": state["products"],
            "seekedTo": seeked_to,
        }
        print(json.dumps(result))
        try:
            client.call("Browser.close", timeout=5)
        except CheckFailed:
            pass
        return 0
    except CheckFailed as error:
        if process is not None and process.poll() is None:
            process.terminate()
        print(f"chromium_check: {url}: {error}", file=sys.stderr)
        if isinstance(error, PageFailed):
            return EXIT_NOT_READY
        log.seek(0)
        # Chromium always complains that there is no D-Bus on a server; leave that out.
        lines = log.read().decode(errors="replace").splitlines()
        tail = "\n".join([line for line in lines if "dbus" not in line][-15:]).strip()
        if tail:
            print(f"chromium_check: Chromium's output ended with:\n{tail}", file=sys.stderr)
        return EXIT_NOT_READY
    finally:
        if process is not None:
            stop(process)
            os.close(client.write_fd)
            os.close(client.read_fd)
        log.close()
        shutil.rmtree(profile, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="http URL of the preview page")
    parser.add_argument("--click", metavar="PRODUCT_ID", help="click this product and report where the video seeked")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the page (default 30)")
    args = parser.parse_args()
    return run(args.url, args.click, args.timeout)


if __name__ == "__main__":
    sys.exit(main())
