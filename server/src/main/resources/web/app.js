// chivato's page: no library, no inline script (the Content-Security-Policy allows this file only).
'use strict';

const meta = name => document.querySelector('meta[name="chivato-' + name + '"]').content;
const TOKEN = meta('token');
const EDITING = meta('editing') === 'true';
const NEEDS_BEARER = meta('bearer') === 'true';
const SELF = meta('self');
const MAX_ROWS = 500;

function bearer() {
  if (!NEEDS_BEARER) return null;
  let token = sessionStorage.getItem('chivato-bearer');
  if (!token) {
    token = prompt('This page needs the token of --web-token:') || '';
    sessionStorage.setItem('chivato-bearer', token);
  }
  return token;
}

function headers(extra) {
  const all = Object.assign({}, extra || {});
  const token = bearer();
  if (token) all['Authorization'] = 'Bearer ' + token;
  return all;
}

async function getJson(path) {
  const response = await fetch(path, { headers: headers() });
  if (!response.ok) throw new Error(path + ': ' + response.status + ' ' + await response.text());
  return response.json();
}

async function post(path, values) {
  const response = await fetch(path, {
    method: 'POST',
    headers: headers({ 'X-Chivato-Token': TOKEN, 'Content-Type': 'application/x-www-form-urlencoded' }),
    body: new URLSearchParams(values).toString(),
  });
  const type = response.headers.get('Content-Type') || '';
  const body = type.startsWith('application/json') ? await response.json() : { problem: await response.text() };
  return { status: response.status, body };
}

function element(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('data-')) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) {
    if (child != null) node.append(child);
  }
  return node;
}

function setStatus(text) {
  document.getElementById('status').textContent = text;
}

// ---- views ----

const loaders = {};

function show(view) {
  for (const section of document.querySelectorAll('.view')) section.classList.toggle('active', section.id === view);
  for (const tab of document.querySelectorAll('.tab')) tab.classList.toggle('active', tab.dataset.view === view);
  if (loaders[view]) loaders[view]();
}

// ---- the bytes view ----

/** A message as its bytes, each field outlined, named on hover, pointers showing where they point. */
function messageView(title, view) {
  const box = element('div', { class: 'message' }, element('h3', {}, title + ' (' + view.length + ' octets)'));
  const hex = element('div', { class: 'hex' });
  const bytes = [];
  for (let i = 0; i < view.length; i++) {
    const cell = element('span', { class: 'byte', 'data-offset': String(i) }, view.hex.substr(2 * i, 2));
    bytes.push(cell);
    hex.append(cell);
  }
  const status = element('div', { class: 'field-status' });
  const rows = element('tbody');
  const fieldOf = new Array(view.length).fill(-1);
  const rowOf = [];
  let part = '';
  view.fields.forEach((field, index) => {
    if (field.part !== part) {
      part = field.part;
      rows.append(element('tr', { class: 'heading' }, element('td', { colSpan: 3 }, part)));
    }
    for (let i = field.offset; i < field.offset + field.length && i < view.length; i++) {
      fieldOf[i] = index;
      bytes[i].classList.add('part-' + part.split(' ')[0]);
      bytes[i].title = field.meaning;
      if (field.pointsTo !== undefined) bytes[i].classList.add('pointer');
    }
    const row = element('tr', { 'data-field': String(index) },
      element('td', {}, String(field.offset)),
      element('td', {}, view.hex.substr(2 * field.offset, 2 * field.length).replace(/(..)/g, '$1 ').trim()),
      element('td', {}, field.meaning),
      field.pointsTo !== undefined ? element('td', { class: 'target' }, '\u2192 ' + field.pointsTo) : null);
    rowOf.push(row);
    rows.append(row);
  });

  /** The fields of the name that starts at {@code offset}: up to its root label or the pointer that ends it. */
  function nameFieldsAt(offset) {
    const found = [];
    let index = view.fields.findIndex(f => f.offset === offset);
    while (index >= 0 && index < view.fields.length) {
      const field = view.fields[index];
      found.push(index);
      if (field.meaning.startsWith('root label') || field.pointsTo !== undefined) break;
      index++;
    }
    return found;
  }

  function mark(index, on) {
    for (const node of box.querySelectorAll('.hovered, .pointed')) node.classList.remove('hovered', 'pointed');
    if (!on || index < 0) {
      status.textContent = '';
      return;
    }
    const field = view.fields[index];
    for (let i = field.offset; i < field.offset + field.length; i++) bytes[i].classList.add('hovered');
    rowOf[index].classList.add('hovered');
    status.textContent = 'offset ' + field.offset + ': ' + field.meaning;
    if (field.pointsTo !== undefined) {
      for (const target of nameFieldsAt(field.pointsTo)) {
        const f = view.fields[target];
        for (let i = f.offset; i < f.offset + f.length; i++) bytes[i].classList.add('pointed');
        rowOf[target].classList.add('pointed');
      }
    }
  }

  hex.addEventListener('mouseover', event => {
    const offset = event.target.dataset && event.target.dataset.offset;
    if (offset !== undefined) mark(fieldOf[Number(offset)], true);
  });
  rows.addEventListener('mouseover', event => {
    const row = event.target.closest('tr');
    if (row && row.dataset.field !== undefined) mark(Number(row.dataset.field), true);
  });
  box.addEventListener('mouseleave', () => mark(-1, false));

  box.append(element('div', { class: 'wire' }, hex,
    element('table', { class: 'fields' }, rows)), status);
  if (view.failure) box.append(element('p', { class: 'problem' }, 'does not decode: ' + view.failure));
  box.append(element('details', {}, element('summary', {}, 'as chivato explain prints it'),
    element('pre', {}, view.explain)));
  return box;
}

