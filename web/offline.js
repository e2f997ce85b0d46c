/* Puente's service worker (served as /sw.js by web/offline.py, which writes SHELL and
 * VERSION above this line).
 *
 * Kept on the phone only, in Cache Storage: the page shell (SHELL), the last map page, list
 * and map places a resident saw (one of each, replaced by the next one) and the emergency
 * page in each language viewed. With a network every page comes from the site first; without
 * one the kept copy answers, and a page never kept falls back to the emergency page.
 * Requests to other hosts (map tiles) are never touched.
 */
/* global SHELL, VERSION */
"use strict";

var SHELL_CACHE = "puente-shell-" + VERSION;
var KEPT_CACHE = "puente-kept";
/* One slot per path: a new search replaces the last one. */
var LAST = ["/", "/list", "/map/places"];
var EMERGENCY = "/emergency";

function lastKey(path) {
  return new Request(self.location.origin + "/offline-last" + (path === "/" ? "/map" : path));
}

function keyFor(url) {
  if (LAST.indexOf(url.pathname) >= 0) return lastKey(url.pathname);
  if (url.pathname === EMERGENCY || url.pathname.indexOf("/map/outlines/") === 0) {
    return new Request(url.href);
  }
  return null;
}

function keep(request, response) {
  var key = keyFor(new URL(request.url));
  if (key === null || !response.ok) return Promise.resolve();
  return caches.open(KEPT_CACHE).then(function (cache) {
    return cache.put(key, response);
  });
}

function emergencyFallback(url) {
  var lang = url.searchParams.get("lang");
  return caches.open(KEPT_CACHE).then(function (cache) {
    var exact = new Request(self.location.origin + EMERGENCY + "?lang=" + encodeURIComponent(lang || "en"));
    return cache.match(exact, { ignoreVary: true }).then(function (found) {
      if (found) return found;
      return cache.matchAll(undefined, { ignoreVary: true }).then(function (all) {
        for (var i = 0; i < all.length; i++) {
          if (new URL(all[i].url).pathname === EMERGENCY) return all[i];
        }
        return caches.match(EMERGENCY, { ignoreVary: true, ignoreSearch: false });
      });
    });
  });
}

function fromNetwork(request) {
  return fetch(request).then(function (response) {
    var copy = response.clone();
    return keep(request, copy).then(function () {
      return response;
    });
  });
}

function offline(request) {
  var url = new URL(request.url);
  var key = keyFor(url);
  var found = key ? caches.match(key, { ignoreVary: true }) : Promise.resolve(undefined);
  return found.then(function (response) {
    if (response) return response;
    if (request.mode === "navigate") {
      return emergencyFallback(url).then(function (page) {
        return page || Response.error();
      });
    }
    return Response.error();
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then(function (cache) {
        return cache.addAll(SHELL);
      })
      .then(function () {
        return self.skipWaiting();
      })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (names) {
        return Promise.all(
          names
            .filter(function (name) {
              return name.indexOf("puente-shell-") === 0 && name !== SHELL_CACHE;
            })
            .map(function (name) {
              return caches.delete(name);
            })
        );
      })
      .then(function () {
        return self.clients.claim();
      })
  );
});

/* A page loaded before the worker took over asks it to keep what it showed. */
self.addEventListener("message", function (event) {
  var urls = (event.data && event.data.keep) || [];
  event.waitUntil(
    Promise.all(
      urls.map(function (href) {
        var url = new URL(href, self.location.origin);
        if (url.origin !== self.location.origin || keyFor(url) === null) return null;
        var request = new Request(url.href, { credentials: "same-origin" });
        return fetch(request)
          .then(function (response) {
            return keep(request, response);
          })
          .catch(function () {});
      })
    )
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (SHELL.indexOf(url.pathname) >= 0 && url.pathname !== EMERGENCY) {
    event.respondWith(
      caches.match(request).then(function (found) {
        return found || fetch(request);
      })
    );
    return;
  }
  if (keyFor(url) === null && request.mode !== "navigate") return;
  event.respondWith(
    fromNetwork(request).catch(function () {
      return offline(request);
    })
  );
});
