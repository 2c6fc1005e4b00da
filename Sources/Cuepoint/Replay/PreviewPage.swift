/// The preview page of a replay package: one self-contained HTML5 file (`index.html`) that
/// plays `replay.mp4`, lists the products of `products.json` and the chapters of
/// `chapters.vtt`, and seeks the video when one of them is chosen.
///
/// The page has no external assets and only relative URLs, so it works from whatever
/// base URL the package is served at (and from `file://` apart from the `fetch` of
/// `products.json`, which browsers refuse there; the page then says so).
///
/// What the page exposes for tests and tools (`Tests/Support/chromium_check.py` relies on it):
/// - `video#player` with one `<track kind="chapters">`, set to mode `hidden` so its cues load;
/// - `#products` gets `data-state="ready"` (or `"error"`) once `products.json` is handled, and
///   each product is an `li[data-product-id]` whose `button.seek` seeks to the product's start;
/// - `#chapters` gets `data-state="ready"` (or `"error"`) once the track's cues are handled, and
///   each chapter is an `li[data-cue-id]` with a `button.seek`;
/// - the product and the chapter under the playhead have `aria-current="true"`.
public enum PreviewPage {
    /// The page for a replay package.
    ///
    /// - Parameter title: shown as the page title and heading; HTML-escaped here, so any
    ///   text is safe.
    /// - Returns: the complete HTML document, UTF-8 text.
    public static func html(title: String) -> String {
        let escapedTitle = escapeHTML(title)
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escapedTitle)</title>
            <style>
            \(stylesheet)
            </style>
            </head>
            <body>
            <header><h1>\(escapedTitle)</h1></header>
            <main>
            <section class="player" aria-label="Replay">
            <video id="player" controls preload="metadata" playsinline src="replay.mp4">
            <track kind="chapters" src="chapters.vtt" srclang="en" label="Chapters" default>
            Your browser cannot play this video. <a href="replay.mp4">Download the replay</a>.
            </video>
            <p id="video-message" class="message" role="alert" hidden></p>
            </section>
            <section class="lists">
            <h2 id="products-heading">Products</h2>
            <p id="products-message" class="message" role="alert" hidden></p>
            <ul id="products" aria-labelledby="products-heading" aria-busy="true"></ul>
            <h2 id="chapters-heading">Chapters</h2>
            <p id="chapters-message" class="message" role="alert" hidden></p>
            <ul id="chapters" aria-labelledby="chapters-heading" aria-busy="true"></ul>
            </section>
            </main>
            <script>
            \(script)
            </script>
            </body>
            </html>