// ---- live ----

let paused = false;
const waiting = [];
const filters = ['client', 'name', 'type', 'rcode', 'source'];

function matches(entry) {
  return filters.every(key => {
    const wanted = document.getElementById('filter-' + key).value.trim().toLowerCase();
    return !wanted || String(entry[key] || '').toLowerCase().includes(wanted);
  });
}

function liveRow(entry) {
  const time = new Date(entry.time).toISOString().substr(11, 12);
  const row = element('tr', { 'data-id': String(entry.id) },
    element('td', {}, time), element('td', {}, entry.client), element('td', {}, entry.transport),
    element('td', { class: 'name' }, entry.name || '(malformed)'), element('td', {}, entry.type || ''),
    element('td', { class: 'rcode-' + (entry.rcode || 'none') }, entry.rcode || '(no answer)'),
    element('td', {}, entry.source), element('td', {}, String(entry.size)),
    element('td', {}, entry.micros < 0 ? '' : (entry.micros / 1000).toFixed(2) + ' ms'));
  row.entry = entry;
  row.classList.toggle('filtered', !matches(entry));
  return row;
}

function addLive(entry) {
  if (paused) {
    waiting.push(entry);
    document.getElementById('waiting').textContent = waiting.length + ' waiting';
    return;
  }
  const rows = document.getElementById('live-rows');
  rows.prepend(liveRow(entry));
  while (rows.children.length > MAX_ROWS) rows.lastChild.remove();
}

async function openExchange(row) {
  for (const selected of document.querySelectorAll('#live-rows tr.selected')) selected.classList.remove('selected');
  row.classList.add('selected');
  const target = document.getElementById('bytes');
  target.replaceChildren(element('p', { class: 'hint' }, 'loading...'));
  try {
    const exchange = await getJson('/api/exchange?id=' + row.dataset.id);
    target.replaceChildren(messageView('Query', exchange.query));
    if (exchange.answer) target.append(messageView('Answer', exchange.answer));
    else target.append(element('p', { class: 'hint' }, 'No answer was sent.'));
  } catch (error) {
    target.replaceChildren(element('p', { class: 'problem' }, error.message));
  }
}

function startLive() {
  const token = bearer();
  const source = new EventSource('/api/live' + (token ? '?token=' + encodeURIComponent(token) : ''));
  source.onmessage = event => addLive(JSON.parse(event.data));
  source.addEventListener('dropped', event => {
    const counts = JSON.parse(event.data);
    const parts = [];
    if (counts.lost > 0) parts.push(counts.lost + ' lost (the page fell behind)');
    if (counts.notShown > 0) parts.push(counts.notShown + ' not shown (over 1,000 a second)');
    document.getElementById('dropped').textContent = parts.join('; ');
  });
  source.onopen = () => setStatus('live');
  source.onerror = () => setStatus('reconnecting...');
  document.getElementById('live-rows').addEventListener('click', event => {
    const row = event.target.closest('tr');
    if (row) openExchange(row);
  });
  document.getElementById('pause').addEventListener('click', () => {
    paused = !paused;
    document.getElementById('pause').textContent = paused ? 'Resume' : 'Pause';
    if (!paused) {
      waiting.splice(0).forEach(addLive);
      document.getElementById('waiting').textContent = '';
    }
  });
  for (const key of filters) {
    document.getElementById('filter-' + key).addEventListener('input', () => {
      for (const row of document.getElementById('live-rows').children) {
        row.classList.toggle('filtered', !matches(row.entry));
      }
    });
  }
}

// ---- ask ----

async function ask(values, into) {
  const { status, body } = await post('/api/ask', values);
  into.replaceChildren();
  if (body.problem) {
    into.append(element('p', { class: 'problem' }, body.problem));
    return body;
  }
  into.append(element('pre', {}, body.text));
  body.exchanges.forEach(exchange => {
    into.append(messageView('Query over ' + exchange.transport, exchange.query));
    into.append(messageView('Answer over ' + exchange.transport, exchange.answer));
  });
  return body;
}

