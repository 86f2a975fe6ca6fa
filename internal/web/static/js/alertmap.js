// SPDX-FileCopyrightText: 2026 Piazza contributors
// SPDX-License-Identifier: EUPL-1.2

// The incident form's map, with Leaflet: the organisation's zones as
// outlines, and a polygon or a circle drawn with clicks. What is drawn is
// written into the form's "area" field, in the notations the server reads:
// a polygon as "lat,lon lat,lon …", a circle as
// {"circle":{"center":{"lat":…,"lon":…},"radius_km":…}}. The field stays
// the form's value: without JavaScript, or from the keyboard, the area is
// typed there, and what is typed shows on the map.
//
// Texts come from the page's data-msg-* attributes (the i18n catalogs);
// {n} and {km} in them are filled here.
(function () {
  "use strict";
  var box = document.querySelector("[data-alert-map]");
  var input = box && document.getElementById(box.dataset.input);
  if (!box || !input || !window.L || !box.dataset.tiles) {
    return; // no map: the typed field is the whole form
  }
  var L = window.L;
  var canvas = box.querySelector("[data-map-canvas]");
  var status = box.querySelector("[data-map-status]");
  var buttons = {};
  Array.prototype.forEach.call(box.querySelectorAll("[data-map-action]"), function (b) {
    buttons[b.dataset.mapAction] = b;
  });
  var lang = document.documentElement.lang || "it";

  // Italy, when there is nothing else to show.
  var italy = L.latLngBounds([36.6, 6.6], [47.1, 18.6]);
  // A click this close (in pixels) to the first vertex closes the polygon:
  // a finger is not precise.
  var closeDistance = 16;
  var colour = { shape: "#0066cc", zone: "#5d7083", chosen: "#c62828" };

  function text(key, values) {
    var s = box.dataset[key] || "";
    Object.keys(values || {}).forEach(function (k) {
      s = s.split("{" + k + "}").join(String(values[k]));
    });
    return s;
  }
  function say(key, values) {
    status.textContent = text(key, values);
  }
  function escapeHTML(s) {
    return s.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }
  // credit is the tiles' credit as HTML, which Leaflet shows as it is: the
  // text escaped, and a link only when the server gives an https address
  // (OpenStreetMap's copyright page for its default credit).
  function credit() {
    var text = escapeHTML(box.dataset.attribution || "");
    var url = box.dataset.attributionUrl || "";
    if (text === "" || !/^https:\/\/[^\s"'<>]+$/.test(url)) {
      return text;
    }
    return "<a href=\"" + escapeHTML(url) + "\" rel=\"noopener\">" + text + "</a>";
  }

  box.hidden = false;
  var map = L.map(canvas, {
    zoomControl: false,
    attributionControl: false,
    doubleClickZoom: false, // two quick clicks are two vertices
    zoomSnap: 0.5,
  });
  L.control.zoom({ zoomInTitle: text("msgZoomIn"), zoomOutTitle: text("msgZoomOut") }).addTo(map);
  L.control.attribution({ prefix: "<a href=\"https://leafletjs.com\">Leaflet</a>" }).addTo(map);
  L.tileLayer(box.dataset.tiles, {
    attribution: credit(),
    maxZoom: 19,
    // The page sends no Referer (same-origin policy); tile servers such
    // as OpenStreetMap's ask for one, so tiles send the site's origin.
    referrerPolicy: "strict-origin-when-cross-origin",
  }).addTo(map);
  map.fitBounds(italy);

  // --- The area: parsed from the field, written back to it. ---

  function round(x, digits) {
    var f = Math.pow(10, digits);
    return Math.round(x * f) / f;
  }

  // parse reads the field: {polygon: [LatLng…]} (open ring) or
  // {circle: {center: LatLng, km: n}}, or null.
  function parse(value) {
    value = value.trim();
    if (value === "") {
      return null;
    }
    if (value.charAt(0) === "{") {
      var a;
      try {
        a = JSON.parse(value);
      } catch (e) {
        return null;
      }
      var c = a && a.circle;
      if (c && c.center && isFinite(c.center.lat) && isFinite(c.center.lon) && c.radius_km > 0) {
        return { circle: { center: L.latLng(c.center.lat, c.center.lon), km: Number(c.radius_km) } };
      }
      if (a && Array.isArray(a.polygon)) {
        return polygonOf(a.polygon.map(function (p) { return [p && p.lat, p && p.lon]; }));
      }
      return null;
    }
    return polygonOf(value.split(/\s+/).map(function (pair) {
      var parts = pair.split(",");
      return parts.length === 2 ? [parseFloat(parts[0]), parseFloat(parts[1])] : [NaN, NaN];
    }));
  }

  function polygonOf(pairs) {
    var points = [];
    for (var i = 0; i < pairs.length; i++) {
      var lat = Number(pairs[i][0]), lon = Number(pairs[i][1]);
      if (!isFinite(lat) || !isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
        return null;
      }
      points.push(L.latLng(lat, lon));
    }
    // The server stores a closed ring; the map draws it open.
    if (points.length > 3 && points[0].equals(points[points.length - 1])) {
      points.pop();
    }
    return points.length >= 3 ? { polygon: points } : null;
  }

  function format(area) {
    if (!area) {
      return "";
    }
    if (area.circle) {
      var c = area.circle.center.wrap();
      return JSON.stringify({ circle: { center: { lat: round(c.lat, 5), lon: round(c.lng, 5) }, radius_km: round(area.circle.km, 3) } });
    }
    return area.polygon.map(function (p) {
      p = p.wrap();
      return round(p.lat, 5) + "," + round(p.lng, 5);
    }).join(" ");
  }

  function describe(area) {
    if (!area) {
      say("msgEmpty");
    } else if (area.circle) {
      say("msgCircle", { km: area.circle.km.toLocaleString(lang, { maximumFractionDigits: 2 }) });
    } else {
      say("msgPolygon", { n: area.polygon.length });
    }
  }

  // --- Drawing on the map. ---

  var shapeLayer = L.layerGroup().addTo(map); // the area of the field
  var draftLayer = L.layerGroup().addTo(map); // what is being drawn
  var mode = ""; // "", "polygon" or "circle"
  var vertices = []; // the polygon being drawn
  var centre = null; // the circle being drawn
  var guide = null; // the line or circle that follows the pointer
  var touched = false; // the person has drawn: the view is theirs

  function layerOf(area) {
    var style = { color: colour.shape, weight: 3, fillOpacity: 0.15, interactive: false };
    if (area.circle) {
      return L.circle(area.circle.center, L.extend({ radius: area.circle.km * 1000 }, style));
    }
    return L.polygon(area.polygon, style);
  }

  function showField() {
    shapeLayer.clearLayers();
    var area = parse(input.value);
    if (area) {
      shapeLayer.addLayer(layerOf(area));
    }
    return area;
  }

  function setMode(m) {
    mode = m;
    vertices = [];
    centre = null;
    guide = null;
    draftLayer.clearLayers();
    buttons.polygon.setAttribute("aria-pressed", m === "polygon" ? "true" : "false");
    buttons.circle.setAttribute("aria-pressed", m === "circle" ? "true" : "false");
    buttons.finish.hidden = m !== "polygon";
    box.classList.toggle("alert-map-drawing", m !== "");
  }

  // start begins a drawing; the area already in the field stays until the
  // new one is finished, and comes back if the drawing is cancelled.
  function start(m) {
    if (mode === m) {
      cancel();
      return;
    }
    setMode(m);
    shapeLayer.clearLayers();
    touched = true;
    say(m === "polygon" ? "msgPolygonStart" : "msgCircleCentre");
  }

  function cancel() {
    setMode("");
    showField();
    say("msgCancelled");
  }

  function finish(area) {
    input.value = format(area);
    setMode("");
    describe(showField());
  }

  function drawPolygonDraft() {
    draftLayer.clearLayers();
    guide = null;
    if (vertices.length > 1) {
      draftLayer.addLayer(L.polyline(vertices, { color: colour.shape, weight: 3, interactive: false }));
    }
    vertices.forEach(function (v, i) {
      draftLayer.addLayer(L.circleMarker(v, {
        radius: i === 0 ? 8 : 5, color: colour.shape, weight: 2, fillColor: "#fff", fillOpacity: 1, interactive: false,
      }));
    });
  }

  function closePolygon() {
    if (vertices.length < 3) {
      say("msgPolygonShort");
      return;
    }
    finish({ polygon: vertices.slice() });
  }

  map.on("click", function (e) {
    if (mode === "polygon") {
      if (vertices.length >= 3 && map.latLngToContainerPoint(vertices[0]).distanceTo(e.containerPoint) <= closeDistance) {
        closePolygon();
        return;
      }
      vertices.push(e.latlng);
      drawPolygonDraft();
      say(vertices.length === 1 ? "msgPolygonDrawingOne" : "msgPolygonDrawingOther", { n: vertices.length });
    } else if (mode === "circle") {
      if (!centre) {
        centre = e.latlng;
        draftLayer.addLayer(L.circleMarker(centre, { radius: 5, color: colour.shape, fillOpacity: 1, interactive: false }));
        say("msgCircleRadius");
        return;
      }
      var metres = map.distance(centre, e.latlng);
      if (metres > 0) {
        finish({ circle: { center: centre, km: metres / 1000 } });
      }
    }
  });

  // The pointer shows where the next click goes (on a screen with one).
  map.on("mousemove", function (e) {
    if (mode === "polygon" && vertices.length > 0) {
      var last = vertices[vertices.length - 1];
      if (guide) {
        guide.setLatLngs([last, e.latlng]);
      } else {
        guide = L.polyline([last, e.latlng], { color: colour.shape, weight: 2, dashArray: "4 6", interactive: false });
        draftLayer.addLayer(guide);
      }
    } else if (mode === "circle" && centre) {
      var r = map.distance(centre, e.latlng);
      if (guide) {
        guide.setRadius(r);
      } else {
        guide = L.circle(centre, { radius: r, color: colour.shape, weight: 2, dashArray: "4 6", fillOpacity: 0.05, interactive: false });
        draftLayer.addLayer(guide);
      }
    }
  });

  canvas.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && mode !== "") {
      e.preventDefault();
      cancel();
    }
  });

  buttons.polygon.addEventListener("click", function () { start("polygon"); });
  buttons.circle.addEventListener("click", function () { start("circle"); });
  buttons.finish.addEventListener("click", closePolygon);
  buttons.clear.addEventListener("click", function () {
    setMode("");
    input.value = "";
    shapeLayer.clearLayers();
    say("msgCleared");
  });

  // Typing in the field redraws the map; the status speaks once the
  // field is left, not at every key.
  input.addEventListener("input", function () {
    if (mode === "") {
      showField();
    }
  });
  input.addEventListener("change", function () {
    if (mode !== "") {
      setMode("");
    }
    var area = showField();
    if (area || input.value.trim() === "") {
      describe(area);
    } else {
      say("msgInvalid");
    }
  });

  // --- The organisation's zones, and the view. ---

  var zonesLayer = null;
  var form = input.form;

  function chosenZones() {
    var chosen = {};
    if (form) {
      Array.prototype.forEach.call(form.querySelectorAll("input[name=zone]:checked"), function (c) {
        chosen[c.value] = true;
      });
    }
    return chosen;
  }

  function zoneStyle(chosen) {
    return function (feature) {
      return chosen[feature.id]
        ? { color: colour.chosen, weight: 2, fill: true, fillOpacity: 0.12 }
        : { color: colour.zone, weight: 2, dashArray: "6 4", fill: false };
    };
  }

  // fit shows the zones and the area, or Italy; not once the person has
  // started drawing, which would move the map under their finger.
  function fit() {
    if (touched) {
      return;
    }
    // A fresh bounds: a layer's getBounds may be its own, not a copy.
    var bounds = L.latLngBounds([]);
    shapeLayer.eachLayer(function (l) { bounds.extend(l.getBounds()); });
    if (zonesLayer && zonesLayer.getLayers().length > 0) {
      bounds.extend(zonesLayer.getBounds());
    }
    map.fitBounds(bounds.isValid() ? bounds : italy, { padding: [12, 12], maxZoom: 16 });
  }

  describe(showField());
  fit();

  if (box.dataset.zones && window.fetch) {
    fetch(box.dataset.zones, { credentials: "same-origin", headers: { "Accept": "application/geo+json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        zonesLayer = L.geoJSON(data, { style: zoneStyle(chosenZones()), interactive: false }).addTo(map);
        zonesLayer.bringToBack();
        fit();
        if (form) {
          form.addEventListener("change", function (e) {
            if (e.target && e.target.name === "zone") {
              zonesLayer.setStyle(zoneStyle(chosenZones()));
            }
          });
        }
      })
      .catch(function () {}); // the zones are an aid too; the checkboxes remain
  }
})();
