// One file on purpose (it is longer than most): it is one web page, its HTML, CSS and script as
// the Swift string templates that render it. The script refers to the markup's ids and the CSS to
// its classes on every line; split across files, the three would drift apart unseen.
// `Tests/Support/console_check.py` drives the page in Chromium and relies on the contract below.

/// The producer console of a live show (`/console`, `/shows/{id}/console`): the page a producer
/// keeps open during the show to pin products.
///
/// - **Token.** The page holds no secret in its URL: the producer types the marker token once; it
///   is kept in `sessionStorage` (this tab only) and sent as `Authorization: Bearer` to the marker
///   API. A refused token (401) is said so, and nothing is pinned.
/// - **Live preview**: the show's `master.m3u8` in a muted `<video>` where the browser plays HLS
///   natively (as the player page does).
/// - **Products**: the catalogue (`GET v1/products`: from `--products FILE` or `PUT v1/products`),
///   each with "Pin now" and "Unpin". Pin now posts a marker to `v1/markers` that starts now, with
///   the card's fields and the id `pin-<product>-<n>` (`n`: the product's closed pins plus one), so
///   a second "Pin now" on a product already pinned sends the id of its open marker and the API
///   refuses it (409), and "Unpin" closes that id (`v1/markers/{id}/close`; 404 when the product is
///   not pinned). Every answer of the API is shown as it came (error and fix).
/// - **Markers placed** (`GET v1/markers`, refreshed every 2 s) and **what a viewer sees**: the card
///   of the date range open at the live playlist's edge, computed by the player's own code
///   (``LivePlaylistScript``).
///
/// The HTML links its script and stylesheet (`/console/console.js`, `/console/console.css`, one
/// copy for every show) so the server can send a Content-Security-Policy without
/// `unsafe-inline`; `<base href>` is the show's root, so the same relative URLs (`v1/markers`,
/// `master.m3u8`) work under `/` and under `/shows/{id}/`. Text from the API
/// reaches the page through `textContent` only. Every control is a button or a labelled input;
/// one column at phone width.
///
/// What tests rely on (`Tests/Support/console_check.py`):
/// - `form#token-form` with `input#token`; `body[data-auth]` is `none`, `checking`, `ok` or `refused`
///   (then `#auth-message` says why);
/// - `#catalogue` gets `data-state="ready"` with one `li[data-product-id]` per product, each with
///   `button.pin`, `button.unpin` and `data-pinned` (`true` or `false`);
/// - `#status` has `data-status` (the HTTP status of the last pin or unpin) and `data-outcome`
///   (`ok` or `error`) and the message;
/// - `#markers` (a table) has one `tr[data-marker-id]` per marker, `data-open` `true` or `false`;
/// - `body[data-live]` is `waiting` until the playlist can be read, then `following`; `#card` is the
///   viewer's card (hidden, or `data-product-id` with `.card-title` and `.card-price`).
public enum ConsolePage {
    /// The console of a live show.
    ///
    /// - Parameters:
    ///   - title: The show's name (the page heading); HTML-escaped here.
    ///   - base: The path the show's files and API are under, ending in `/` (`/`, `/shows/spring/`).
    public static func html(title: String, base: String) -> String {
        let title = PlayerPage.escapeHTML(title)
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <base href="\(PlayerPage.escapeHTML(base))">
            <title>Console · \(title)</title>
            <link rel="stylesheet" href="/console/console.css">
            <script src="/console/console.js" defer></script>
            </head>
            <body data-auth="none" data-live="waiting">
            <header><h1>\(title)</h1><span class="live">LIVE</span></header>
            <main>
            <section class="auth" aria-labelledby="token-heading">
            <h2 id="token-heading">Marker token</h2>
            <form id="token-form" autocomplete="off">
            <label for="token">The show's marker token</label>
            <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required>
            <button type="submit">Use token</button>
            <button type="button" id="token-forget">Forget</button>
            </form>
            <p id="auth-message" class="message" role="alert" hidden></p>
            </section>
            <section class="stage" aria-labelledby="preview-heading">
            <h2 id="preview-heading">Live preview</h2>
            <video id="player" muted autoplay playsinline controls preload="none"></video>
            <p id="video-message" class="message" role="alert" hidden></p>
            </section>
            <section class="viewer" aria-labelledby="viewer-heading">
            <h2 id="viewer-heading">What a viewer sees</h2>
            <p id="viewer-none">No product is pinned at the live edge.</p>
            <aside id="card" class="card" hidden aria-live="polite" aria-atomic="true" aria-label="Product card viewers see">
            <img class="card-image" alt="" hidden>
            <div class="card-text"><p class="card-title" dir="auto"></p><p class="card-price"></p></div>
            <a class="card-buy" target="_blank" rel="noopener noreferrer">Buy</a>
            </aside>
            </section>
            <section class="products" aria-labelledby="catalogue-heading">
            <h2 id="catalogue-heading">Products</h2>
            <p id="status" role="status" aria-live="polite"></p>
            <p id="catalogue-message" class="message" role="alert" hidden></p>
            <ul id="catalogue" aria-labelledby="catalogue-heading" aria-busy="true"></ul>
            </section>
            <section class="placed" aria-labelledby="markers-heading">
            <h2 id="markers-heading">Markers placed</h2>
            <table id="markers" aria-labelledby="markers-heading">
            <thead><tr><th scope="col">Marker</th><th scope="col">Product</th><th scope="col">Start</th><th scope="col">State</th></tr></thead>
            <tbody></tbody>
            </table>
            </section>
            </main>
            </body>
            </html>

            """
    }

    /// The page for a console that cannot run here (a recording that is not live, a finished or
    /// unknown show): what is wrong and what to do, with no script.
    ///
    /// - Parameters:
    ///   - problem: What is wrong, one sentence.
    ///   - fix: What to do instead.
    public static func unavailable(problem: String, fix: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Console unavailable</title>
        </head>
        <body>
        <main>
        <h1>The producer console is not available here</h1>
        <p id="problem">\(PlayerPage.escapeHTML(problem))</p>
        <p id="fix">\(PlayerPage.escapeHTML(fix))</p>
        </main>
        </body>
        </html>

        """
    }

