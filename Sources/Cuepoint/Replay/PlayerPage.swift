// One file on purpose (it is longer than most): it is one web page, its HTML, CSS and script
// as the Swift string templates that render it. The script refers to the markup's ids and the
// CSS to its classes on every line; split across files, the three would drift apart unseen.
// `Tests/Support/player_check.py` drives the page in Chromium and relies on the contract
// listed below.

/// The shoppable player of a replay package (`index.html`): one self-contained HTML5 file that
/// plays the replay and shows the product on screen.
///
/// - **Source.** The HLS package (`master.m3u8`) where the browser plays HLS natively (Safari,
///   Chromium with native HLS), `replay.mp4` otherwise. `?source=mp4` or `?source=hls` forces one.
/// - **Product card** over the video while a product is on screen, driven by `products.vtt` (a
///   WebVTT `kind=metadata` track whose cues carry the product card as JSON): title, price
///   formatted for its currency with `Intl.NumberFormat`, image, a Buy link. No player library is
///   needed: browsers expose metadata cues to pages whatever they play.
/// - **Chapters menu** (from `chapters.vtt`), a **scrub bar with storyboard thumbnails** (from
///   `storyboard.vtt` and its sprite sheets, `#xywh=`), **captions** (`captions/<lang>.vtt`, one
///   `<track kind=subtitles>` per language), and the **product list** (a click seeks).
/// - **Live.** `index.html?live=<playlist URL>` plays a live recording (`cuepoint segment … --serve`
///   serves one, with CORS) and shows the card of the product pinned now: the page fetches the
///   playlist itself every few seconds, reads its EXT-X-DATERANGE tags (`X-COM-CUEPOINT-CARD`, the
///   marker as base64url JSON) and shows the date range that is open at the playlist's live edge
///   (the last segment's EXT-X-PROGRAM-DATE-TIME plus its duration), so the client's clock does
///   not matter. Chromium's native HLS exposes no date ranges to pages; reading the playlist works
///   in every browser.
/// - Keyboard and screen readers: every control is a button, link or range input with a label;
///   the card is a polite live region; the chapters menu opens with Enter or Space, moves with the
///   arrow keys and closes with Escape. One column at phone width.
///
/// Text from the package (titles, cue text, URLs) reaches the page through DOM calls and
/// `textContent` only, never as HTML. Links are kept only when they are http(s) (Buy, image) or
/// a relative path inside the package. Only relative URLs are used, so the package works from any
/// base URL.
///
/// What tests and tools rely on (`Tests/Support/player_check.py`):
/// - `video#player`; `body[data-source]` is `hls`, `mp4` or `live` once a source is chosen;
/// - live: `body[data-live]` is `waiting` until the playlist can be read (a show not started yet),
///   then `following` (or `retrying` after a failed poll); the video gets its source once the
///   playlist is readable;
/// - `#card` is hidden unless a product is on screen, then has `data-product-id`, `.card-title`,
///   `.card-price` and `a.card-buy`;
/// - `#chapters-menu` gets `data-state="ready"` with one `li[data-cue-id]` (a `button`) per chapter;
///   `#chapters-button` opens it;
/// - `#products` gets `data-state="ready"` with one `li[data-product-id]` (a `button.seek`) per product;
/// - `#seekbar` is the scrub bar; `#preview` shows the storyboard tile under the pointer and
///   `body[data-storyboard]` is `ready` once its cues are read.
public enum PlayerPage {
    /// One caption language of the package.
    public struct Caption: Sendable, Equatable {
        public var language: String
        public var name: String
        /// The whole-show WebVTT file, relative to the package.
        public var url: String

        public init(language: String, name: String, url: String) {
            self.language = language
            self.name = name
            self.url = url
        }
    }

    /// What the page offers.
    public struct Configuration: Sendable, Equatable {
        /// The page title and heading.
        public var title: String
        /// The BCP-47 language of the package (chapter titles; prices are formatted in it).
        public var language: String
        /// Whether `replay.mp4` exists (the fallback where HLS does not play).
        public var hasMP4: Bool
        public var captions: [Caption]
        /// Whether `storyboard.vtt` exists.
        public var storyboard: Bool

