/* Sijil monitors' pages. The plain form works without this file; with it:
 * - a report is first saved on the phone (IndexedDB, keyed by its client UUID), then sent;
 *   it is removed from the phone only after the server answered 201 or 200 with the same id;
 * - waiting reports are sent when the connection returns, and their number is shown;
 * - districts follow the governorate, outage fields show for outages, "use my location",
 *   more casualty rows; the service worker keeps the form and "My reports" for offline use;
 * - "offline" is said the moment the connection drops, on every page, and "My reports" lists the
 *   reports waiting on the phone first (the kept copy of the list is as it was when last seen);
 * - signing out removes the kept pages from the phone.
 */
(function () {
  "use strict";
  var DB_NAME = "sijil", STORE = "outbox", USED = "sijil-used-ids";
  var body = document.body;
  var formUrl = body.dataset.formUrl;
  var queueBox = document.getElementById("queue");
  var syncing = false;

  if ("serviceWorker" in navigator && body.dataset.sw) {
    navigator.serviceWorker.register(body.dataset.sw, { scope: "/" }).catch(function () {});
  }

  // --- IndexedDB outbox ------------------------------------------------------------
  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "id" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode), result;
        var request = work(tx.objectStore(STORE));
        if (request) request.onsuccess = function () { result = request.result; };
        tx.oncomplete = function () { db.close(); resolve(result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }
  function outboxPut(item) { return withStore("readwrite", function (s) { return s.put(item); }); }
  function outboxDelete(id) { return withStore("readwrite", function (s) { return s.delete(id); }); }
  function outboxAll() { return withStore("readonly", function (s) { return s.getAll(); }).then(function (r) { return r || []; }); }

  // --- client ids: a form whose id was already used gets a fresh one ------------------
  function usedIds() { try { return JSON.parse(localStorage.getItem(USED) || "[]"); } catch (e) { return []; } }
  function markUsed(id) { var ids = usedIds(); ids.push(id); localStorage.setItem(USED, JSON.stringify(ids.slice(-200))); }
  function newUuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16)), h = [];
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    for (var i = 0; i < 16; i++) h.push((b[i] + 256).toString(16).slice(1));
    return h.slice(0, 4).join("") + "-" + h.slice(4, 6).join("") + "-" + h.slice(6, 8).join("") + "-" + h.slice(8, 10).join("") + "-" + h.slice(10).join("");
  }

  function cookie(name) {
    var m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : "";
  }

  // --- sending ---------------------------------------------------------------------
  // The very form fields, as multipart, to the form's own URL; JSON back because of X-Sijil-Sync.
  function send(item) {
    var data = new FormData();
    item.entries.forEach(function (entry) { data.append(entry[0], entry[1]); });
    return fetch(formUrl, {
      method: "POST", body: data, credentials: "same-origin", redirect: "manual",
      headers: { "X-Sijil-Sync": "1", "X-CSRFToken": cookie("csrftoken"), "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        var s = response.status;
        if ((s === 201 || s === 200) && json.id === item.id) {
          return outboxDelete(item.id).then(function () { return { ok: true, url: json.url }; });
        }
        if (s === 400 || s === 409) return { refused: true, status: s, errors: json.errors || {} };
        if (s === 401 || s === 403) return { signin: true };
        return { retry: true };
      });
    }, function () { return { retry: true }; });
  }

  function sync() {
    if (syncing || !navigator.onLine || !formUrl) return refreshQueue();  // offline: still show what waits
    syncing = true;
    return outboxAll().then(function (items) {
      var waiting = items.filter(function (i) { return i.state === "waiting"; });
      return waiting.reduce(function (chain, item) {
        return chain.then(function (stop) {
          if (stop) return stop;
          return send(item).then(function (result) {
            if (result.refused) {
              item.state = "refused"; item.errors = result.errors;
              return outboxPut(item).then(function () { return false; });
            }
            if (result.signin) { showSignIn = true; return true; }
            return !!result.retry;
          });
        });
      }, Promise.resolve(false));
    }).catch(function () {}).then(function () { syncing = false; return refreshQueue(); });
  }

  var showSignIn = false;
  function refreshQueue() {
    if (!queueBox) return Promise.resolve();
    return outboxAll().then(function (items) {
      var waiting = items.filter(function (i) { return i.state === "waiting"; });
      var refused = items.filter(function (i) { return i.state === "refused"; });
      var parts = [];
      var offline = !navigator.onLine;
      // Offline, said once: with reports waiting, that they are kept and sent later; else that there is no connection.
      if (offline) parts.push(waiting.length ? queueBox.dataset.offline : queueBox.dataset.offlineNow);
      if (waiting.length === 1) parts.push(queueBox.dataset.one);
      else if (waiting.length > 1) parts.push(queueBox.dataset.many.replace("%(n)s", waiting.length));
      if (offline && document.getElementById("waiting")) parts.push(queueBox.dataset.offlineList);
      if (waiting.length && showSignIn) parts.push(queueBox.dataset.signin);
      queueBox.textContent = parts.join(" ");
      queueBox.dataset.count = String(waiting.length);
      queueBox.hidden = !parts.length;
      queueBox.classList.toggle("offline", offline);
      body.classList.toggle("is-offline", offline);
      renderWaitingList(waiting.concat(refused));
    }).catch(function () {});
  }

  function titleOf(item) {
    var t = item.entries.filter(function (e) { return e[0] === "title"; })[0];
    return t ? String(t[1]) : item.id;
  }
  function renderWaitingList(items) {
    var list = document.getElementById("waiting");
    if (!list) return;
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "card";
      var b = document.createElement("b"); b.textContent = titleOf(item); li.appendChild(b);
      if (item.state === "refused") {
        var p = document.createElement("p"); p.className = "error";
        var reasons = [];
        Object.keys(item.errors || {}).forEach(function (k) { reasons = reasons.concat(item.errors[k]); });
        p.textContent = queueBox.dataset.rejected + " " + reasons.join(" ");
        li.appendChild(p);
        var discard = document.createElement("button"); discard.type = "button"; discard.textContent = "✕";
        discard.setAttribute("aria-label", queueBox.dataset.discard); discard.title = queueBox.dataset.discard;
        discard.addEventListener("click", function () { outboxDelete(item.id).then(refreshQueue); });
        li.appendChild(discard);
      } else {
        var s = document.createElement("span"); s.className = "state"; s.textContent = "⏳";
        li.appendChild(s);
      }
      list.appendChild(li);
    });
    list.hidden = !items.length;
    var heading = document.getElementById("waiting-heading");
    if (heading) heading.hidden = !items.length;
  }

  // Signing out: the pages kept for offline use (the form, "My reports") leave the phone with the account.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-sign-out]"), function (signOut) {
    signOut.addEventListener("submit", function () {
      if (!("caches" in window)) return;
      caches.keys().then(function (keys) {
        keys.filter(function (k) { return k.indexOf("sijil-") === 0; }).forEach(function (k) { caches.delete(k); });
      });
    });
  });

  window.addEventListener("online", function () { showSignIn = false; sync(); });
  window.addEventListener("offline", refreshQueue);
  window.addEventListener("online", refreshQueue);
  setInterval(function () { if (navigator.onLine) sync(); }, 20000);
  sync();

  // --- the report form ---------------------------------------------------------------
  var form = document.getElementById("report-form");
  if (!form) return;
  var submitButton = document.getElementById("submit");
  var status = document.getElementById("form-status");
  var idField = form.elements.client_id;

  if (form.dataset.offline && usedIds().indexOf(idField.value) >= 0) idField.value = newUuid();

  // Districts of the chosen governorate only.
  var admin1 = form.elements.admin1, admin2 = form.elements.admin2;
  function filterDistricts() {
    Array.prototype.forEach.call(admin2.options, function (option) {
      var off = option.value && admin1.value && option.dataset.parent !== admin1.value;
      option.hidden = option.disabled = !!off;
    });
    if (admin2.selectedOptions[0] && admin2.selectedOptions[0].disabled) admin2.value = "";
  }
  admin1.addEventListener("change", filterDistricts);
  filterDistricts();

  // Outage fields only for outage categories.
  var outage = document.getElementById("outage-fields");
  function toggleOutage() {
    var chosen = form.querySelector("input[name=category]:checked");
    var isOutage = chosen && chosen.closest("label").querySelector("[data-outage]");
    var hasValue = form.elements.restored_date.value;
    outage.hidden = !isOutage && !hasValue;
  }
  form.addEventListener("change", function (e) { if (e.target.name === "category") toggleOutage(); });
  toggleOutage();

  // Coordinates only when the monitor asks.
  var locate = document.getElementById("use-location"), unlocate = document.getElementById("clear-location");
  if (navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (position) {
        form.elements.latitude.value = position.coords.latitude.toFixed(6);
        form.elements.longitude.value = position.coords.longitude.toFixed(6);
        unlocate.hidden = false;
      }, function () { status.textContent = locate.dataset.error; }, { enableHighAccuracy: true, timeout: 30000 });
    });
  }
  unlocate.addEventListener("click", function () {
    form.elements.latitude.value = ""; form.elements.longitude.value = ""; unlocate.hidden = true;
  });
  if (form.elements.latitude.value) unlocate.hidden = false;

  // More casualty rows.
  var addRow = document.getElementById("add-casualty"), rows = document.getElementById("casualties");
  var total = form.elements["casualties-TOTAL_FORMS"], template = document.getElementById("casualty-template");
  addRow.hidden = false;
  addRow.addEventListener("click", function () {
    var html = template.innerHTML.replace(/__prefix__/g, total.value);
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(Number(total.value) + 1);
  });

  // The page may be a copy kept offline: its CSRF token may be older than the cookie's.
  function plainSubmit() {
    var token = cookie("csrftoken");
    if (token && form.elements.csrfmiddlewaretoken) form.elements.csrfmiddlewaretoken.value = token;
    HTMLFormElement.prototype.submit.call(form);
  }

  // Save on the phone first, then send; a refusal is shown by the server's own page.
  var busy = false;
  form.addEventListener("submit", function (event) {
    if (!form.dataset.offline || !window.indexedDB || !window.fetch) return;
    event.preventDefault();
    if (busy) return;
    busy = true; submitButton.disabled = true; status.textContent = form.dataset.sending;
    var id = idField.value;
    var entries = [];
    new FormData(form).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken") return;
      if (value instanceof File && !value.size) return;
      entries.push([name, value]);
    });
    markUsed(id);
    var item = { id: id, entries: entries, state: "waiting", saved: Date.now() };
    outboxPut(item).then(function () { return send(item); }).then(function (result) {
      if (result.ok) { status.textContent = form.dataset.sent; window.location.assign(result.url); return; }
      if (result.refused) {
        // Let the server draw the form with its errors next to the fields, everything typed kept.
        return outboxDelete(id).then(function () { plainSubmit(); });
      }
      if (result.signin) showSignIn = true;
      form.reset();
      idField.value = newUuid();
      filterDistricts(); toggleOutage();
      status.textContent = form.dataset.saved;
      busy = false; submitButton.disabled = false;
      window.scrollTo(0, 0);
      return refreshQueue();
    }).catch(function () {
      // IndexedDB unavailable (private mode …): the plain form still works.
      busy = false; submitButton.disabled = false;
      plainSubmit();
    });
  });
})();