    /// The Content-Security-Policy the console is served with: its own script and stylesheet only
    /// (no inline code, no third-party script), the API and playlists of its own origin, product
    /// images from any https or http shop, media from its origin.
    public static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: http: data:; "
        + "media-src 'self' blob:; connect-src 'self'; base-uri 'self'; form-action 'none'; frame-ancestors 'none'"

    // One column on a phone; preview and viewer card beside the products on a wide screen.
    public static let stylesheet = """
        :root { color-scheme: light dark; --accent: #0a66c2; --active: rgba(10, 102, 194, 0.16); }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
        header { display: flex; align-items: center; gap: 0.75rem; padding: 0.75rem 1rem;
                 border-bottom: 1px solid rgba(128, 128, 128, 0.3); }
        h1 { font-size: 1.25rem; margin: 0; overflow-wrap: anywhere; }
        h2 { font-size: 1.05rem; margin: 0 0 0.5rem; }
        main { display: grid; gap: 1rem; padding: 1rem; max-width: 80rem; margin: 0 auto; }
        @media (min-width: 52rem) { main { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); } }
        section { min-width: 0; }
        .live { padding: 0.2rem 0.6rem; border-radius: 0.25rem; background: #c00; color: #fff; font-weight: 700; }
        form { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; }
        label { flex-basis: 100%; }
        input { flex: 1 1 12rem; min-height: 2.75rem; font: inherit; padding: 0.25rem 0.5rem; min-width: 0; }
        button { min-height: 2.75rem; padding: 0.25rem 1rem; font: inherit; border-radius: 0.5rem; cursor: pointer;
                 border: 1px solid rgba(128, 128, 128, 0.5); background: none; color: inherit; }
        button.pin { background: var(--accent); color: #fff; border-color: var(--accent); }
        button:focus-visible, a:focus-visible, input:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
        video { display: block; width: 100%; max-height: 40vh; background: #000; }
        .card { display: flex; align-items: center; gap: 0.75rem; padding: 0.5rem 0.75rem; border-radius: 0.75rem;
                background: rgba(0, 0, 0, 0.78); color: #fff; max-width: 28rem; }
        .card[hidden] { display: none; }
        .card-image { width: 4rem; height: 4rem; object-fit: cover; border-radius: 0.5rem; flex: none; }
        .card-text { flex: 1 1 auto; min-width: 0; }
        .card-text p { margin: 0; }
        .card-title { font-weight: 600; overflow-wrap: anywhere; }
        .card-buy { flex: none; padding: 0.6rem 1rem; border-radius: 999px; background: var(--accent); color: #fff;
                    font-weight: 600; text-decoration: none; }
        ul { list-style: none; margin: 0; padding: 0; }
        #catalogue li { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 0.75rem; padding: 0.5rem;
                        border-radius: 0.5rem; border: 1px solid rgba(128, 128, 128, 0.3); }
        #catalogue li + li { margin-top: 0.5rem; }
        #catalogue li[data-pinned="true"] { background: var(--active); border-color: var(--accent); }
        .thumb { width: 3rem; height: 3rem; object-fit: cover; border-radius: 0.25rem; flex: none; }
        .text { display: flex; flex-direction: column; flex: 1 1 10rem; min-width: 0; }
        .title { font-weight: 600; overflow-wrap: anywhere; }
        .meta { font-size: 0.9rem; opacity: 0.85; font-variant-numeric: tabular-nums; }
        .actions { display: flex; gap: 0.5rem; }
        table { width: 100%; border-collapse: collapse; font-size: 0.9rem; table-layout: fixed; }
        th, td { text-align: start; padding: 0.25rem; border-bottom: 1px solid rgba(128, 128, 128, 0.3);
                 overflow-wrap: anywhere; }
        .message { padding: 0.75rem; border-radius: 0.5rem; background: #fde7e9; color: #7a0010; }
        .message[hidden] { display: none; }
        #status:empty { display: none; }
        #status { padding: 0.5rem 0.75rem; border-radius: 0.5rem; background: var(--active); }
        #status[data-outcome="error"] { background: #fde7e9; color: #7a0010; }
        @media (max-width: 40rem) { main { padding: 0.5rem; } .actions { flex-basis: 100%; } .actions button { flex: 1; } }
        """