        public init(title: String, language: String = "en", hasMP4: Bool = true, captions: [Caption] = [], storyboard: Bool = true) {
            self.title = title
            self.language = language
            self.hasMP4 = hasMP4
            self.captions = captions
            self.storyboard = storyboard
        }
    }

    /// The page.
    ///
    /// - Returns: The complete HTML document, UTF-8 text. Every value of `configuration` is
    ///   HTML-escaped here, so any text is safe.
    public static func html(_ configuration: Configuration) -> String {
        let title = escapeHTML(configuration.title)
        let language = escapeHTML(configuration.language)
        var tracks = [
            #"<track kind="chapters" src="chapters.vtt" srclang="\#(language)" label="Chapters">"#,
            #"<track kind="metadata" src="products.vtt" label="Products" id="products-track">"#,
        ]
        if configuration.storyboard {
            tracks.append(#"<track kind="metadata" src="storyboard.vtt" label="Storyboard" id="storyboard-track">"#)
        }
        for caption in configuration.captions {
            tracks.append(
                #"<track kind="subtitles" src="\#(escapeHTML(caption.url))" srclang="\#(escapeHTML(caption.language))" label="\#(escapeHTML(caption.name))">"#
            )
        }
        return """
            <!DOCTYPE html>
            <html lang="\(language)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title)</title>
            <style>
            \(stylesheet)
            </style>
            </head>
            <body data-has-mp4="\(configuration.hasMP4 ? "true" : "false")">
            <header><h1 id="page-title">\(title)</h1></header>
            <main>
            <section class="stage" aria-label="Video">
            <div class="frame">
            <video id="player" controls playsinline preload="metadata">
            \(tracks.joined(separator: "\n"))
            Your browser cannot play this video.
            </video>
            <aside id="card" class="card" hidden aria-live="polite" aria-atomic="true" aria-label="Product on screen">
            <img class="card-image" alt="" hidden>
            <div class="card-text"><p class="card-title" dir="auto"></p><p class="card-price"></p></div>
            <a class="card-buy" target="_blank" rel="noopener noreferrer">Buy</a>
            </aside>
            </div>
            <div class="scrub">
            <input type="range" id="seekbar" min="0" max="0" step="0.1" value="0" aria-label="Seek">
            <div id="preview" class="preview" hidden aria-hidden="true"><div class="preview-image"></div><span class="preview-time"></span></div>
            </div>
            <div class="controls">
            <button type="button" id="chapters-button" aria-haspopup="menu" aria-expanded="false" aria-controls="chapters-menu">Chapters</button>
            <ul id="chapters-menu" class="menu" role="menu" aria-labelledby="chapters-button" hidden></ul>
            <span id="live-badge" class="live" hidden>LIVE</span>
            </div>
            <p id="video-message" class="message" role="alert" hidden></p>
            </section>
            <section class="lists">
            <h2 id="products-heading">Products</h2>
            <p id="products-message" class="message" role="alert" hidden></p>
            <ul id="products" aria-labelledby="products-heading" aria-busy="true"></ul>
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

    // One column on a phone; the video beside the products on a wide screen. The card sits over
    // the bottom of the video.
    static let stylesheet = """
        :root { color-scheme: light dark; --accent: #0a66c2; --active: rgba(10, 102, 194, 0.16); }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
        header { padding: 0.75rem 1rem; border-bottom: 1px solid rgba(128, 128, 128, 0.3); }
        h1 { font-size: 1.25rem; margin: 0; overflow-wrap: anywhere; }
        h2 { font-size: 1.05rem; margin: 1rem 0 0.5rem; }
        main { display: grid; gap: 1rem; padding: 1rem; max-width: 80rem; margin: 0 auto; }
        @media (min-width: 52rem) { main { grid-template-columns: minmax(0, 2fr) minmax(18rem, 1fr); } }
        .stage { min-width: 0; }
        .frame { position: relative; }
        video { display: block; width: 100%; max-height: 70vh; background: #000; }
        .card { position: absolute; left: 0.5rem; right: 0.5rem; bottom: 3.5rem; display: flex; align-items: center;
                gap: 0.75rem; padding: 0.5rem 0.75rem; border-radius: 0.75rem; background: rgba(0, 0, 0, 0.72);
                color: #fff; max-width: 28rem; }
        .card[hidden] { display: none; }
        .card-image { width: 4rem; height: 4rem; object-fit: cover; border-radius: 0.5rem; flex: none; }
        .card-text { flex: 1 1 auto; min-width: 0; }
        .card-text p { margin: 0; }
        .card-title { font-weight: 600; overflow-wrap: anywhere; }
        .card-price { font-variant-numeric: tabular-nums; opacity: 0.9; }
        .card-buy { flex: none; padding: 0.6rem 1rem; border-radius: 999px; background: var(--accent); color: #fff;
                    font-weight: 600; text-decoration: none; }
        .scrub { position: relative; margin-top: 0.5rem; }
        #seekbar { width: 100%; min-height: 2.75rem; margin: 0; }
        .preview { position: absolute; bottom: 100%; transform: translateX(-50%); padding: 0.25rem;
                   background: rgba(0, 0, 0, 0.8); color: #fff; border-radius: 0.375rem; pointer-events: none;
                   text-align: center; font-size: 0.8rem; }
        .preview[hidden] { display: none; }
        .preview-image { background-repeat: no-repeat; }
        .controls { position: relative; display: flex; align-items: center; gap: 0.75rem; flex-wrap: wrap; }
        .controls button { min-height: 2.75rem; padding: 0.25rem 1rem; font: inherit; border-radius: 0.5rem;
                           border: 1px solid rgba(128, 128, 128, 0.5); background: none; color: inherit; cursor: pointer; }
        .menu { position: absolute; top: 100%; left: 0; z-index: 2; list-style: none; margin: 0.25rem 0 0; padding: 0.25rem;
                max-height: 50vh; overflow: auto; min-width: min(22rem, 90vw); background: Canvas; color: CanvasText;
                border: 1px solid rgba(128, 128, 128, 0.5); border-radius: 0.5rem; box-shadow: 0 0.5rem 1.5rem rgba(0, 0, 0, 0.25); }
        .menu[hidden] { display: none; }
        .menu button { display: flex; justify-content: space-between; gap: 1rem; width: 100%; border: 0; text-align: start; }
        .menu li[aria-current="true"] button { background: var(--active); }
        .live { padding: 0.2rem 0.6rem; border-radius: 0.25rem; background: #c00; color: #fff; font-weight: 700; }
        .live[hidden] { display: none; }
        ul { list-style: none; margin: 0; padding: 0; }
        #products li { display: flex; flex-wrap: wrap; align-items: center; gap: 0.25rem 0.75rem;
                       padding: 0.5rem; border-radius: 0.5rem; border: 1px solid transparent; }
        #products li + li { margin-top: 0.25rem; }
        #products li[aria-current="true"] { background: var(--active); border-color: var(--accent); }
        button.seek { flex: 1 1 12rem; display: flex; align-items: center; gap: 0.75rem; min-height: 2.75rem;
                      padding: 0.25rem; border: 0; background: none; color: inherit; font: inherit;
                      text-align: start; cursor: pointer; }
        button:focus-visible, a:focus-visible, input:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
        .thumb { width: 6rem; aspect-ratio: 16 / 9; object-fit: cover; border-radius: 0.25rem; flex: none;
                 background: rgba(128, 128, 128, 0.2); }
        .text { display: flex; flex-direction: column; min-width: 0; }
        .title { font-weight: 600; overflow-wrap: anywhere; }
        .meta { font-size: 0.9rem; opacity: 0.8; font-variant-numeric: tabular-nums; }
        .links { display: flex; gap: 0.75rem; }
        .links a { display: inline-block; padding: 0.5rem 0.25rem; color: var(--accent); }
        .message { padding: 0.75rem; border-radius: 0.5rem; background: #fde7e9; color: #7a0010; }
        .empty { opacity: 0.8; padding: 0.5rem; }
        @media (max-width: 40rem) {
          main { padding: 0.5rem; }
          .card { top: 0.25rem; bottom: auto; left: 0.25rem; right: 0.25rem; padding: 0.375rem 0.5rem; font-size: 0.9rem; }
          #products .links { flex-basis: 100%; padding-inline-start: 6.75rem; }
          .card-image { width: 2.75rem; height: 2.75rem; }
          .card-buy { padding: 0.5rem 0.75rem; }
        }
        """

    // Built with DOM calls and textContent only. Every asynchronous step records its outcome in a
    // data- attribute, so a test can wait for it.
    static let script = """
        "use strict";
        (() => {
        \(LivePlaylistScript.functions)
          const video = document.getElementById("player");
          const body = document.body;
          const card = document.getElementById("card");
          const cardImage = card.querySelector(".card-image");
          const cardTitle = card.querySelector(".card-title");
          const cardPrice = card.querySelector(".card-price");
          const cardBuy = card.querySelector(".card-buy");
          const seekbar = document.getElementById("seekbar");
          const preview = document.getElementById("preview");
          const previewImage = preview.querySelector(".preview-image");
          const previewTime = preview.querySelector(".preview-time");
          const menuButton = document.getElementById("chapters-button");
          const menu = document.getElementById("chapters-menu");
          const productList = document.getElementById("products");
          const language = document.documentElement.lang || undefined;
          const params = new URLSearchParams(location.search);
          let products = [];

          function formatTime(seconds) {
            const total = Math.max(0, Math.floor(seconds));
            const h = Math.floor(total / 3600), m = Math.floor(total % 3600 / 60), s = total % 60;
            const mm = String(m).padStart(2, "0"), ss = String(s).padStart(2, "0");
            return h > 0 ? h + ":" + mm + ":" + ss : mm + ":" + ss;
          }

          // Relative paths inside the package only (clips, posters, thumbnails, sheets).
          function packageURL(value) {
            if (typeof value !== "string" || value === "" || value.startsWith("/") || value.includes("..")
                || /^[a-z][a-z0-9+.-]*:/i.test(value)) return null;
            return value;
          }

          function seek(seconds) {
            video.currentTime = seconds;
            const playing = video.play();
            if (playing) playing.catch(() => {});
          }

          // The product card.
          function showCard(product) {
            if (!product || typeof product.title !== "string") {
              card.hidden = true;
              delete card.dataset.productId;
              return;
            }
            if (card.dataset.productId === product.id && !card.hidden) return;
            card.dataset.productId = product.id;
            cardTitle.textContent = product.title;
            cardPrice.textContent = formatPrice(product.price, product.currency);
            const posters = product.posters && typeof product.posters === "object" ? product.posters : {};
            const image = webURL(product.image) || packageURL(product.thumbnail) || packageURL(posters["16x9"]);
            if (image) { cardImage.src = image; cardImage.hidden = false; } else { cardImage.hidden = true; }
            const buy = webURL(product.url);
            if (buy) {
              cardBuy.href = buy;
              cardBuy.hidden = false;
              cardBuy.setAttribute("aria-label", "Buy " + product.title + " (opens in a new tab)");
            } else {
              cardBuy.hidden = true;
            }
            card.hidden = false;
          }

          // Replay: the card of the active products.vtt cue (the latest start wins).
          const productsTrack = document.getElementById("products-track");
          function cardFromCues() {
            if (body.dataset.source === "live") return;
            const cues = productsTrack && productsTrack.track.activeCues;
            let chosen = null;
            if (cues) {
              for (const cue of Array.from(cues)) {
                if (!chosen || cue.startTime >= chosen.startTime) chosen = cue;
              }
            }
            let product = null;
            if (chosen) { try { product = JSON.parse(chosen.text); } catch (e) { product = null; } }
            showCard(product);
            highlight(product ? product.id : null);
          }
          if (productsTrack) {
            productsTrack.track.mode = "hidden";
            productsTrack.track.addEventListener("cuechange", cardFromCues);
            productsTrack.addEventListener("load", () => { body.dataset.productsTrack = "ready"; cardFromCues(); });
            productsTrack.addEventListener("error", () => { body.dataset.productsTrack = "error"; });
          }

          function highlight(id) {
            for (const item of productList.children) {
              if (id && item.dataset.productId === id) item.setAttribute("aria-current", "true");
              else item.removeAttribute("aria-current");
            }
            const t = video.currentTime;
            for (const item of menu.children) {
              const start = Number(item.dataset.start), end = Number(item.dataset.end);
              if (start <= t && t < end) item.setAttribute("aria-current", "true");
              else item.removeAttribute("aria-current");
            }
          }

          // The chapters menu.
          const chaptersTrack = video.querySelector("track[kind=chapters]");
          function cueText(cue) {
            return typeof cue.getCueAsHTML === "function" ? cue.getCueAsHTML().textContent : cue.text;
          }
          let chaptersDone = false;
          function renderChapters() {
            if (chaptersDone || !chaptersTrack.track.cues) return;
            chaptersDone = true;
            menu.replaceChildren();
            for (const cue of Array.from(chaptersTrack.track.cues)) {
              const item = element("li");
              item.setAttribute("role", "none");
              item.dataset.cueId = cue.id;
              item.dataset.start = String(cue.startTime);
              item.dataset.end = String(cue.endTime);
              const button = element("button");
              button.type = "button";
              button.setAttribute("role", "menuitem");
              button.tabIndex = -1;
              button.append(element("span", "title", cueText(cue)), element("span", "meta", formatTime(cue.startTime)));
              button.addEventListener("click", () => { closeMenu(true); seek(cue.startTime); });
              item.append(button);
              menu.append(item);
            }
            menuButton.disabled = menu.children.length === 0;
            menu.dataset.state = "ready";
          }
          chaptersTrack.track.mode = "hidden";
          chaptersTrack.addEventListener("load", renderChapters);
          chaptersTrack.addEventListener("error", () => { menu.dataset.state = "error"; menuButton.disabled = true; });
          if (chaptersTrack.readyState === HTMLTrackElement.LOADED) renderChapters();

          function menuItems() { return Array.from(menu.querySelectorAll("button")); }
          function openMenu() {
            if (menu.children.length === 0) return;
            menu.hidden = false;
            menuButton.setAttribute("aria-expanded", "true");
            const items = menuItems();
            const current = menu.querySelector("li[aria-current=true] button") || items[0];
            if (current) current.focus();
          }
          function closeMenu(refocus) {
            menu.hidden = true;
            menuButton.setAttribute("aria-expanded", "false");
            if (refocus) menuButton.focus();
          }
          menuButton.addEventListener("click", () => { if (menu.hidden) openMenu(); else closeMenu(true); });
          menu.addEventListener("keydown", (event) => {
            const items = menuItems();
            const index = items.indexOf(document.activeElement);
            if (event.key === "Escape") { event.preventDefault(); closeMenu(true); }
            else if (event.key === "ArrowDown") { event.preventDefault(); items[(index + 1) % items.length].focus(); }
            else if (event.key === "ArrowUp") { event.preventDefault(); items[(index - 1 + items.length) % items.length].focus(); }
            else if (event.key === "Home") { event.preventDefault(); items[0].focus(); }
            else if (event.key === "End") { event.preventDefault(); items[items.length - 1].focus(); }
            else if (event.key === "Tab") { closeMenu(false); }
          });
          document.addEventListener("click", (event) => {
            if (!menu.hidden && !menu.contains(event.target) && event.target !== menuButton) closeMenu(false);
          });

          // The scrub bar and its storyboard thumbnails.
          const storyboardTrack = document.getElementById("storyboard-track");
          let tiles = [];
          function readStoryboard() {
            const cues = storyboardTrack.track.cues;
            if (!cues) return;
            tiles = [];
            for (const cue of Array.from(cues)) {
              const match = /^([^#]+)#xywh=(\\d+),(\\d+),(\\d+),(\\d+)$/.exec(cue.text.trim());
              const file = match && packageURL(match[1]);
              if (file) tiles.push({ start: cue.startTime, end: cue.endTime, file, x: +match[2], y: +match[3], w: +match[4], h: +match[5] });
            }
            body.dataset.storyboard = "ready";
          }
          if (storyboardTrack) {
            storyboardTrack.track.mode = "hidden";
            storyboardTrack.addEventListener("load", readStoryboard);
            storyboardTrack.addEventListener("error", () => { body.dataset.storyboard = "error"; });
          }
          function showPreview(seconds, fraction) {
            const tile = tiles.find((t) => t.start <= seconds && seconds < t.end);
            previewTime.textContent = formatTime(seconds);
            if (tile) {
              previewImage.style.width = tile.w + "px";
              previewImage.style.height = tile.h + "px";
              previewImage.style.backgroundImage = "url(\\"" + encodeURI(tile.file) + "\\")";
              previewImage.style.backgroundPosition = (-tile.x) + "px " + (-tile.y) + "px";
              preview.dataset.tile = tile.file + "#" + tile.x + "," + tile.y;
            } else {
              previewImage.style.width = "0";
              previewImage.style.height = "0";
              delete preview.dataset.tile;
            }
            preview.style.left = Math.min(100, Math.max(0, fraction * 100)) + "%";
            preview.hidden = false;
          }
          function pointerSeconds(event) {
            const box = seekbar.getBoundingClientRect();
            const fraction = box.width > 0 ? (event.clientX - box.left) / box.width : 0;
            return { fraction, seconds: fraction * Number(seekbar.max) };
          }
          seekbar.addEventListener("pointermove", (event) => {
            const at = pointerSeconds(event);
            showPreview(at.seconds, at.fraction);
          });
          seekbar.addEventListener("pointerleave", () => { preview.hidden = true; });
          seekbar.addEventListener("blur", () => { preview.hidden = true; });
          seekbar.addEventListener("input", () => {
            const seconds = Number(seekbar.value);
            showPreview(seconds, Number(seekbar.max) > 0 ? seconds / Number(seekbar.max) : 0);
            video.currentTime = seconds;
          });
          function syncSeekbar() {
            if (isFinite(video.duration)) seekbar.max = String(video.duration);
            if (document.activeElement !== seekbar) seekbar.value = String(video.currentTime);
            seekbar.setAttribute("aria-valuetext", formatTime(video.currentTime) + " of " + formatTime(video.duration || 0));
          }
          video.addEventListener("loadedmetadata", syncSeekbar);
          video.addEventListener("durationchange", syncSeekbar);
          video.addEventListener("timeupdate", () => { syncSeekbar(); highlight(card.hidden ? null : card.dataset.productId); });
          video.addEventListener("seeked", () => { syncSeekbar(); cardFromCues(); });

          // The product list.
          function renderProducts(list, seekable) {
            productList.replaceChildren();
            for (const product of list) {
              const item = element("li");
              item.dataset.productId = product.id;
              const button = element("button", "seek");
              button.type = "button";
              const posters = product.posters && typeof product.posters === "object" ? product.posters : {};
              const image = packageURL(product.thumbnail) || packageURL(posters["16x9"]) || webURL(product.image);
              if (image) {
                const img = element("img", "thumb");
                img.src = image;
                img.alt = "";
                img.loading = "lazy";
                button.append(img);
              }
              const text = element("span", "text");
              text.append(element("span", "title", product.title));
              const meta = [];
              if (seekable && typeof product.start === "number") meta.push(formatTime(product.start));
              const price = formatPrice(product.price, product.currency);
              if (price) meta.push(price);
              text.append(element("span", "meta", meta.join(" · ")));
              button.append(text);
              if (seekable) {
                button.setAttribute("aria-label", "Play from " + formatTime(product.start) + ": " + product.title);
                button.addEventListener("click", () => seek(product.start));
              } else {
                button.disabled = true;
              }
              item.append(button);
              const links = element("span", "links");
              const buy = webURL(product.url);
              if (buy) {
                const a = element("a", null, "Buy");
                a.href = buy;
                a.target = "_blank";
                a.rel = "noopener noreferrer";
                a.setAttribute("aria-label", "Buy " + product.title + " (opens in a new tab)");
                links.append(a);
              }
              for (const [key, label] of [["short", "Short"], ["clip", "Clip"]]) {
                const file = packageURL(product[key]);
                if (!file) continue;
                const a = element("a", null, label);
                a.href = file;
                a.download = "";
                a.setAttribute("aria-label", "Download the " + label.toLowerCase() + " of " + product.title);
                links.append(a);
              }
              if (links.childElementCount > 0) item.append(links);
              productList.append(item);
            }
            if (list.length === 0) productList.append(element("li", "empty", "No products yet."));
          }

          function validProduct(p) {
            return p && typeof p.id === "string" && typeof p.title === "string"
              && typeof p.start === "number" && isFinite(p.start);
          }

          async function loadProducts() {
            try {
              const response = await fetch("products.json", { cache: "no-cache" });
              if (!response.ok) throw new Error("HTTP " + response.status);
              const index = await response.json();
              if (!index || !Array.isArray(index.products)) throw new Error("no \\"products\\" array");
              products = index.products.filter(validProduct);
              renderProducts(products, true);
              productList.dataset.state = "ready";
            } catch (error) {
              productList.dataset.state = "error";
              showMessage("products-message", "The product list could not be loaded (products.json: "
                + error.message + "). The video still plays.");
            }
            productList.removeAttribute("aria-busy");
          }

          const videoErrors = { 1: "loading was aborted", 2: "a network error", 3: "the video could not be decoded",
                                4: "the video is missing or its format is not supported" };
          video.addEventListener("error", () => {
            const code = video.error ? video.error.code : 0;
            showMessage("video-message", "The video could not be played (" + (video.currentSrc || "no source") + ": "
              + (videoErrors[code] || "unknown error") + ").");
          });

          async function followLive(address) {
            body.dataset.source = "live";
            document.getElementById("live-badge").hidden = false;
            seekbar.hidden = true;
            menuButton.hidden = true;
            // A show that has not started yet has no playlist: the page waits for it (a 404 or a
            // refused connection is retried every 2 s) and only then gives the video its source.
            let playlist;
            for (;;) {
              try {
                playlist = await mediaPlaylistURL(new URL(address, document.baseURI).href);
                break;
              } catch (error) {
                showMessage("video-message", "Waiting for the live playlist (" + address + ": " + error.message + ").");
                body.dataset.live = "waiting";
                await new Promise((resolve) => setTimeout(resolve, 2000));
              }
            }
            if (nativeHLS) {
              document.getElementById("video-message").hidden = true;
              // The "error" listener above says what went wrong; playLive starts the show again.
              playLive(video, new URL(address, document.baseURI).href, "video-message", null);
            } else {
              showMessage("video-message", "This browser cannot play live HLS; the pinned products are still shown.");
            }
            async function poll() {
              let delay = 2000;
              try {
                const response = await fetch(playlist.url, { cache: "no-store" });
                if (!response.ok) throw new Error("HTTP " + response.status);
                const state = readPlaylist(await response.text());
                delay = Math.max(1000, state.target * 500);
                const pinned = pinnedRange(state);
                const card = pinned ? Object.assign({ id: pinned.id }, pinned.card || {}) : null;
                showCard(card && typeof card.title === "string" ? card : null);
                const seen = state.ranges.filter((r) => r.card && typeof r.card.title === "string")
                  .map((r) => Object.assign({}, r.card, { id: r.id, start: 0 }));
                renderProducts(seen, false);
                highlight(pinned ? pinned.id : null);
                productList.dataset.state = "ready";
                productList.removeAttribute("aria-busy");
                body.dataset.live = "following";
                body.dataset.liveEdge = state.edge === null ? "" : new Date(state.edge).toISOString();
              } catch (error) {
                body.dataset.live = "retrying";
              }
              setTimeout(poll, delay);
            }
            poll();
          }

          // The source.
          const live = params.get("live");
          const nativeHLS = video.canPlayType("application/vnd.apple.mpegurl") !== "";
          const forced = params.get("source");
          const hasMP4 = body.dataset.hasMp4 === "true";
          if (live) {
            followLive(live);
          } else {
            const useHLS = forced === "hls" || (forced !== "mp4" && nativeHLS) || !hasMP4;
            body.dataset.source = useHLS ? "hls" : "mp4";
            video.src = useHLS ? "master.m3u8" : "replay.mp4";
            if (useHLS && !nativeHLS) showMessage("video-message", "This browser cannot play HLS and the package has no replay.mp4.");
            loadProducts();
          }
        })();
        """
}
