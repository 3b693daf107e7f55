// The interactive matrix of an avtrace HTML report. It reads the JSON data block of the page
// and renders one page of rows at a time, so a matrix of thousands of clauses loads fast.
//
// Security: requirement text is untrusted. Everything from the data reaches the DOM
// through textContent or as an attribute value set by setAttribute; nothing is parsed as
// HTML. The page's Content-Security-Policy allows this script only (by hash) and no network.
(function () {
  'use strict';

  const STATUS_ORDER = new Map([['covered', 0], ['via-mapping', 1], ['partial', 2], ['uncovered', 3]]);
  const STATUS_LABEL = new Map([
    ['covered', 'covered'],
    ['via-mapping', 'via mapping'],
    ['partial', 'partial'],
    ['uncovered', 'uncovered'],
  ]);
  // Marks that carry the status without colour, for colour-blind readers and print.
  const STATUS_MARK = new Map([
    ['covered', '\u2714'],
    ['via-mapping', '\u21c4'],
    ['partial', '\u25d0'],
    ['uncovered', '\u2718'],
  ]);
  const NOT_OBLIGED = 4;

  const dataBlock = document.getElementById('avtrace-data');
  const table = document.getElementById('matrix');
  if (!dataBlock || !table) {
    return;
  }
  const data = JSON.parse(dataBlock.textContent);
  const tbody = table.tBodies[0];
  const markets = data.markets.map((m) => m.market);
  const requirements = new Map(data.requirements.map((r) => [r.id, r]));
  const instrumentIndex = new Map(data.instruments.map((inst, i) => [inst.instrument, i]));
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

  // What the free-text filter searches in a requirement, worked out once per requirement
  // (a requirement may back many clauses).
  const requirementText = new Map(
    data.requirements.map((r) => [
      r.id,
      [r.id, r.title, r.text, r.status, r.verification, r.verified_by.join(' '), Object.values(r.attrs).join(' ')]
        .join('\n')
        .toLowerCase(),
    ]),
  );
  // The requirement tree: children in the order written.
  const childrenOf = new Map();
  for (const r of data.requirements) {
    if (r.parent) {
      if (!childrenOf.has(r.parent)) {
        childrenOf.set(r.parent, []);
      }
      childrenOf.get(r.parent).push(r.id);
    }
  }

  // One row per clause, with what filtering and sorting need worked out once.
  const rows = data.clauses.map((c, idx) => {
    const byMarket = new Map(c.markets.map((m) => [m.market, m.because]));
    const words = [c.clause, c.instrument, c.title, c.kind, c.status];
    for (const step of c.via) {
      words.push(step.from, step.to, step.rel, step.basis, step.source, step.rationale || '');
    }
    for (const m of c.markets) {
      words.push(m.market, m.because.join(' '));
    }
    return {
      c: c,
      idx: idx,
      inst: instrumentIndex.has(c.instrument) ? instrumentIndex.get(c.instrument) : -1,
      byMarket: byMarket,
      search: words.join('\n').toLowerCase(),
      reqSearch: c.requirements.map((id) => requirementText.get(id) || id.toLowerCase()),
      // Every requirement the clause rests on, the subtree beneath included: the attribute
      // filter looks at these.
      reqIds: c.requirements.concat(c.subtree),
    };
  });

  function hasAttribute(row, key, value) {
    return row.reqIds.some((id) => {
      const r = requirements.get(id);
      return r !== undefined && Object.prototype.hasOwnProperty.call(r.attrs, key) && r.attrs[key] === value;
    });
  }

  function matchesText(row, term) {
    return row.search.includes(term) || row.reqSearch.some((s) => s.includes(term));
  }

  const controls = {
    text: document.getElementById('f-text'),
    market: document.getElementById('f-market'),
    instrument: document.getElementById('f-instrument'),
    status: document.getElementById('f-status'),
    attr: document.getElementById('f-attr'),
    size: document.getElementById('f-size'),
    clear: document.getElementById('f-clear'),
    prev: document.getElementById('page-prev'),
    next: document.getElementById('page-next'),
    status_line: document.getElementById('matrix-status'),
  };

  let filtered = rows;
  let page = 0;
  let sortKey = 'clause';
  let sortDir = 1;

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) {
      e.className = className;
    }
    if (text !== undefined && text !== null) {
      e.textContent = String(text);
    }
    return e;
  }

  function statusOf(row, market) {
    return row.byMarket.has(market) ? STATUS_ORDER.get(row.c.status) : NOT_OBLIGED;
  }

  function sortValue(row) {
    if (sortKey === 'title') {
      return row.c.title;
    }
    if (sortKey === 'requirements') {
      return row.c.requirements.length;
    }
    if (sortKey.startsWith('m:')) {
      return statusOf(row, sortKey.slice(2));
    }
    return row.idx;
  }

  function compare(a, b) {
    // Rows stay grouped by instrument; the chosen column orders them within a group.
    if (a.inst !== b.inst) {
      return a.inst - b.inst;
    }
    const va = sortValue(a);
    const vb = sortValue(b);
    const d = typeof va === 'string' ? collator.compare(va, vb) : va - vb;
    return d === 0 ? a.idx - b.idx : d * sortDir;
  }

  function applyFilters() {
    const market = controls.market.value;
    const instrument = controls.instrument.value;
    const status = controls.status.value;
    const attr = controls.attr && controls.attr.value ? JSON.parse(controls.attr.value) : null;
    const terms = controls.text.value.toLowerCase().split(/\s+/).filter((t) => t.length > 0);
    filtered = rows.filter(
      (r) =>
        (!market || r.byMarket.has(market)) &&
        (!instrument || r.c.instrument === instrument) &&
        (!status || r.c.status === status) &&
        (!attr || hasAttribute(r, attr[0], attr[1])) &&
        terms.every((t) => matchesText(r, t)),
    );
    filtered.sort(compare);
    page = 0;
    render(false);
  }

  function pageSize() {
    const n = parseInt(controls.size.value, 10);
    return n > 0 ? n : filtered.length || 1;
  }

  // Requirements show by id and title; their text, status and evidence are built when a
  // reader opens one (a clause may have dozens, and thousands of nodes slow the page).
  const SHOWN_REQUIREMENTS = 5;

  function requirementItem(id) {
    const r = requirements.get(id);
    const li = el('li');
    const details = el('details', 'req');
    details.dataset.rid = id;
    const summary = el('summary');
    summary.appendChild(el('span', 'rid', id));
    if (r) {
      summary.appendChild(document.createTextNode(' '));
      summary.appendChild(el('span', 'tag vf-' + r.verification, r.verification));
      summary.appendChild(el('span', 'rtitle', ' ' + r.title));
    }
    details.appendChild(summary);
    li.appendChild(details);
    return li;
  }

  function fillRequirement(details) {
    const r = requirements.get(details.dataset.rid);
    if (!r || details.dataset.filled) {
      return;
    }
    details.dataset.filled = '1';
    if (r.text) {
      details.appendChild(el('p', 'rtext', r.text));
    }
    const verified = r.verified_by.length ? 'evidence: ' + r.verified_by.join(', ') : 'no evidence named';
    details.appendChild(
      el('p', 'rmeta', [r.status, 'verification ' + r.verification, verified].filter((x) => x).join(' \u00b7 ')),
    );
    const facts = [];
    if (r.parent) {
      facts.push('refines ' + r.parent);
    }
    for (const link of r.links) {
      facts.push(link.kind + ' ' + link.to);
    }
    for (const key of Object.keys(r.attrs)) {
      facts.push(key + ': ' + r.attrs[key]);
    }
    if (facts.length) {
      details.appendChild(el('p', 'rmeta', facts.join(' \u00b7 ')));
    }
  }

  function requirementList(ids) {
    const ul = el('ul', 'req-list');
    for (const id of ids.slice(0, SHOWN_REQUIREMENTS)) {
      ul.appendChild(requirementItem(id));
    }
    if (ids.length > SHOWN_REQUIREMENTS) {
      const li = el('li', 'more');
      const more = el('details', 'more');
      more.dataset.rest = ids.slice(SHOWN_REQUIREMENTS).join('\n');
      more.appendChild(el('summary', null, 'and ' + (ids.length - SHOWN_REQUIREMENTS) + ' more'));
      li.appendChild(more);
      ul.appendChild(li);
    }
    return ul;
  }

  function fillMore(details) {
    if (details.dataset.filled) {
      return;
    }
    details.dataset.filled = '1';
    const ul = el('ul', 'req-list');
    for (const id of details.dataset.rest.split('\n')) {
      ul.appendChild(requirementItem(id));
    }
    details.appendChild(ul);
  }

  function fill(details) {
    if (details.classList.contains('req')) {
      fillRequirement(details);
    } else if (details.classList.contains('more')) {
      fillMore(details);
    }
  }

  function chainList(via) {
    const ol = el('ol', 'chain');
    for (const step of via) {
      const li = el('li');
      li.appendChild(el('span', 'ref', step.from));
      li.appendChild(el('span', 'rel rel-' + step.rel, ' ' + step.rel + ' \u2192 '));
      li.appendChild(el('span', 'ref', step.to));
      // The basis shows at once; where it is published, and why, on request (sources are
      // long and would make every row tall).
      const source = el('details', 'facts');
      source.appendChild(el('summary', null, step.basis + (step.confidence ? ', ' + step.confidence : '') + ': source'));
      source.appendChild(el('small', null, step.source));
      if (step.rationale) {
        source.appendChild(el('small', null, 'Rationale: ' + step.rationale));
      }
      li.appendChild(source);
      ol.appendChild(li);
    }
    return ol;
  }

  // Markets that oblige the clause for the same reasons share one line.
  function becauseList(row) {
    const groups = new Map();
    for (const m of row.c.markets) {
      const key = m.because.join('; ');
      if (!groups.has(key)) {
        groups.set(key, []);
      }
      groups.get(key).push(m.market);
    }
    const ul = el('ul', 'because');
    for (const [reasons, ms] of groups) {
      const li = el('li');
      li.appendChild(el('span', 'mk', ms.join(', ') + ': '));
      li.appendChild(document.createTextNode(reasons));
      ul.appendChild(li);
    }
    return ul;
  }

  function rowElement(row) {
    const c = row.c;
    const tr = el('tr', 'st-' + c.status);
    const head = el('th', 'clause');
    head.setAttribute('scope', 'row');
    head.appendChild(el('span', 'ref', c.clause));
    if (c.kind !== 'requirement') {
      head.appendChild(el('small', 'kind', c.kind));
    }
    tr.appendChild(head);
    tr.appendChild(el('td', 'title', c.title));

    const reqs = el('td', 'reqs');
    if (c.requirements.length) {
      reqs.appendChild(requirementList(c.requirements));
      if (c.subtree.length) {
        // A clause satisfied by a parent rests on the requirements beneath it too.
        const beneath = el('details', 'more');
        beneath.dataset.rest = c.subtree.join('\n');
        beneath.appendChild(el('summary', null, 'beneath: ' + c.subtree.length + ' refining'));
        reqs.appendChild(beneath);
      }
      if (!c.verified && c.status !== 'partial') {
        reqs.appendChild(el('small', 'badge', 'not verified (no passed evidence)'));
      }
    } else {
      reqs.appendChild(el('span', 'none', 'none'));
    }
    tr.appendChild(reqs);

    const chain = el('td', 'via');
    if (c.via.length) {
      chain.appendChild(chainList(c.via));
    }
    tr.appendChild(chain);

    const because = el('td', 'why');
    because.appendChild(becauseList(row));
    tr.appendChild(because);

    for (const m of markets) {
      if (row.byMarket.has(m)) {
        // The mark alone carries the status in print, where the columns of every market
        // must fit one page's width.
        const td = el('td', 'st st-' + c.status);
        td.appendChild(el('span', 'mark', STATUS_MARK.get(c.status)));
        td.appendChild(el('span', 'label', ' ' + STATUS_LABEL.get(c.status)));
        td.setAttribute('title', m + ': ' + row.byMarket.get(m).join('; '));
        tr.appendChild(td);
      } else {
        const td = el('td', 'st st-none', '\u2014');
        td.setAttribute('title', m + ': not an obligation');
        tr.appendChild(td);
      }
    }
    return tr;
  }

  function groupRow(inst) {
    const info = data.instruments[inst];
    const tr = el('tr', 'group');
    const th = el('th');
    th.setAttribute('colspan', String(5 + markets.length));
    th.setAttribute('scope', 'colgroup');
    th.appendChild(el('span', 'ref', info ? info.instrument : ''));
    if (info) {
      th.appendChild(document.createTextNode(' ' + info.title));
    }
    tr.appendChild(th);
    return tr;
  }

  function render(all) {
    const size = all ? filtered.length || 1 : pageSize();
    const pages = Math.max(1, Math.ceil(filtered.length / size));
    page = Math.min(page, pages - 1);
    const start = page * size;
    const end = Math.min(filtered.length, start + size);
    const frag = document.createDocumentFragment();
    let lastInst = null;
    for (let k = start; k < end; k++) {
      const row = filtered[k];
      if (row.inst !== lastInst) {
        frag.appendChild(groupRow(row.inst));
        lastInst = row.inst;
      }
      frag.appendChild(rowElement(row));
    }
    tbody.replaceChildren(frag);
    const fmt = (n) => n.toLocaleString('en');
    controls.status_line.textContent =
      filtered.length === 0
        ? 'No clause matches the filters (' + fmt(rows.length) + ' in all).'
        : 'Clauses ' + fmt(start + 1) + '\u2013' + fmt(end) + ' of ' + fmt(filtered.length) +
          (filtered.length !== rows.length ? ' matching (' + fmt(rows.length) + ' in all)' : '') +
          ', page ' + fmt(page + 1) + ' of ' + fmt(pages) + '.';
    table.setAttribute('data-rows', String(filtered.length));
    controls.prev.disabled = page === 0;
    controls.next.disabled = page >= pages - 1;
  }

  function setSort(key) {
    sortDir = key === sortKey ? -sortDir : 1;
    sortKey = key;
    for (const th of table.tHead.rows[0].cells) {
      if (th.dataset.key === sortKey) {
        th.setAttribute('aria-sort', sortDir === 1 ? 'ascending' : 'descending');
      } else if (th.dataset.key) {
        th.removeAttribute('aria-sort');
      }
    }
    filtered.sort(compare);
    render(false);
  }

  let typing = 0;
  controls.text.addEventListener('input', () => {
    window.clearTimeout(typing);
    typing = window.setTimeout(applyFilters, 120);
  });
  controls.text.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      window.clearTimeout(typing);
      applyFilters();
    }
  });
  // Attribute values to filter by, from the data: one option per key and value.
  if (controls.attr) {
    const pairs = new Map();
    for (const r of data.requirements) {
      for (const key of Object.keys(r.attrs)) {
        pairs.set(JSON.stringify([key, r.attrs[key]]), key + ' = ' + r.attrs[key]);
      }
    }
    for (const [value, label] of [...pairs].sort((a, b) => collator.compare(a[1], b[1]))) {
      const option = el('option', null, label);
      option.value = value;
      controls.attr.appendChild(option);
    }
    controls.attr.disabled = pairs.size === 0;
  }
  for (const select of [controls.market, controls.instrument, controls.status, controls.attr]) {
    if (select) {
      select.addEventListener('change', applyFilters);
    }
  }
  controls.size.addEventListener('change', () => {
    page = 0;
    render(false);
  });
  controls.clear.addEventListener('click', () => {
    controls.text.value = '';
    controls.market.value = '';
    controls.instrument.value = '';
    controls.status.value = '';
    if (controls.attr) {
      controls.attr.value = '';
    }
    applyFilters();
    controls.text.focus();
  });
  controls.prev.addEventListener('click', () => {
    page = Math.max(0, page - 1);
    render(false);
  });
  controls.next.addEventListener('click', () => {
    page += 1;
    render(false);
  });
  for (const th of table.tHead.rows[0].cells) {
    const button = th.querySelector('button');
    if (button && th.dataset.key) {
      button.addEventListener('click', () => setSort(th.dataset.key));
    }
  }

  // `toggle` does not bubble, so one capturing listener fills whatever detail opens.
  tbody.addEventListener(
    'toggle',
    (e) => {
      if (e.target instanceof HTMLDetailsElement && e.target.open) {
        fill(e.target);
      }
    },
    true,
  );

  // The requirement tree: roots at once, the requirements beneath each when it is opened.
  const tree = document.getElementById('req-tree');
  function treeNode(id) {
    const r = requirements.get(id);
    const kids = childrenOf.get(id) || [];
    const li = el('li');
    const head = [el('span', 'rid', id), document.createTextNode(' ')];
    if (r) {
      head.push(el('span', 'tag vf-' + r.verification, r.verification));
      head.push(document.createTextNode(' ' + r.title + (kids.length ? ' (' + kids.length + ' beneath)' : '')));
    }
    if (kids.length) {
      const d = el('details', 'tree-node');
      d.dataset.tid = id;
      const summary = el('summary');
      summary.append(...head);
      d.appendChild(summary);
      li.appendChild(d);
    } else {
      li.append(...head);
    }
    return li;
  }
  function treeList(ids) {
    const ul = el('ul', 'tree');
    for (const id of ids) {
      ul.appendChild(treeNode(id));
    }
    return ul;
  }
  if (tree) {
    tree.appendChild(treeList(data.requirements.filter((r) => !r.parent).map((r) => r.id)));
    tree.addEventListener(
      'toggle',
      (e) => {
        const d = e.target;
        if (d instanceof HTMLDetailsElement && d.open && d.dataset.tid && !d.dataset.filled) {
          d.dataset.filled = '1';
          d.appendChild(treeList(childrenOf.get(d.dataset.tid) || []));
        }
      },
      true,
    );
  }

  // A printout holds every row that matches the filters, every requirement id of each row,
  // the requirement tree and the gaps open. A requirement's text and a mapping's source
  // stay closed: one row per clause must stay a line or two for the matrix to print on a
  // few pages (the XLSX and JSON carry them in full).
  const openedForPrint = [];
  window.addEventListener('beforeprint', () => {
    render(true);
    // Filling "more" lists adds details of their own, so fill those first.
    for (const d of tbody.querySelectorAll('details.more')) {
      fill(d);
    }
    for (const d of document.querySelectorAll('details:not([open]):not(.req):not(.facts)')) {
      fill(d);
      if (d.dataset.tid && !d.dataset.filled) {
        d.dataset.filled = '1';
        d.appendChild(treeList(childrenOf.get(d.dataset.tid) || []));
      }
      d.open = true;
      openedForPrint.push(d);
    }
  });
  window.addEventListener('afterprint', () => {
    for (const d of openedForPrint.splice(0)) {
      d.open = false;
    }
    render(false);
  });

  applyFilters();
  document.documentElement.setAttribute('data-ready', String(Math.round(performance.now())));
})();