    // Built with DOM calls and textContent only. Every asynchronous step records its outcome in a
    // data- attribute, so a test can wait for it.
    public static let script = """
        "use strict";
        (() => {
        \(LivePlaylistScript.functions)

          const body = document.body;
          const form = document.getElementById("token-form");
          const tokenInput = document.getElementById("token");
          const catalogueList = document.getElementById("catalogue");
          const markerRows = document.querySelector("#markers tbody");
          const statusLine = document.getElementById("status");
          const video = document.getElementById("player");
          const card = document.getElementById("card");
          const storageKey = "cuepoint-console-token:" + document.baseURI;
          let token = sessionStorage.getItem(storageKey) || "";
          let catalogue = [];
          let markers = [];

          function seconds(value) {
            if (typeof value !== "number" || !isFinite(value)) return "";
            const total = Math.max(0, Math.floor(value));
            const h = Math.floor(total / 3600), m = Math.floor(total % 3600 / 60), s = total % 60;
            const mm = String(m).padStart(2, "0"), ss = String(s).padStart(2, "0");
            return h > 0 ? h + ":" + mm + ":" + ss : mm + ":" + ss;
          }

          // The API, relative to <base>: v1/markers, v1/products.
          async function call(method, path, payload) {
            const headers = { "Authorization": "Bearer " + token };
            const init = { method, headers, cache: "no-store" };
            if (payload !== undefined) { headers["Content-Type"] = "application/json"; init.body = JSON.stringify(payload); }
            let response;
            try {
              response = await fetch(path, init);
            } catch (error) {
              return { status: 0, answer: { error: "the server did not answer (" + error.message + ")", fix: "check that the show is still running" } };
            }
            let answer = null;
            try { answer = await response.json(); } catch (e) { answer = null; }
            return { status: response.status, answer };
          }
          function explain(result) {
            const answer = result.answer && typeof result.answer === "object" ? result.answer : {};
            let text = (result.status ? "HTTP " + result.status + ": " : "") + (typeof answer.error === "string" ? answer.error : "no answer");
            if (typeof answer.fix === "string") text += " (" + answer.fix + ")";
            return text;
          }
          function refused(result) {
            body.dataset.auth = "refused";
            showMessage("auth-message", "The token was refused, nothing was pinned: " + explain(result)
              + ". Type the show's marker token.");
          }
          function report(result, done, what) {
            statusLine.dataset.status = String(result.status);
            statusLine.dataset.outcome = done ? "ok" : "error";
            statusLine.textContent = done ? what : what + ": " + explain(result);
          }

          // Markers placed so far.
          async function refreshMarkers() {
            if (!token) return false;
            const result = await call("GET", "v1/markers");
            if (result.status === 401) { refused(result); return false; }
            if (result.status !== 200 || !Array.isArray(result.answer)) {
              showMessage("catalogue-message", "The markers could not be read: " + explain(result));
              return false;
            }
            markers = result.answer.filter((m) => m && typeof m.id === "string");
            renderMarkers();
            renderCatalogue();
            return true;
          }
          function isOpen(marker) { return typeof marker.duration !== "number"; }
          function renderMarkers() {
            markerRows.replaceChildren();
            for (const marker of markers) {
              const row = element("tr");
              row.dataset.markerId = marker.id;
              row.dataset.open = isOpen(marker) ? "true" : "false";
              row.append(element("td", null, marker.id), element("td", null, String(marker.product || "")),
                         element("td", null, seconds(marker.start)),
                         element("td", null, isOpen(marker) ? "pinned" : "closed after " + marker.duration + " s"));
              markerRows.append(row);
            }
          }

          // The marker id of a product's next pin, which is its open pin's id while it is pinned.
          function pinID(product) {
            const closed = markers.filter((m) => m.product === product && !isOpen(m) && m.id.startsWith("pin-")).length;
            return ("pin-" + product.replace(/[^A-Za-z0-9._:-]/g, "_")).slice(0, 56) + "-" + (closed + 1);
          }
          function pinned(product) {
            return markers.some((m) => m.product === product && isOpen(m));
          }

          async function pin(product) {
            if (!(await refreshMarkers())) return;
            const payload = { id: pinID(product.id), product: product.id, title: product.title, url: product.url };
            for (const key of ["price", "currency", "image"]) if (product[key] !== undefined) payload[key] = product[key];
            const result = await call("POST", "v1/markers", payload);
            if (result.status === 401) { refused(result); return; }
            report(result, result.status === 201, result.status === 201
              ? "Pinned " + product.title + " (" + payload.id + ")"
              : (pinned(product.id) ? product.title + " is already pinned; not pinned again" : "Not pinned"));
            await refreshMarkers();
          }
          async function unpin(product) {
            if (!(await refreshMarkers())) return;
            const id = pinID(product.id);
            const result = await call("POST", "v1/markers/" + encodeURIComponent(id) + "/close");
            if (result.status === 401) { refused(result); return; }
            report(result, result.status === 200, result.status === 200
              ? "Unpinned " + product.title + " (" + id + ")"
              : (pinned(product.id) ? "Not unpinned" : product.title + " is not pinned; nothing to unpin"));
            await refreshMarkers();
          }

          // The catalogue.
          function renderCatalogue() {
            catalogueList.replaceChildren();
            for (const product of catalogue) {
              const item = element("li");
              item.dataset.productId = product.id;
              item.dataset.pinned = pinned(product.id) ? "true" : "false";
              const image = webURL(product.image);
              if (image) {
                const img = element("img", "thumb");
                img.src = image;
                img.alt = "";
                item.append(img);
              }
              const text = element("span", "text");
              text.append(element("span", "title", product.title));
              const meta = [product.id, formatPrice(product.price, product.currency)];
              if (pinned(product.id)) meta.push("pinned now");
              text.append(element("span", "meta", meta.filter((m) => m).join(" · ")));
              item.append(text);
              const actions = element("span", "actions");
              const pinButton = element("button", "pin", "Pin now");
              pinButton.type = "button";
              pinButton.setAttribute("aria-label", "Pin now: " + product.title);
              pinButton.addEventListener("click", () => pin(product));
              const unpinButton = element("button", "unpin", "Unpin");
              unpinButton.type = "button";
              unpinButton.setAttribute("aria-label", "Unpin: " + product.title);
              unpinButton.addEventListener("click", () => unpin(product));
              actions.append(pinButton, unpinButton);
              item.append(actions);
              catalogueList.append(item);
            }
            if (catalogue.length === 0) {
              catalogueList.append(element("li", "empty",
                "No products: start the job with --products FILE, or PUT a JSON list of products to v1/products."));
            }
          }
          async function loadCatalogue() {
            const result = await call("GET", "v1/products");
            if (result.status === 401) { refused(result); return; }
            if (result.status !== 200 || !Array.isArray(result.answer)) {
              catalogueList.dataset.state = "error";
              showMessage("catalogue-message", "The products could not be read: " + explain(result));
              return;
            }
            catalogue = result.answer.filter((p) => p && typeof p.id === "string" && typeof p.title === "string");
            renderCatalogue();
            catalogueList.dataset.state = "ready";
            catalogueList.removeAttribute("aria-busy");
          }

          // The token: typed once, kept for this tab, checked against the API.
          async function signIn() {
            body.dataset.auth = "checking";
            document.getElementById("auth-message").hidden = true;
            const result = await call("GET", "v1/markers");
            if (result.status === 401) { refused(result); return; }
            if (result.status !== 200) {
              body.dataset.auth = "error";
              showMessage("auth-message", "The marker API did not answer as expected: " + explain(result));
              return;
            }
            sessionStorage.setItem(storageKey, token);
            body.dataset.auth = "ok";
            await loadCatalogue();
            await refreshMarkers();
          }
          form.addEventListener("submit", (event) => {
            event.preventDefault();
            token = tokenInput.value.trim();
            tokenInput.value = "";
            if (token) signIn();
          });
          document.getElementById("token-forget").addEventListener("click", () => {
            sessionStorage.removeItem(storageKey);
            token = "";
            body.dataset.auth = "none";
            catalogue = [];
            markers = [];
            renderCatalogue();
            renderMarkers();
          });
          setInterval(() => { if (body.dataset.auth === "ok") refreshMarkers(); }, 2000);

          // What a viewer sees: the card at the live edge, as the player computes it.
          function showCard(product) {
            const none = document.getElementById("viewer-none");
            if (!product || typeof product.title !== "string") {
              card.hidden = true;
              delete card.dataset.productId;
              none.hidden = false;
              return;
            }
            none.hidden = true;
            card.dataset.productId = product.id;
            card.querySelector(".card-title").textContent = product.title;
            card.querySelector(".card-price").textContent = formatPrice(product.price, product.currency);
            const image = card.querySelector(".card-image");
            const source = webURL(product.image);
            if (source) { image.src = source; image.hidden = false; } else { image.hidden = true; }
            const buy = card.querySelector(".card-buy");
            const link = webURL(product.url);
            if (link) { buy.href = link; buy.hidden = false; } else { buy.hidden = true; }
            card.hidden = false;
          }
          async function followLive() {
            const address = new URL("master.m3u8", document.baseURI).href;
            let playlist;
            for (;;) {
              try {
                playlist = await mediaPlaylistURL(address);
                break;
              } catch (error) {
                showMessage("video-message", "Waiting for the live playlist (" + address + ": " + error.message + ").");
                await new Promise((resolve) => setTimeout(resolve, 2000));
              }
            }
            document.getElementById("video-message").hidden = true;
            if (video.canPlayType("application/vnd.apple.mpegurl") !== "") {
              playLive(video, address, "video-message",
                (reason) => "The preview stopped (" + reason + "); it starts again in a moment.");
            } else {
              showMessage("video-message", "This browser cannot play live HLS; what a viewer sees is still shown below.");
            }
            async function poll() {
              let delay = 2000;
              try {
                const response = await fetch(playlist.url, { cache: "no-store" });
                if (!response.ok) throw new Error("HTTP " + response.status);
                const state = readPlaylist(await response.text());
                delay = Math.max(1000, state.target * 500);
                const range = pinnedRange(state);
                showCard(range ? Object.assign({ id: range.id }, range.card || {}, { id: range.id }) : null);
                body.dataset.live = "following";
              } catch (error) {
                body.dataset.live = "retrying";
              }
              setTimeout(poll, delay);
            }
            poll();
          }

          renderCatalogue();
          followLive();
          if (token) signIn();
        })();
        """
}
