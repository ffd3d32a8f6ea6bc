{% load static %}/* Sijil service worker: keeps the report form, "My reports" and their assets for use without a connection.
 * Pages: network first; offline, "My reports" is its kept copy (the page then lists what waits on the
 * phone, sijil.js) and any other page the kept form. Assets: the kept copy. Nothing else is stored,
 * and a POST is never touched: reports waiting offline are in IndexedDB (sijil.js), not here. */
"use strict";
var CACHE = "sijil-{{ version }}";
var FORM_URL = "{% url 'report-new' %}";
var LIST_URL = "{% url 'my-reports' %}";
var KEPT = [FORM_URL, LIST_URL];
var ASSETS = ["{% static 'sijil/sijil.css' %}", "{% static 'sijil/sijil.js' %}", "{% static 'sijil/manifest.webmanifest' %}"];

function keep(cache, url, response) {
  if (response && response.ok && !response.redirected && response.type === "basic") return cache.put(url, response);
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(ASSETS).then(function () {
      return Promise.all(KEPT.map(function (url) {
        return fetch(url, { credentials: "same-origin" }).then(function (r) { return keep(cache, url, r); });
      }));
    }).catch(function () {});
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("sijil-") === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (ASSETS.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.match(request).then(function (hit) { return hit || fetch(request); }));
    return;
  }
  if (request.mode !== "navigate" || /^\/(admin|api|attachments)\//.test(url.pathname)) return;
  event.respondWith(fetch(request).then(function (response) {
    if (KEPT.indexOf(url.pathname) >= 0) {
      var copy = response.clone();
      event.waitUntil(caches.open(CACHE).then(function (cache) { return keep(cache, url.pathname, copy); }));
    }
    return response;
  }).catch(function () {
    var wanted = url.pathname === LIST_URL ? LIST_URL : FORM_URL;
    return caches.match(wanted).then(function (hit) { return hit || caches.match(FORM_URL); }).then(function (hit) {
      return hit || new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    });
  }));
});
