/* The situation room's map (incidents/situation/templates/situation/dashboard.html).
 *
 * No tile server: the governorates' outlines come from a file shipped with the project, shaded by the chosen
 * figure; districts are circles at their representative point; incidents are points that cluster when zoomed
 * out (Leaflet.markercluster; fetched from the page's `pointsUrl`, so that the page itself is drawn from the
 * aggregates alone), and a click opens the incident in the admin. Labels are HTML, so the browser lays
 * Arabic out right to left by itself; numbers use the page language's digits.
 */
(function () {
  "use strict";
  var box = document.getElementById("map");
  var dataNode = document.getElementById("map-data");
  if (!box || !dataNode || !window.L) return;
  var data = JSON.parse(dataNode.textContent);
  var lang = document.documentElement.lang || "en";
  var rtl = document.documentElement.dir === "rtl";
  // Arabic-Indic digits in Arabic, asked for by name: some browsers' "ar" writes Latin ones.
  var locale = lang === "ar" ? "ar-u-nu-arab" : lang;
  var number = new Intl.NumberFormat(locale);
  var shades = ["#f7f7f7", "#fddbc7", "#f4a582", "#d6604d", "#b2182b", "#67001f"];
  var figureSelect = document.getElementById("map-figure");

  function shade(value, top) {
    if (!value || !top) return shades[0];
    return shades[Math.min(5, 1 + Math.floor(4.999 * value / top))];
  }
  function text(tag, content, attrs) {
    var node = document.createElement(tag);
    node.textContent = content;
    if (attrs) Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  // The controls mirrored in right-to-left: zoom at the start (top right), the credit at the end.
  var map = L.map(box, { zoomSnap: 0.25, minZoom: 5, maxZoom: 13, zoomControl: false, attributionControl: false });
  L.control.zoom({ position: rtl ? "topright" : "topleft" }).addTo(map);
  L.control.attribution({ position: rtl ? "bottomleft" : "bottomright", prefix: false })
    .addAttribution("Natural Earth").addTo(map);
  var areas = null;
  var districtLayer = L.layerGroup().addTo(map);

  function figure() { return figureSelect ? figureSelect.value : "incidents"; }

  function styleAreas() {
    if (!areas) return;
    var key = figure();
    var top = 0;
    Object.keys(data.governorates).forEach(function (p) { top = Math.max(top, data.governorates[p][key] || 0); });
    areas.setStyle(function (feature) {
      var entry = data.governorates[feature.properties.pcode] || {};
      return { color: "#5b636b", weight: 1, fillOpacity: 0.85, fillColor: shade(entry[key] || 0, top) };
    });
    areas.eachLayer(function (layer) {
      var p = layer.feature.properties.pcode;
      var entry = data.governorates[p] || {};
      var tip = document.createElement("div");
      tip.setAttribute("dir", "auto");
      tip.appendChild(text("b", entry.name || p));
      tip.appendChild(document.createElement("br"));
      tip.appendChild(document.createTextNode(box.dataset.labelIncidents + ": " + number.format(entry.incidents || 0)));
      tip.appendChild(document.createElement("br"));
      tip.appendChild(document.createTextNode(box.dataset.labelKilled + ": " + number.format(entry.killed || 0)));
      layer.bindTooltip(tip, { sticky: true, direction: rtl ? "left" : "right" });
    });
    districtLayer.clearLayers();
    var dtop = 0;
    data.districts.forEach(function (d) { dtop = Math.max(dtop, key === "killed" ? d.value : d.incidents); });
    data.districts.forEach(function (d) {
      var value = key === "killed" ? d.value : d.incidents;
      if (!value) return;
      var circle = L.circleMarker([d.lat, d.lon], {
        radius: 5 + 14 * Math.sqrt(value / Math.max(dtop, 1)), color: "#2166ac", weight: 1.5, fillOpacity: 0.25,
        interactive: true, bubblingMouseEvents: false,
      });
      circle.bindTooltip(d.name + ": " + number.format(value), { direction: rtl ? "left" : "right" });
      districtLayer.addLayer(circle);
    });
  }

  // Clusters count in the page language's digits (the library's own icon writes Latin ones).
  var clusters = L.markerClusterGroup({
    showCoverageOnHover: false,
    maxClusterRadius: 40,
    iconCreateFunction: function (cluster) {
      var count = cluster.getChildCount();
      var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
      var icon = document.createElement("div");
      icon.appendChild(text("span", number.format(count)));
      return L.divIcon({ html: icon, className: "marker-cluster marker-cluster-" + size, iconSize: L.point(40, 40) });
    },
  });
  var dateFormat = new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", year: "numeric" });
  function addPoints(points) {
    var markers = points.map(function (point) {
      var marker = L.circleMarker([point.lat, point.lon], {
        radius: 6, weight: 1.5, color: "#111", fillColor: point.verified ? "#0b6b60" : "#f0f0f0", fillOpacity: 0.95,
      });
      var tip = document.createElement("div");
      tip.appendChild(text("b", point.title, { dir: "auto" }));
      tip.appendChild(document.createElement("br"));
      tip.appendChild(document.createTextNode(
        dateFormat.format(new Date(point.date + "T12:00:00")) +
        " · " + (point.verified ? box.dataset.labelVerified : box.dataset.labelUnverified) +
        (point.killed ? " · " + box.dataset.labelKilled + ": " + number.format(point.killed) : "") +
        (point.approximate ? " · " + box.dataset.labelApproximate : "")));
      marker.bindTooltip(tip, { direction: "top" });
      marker.on("click", function () { window.location.assign(data.adminUrl.replace(data.placeholder, point.id)); });
      marker.options.title = point.title;
      return marker;
    });
    clusters.addLayers(markers);
  }

  function json(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return r.json();
    });
  }

  // The outlines (a static file) and the points (the newest incidents of the filters) in parallel.
  Promise.all([json(box.dataset.boundaries), json(data.pointsUrl)])
    .then(function (loaded) {
      var geojson = loaded[0], points = loaded[1].points;
      areas = L.geoJSON(geojson, { interactive: true }).addTo(map);
      styleAreas();
      addPoints(points);
      clusters.addTo(map);
      // Where the incidents are, if any; else the whole country.
      var where = points.length ? L.latLngBounds(points.map(function (p) { return [p.lat, p.lon]; })) : null;
      if (where && where.isValid()) map.fitBounds(where.pad(0.6), { maxZoom: 9 });
      else map.fitBounds(areas.getBounds(), { padding: [8, 8] });
      box.dataset.ready = "1";
    })
    .catch(function (error) {
      box.dataset.ready = "error";
      box.appendChild(text("p", box.dataset.labelFailed, { class: "sit-map-failed", role: "alert" }));
      if (window.console) console.error(error);
    });
  if (figureSelect) figureSelect.addEventListener("change", styleAreas);
})();
