/// The script functions the shoppable player (``PlayerPage``) and the producer console share:
/// reading a live playlist's EXT-X-DATERANGE tags the way Cuepoint writes them, finding the
/// product pinned at the live edge, and formatting a card's price and links.
///
/// One text, interpolated into both pages' scripts (each an IIFE), so "what a viewer sees" in the
/// console is computed by the very code the player runs.
///
/// - `readPlaylist(text)` → `{ ranges, edge, target }`: the date ranges merged by ID (`start`,
///   `end` in ms since 1970, `card` decoded from `X-COM-CUEPOINT-CARD`, the base64url marker JSON),
///   the live edge (the last segment's EXT-X-PROGRAM-DATE-TIME plus its duration) and the target
///   duration in seconds;
/// - `pinnedRange(state)`: the range open at the live edge (the latest start wins), or null;
/// - `mediaPlaylistURL(url)` → `{ url, text }`: a master playlist's first variant, or the playlist;
/// - `webURL(value)`: an http(s) URL or null; `formatPrice(price, currency)`: the price in the
///   page's language with `Intl.NumberFormat`;
/// - `playLive(video, url, messageID, stopped)`: the browser's own HLS player on a live
///   playlist, started again after each error (see the function);
/// - `showMessage(id, text)`: shows a message element; `element(tag, className, text)`: a new
///   element whose text is set with `textContent` (never markup), `dir=auto` for any script.
public enum LivePlaylistScript {
    public static let functions = """
        function showMessage(id, text) {
          const node = document.getElementById(id);
          node.textContent = text;
          node.hidden = false;
        }
        function element(tag, className, text) {
          const node = document.createElement(tag);
          if (className) node.className = className;
          if (text !== undefined) { node.textContent = text; node.dir = "auto"; }
          return node;
        }
        // http(s) URLs only (Buy links, product images).
        function webURL(value) {
          if (typeof value !== "string") return null;
          try {
            const url = new URL(value, document.baseURI);
            return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
          } catch (e) { return null; }
        }

        function formatPrice(price, currency) {
          const language = document.documentElement.lang || undefined;
          if (typeof price !== "string" && typeof price !== "number") return "";
          const amount = Number(price);
          if (!isFinite(amount)) return "";
          if (typeof currency === "string" && /^[A-Z]{3}$/.test(currency)) {
            try {
              return new Intl.NumberFormat(language, { style: "currency", currency }).format(amount);
            } catch (e) { return String(price) + " " + currency; }
          }
          return new Intl.NumberFormat(language).format(amount);
        }

        // Live: the date ranges of the playlist, read by the page itself.
        function attributes(text) {
          const result = {};
          const pattern = /([A-Z0-9-]+)=("[^"]*"|[^,]*)/g;
          let match;
          while ((match = pattern.exec(text)) !== null) {
            const value = match[2];
            result[match[1]] = value.startsWith("\\"") ? value.slice(1, -1) : value;
          }
          return result;
        }
        function decodeCard(value) {
          let base64 = value.replace(/-/g, "+").replace(/_/g, "/");
          while (base64.length % 4) base64 += "=";
          const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
          return JSON.parse(new TextDecoder().decode(bytes));
        }
        // The playlist's date ranges (merged by ID) and its live edge, in ms since 1970.
        function readPlaylist(text) {
          const ranges = new Map();
          let date = null, edge = null, target = 6;
          for (const line of text.split(/\\r?\\n/)) {
            if (line.startsWith("#EXT-X-TARGETDURATION:")) target = Number(line.slice(22)) || target;
            else if (line.startsWith("#EXT-X-PROGRAM-DATE-TIME:")) date = Date.parse(line.slice(25));
            else if (line.startsWith("#EXTINF:")) {
              const seconds = parseFloat(line.slice(8));
              if (date !== null && isFinite(seconds)) { edge = date + seconds * 1000; date = edge; }
            } else if (line.startsWith("#EXT-X-DATERANGE:")) {
              const a = attributes(line.slice(17));
              if (!a.ID) continue;
              const range = ranges.get(a.ID) || { id: a.ID };
              if (a["START-DATE"]) range.start = Date.parse(a["START-DATE"]);
              if (a.DURATION) range.end = range.start + Number(a.DURATION) * 1000;
              if (a["END-DATE"]) range.end = Date.parse(a["END-DATE"]);
              if (a["X-COM-CUEPOINT-CARD"]) { try { range.card = decodeCard(a["X-COM-CUEPOINT-CARD"]); } catch (e) {} }
              if (!range.card && a["X-COM-CUEPOINT-TITLE"]) {
                range.card = { id: a.ID, title: a["X-COM-CUEPOINT-TITLE"], url: a["X-COM-CUEPOINT-URL"],
                               price: a["X-COM-CUEPOINT-PRICE"], currency: a["X-COM-CUEPOINT-CURRENCY"] };
              }
              ranges.set(a.ID, range);
            }
          }
          return { ranges: Array.from(ranges.values()), edge, target };
        }
        async function mediaPlaylistURL(url) {
          const response = await fetch(url, { cache: "no-store" });
          if (!response.ok) throw new Error("HTTP " + response.status);
          const text = await response.text();
          if (!text.includes("#EXT-X-STREAM-INF")) return { url, text };
          const lines = text.split(/\\r?\\n/);
          const index = lines.findIndex((l) => l.startsWith("#EXT-X-STREAM-INF"));
          const variant = new URL(lines.slice(index + 1).find((l) => l && !l.startsWith("#")), url).href;
          return { url: variant, text: null };
        }
        // The date range open at the live edge (the latest start wins); null when none is.
        function pinnedRange(state) {
          let pinned = null;
          for (const range of state.ranges) {
            if (state.edge === null || !isFinite(range.start) || range.start > state.edge) continue;
            if (range.end !== undefined && range.end <= state.edge) continue;
            if (!pinned || range.start >= pinned.start) pinned = range;
          }
          return pinned;
        }
        // Plays a live playlist in `video` with the browser's own HLS player, and starts it again
        // when that player gives up: Chromium 156's ends a live playlist with
        // DEMUXER_ERROR_COULD_NOT_PARSE in some loads (4 of 10 here, at the live edge), and a
        // preview must not stay black while the show goes on. After the n-th error it waits
        // n seconds (at most 10) and loads the playlist again; `video.dataset.restarts` counts
        // the restarts and `video.dataset.playing` is set while frames play. The message element
        // `messageID` shows `stopped(reason)` after an error (when given) and is hidden while
        // the video plays.
        function playLive(video, url, messageID, stopped) {
          let restarts = 0;
          video.addEventListener("error", () => {
            restarts += 1;
            video.dataset.restarts = String(restarts);
            delete video.dataset.playing;
            if (stopped) showMessage(messageID, stopped((video.error && video.error.message) || "unknown error"));
            setTimeout(() => {
              video.src = url;
              video.play().catch(() => {});
            }, 1000 * Math.min(10, restarts));
          });
          video.addEventListener("playing", () => { document.getElementById(messageID).hidden = true; });
          video.addEventListener("timeupdate", () => {
            if (video.currentTime > 0 && !video.paused) video.dataset.playing = "true";
          });
          video.src = url;
        }
        """
}
