// cnn-classroom service worker: caches the app bundle on the first visit so the self-paced
// client keeps working with the network off.
//
// scripts/build-client.sh replaces the placeholder below with the paths of
// client/dist/asset-manifest.json ({ version, files: [path], later: [path] }), so this file
// changes exactly when the bundle does, and the browser then installs the new worker and its
// cache. `files` is
// what the first screen needs, cached before the worker takes over; `later` (the lesson) is
// cached in the background once it has, so neither the first page load nor the worker's
// installation waits for it.
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
      .then((cache) => cache.addAll(MANIFEST.files.map((path) => new Request(path, { cache: "no-cache" }))))
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
      .then(() => self.clients.claim())
      // Not part of the activation: fetches routed to this worker would wait for it.
      .then(() => {
        cacheLater();
      }),
  );
});

// Adds the files the first screen does not need to the cache, one by one, skipping those
// already there (the page may have opened the lesson meanwhile); a failure only means the file
// is fetched, and cached, when it is first opened.
async function cacheLater() {
  const cache = await caches.open(CACHE_NAME);
  for (const path of MANIFEST.later || []) {
    try {
      if (!(await cache.match(path))) {
        await cache.add(new Request(path, { cache: "no-cache" }));
      }
    } catch (error) {
      console.warn("Could not save " + path + " for offline use yet:", error);
    }
  }
}

const LATER_PATHS = new Set(MANIFEST.later || []);

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // Only this origin's GETs; the WebSocket and any other host are none of our business.
  if (request.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(navigation(request));
    // Catches up on files loaded later that an earlier visit could not save (no delay: the page
    // does not wait for this).
    event.waitUntil(cacheLater());
    return;
  }
  // Bundle files have content-hashed names, so a cached copy is always the right one.
  event.respondWith(
    caches.match(request, { ignoreSearch: true }).then((cached) => cached || fetchAndKeep(request, url)),
  );
});

// From the network; a file loaded later (the lesson) is also kept for offline use.
async function fetchAndKeep(request, url) {
  const response = await fetch(request);
  if (response.ok && LATER_PATHS.has(url.pathname)) {
    const copy = response.clone();
    caches.open(CACHE_NAME).then((cache) => cache.put(url.pathname, copy)).catch(() => {});
  }
  return response;
}

// The page itself: fresh from the server when it answers (join links, new releases), else the
// cached app shell, which the client routes by URL just the same.
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
