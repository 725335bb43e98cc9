/* 善治 grid worker's phone pages: the service worker that lets the pages open without a connection.
   Served at /m/grid/sw.js (scope /m/grid/). Pages: network first, the last copy when offline. The page's own
   script and style: the cached copy at once, refreshed in the background. Writes (the API) are never touched:
   the offline queue in field.js keeps them. */
"use strict";
var CACHE = "shanzhi-grid-v1";
var ASSETS = ["/static/grid/field.js", "/static/grid/phone.css"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(ASSETS); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/m/grid/") === 0 && request.mode === "navigate") {
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(request).then(function (hit) {
        return hit || caches.match("/m/grid/") || new Response("离线，且本页尚未缓存", {
          status: 503, headers: {"Content-Type": "text/plain; charset=utf-8"}
        });
      });
    }));
    return;
  }
  if (ASSETS.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.open(CACHE).then(function (cache) {
      return cache.match(request, {ignoreSearch: true}).then(function (hit) {
        var fresh = fetch(request).then(function (response) {
          if (response.ok) cache.put(request, response.clone());
          return response;
        });
        return hit || fresh;
      });
    }));
  }
});
