// cnn-classroom service worker: caches the app bundle on the first visit so the self-paced
// client keeps working with the network off.
//
// scripts/build-client.sh replaces the placeholder below with client/dist/asset-manifest.json
// ({ version, files: [{ path, bytes, sha256 }] }), so this file changes exactly when the bundle
// does, and the browser then installs the new worker and its cache.
const MANIFEST = /*ASSET_MANIFEST*/null;
const CACHE_PREFIX = "cnn-classroom-";
const CACHE_NAME = CACHE_PREFIX + MANIFEST.version;
const APP_SHELL = "/index.html";
// How long a page load waits for the server before it falls back to the cached app shell
// (a classroom Wi-Fi that drops packets should not leave students staring at a blank tab).
const NAVIGATION_TIMEOUT_MS = 3000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE_NAME)
      // `no-cache` revalidates with the server, so what is stored is the server's current copy,
      // while files the page has just loaded come back as a bodyless 304 (no second download).
      .then((cache) => cache.addAll(MANIFEST.files.map((file) => new Request(file.path, { cache: "no-cache" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE_NAME)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // Only this origin's GETs; the WebSocket and any other host are none of our business.
  if (request.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(navigation(request));
    return;
  }
  // Bundle files have content-hashed names, so a cached copy is always the right one.
  event.respondWith(
    caches.match(request, { ignoreSearch: true }).then((cached) => cached || fetch(request)),
  );
});

/** The page itself: fresh from the server when it answers (join links, new releases), else the
 *  cached app shell, which the client routes by URL just the same. */
async function navigation(request) {
  try {
    const response = await fetchWithTimeout(request, NAVIGATION_TIMEOUT_MS);
    if (response.ok) {
      return response;
    }
    const shell = await caches.match(APP_SHELL);
    return shell || response;
  } catch (networkError) {
    const shell = await caches.match(APP_SHELL);
    if (shell) {
      return shell;
    }
    throw networkError;
  }
}

function fetchWithTimeout(request, timeoutMs) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  return fetch(request, { signal: controller.signal }).finally(() => clearTimeout(timer));
}
