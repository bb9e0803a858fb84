/* Search for the docs opened from disk (file://). Material's search runs in a Web Worker that fetches
   search/search_index.json; browsers refuse both for file:// pages, and the box stays at "Initializing search".
   Here, only under file://, the index is loaded as a script (search/search_index.js, written by tools/docs.py) and the
   search box is answered in the page: every query word must occur; title hits weigh most. Over http nothing changes. */
(function () {
  if (location.protocol !== 'file:') return;
  var cfg = {};
  try { cfg = JSON.parse(document.getElementById('__config').textContent); } catch (e) {}
  var base = (cfg.base || '.').replace(/\/$/, '');
  var index = null, pending = null;

  function load(cb) {
    if (index) return cb();
    pending = cb;
    if (document.getElementById('avsnb-search-index')) return;
    var s = document.createElement('script');
    s.id = 'avsnb-search-index';
    s.src = base + '/search/search_index.js';
    s.onload = function () { index = (window.__avsnbSearchIndex || {docs: []}).docs; if (pending) pending(); };
    document.head.appendChild(s);
  }
  function plain(html) { var d = document.createElement('div'); d.innerHTML = html; return d.textContent || ''; }
  function esc(t) { return t.replace(/[&<>"]/g, function (c) { return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]; }); }
  function count(hay, w) { var n = 0, i = hay.indexOf(w); while (i >= 0 && n < 20) { n++; i = hay.indexOf(w, i + w.length); } return n; }

  function search(q) {
    var words = q.toLowerCase().split(/[\s\-]+/).filter(function (w) { return w.length > 0; });
    if (!words.length) return [];
    var hits = [];
    index.forEach(function (d) {
      if (d._text === undefined) { d._text = plain(d.text); d._low = d._text.toLowerCase(); d._title = plain(d.title).toLowerCase(); }
      var score = 0;
      for (var i = 0; i < words.length; i++) {
        var t = count(d._title, words[i]), b = count(d._low, words[i]);
        if (!t && !b) return;
        score += 50 * t + Math.min(b, 10);
      }
      if (d.location.indexOf('#') < 0) score *= 0.8;   // prefer the section over the whole page
      hits.push({d: d, score: score});
    });
    hits.sort(function (a, b) { return b.score - a.score; });
    return hits.slice(0, 30).map(function (h) {
      var low = h.d._low, at = low.indexOf(words[0]), from = Math.max(0, at - 60);
      var snip = h.d._text.slice(from, from + 220);
      var re = new RegExp('(' + words.map(function (w) { return w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }).join('|') + ')', 'gi');
      return {href: base + '/' + h.d.location, title: esc(plain(h.d.title)),
              text: (from ? '… ' : '') + esc(snip).replace(re, '<mark>$1</mark>') + ' …'};
    });
  }

  function render(q) {
    var list = document.querySelector('.md-search-result__list'), meta = document.querySelector('.md-search-result__meta');
    if (!list || !meta) return;
    if (!q.trim()) { list.innerHTML = ''; meta.textContent = 'Type to start searching'; return; }
    var res = search(q);
    meta.textContent = res.length ? res.length + (res.length === 30 ? '+' : '') + ' matching sections' : 'No matching documents';
    list.innerHTML = res.map(function (r) {
      return '<li class="md-search-result__item"><a href="' + r.href + '" class="md-search-result__link" tabindex="-1">' +
             '<article class="md-search-result__article md-typeset"><h1>' + r.title + '</h1><p>' + r.text + '</p></article></a></li>';
    }).join('');
  }

  function attach() {
    var input = document.querySelector('input[data-md-component="search-query"]');
    if (!input) return;
    input.removeAttribute('disabled');
    // Material hides the search dialog when its worker cannot start (as under file://): keep it shown.
    document.querySelectorAll('.md-search, label[for="__search"]').forEach(function (el) {
      el.hidden = false;
      new MutationObserver(function () { if (el.hidden) el.hidden = false; }).observe(el, {attributes: true, attributeFilter: ['hidden']});
    });
    var meta = document.querySelector('.md-search-result__meta');
    if (meta) meta.textContent = 'Type to start searching';
    var go = function () { load(function () { render(input.value); }); };
    input.addEventListener('input', go);
    var toggle = document.getElementById('__search');
    input.addEventListener('focus', function () { if (toggle) toggle.checked = true; load(function () {}); });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Escape' && toggle) { toggle.checked = false; input.blur(); }
    });
    input.form && input.form.addEventListener('submit', function (e) {
      e.preventDefault();
      var first = document.querySelector('.md-search-result__link');
      if (first) location.href = first.href;
    });
    if (input.value) go();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', attach); else attach();
})();