            """
    }

    /// Replaces the five characters that are special in HTML text and attribute values.
    static func escapeHTML(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    // One column on a phone; video beside the lists on a wide screen.
    static let stylesheet = """
        :root { color-scheme: light dark; --accent: #0a66c2; --active: rgba(10, 102, 194, 0.16); }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
        header { padding: 0.75rem 1rem; border-bottom: 1px solid rgba(128, 128, 128, 0.3); }
        h1 { font-size: 1.25rem; margin: 0; overflow-wrap: anywhere; }
        h2 { font-size: 1.05rem; margin: 1rem 0 0.5rem; }
        main { display: grid; gap: 1rem; padding: 1rem; max-width: 80rem; margin: 0 auto; }
        @media (min-width: 52rem) { main { grid-template-columns: minmax(0, 2fr) minmax(18rem, 1fr); } }
        .player { position: sticky; top: 0; z-index: 1; align-self: start; }
        @media (min-width: 52rem) { .player { position: static; } }
        video { display: block; width: 100%; max-height: 70vh; background: #000; }
        ul { list-style: none; margin: 0; padding: 0; }
        li { display: flex; flex-wrap: wrap; align-items: center; gap: 0.25rem 0.75rem;
             padding: 0.5rem; border-radius: 0.5rem; border: 1px solid transparent; }
        li + li { margin-top: 0.25rem; }
        li[aria-current="true"] { background: var(--active); border-color: var(--accent); }
        button.seek { flex: 1 1 12rem; display: flex; align-items: center; gap: 0.75rem; min-height: 2.75rem;
                      padding: 0.25rem; border: 0; background: none; color: inherit; font: inherit;
                      text-align: start; cursor: pointer; }
        button.seek:focus-visible, a:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
        .thumb { width: 6rem; aspect-ratio: 16 / 9; object-fit: cover; border-radius: 0.25rem; flex: none;
                 background: rgba(128, 128, 128, 0.2); }
        .text { display: flex; flex-direction: column; min-width: 0; }
        .title { font-weight: 600; overflow-wrap: anywhere; }
        .meta { font-size: 0.9rem; opacity: 0.8; font-variant-numeric: tabular-nums; }
        .links { display: flex; gap: 0.75rem; }
        .links a { display: inline-block; padding: 0.5rem 0.25rem; color: var(--accent); }
        .message { padding: 0.75rem; border-radius: 0.5rem; background: #fde7e9; color: #7a0010; }
        .empty { opacity: 0.8; padding: 0.5rem; }
        """

    // Built with DOM calls and textContent only, so text from products.json or the
    // VTT file is never parsed as HTML. Links from products.json are kept only when
    // they are http(s) (buy, image) or a relative path inside the package (clip, thumbnail).
    static let script = """
        "use strict";
        (() => {
          const video = document.getElementById("player");
          const trackElement = video.querySelector("track");
          const productList = document.getElementById("products");
          const chapterList = document.getElementById("chapters");
          let products = [];

          function showMessage(id, text) {
            const element = document.getElementById(id);
            element.textContent = text;
            element.hidden = false;
          }

          function formatTime(seconds) {
            const total = Math.max(0, Math.floor(seconds));
            const h = Math.floor(total / 3600), m = Math.floor(total % 3600 / 60), s = total % 60;
            const mm = String(m).padStart(2, "0"), ss = String(s).padStart(2, "0");
            return h > 0 ? h + ":" + mm + ":" + ss : mm + ":" + ss;
          }

          function seek(seconds) {
            video.currentTime = seconds;
            const playing = video.play();
            if (playing) playing.catch(() => {});
          }

          function webURL(value) {
            if (typeof value !== "string") return null;
            try {
              const url = new URL(value, document.baseURI);
              return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
            } catch (e) { return null; }
          }

          function packageURL(value) {
            if (typeof value !== "string" || value === "" || value.startsWith("/") || value.includes("..")
                || /^[a-z][a-z0-9+.-]*:/i.test(value)) return null;
            return value;
          }

          // Text from the package gets dir="auto", so right-to-left titles read correctly.
          function element(tag, className, text) {
            const node = document.createElement(tag);
            if (className) node.className = className;
            if (text !== undefined) { node.textContent = text; node.dir = "auto"; }
            return node;
          }

          function link(href, text, label) {
            const a = element("a", null, text);
            a.href = href;
            if (label) a.setAttribute("aria-label", label);
            return a;
          }

          function renderProducts(list) {
            productList.replaceChildren();
            for (const product of list) {
              const item = element("li");
              item.dataset.productId = product.id;
              const button = element("button", "seek");
              button.type = "button";
              const image = packageURL(product.thumbnail) || webURL(product.image);
              if (image) {
                const img = element("img", "thumb");
                img.src = image;
                img.alt = product.title;
                img.loading = "lazy";
                button.append(img);
              }
              const text = element("span", "text");
              text.append(element("span", "title", product.title));
              const meta = [formatTime(product.start)];
              if (typeof product.price === "string" && product.price !== "") {
                meta.push(product.price + (product.currency ? " " + product.currency : ""));
              }
              text.append(element("span", "meta", meta.join(" · ")));
              button.append(text);
              button.setAttribute("aria-label", "Play from " + formatTime(product.start) + ": " + product.title);
              button.addEventListener("click", () => seek(product.start));
              item.append(button);
              const links = element("span", "links");
              const buy = webURL(product.url);
              if (buy) {
                const a = link(buy, "Buy", "Buy " + product.title + " (opens in a new tab)");
                a.target = "_blank";
                a.rel = "noopener noreferrer";
                links.append(a);
              }
              const clip = packageURL(product.clip);
              if (clip) {
                const a = link(clip, "Clip", "Download the clip of " + product.title);
                a.download = "";
                links.append(a);
              }
              if (links.childElementCount > 0) item.append(links);
              productList.append(item);
            }
            if (list.length === 0) productList.append(element("li", "empty", "No products in this replay."));
          }

          function validProduct(p) {
            return p && typeof p.id === "string" && typeof p.title === "string"
              && typeof p.start === "number" && isFinite(p.start)
              && (p.end === undefined || (typeof p.end === "number" && isFinite(p.end)));
          }

          async function loadProducts() {
            try {
              const response = await fetch("products.json", { cache: "no-cache" });
              if (!response.ok) throw new Error("HTTP " + response.status);
              const body = await response.json();
              if (!body || !Array.isArray(body.products)) throw new Error("no \\"products\\" array");
              products = body.products.filter(validProduct);
              renderProducts(products);
              highlight();
              productList.dataset.state = "ready";
            } catch (error) {
              productList.dataset.state = "error";
              showMessage("products-message", "The product list could not be loaded (products.json: "
                + error.message + "). The video still plays.");
            }
            productList.removeAttribute("aria-busy");
          }

          // The product whose [start, end) holds the playhead (with overlaps, the latest start),
          // and the chapter that holds it.
          function highlight() {
            const t = video.currentTime;
            let current = null;
            for (const p of products) {
              const end = typeof p.end === "number" ? p.end : Infinity;
              if (p.start <= t && t < end && (!current || p.start >= current.start)) current = p;
            }
            for (const item of productList.children) {
              if (current && item.dataset.productId === current.id) item.setAttribute("aria-current", "true");
              else item.removeAttribute("aria-current");
            }
            const cues = chaptersDone ? trackElement.track.cues : null;
            for (const item of chapterList.children) {
              const cue = cues && item.dataset.cueIndex !== undefined ? cues[Number(item.dataset.cueIndex)] : null;
              if (cue && cue.startTime <= t && t < cue.endTime) item.setAttribute("aria-current", "true");
              else item.removeAttribute("aria-current");
            }
          }

          // VTTCue.text is the raw cue text, with WebVTT escapes such as &amp; still in it.
          function cueText(cue) {
            return typeof cue.getCueAsHTML === "function" ? cue.getCueAsHTML().textContent : cue.text;
          }

          let chaptersDone = false;
          function renderChapters() {
            if (chaptersDone) return;
            const cues = trackElement.track.cues;
            if (!cues) return;
            chaptersDone = true;
            chapterList.replaceChildren();
            Array.from(cues).forEach((cue, index) => {
              const item = element("li");
              item.dataset.cueId = cue.id;
              item.dataset.cueIndex = String(index);
              const button = element("button", "seek");
              button.type = "button";
              const text = element("span", "text");
              text.append(element("span", "title", cueText(cue)));
              text.append(element("span", "meta", formatTime(cue.startTime) + " – " + formatTime(cue.endTime)));
              button.append(text);
              button.addEventListener("click", () => seek(cue.startTime));
              item.append(button);
              chapterList.append(item);
            });
            if (cues.length === 0) chapterList.append(element("li", "empty", "No chapters in this replay."));
            chapterList.dataset.state = "ready";
            chapterList.removeAttribute("aria-busy");
            highlight();
          }

          function chaptersFailed() {
            if (chaptersDone) return;
            chaptersDone = true;
            chapterList.dataset.state = "error";
            chapterList.removeAttribute("aria-busy");
            showMessage("chapters-message", "The chapters could not be loaded (chapters.vtt).");
          }

          // Cues are loaded only for tracks whose mode is not "disabled"; "hidden" loads them
          // without asking the player to draw anything.
          trackElement.track.mode = "hidden";
          trackElement.addEventListener("load", renderChapters);
          trackElement.addEventListener("error", chaptersFailed);
          if (trackElement.readyState === HTMLTrackElement.LOADED) renderChapters();
          if (trackElement.readyState === HTMLTrackElement.ERROR) chaptersFailed();

          const videoErrors = { 1: "loading was aborted", 2: "a network error", 3: "the video could not be decoded",
                                4: "the video is missing or its format is not supported" };
          function videoFailed() {
            const code = video.error ? video.error.code : 0;
            showMessage("video-message", "The replay video could not be played (replay.mp4: "
              + (videoErrors[code] || "unknown error") + ").");
          }
          video.addEventListener("error", videoFailed);
          if (video.error) videoFailed();
          video.addEventListener("timeupdate", highlight);
          video.addEventListener("seeked", highlight);

          loadProducts();
        })();
        """
}