function startAsk() {
  document.getElementById('ask-server').placeholder = SELF;
  document.getElementById('ask-form').addEventListener('submit', async event => {
    event.preventDefault();
    const form = event.target;
    const values = {
      name: form.name.value, type: form.type.value, server: form.server.value, bufsize: form.bufsize.value,
      tcp: form.tcp.checked, dnssec: form.dnssec.checked, cd: form.cd.checked,
    };
    const text = document.getElementById('ask-text');
    text.textContent = 'asking...';
    const into = document.getElementById('ask-bytes');
    const body = await ask(values, into);
    text.textContent = body.problem ? '' : body.text;
    const pre = into.querySelector('pre');
    if (pre) pre.remove();
  });
}

// ---- records ----

loaders.records = async () => {
  const list = document.getElementById('records-list');
  const data = await getJson('/api/records');
  document.getElementById('records-mode').textContent = data.editing
    ? 'Edit a file and save: it is checked by the server\'s own parser, written (a zone\'s serial raised) and reloaded.'
    : 'Read-only: start the server with --web-edit to edit from the page.';
  list.replaceChildren();
  for (const source of data.sources) {
    const text = element('textarea', { readOnly: !source.editable, spellcheck: false, 'data-id': source.id });
    text.value = source.text;
    const result = element('div', { class: 'result' });
    const box = element('div', { class: 'message' }, element('h3', {}, source.kind + ': ' + source.title), text,
      result);
    if (source.editable) {
      const save = element('button', { class: 'save' }, 'Save');
      save.addEventListener('click', async () => {
        const { status, body } = await post('/api/records', { id: source.id, text: text.value });
        if (body.problem) {
          result.replaceChildren(element('p', { class: 'problem' }, body.problem));
          const line = /:(\d+):/.exec(body.problem);
          if (line) selectLine(text, Number(line[1]));
        } else {
          result.replaceChildren(element('p', { class: 'saved' }, body.saved));
          const now = (await getJson('/api/records')).sources.find(other => other.id === source.id);
          if (now) text.value = now.text; // as written: the serial raised
        }
      });
      box.insertBefore(save, result);
    }
    list.append(box);
  }
};

function selectLine(textarea, line) {
  const lines = textarea.value.split('\n');
  let start = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
  textarea.focus();
  textarea.setSelectionRange(start, start + (lines[line - 1] || '').length);
}

// ---- stats ----

function countsTable(title, rows) {
  return element('table', {}, element('thead', {}, element('tr', {}, element('th', { colSpan: 2 }, title))),
    element('tbody', {}, ...rows.map(row => element('tr', {}, element('td', {}, row.value),
      element('td', {}, String(row.count))))));
}

function drawChart(stats) {
  const canvas = document.getElementById('chart');
  const context = canvas.getContext('2d');
  context.clearRect(0, 0, canvas.width, canvas.height);
  const counts = stats.perMinute;
  const highest = Math.max(1, ...counts);
  const width = canvas.width / counts.length;
  context.fillStyle = '#3d7fdc';
  counts.forEach((count, i) => {
    const height = (canvas.height - 20) * count / highest;
    context.fillRect(i * width, canvas.height - height, Math.max(1, width - 1), height);
  });
  context.fillStyle = '#1d2330';
  context.fillText('highest: ' + highest + ' a minute; now on the right', 4, 12);
}

loaders.stats = async () => {
  const stats = await getJson('/api/stats');
  drawChart(stats);
  document.getElementById('stats-tables').replaceChildren(
    countsTable('top names', stats.names), countsTable('top clients', stats.clients),
    countsTable('rcodes', stats.rcodes), countsTable('sources', stats.sources),
    countsTable('totals', [{ value: 'queries', count: stats.total },
      { value: 'forwarded', count: stats.forwarded },
      { value: 'mean upstream time (us)', count: stats.forwardedMeanMicros },
      { value: 'not shown (over 1,000 a second)', count: stats.notShown },
      { value: 'lost by the feed', count: stats.droppedByFeed },
      { value: 'lost by slow pages', count: stats.droppedByPage }]));
};

// ---- experiments ----

