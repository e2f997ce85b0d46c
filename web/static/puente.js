/* Puente's map page: markers, popups, "near me" and print.
 *
 * Everything that comes from the directory is written with textContent, never as HTML:
 * a listing named <img src=x onerror=alert(1)> shows those characters and runs nothing.
 * The page's words arrive translated in the #puente-config JSON block.
 */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var config = null;
  var details = {};

  function cfg() {
    if (config === null) {
      var node = document.getElementById("puente-config");
      config = node ? JSON.parse(node.textContent) : { labels: {}, categories: [] };
    }
    return config;
  }

  function t(key) {
    var labels = cfg().labels;
    return Object.prototype.hasOwnProperty.call(labels, key) ? labels[key] : key;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function link(href, text, external) {
    var a = el("a", null, text);
    a.href = href;
    if (external) a.rel = "noopener noreferrer";
    return a;
  }

  function safeUrl(value) {
    if (typeof value !== "string") return null;
    try {
      var url = new URL(value.trim());
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function telUrl(phone) {
    if (!phone) return null;
    var first = String(phone).split(/\s*(?:ext\.?|x|,|;|\/)\s*\d*/i)[0];
    var digits = first.replace(/[^0-9+]/g, "");
    return digits.replace(/^\+/, "").length >= 3 ? "tel:" + digits : null;
  }

  function category(index) {
    var categories = cfg().categories;
    return categories[index] || cfg().other;
  }

  function categoryByCode(code) {
    var categories = cfg().categories;
    for (var i = 0; i < categories.length; i++) {
      if (categories[i].code === code) return categories[i];
    }
    return cfg().other;
  }

  /* One icon of the page's inline sprite (web/icons.py), hidden from screen readers. */
  function icon(name) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "icon");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var use = document.createElementNS(SVG, "use");
    use.setAttribute("href", "#i-" + name);
    svg.appendChild(use);
    return svg;
  }

  function glyph(cat) {
    var wrap = el("span", "puente-pin");
    wrap.style.setProperty("--category", cat.color);
    wrap.appendChild(icon(cat.icon));
    return wrap;
  }

  /* OpenStreetMap-style hours with the reader's day names: Mo-Fr 09:00-17:00 -> lun-vie. */
  function localHours(text) {
    var days = {};
    var format = new Intl.DateTimeFormat(cfg().lang, { weekday: "short", timeZone: "UTC" });
    ["mo", "tu", "we", "th", "fr", "sa", "su"].forEach(function (day, i) {
      days[day] = format.format(new Date(Date.UTC(2024, 0, 1 + i))); /* 2024-01-01: a Monday */
    });
    return String(text).replace(/\b(Mo|Tu|We|Th|Fr|Sa|Su|off|closed)\b|24\/7/gi, function (word) {
      var key = word.toLowerCase();
      if (key === "24/7") return t("allDay");
      if (key === "off" || key === "closed") return t("closed");
      return days[key];
    });
  }

  function formatDate(value, withTime) {
    var c = cfg();
    var options = withTime
      ? { dateStyle: "full", timeStyle: "short", timeZone: c.timezone }
      : { dateStyle: "long", timeZone: c.timezone };
    try {
      return new Intl.DateTimeFormat(c.lang, options).format(new Date(value));
    } catch (e) {
      return String(value);
    }
  }

  var PinIcon = window.L
    ? L.DivIcon.extend({
        createIcon: function (oldIcon) {
          var div = L.DivIcon.prototype.createIcon.call(this, oldIcon);
          div.replaceChildren(glyph(this.options.category));
          if (this.options.leg) div.insertBefore(leg(this.options.leg), div.firstChild);
          /* Named with its kind of help: "Clínica Legal del Este (Ayuda legal de inmigración)". */
          if (this.options.label) div.setAttribute("aria-label", this.options.label);
          return div;
        },
      })
    : null;

  /* The thin line from a fanned-out marker's centre back to its true point [dx, dy] (px),
     drawn under the pin and never in the way of a tap. */
  function leg(vector) {
    var line = el("span", "puente-leg");
    line.setAttribute("aria-hidden", "true");
    line.style.setProperty("width", Math.hypot(vector[0], vector[1]).toFixed(1) + "px");
    line.style.setProperty("transform", "rotate(" + Math.atan2(vector[1], vector[0]).toFixed(4) + "rad)");
    return line;
  }

  /* Places closer than this on screen (px) share a point: they fan out around it. */
  var GATHER = 12;
  /* Centres of fanned-out markers are at least this far apart (px): a 44 px tap box each. */
  var SPREAD = 48;

  /* Draw a marker [dx, dy] px away from its true point, with a leg back to it; [0, 0] puts
     it back. The icon's element is kept (Leaflet reuses a DivIcon's div), so a focused
     marker keeps the focus. */
  function shift(m, dx, dy) {
    var options = m.options.icon.options;
    var was = options.shift || [0, 0];
    if (Math.abs(was[0] - dx) < 0.5 && Math.abs(was[1] - dy) < 0.5) return;
    var moved = dx !== 0 || dy !== 0;
    m.setIcon(
      new PinIcon(
        L.extend({}, options, {
          shift: [dx, dy],
          iconAnchor: [22 - dx, 22 - dy],
          popupAnchor: [dx, dy - 18],
          leg: moved ? [-dx, -dy] : null,
        })
      )
    );
  }

  /* Fan out the markers that share a point on screen: each group's markers go round a
     circle about the group's centre, in the order of their ids, the first at the top, far
     enough apart that each keeps its own tap box. */
  function fanOut(map, markers) {
    var ids = Object.keys(markers).map(Number).sort(function (a, b) {
      return a - b;
    });
    var points = {};
    var cells = {};
    ids.forEach(function (id) {
      var p = map.latLngToLayerPoint(markers[id].getLatLng());
      points[id] = p;
      var key = Math.floor(p.x / GATHER) + ":" + Math.floor(p.y / GATHER);
      (cells[key] = cells[key] || []).push(id);
    });
    var placed = {};
    ids.forEach(function (id) {
      if (placed[id]) return;
      var p = points[id];
      var cx = Math.floor(p.x / GATHER), cy = Math.floor(p.y / GATHER);
      var group = [];
      for (var x = cx - 1; x <= cx + 1; x++) {
        for (var y = cy - 1; y <= cy + 1; y++) {
          (cells[x + ":" + y] || []).forEach(function (other) {
            if (!placed[other] && points[other].distanceTo(p) < GATHER) group.push(other);
          });
        }
      }
      group.sort(function (a, b) {
        return a - b;
      });
      group.forEach(function (other) {
        placed[other] = true;
      });
      if (group.length === 1) {
        shift(markers[id], 0, 0);
        return;
      }
      var centre = group.reduce(function (sum, other) {
        return sum.add(points[other]);
      }, L.point(0, 0)).divideBy(group.length);
      var radius = Math.max(SPREAD / 2 / Math.sin(Math.PI / group.length), 28);
      group.forEach(function (other, k) {
        var angle = (2 * Math.PI * k) / group.length;
        var to = centre.add(L.point(radius * Math.sin(angle), -radius * Math.cos(angle)));
        shift(markers[other], Math.round(to.x - points[other].x), Math.round(to.y - points[other].y));
      });
    });
  }

  /* One marker row: [lat, lon, id, category index, name]. */
  function marker(row) {
    var cat = category(row[3]);
    var icon = new PinIcon({
      className: "puente-marker",
      html: false,
      iconSize: [44, 44],
      iconAnchor: [22, 22],
      popupAnchor: [0, -18],
      category: cat,
      label: row[4] + " (" + cat.label + ")",
    });
    var m = L.marker([row[0], row[1]], { icon: icon, title: row[4], keyboard: true });
    m.puenteId = row[2];
    m.bindPopup(
      function () {
        return popup(row, cat);
      },
      { maxWidth: 320, minWidth: 220, autoPanPadding: [16, 16] }
    );
    return m;
  }

  function popup(row, cat) {
    var box = el("div", "puente-popup");
    box.setAttribute("data-id", row[2]);
    var title = el("h3", "name", row[4]);
    box.appendChild(title);
    box.appendChild(el("p", "category", cat.label));
    var body = el("div", "body", t("loading"));
    box.appendChild(body);
    var id = row[2];
    var fill = function (resource) {
      body.replaceChildren(detailNodes(resource));
    };
    if (details[id]) {
      fill(details[id]);
    } else {
      fetch(cfg().resourceUrl.replace("{id}", encodeURIComponent(id)), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (resource) {
          details[id] = resource;
          fill(resource);
        })
        .catch(function () {
          body.replaceChildren(el("p", "error", t("detailsFailed")));
        });
    }
    return box;
  }

  function line(parent, label, content) {
    var p = el("p");
    if (label) p.appendChild(el("span", "label", label + " "));
    if (content instanceof Node) p.appendChild(content);
    else p.appendChild(document.createTextNode(String(content)));
    parent.appendChild(p);
    return p;
  }

  function detailNodes(r) {
    var c = cfg();
    var frag = document.createDocumentFragment();
    var loc = r.location || {};
    if (r.organization) {
      var kind = c.organizationKinds[r.organization.kind] || r.organization.kind;
      line(frag, t("runBy"), r.organization.name + " — " + kind);
    }
    if (r.category === "legal_aid") {
      var doj = r.organization ? r.organization.doj_recognized : null;
      line(frag, null, doj === true ? t("dojYes") : doj === false ? t("dojNo") : t("dojUnknown"));
    }
    if (loc.confidential || !loc.address) {
      var areas = (loc.areas || []).map(function (a) {
        var name = a.kind === "council_district" ? t("district").replace("%(code)s", a.code) : a.name;
        return (c.areaKinds[a.kind] || a.kind) + ": " + name;
      });
      line(frag, null, t("private") + (areas.length ? " " + t("area") + " " + areas.join("; ") : ""));
    } else {
      var cityLine = [loc.city, loc.state, loc.postal_code].filter(Boolean).join(" ");
      var address = line(frag, null, [loc.address, cityLine].filter(Boolean).join(", "));
      address.className = "address";
      var links = el("p", "directions");
      var point = loc.latitude.toFixed(6) + "," + loc.longitude.toFixed(6);
      links.appendChild(link("geo:" + point + "?q=" + point + "(" + encodeURIComponent(r.name) + ")", t("directionsApp")));
      links.appendChild(document.createTextNode(" · "));
      links.appendChild(
        link(
          "https://www.openstreetmap.org/directions?route=%3B" + encodeURIComponent(point),
          t("directionsOsm"),
          true
        )
      );
      frag.appendChild(links);
    }
    if (r.phone) {
      var tel = telUrl(r.phone);
      line(frag, t("phone"), tel ? link(tel, r.phone) : r.phone);
    }
    var act = el("p", "act");
    if (r.phone && telUrl(r.phone)) {
      var call = link(telUrl(r.phone), t("call"));
      call.className = "button";
      act.appendChild(call);
    }
    if (!loc.confidential && loc.address) {
      var to = loc.latitude.toFixed(6) + "," + loc.longitude.toFixed(6);
      var go = link("geo:" + to + "?q=" + to + "(" + encodeURIComponent(r.name) + ")", t("directions"));
      go.className = "button";
      act.appendChild(go);
    }
    if (act.childNodes.length) frag.appendChild(act);
    var website = safeUrl(r.website);
    if (website) line(frag, null, link(website, t("website"), true));
    if (r.languages && r.languages.length) {
      var names = r.languages.map(function (l) {
        var name = c.languageNames[l.code] || l.name || l.code;
        var support = l.support && c.supports[l.support];
        return support ? name + " (" + support + ")" : name;
      });
      line(frag, t("languages"), names.join(", "));
    }
    if (r.hours) {
      var hours = line(frag, t("hours"), localHours(r.hours));
      if (r.open_now === true) hours.appendChild(el("strong", "open", " · " + t("openNow")));
      else if (r.open_now === false) hours.appendChild(el("span", "closed", " · " + t("closedNow")));
    }
    var events = r.events || (r.next_event ? [r.next_event] : []);
    events.slice(0, 3).forEach(function (event) {
      var p = line(frag, t("nextMeeting"), event.title + ", " + formatDate(event.starts_at, true));
      if (event.status === "cancelled") p.appendChild(el("strong", "closed", " · " + t("cancelled")));
      p.appendChild(document.createTextNode(" · "));
      p.appendChild(link(
          c.calendarUrl
            .replace("{resource}", encodeURIComponent(r.id))
            .replace("{event}", encodeURIComponent(event.id)),
          t("addToCalendar")
        ));
    });
    var meta = el("p", "meta");
    meta.appendChild(
      document.createTextNode(r.verified_at ? t("verified") + " " + formatDate(r.verified_at, false) : t("unverified"))
    );
    var source = safeUrl(r.source_url);
    if (source) {
      meta.appendChild(document.createTextNode(" · "));
      meta.appendChild(link(source, t("source"), true));
    }
    meta.appendChild(document.createTextNode(" · "));
    meta.appendChild(link(c.reportUrl.replace("{id}", encodeURIComponent(r.id)), t("report")));
    frag.appendChild(meta);
    return frag;
  }

  /* "3 places" in the page's language: the catalog's plural forms by CLDR category. */
  function countLabel(count) {
    var c = cfg();
    var forms = c.placeCounts || {};
    var form = forms[new Intl.PluralRules(c.lang).select(count)] || forms.other || "%(num)s";
    return form.replace("%(num)s", new Intl.NumberFormat(c.lang).format(count));
  }

  var ClusterIcon = window.L
    ? L.DivIcon.extend({
        createIcon: function (oldIcon) {
          var div = L.DivIcon.prototype.createIcon.call(this, oldIcon);
          var inner = el("div");
          /* Named by its content: "12 lugares" for screen readers, the bare count drawn. */
          var count = el("span", null, new Intl.NumberFormat(cfg().lang).format(this.options.count));
          count.setAttribute("aria-hidden", "true");
          inner.appendChild(el("span", "visually-hidden", countLabel(this.options.count)));
          inner.appendChild(count);
          div.replaceChildren(inner);
          return div;
        },
      })
    : null;

  /* A cluster the server made (web/clusters.py): named "12 places"; a tap or Enter zooms in
     on the places it holds. */
  function clusterMarker(lat, lon, count, bounds) {
    var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    var icon = new ClusterIcon({
      html: false,
      count: count,
      className: "marker-cluster marker-cluster-" + size,
      iconSize: [44, 44],
    });
    var m = L.marker([lat, lon], { icon: icon, keyboard: true });
    m.puenteCount = count;
    m.puenteBounds = bounds;
    return m;
  }

  var basemapFallback = null;
  var placesUrl = null;

  function notice(id) {
    var node = document.getElementById(id);
    if (node) node.hidden = false;
  }

  function clamp(value, low, high) {
    return Math.min(Math.max(value, low), high);
  }

  /* The places of what the map shows: after each move the view's clusters and single places
     are asked of the server (web/places.py) and drawn. Single markers are kept while they
     stay in view, so an open popup and the keyboard's focus stay where they are. */
  var PlacesLayer = window.L
    ? L.LayerGroup.extend({
        initialize: function (url) {
          L.LayerGroup.prototype.initialize.call(this);
          this._url = url;
          this._markers = {};
          this._clusters = [];
          this._request = null;
          this._refocus = false;
          this.total = null;
        },
        onAdd: function (map) {
          L.LayerGroup.prototype.onAdd.call(this, map);
          map.on("moveend", this._load, this);
          var layer = this;
          /* The page's script fits the map to its places right after adding this layer;
             that move asks for the places, unless there was none to fit. */
          Promise.resolve().then(function () {
            if (layer.total === null && !layer._request && layer._map) layer._load();
          });
        },
        onRemove: function (map) {
          map.off("moveend", this._load, this);
          L.LayerGroup.prototype.onRemove.call(this, map);
        },
        viewUrl: function () {
          var map = this._map;
          var b = map.getBounds().pad(0.25);
          var box = [
            clamp(b.getWest(), -180, 180),
            clamp(b.getSouth(), -90, 90),
            clamp(b.getEast(), -180, 180),
            clamp(b.getNorth(), -90, 90),
          ].map(function (v) {
            return v.toFixed(4);
          });
          var zoom = clamp(Math.round(map.getZoom()), 0, map.getMaxZoom());
          return this._url + (this._url.indexOf("?") >= 0 ? "&" : "?") + "zoom=" + zoom + "&bbox=" + box.join(",");
        },
        _load: function () {
          if (!this._map) return;
          var layer = this;
          var url = this.viewUrl();
          if (this._request) this._request.abort();
          var request = new AbortController();
          this._request = request;
          placesUrl = url;
          fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", signal: request.signal })
            .then(function (response) {
              if (!response.ok) throw new Error(String(response.status));
              return response.json();
            })
            .then(function (data) {
              if (layer._request !== request) return;
              layer._request = null;
              layer._draw(data);
            })
            .catch(function (error) {
              if (error && error.name === "AbortError") return;
              if (layer._request === request) layer._request = null;
              notice("places-notice");
            });
        },
        _draw: function (data) {
          var map = this._map;
          if (!map) return;
          var seen = {};
          var places = data.places;
          var lat = 0, lon = 0, id = 0, i;
          for (i = 0; i < places.count; i++) {
            lat += places.lat[i];
            lon += places.lon[i];
            id += places.id[i];
            seen[id] = true;
            if (!this._markers[id]) {
              this._markers[id] = marker([lat / 1e5, lon / 1e5, id, places.category[i], places.name[i]]);
              this.addLayer(this._markers[id]);
            }
          }
          for (var key in this._markers) {
            if (!seen[key]) {
              this.removeLayer(this._markers[key]);
              delete this._markers[key];
            }
          }
          fanOut(map, this._markers);
          this._clusters.forEach(this.removeLayer, this);
          this._clusters = [];
          var c = data.clusters;
          for (i = 0; i < c.count.length; i++) {
            var bounds = L.latLngBounds([c.south[i] / 1e5, c.west[i] / 1e5], [c.north[i] / 1e5, c.east[i] / 1e5]);
            var cluster = clusterMarker(c.lat[i] / 1e5, c.lon[i] / 1e5, c.count[i], bounds);
            cluster.on("click", this._zoomTo, this);
            cluster.on("keypress", this._onKey, this);
            this._clusters.push(cluster);
            this.addLayer(cluster);
          }
          this.total = data.count;
          if (this._refocus) {
            this._refocus = false;
            var first = map.getPane("markerPane").querySelector(".leaflet-marker-icon");
            if (first) first.focus({ preventScroll: true });
          }
          this.fire("load");
        },
        _onKey: function (event) {
          var key = event.originalEvent && event.originalEvent.key;
          if (key === "Enter" || key === " ") {
            event.originalEvent.preventDefault();
            this._zoomTo(event);
          }
        },
        _zoomTo: function (event) {
          var map = this._map;
          var cluster = event.target;
          var icon = cluster.getElement();
          this._refocus = Boolean(icon && document.activeElement === icon);
          var zoom = Math.max(map.getBoundsZoom(cluster.puenteBounds, false, L.point(88, 88)), map.getZoom() + 1);
          map.setView(cluster.puenteBounds.getCenter(), Math.min(zoom, map.getMaxZoom()));
        },
        /* For tests and scripts: whether a view is being asked for, the single places drawn,
           one of them, the clusters' sizes. */
        loading: function () {
          return this._request !== null || this.total === null;
        },
        ids: function () {
          return Object.keys(this._markers).map(Number);
        },
        marker: function (id) {
          return this._markers[id] || null;
        },
        clusterCounts: function () {
          return this._clusters.map(function (c) {
            return c.puenteCount;
          });
        },
      })
    : null;

  function places(url) {
    return new PlacesLayer(url);
  }

  /* An outline layer fetched the first time it is turned on. */
  function outlines(url, options) {
    var loaded = false;
    var layer = L.geoJSON(null, {
      style: function () {
        return options.style;
      },
      onEachFeature: outline,
    });
    layer.on("add", function () {
      if (loaded) return;
      loaded = true;
      fetch(url, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (data) {
          layer.addData(data);
        })
        .catch(function () {
          loaded = false;
        });
    });
    if (options.fallback) basemapFallback = layer;
    return layer;
  }

  /* Tiles that fail to load leave the area outlines as the basemap, and say so. */
  function watchTiles(map) {
    var failed = false;
    map.eachLayer(function (layer) {
      if (!(layer instanceof L.TileLayer)) return;
      layer.on("tileerror", function () {
        if (failed) return;
        failed = true;
        if (basemapFallback && !map.hasLayer(basemapFallback)) map.addLayer(basemapFallback);
        notice("basemap-notice");
      });
    });
  }

  /* Tooltip of an area outline: its name and note, as text. */
  function outline(feature, layer) {
    var props = feature.properties || {};
    var text = props.name + (props.note ? " — " + props.note : "");
    layer.bindTooltip(el("span", null, text), { sticky: true });
    /* The outlines are a backdrop: a pointer shows their names, the Tab key skips them. */
    layer.on("add", function () {
      var node = layer.getElement && layer.getElement();
      if (node) node.setAttribute("tabindex", "-1");
    });
  }

  function named(selector, label) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), function (node) {
      node.setAttribute("title", label);
      node.setAttribute("aria-label", label);
    });
  }

  /* Map controls in the page's language; a popup takes the focus, Escape closes it and the
     focus goes back to its marker. */
  function setUpMap() {
    if (!window.L) return;
    /* Folium names the map's variable after its element. */
    var node = document.querySelector(".folium-map");
    var map = node && window[node.id];
    if (!(map instanceof L.Map)) return;
    watchTiles(map);
    named(".leaflet-control-zoom-in", t("zoomIn"));
    named(".leaflet-control-zoom-out", t("zoomOut"));
    named(".leaflet-control-layers-toggle", t("layers"));
    var pane = map.getPane("markerPane");
    if (pane) {
      pane.setAttribute("role", "group");
      pane.setAttribute("aria-label", t("markers"));
    }
    map.getContainer().querySelectorAll("path.leaflet-interactive").forEach(function (node) {
      node.setAttribute("tabindex", "-1");
    });
    map.on("popupopen", function (event) {
      var box = event.popup.getElement();
      if (!box) return;
      named(".leaflet-popup-close-button", t("close"));
      var heading = box.querySelector(".puente-popup h3");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus({ preventScroll: true });
      }
      box.addEventListener("keydown", function (key) {
        if (key.key === "Escape") map.closePopup(event.popup);
      });
    });
    map.on("popupclose", function (event) {
      var source = event.popup._source;
      var icon = source && source._icon;
      var box = event.popup.getElement();
      var focus = document.activeElement;
      if (icon && (!focus || focus === document.body || (box && box.contains(focus)))) {
        icon.focus({ preventScroll: true });
      }
    });
  }

  function round2(value) {
    return (Math.round(value * 100) / 100).toFixed(2);
  }

  function setUpNearMe() {
    var button = document.getElementById("near-me");
    var form = document.getElementById("filters");
    if (!button || !form || !("geolocation" in navigator)) return;
    var status = document.getElementById("near-status");
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = t("locating");
      navigator.geolocation.getCurrentPosition(
        function (position) {
          /* Rounded here, before anything leaves the phone: two decimals is about 1 km. */
          form.elements.near.value = round2(position.coords.latitude) + "," + round2(position.coords.longitude);
          form.elements.address.value = "";
          if (form.requestSubmit) form.requestSubmit();
          else form.submit();
        },
        function () {
          status.textContent = t("locationFailed");
        },
        { enableHighAccuracy: false, timeout: 15000, maximumAge: 600000 }
      );
    });
    /* Typing an address replaces a shared point. */
    form.elements.address.addEventListener("input", function () {
      form.elements.near.value = "";
    });
  }

  /* Leave empty filters out of the URL, so a shared search reads cleanly. */
  function setUpCleanUrls() {
    var form = document.getElementById("filters");
    if (!form) return;
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name && field.value === "") field.disabled = true;
      });
    });
    window.addEventListener("pageshow", function () {
      Array.prototype.forEach.call(form.elements, function (field) {
        field.disabled = false;
      });
    });
  }

  function setUpPrint() {
    var button = document.getElementById("print");
    if (!button) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  }

  /* On a phone the map page's filters and legend start folded, so the count and the first
     result show under the map without scrolling. Called by an inline script right after
     each box, before the page is first drawn, so nothing moves once it is shown. */
  function foldOnPhone(id) {
    var box = document.getElementById(id);
    if (box && window.matchMedia("(max-width: 600px)").matches) box.open = false;
  }

  /* On a phone the language line scrolls by itself: start it at the page's own language. */
  function setUpLanguages() {
    var current = document.querySelector("nav.languages [aria-current]");
    var nav = current && current.parentNode;
    if (nav && nav.scrollWidth > nav.clientWidth) {
      nav.scrollLeft += current.getBoundingClientRect().left - nav.getBoundingClientRect().left -
        (nav.clientWidth - current.offsetWidth) / 2;
    }
  }


  /* Without signal: say so, and let the service worker (web/offline.js) keep this page,
     its places and the emergency page for the next time. */
  function setUpOffline() {
    var banner = document.getElementById("offline-notice");
    var update = function () {
      if (banner) banner.hidden = navigator.onLine !== false;
    };
    update();
    window.addEventListener("online", update);
    window.addEventListener("offline", update);
    var c = cfg();
    if (!c.serviceWorker || !("serviceWorker" in navigator) || navigator.onLine === false) return;
    var controlled = Boolean(navigator.serviceWorker.controller);
    navigator.serviceWorker
      .register(c.serviceWorker, { scope: "/" })
      .then(function () {
        return navigator.serviceWorker.ready;
      })
      .then(function (registration) {
        var keep = [c.emergencyUrl];
        if (!controlled) {
          keep.push(location.href);
          if (placesUrl) keep.push(placesUrl);
        }
        if (registration.active) registration.active.postMessage({ keep: keep });
      })
      .catch(function () {});
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpOffline();
    setUpLanguages();
    setUpNearMe();
    setUpCleanUrls();
    setUpPrint();
    setUpMap();
  });

  window.Puente = {
    marker: marker,
    outline: outline,
    places: places,
    outlines: outlines,
    foldOnPhone: foldOnPhone,
    categoryByCode: categoryByCode,
    PlacesLayer: PlacesLayer,
  };
})();