const EXPERIMENTS = [
  {
    title: 'The header and the question',
    explain: 'Every message starts with 12 octets: the ID, the flags (QR, OPCODE, AA, TC, RD, RA, RCODE) and four ' +
      'counts. The question follows: the name as labels (a length octet, then the letters), ending with the root ' +
      'label 0, then QTYPE and QCLASS.',
    look: 'Hover the first 12 octets of the answer: QR is 1, AA 1 for our own data; QDCOUNT is 1.',
    queries: name => [{ name, type: 'A' }],
  },
  {
    title: 'Compression pointers',
    explain: 'A name already written is not written again: two octets with the top two bits set point to where it ' +
      'was (RFC 1035 section 4.1.4). The first answer\'s owner points to offset 12, the question\'s name.',
    look: 'Hover an orange-outlined pair in the answer: the name it points to lights up. In an MX answer the ' +
      'exchange\'s name ends with a pointer too.',
    queries: (name, zone) => [zone ? { name: zone, type: 'MX' } : { name, type: 'A' }],
  },
  {
    title: 'NXDOMAIN and its SOA',
    explain: 'A name that does not exist gets RCODE 3. From a zone, the authority section carries the zone\'s SOA: ' +
      'its last field (the minimum) and its TTL say how long a resolver may remember that the name does not exist ' +
      '(RFC 2308).',
    look: 'RCODE in the flags; the SOA in the authority section, and its TTL.',
    queries: (name, zone) => [{ name: 'no-such-name-' + Date.now() + '.' + (zone || name), type: 'A' }],
  },
  {
    title: 'Truncated over UDP, whole over TCP',
    explain: 'Without EDNS an answer over UDP has 512 octets at most. One that does not fit comes with TC set, and ' +
      'the client asks again over TCP, where a message can be 65,535 octets, each preceded by its length.',
    look: 'Ask for a type with many records (TXT, ANY, DNSKEY): if TC is set, a second exchange over TCP follows.',
    queries: (name, zone) => [{ name: zone || name, type: 'ANY', bufsize: '0' }],
  },
  {
    title: 'EDNS: the OPT pseudo-record',
    explain: 'EDNS(0) (RFC 6891) adds a record of type OPT to the additional section. Its CLASS field holds the ' +
      'UDP size the sender can take, its TTL the extended rcode, the version and the DO bit.',
    look: 'The last record of the query: type 41, CLASS 1232, and DO set in its TTL.',
    queries: name => [{ name, type: 'A', bufsize: '1232', dnssec: 'true' }],
  },
  {
    title: 'A CNAME chain',
    explain: 'A CNAME says a name is another\'s alias. The server answers with the CNAME and, when it holds the ' +
      'target, the target\'s records too, in one answer (RFC 1034 section 4.3.2): the resolver need not ask again.',
    look: 'Two records in the answer section: the CNAME, then the A record of the name it points to. Give a zone ' +
      'with a "www" alias (www CNAME ...) above.',
    queries: (name, zone) => [{ name: 'www.' + (zone || name), type: 'A' }],
  },
  {
    title: 'A wildcard, and what blocks it',
    explain: 'A record owned by *.zone answers for names that do not exist below the zone (RFC 4592): the answer ' +
      'carries the name asked, not the star. A name that exists, even with no records of the type asked (an ' +
      'empty non-terminal), is not covered: it gets NODATA, not the wildcard\'s records.',
    look: 'With a "*" record in the zone: the first answer is synthesized for the made-up name; the second (the ' +
      'zone\'s own apex, asked for A) is not.',
    queries: (name, zone) => [{ name: 'made-up-' + Date.now() + '.' + (zone || name), type: 'A' },
      { name: zone || name, type: 'A' }],
  },
  {
    title: 'Reverse lookups (PTR)',
    explain: 'An address is looked up backwards under in-addr.arpa: 1.2.3.5 becomes 5.3.2.1.in-addr.arpa. The ' +
      'answer is a PTR record naming the host.',
    look: 'The question\'s labels are the address in reverse; the PTR\'s RDATA is a name.',
    queries: name => [{ name: '5.3.2.1.in-addr.arpa', type: 'PTR' }],
  },
];

function startExperiments() {
  const list = document.getElementById('experiment-list');
  EXPERIMENTS.forEach((experiment, index) => {
    const result = element('div', {});
    const run = element('button', { 'data-experiment': String(index) }, 'Run');
    run.addEventListener('click', async () => {
      result.replaceChildren();
      const name = document.getElementById('experiment-name').value.trim();
      const zone = document.getElementById('experiment-zone').value.trim();
      for (const query of experiment.queries(name, zone)) {
        const into = element('div', {});
        result.append(element('p', { class: 'hint' }, 'asking ' + query.name + ' ' + query.type), into);
        await ask(Object.assign({ bufsize: '1232' }, query), into);
      }
    });
    list.append(element('div', { class: 'experiment' }, element('h3', {}, experiment.title),
      element('p', {}, experiment.explain), element('p', { class: 'hint' }, 'Look at: ' + experiment.look), run,
      result));
  });
}

document.addEventListener('DOMContentLoaded', () => {
  for (const tab of document.querySelectorAll('.tab')) tab.addEventListener('click', () => show(tab.dataset.view));
  startLive();
  startAsk();
  startExperiments();
  show('live');
  setInterval(() => {
    if (document.getElementById('stats').classList.contains('active')) loaders.stats();
  }, 5000);
});
