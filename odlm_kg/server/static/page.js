// The research-question page: pick a named query, set its parameters, read the answer as a table with
// labels and plain numbers, a bar chart when it compares, and the evidence notice. Plain JS, no library;
// every request goes to the server that served the page.
"use strict";

// Groups of the picker, in the order a reader meets the research questions. A query goes to the first
// group whose pattern matches its name; the rest are grouped by their "# rq:" header.
const GROUPS = [
  ["RQ1 where: where models are shared", /^(rq1-where|artifacts-by-location)/],
  ["RQ1 who: who shares them", /^rq1-who/],
  ["RQ1.1 data, code and models compared", /^(rq1-1-|cosharing-|survey-cosharing)/],
  ["RQ2 why and why not", /^rq2-/],
  ["Lineage and reuse", /^(lineage-|reuse-)/],
  ["Licences and openness", /^(licences-|open-models-|open-sourcing-|release-strategies)/],
  ["Platforms", /^platform-/],
  ["Survey tables (Dalgali & Crowston 2019)", /^survey-/],
  ["Literature and vocabularies", /^(findings-|concepts-)/],
  ["Federated (needs network)", /^federated-/],
];
const XSD = "http://www.w3.org/2001/XMLSchema#";
const NUMERIC = new Set(["integer", "decimal", "double", "float", "long", "int", "short", "byte",
  "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger", "unsignedInt",
  "unsignedLong"].map((t) => XSD + t));
// Columns that describe the evidence of a row, never the value compared.
const EVIDENCE_COLUMNS = new Set(["evidence", "base", "n", "source", "synthetic", "curatedSample", "numerator",
  "denominator", "note"]);
const CHART_LIMIT = 40;

const state = { queries: [], byName: new Map(), vocabulary: null, current: null, lastAnswer: null };
const $ = (id) => document.getElementById(id);

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) node.append(child);
  return node;
}

// ---- IRIs as labels or prefixed names ----

function labelOf(iri) {
  const v = state.vocabulary;
  if (v) {
    for (const table of [v.concepts, v.schemes, v.classes, v.properties]) {
      if (table && table[iri]) return table[iri];
    }
  }
  return null;
}

function compact(iri) {
  const prefixes = (state.vocabulary && state.vocabulary.prefixes) || {};
  let best = null;
  for (const [prefix, namespace] of Object.entries(prefixes)) {
    if (iri.startsWith(namespace) && (!best || namespace.length > best[1].length)) best = [prefix, namespace];
  }
  return best ? `${best[0]}:${iri.slice(best[1].length)}` : iri;
}

// ---- the picker ----

function groupOf(query) {
  for (const [group, pattern] of GROUPS) if (pattern.test(query.name)) return group;
  return (query.research_question && query.research_question[0]) || "Other";
}

function buildPicker() {
  const groups = new Map(GROUPS.map(([g]) => [g, []]));
  for (const q of state.queries) {
    const g = groupOf(q);
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g).push(q);
  }
  const picker = $("picker");
  picker.replaceChildren();
  for (const [group, queries] of groups) {
    if (!queries.length) continue;
    const list = el("ul");
    for (const q of queries) {
      list.append(el("li", {}, el("a", { href: `#query=${encodeURIComponent(q.name)}`, "data-name": q.name,
        title: q.title, text: shortTitle(q.title) })));
    }
    picker.append(el("details", { open: true }, el("summary", { text: group }), list));
  }
}

function shortTitle(title) {
  // the title's clause before a long parenthesis or colon-led list reads better in a narrow column
  return title.length > 90 ? title.slice(0, 87).replace(/\s+\S*$/, "") + "…" : title;
}

// ---- the form ----

async function choicesFor(query, parameter) {
  try {
    const response = await fetch(`queries/${encodeURIComponent(query.name)}/choices/${encodeURIComponent(parameter.name)}`);
    return response.ok ? await response.json() : [];
  } catch (error) {
    return [];
  }
}

async function buildForm(query, values) {
  const fields = $("fields");
  fields.replaceChildren();
  for (const p of query.parameters) {
    const given = values[p.name];
    const id = `param-${p.name}`;
    let input;
    if (p.type === "boolean") {
      input = el("input", { type: "checkbox", id, name: p.name });
      input.checked = given !== undefined ? /^(true|1|yes)$/i.test(given) : Boolean(p.default);
      fields.append(el("label", { class: "field checkbox", title: p.description }, input,
        el("span", { text: p.name })));
      continue;
    }
    if (p.type === "integer" || p.type === "decimal") {
      input = el("input", { type: "number", id, name: p.name, step: p.type === "integer" ? "1" : "any",
        placeholder: p.default === null ? "any" : String(p.default) });
      input.value = given !== undefined ? given : (p.default === null ? "" : String(p.default));
    } else if (p.type === "iri") {
      const choices = await choicesFor(query, p);
      const current = given !== undefined ? given : (p.default || "");
      if (choices.length) {
        input = el("select", { id, name: p.name });
        if (!p.default) input.append(el("option", { value: "", text: p.required ? "(choose)" : "(all)" }));
        const known = new Set();
        for (const c of choices) {
          known.add(c.iri);
          input.append(el("option", { value: c.iri, title: c.iri, text: c.label || compact(c.iri) }));
        }
        if (current && !known.has(current)) input.append(el("option", { value: current, text: compact(current) }));
        input.value = current;
      } else {
        input = el("input", { type: "text", id, name: p.name, placeholder: "an IRI, or all when empty" });
        input.value = current;
      }
    } else {
      input = el("input", { type: "text", id, name: p.name, placeholder: p.default === null ? "any" : "" });
      input.value = given !== undefined ? given : (p.default === null ? "" : String(p.default));
    }
    fields.append(el("label", { class: "field", title: p.description }, el("span", { text: p.name }), input));
  }
}

// The parameters that differ from their defaults (what the permalink and the request carry).
function formValues(query) {
  const values = {};
  for (const p of query.parameters) {
    const input = $(`param-${p.name}`);
    if (!input) continue;
    if (p.type === "boolean") {
      if (input.checked !== Boolean(p.default)) values[p.name] = String(input.checked);
    } else {
      const value = input.value.trim();
      const fallback = p.default === null || p.default === undefined ? "" : String(p.default);
      if (value !== fallback && !(value === "" && !p.required)) values[p.name] = value;
    }
  }
  return values;
}

// ---- the permalink: #query=NAME&param=value… ----

function readHash() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  const name = params.get("query");
  params.delete("query");
  return { name, values: Object.fromEntries(params.entries()) };
}

function hashFor(name, values) {
  const params = new URLSearchParams({ query: name });
  for (const [k, v] of Object.entries(values)) params.append(k, v);
  return "#" + params.toString();
}

// ---- running and showing an answer ----

function cellValue(term) {
  if (!term) return { text: "", title: null, number: null, kind: "empty" };
  if (term.type === "uri") {
    return { text: labelOf(term.value) || compact(term.value), title: term.value, number: null, kind: "iri" };
  }
  if (term.type === "bnode") return { text: "_:" + term.value, title: null, number: null, kind: "bnode" };
  const datatype = term.datatype || "";
  if (NUMERIC.has(datatype)) {
    const number = Number(term.value);
    const digits = datatype === XSD + "integer" || Number.isInteger(number) ? 0 : 2;
    return { text: number.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: 0 }),
      title: null, number, kind: "number" };
  }
  if (datatype === XSD + "boolean") {
    return { text: term.value === "true" || term.value === "1" ? "yes" : "no", title: null, number: null,
      kind: "boolean" };
  }
  return { text: term.value, title: null, number: null, kind: "literal" };
}

function showStatus(message, isError = false) {
  const status = $("status");
  status.textContent = message;
  status.classList.toggle("error", isError);
}

async function runCurrent() {
  const query = state.current;
  if (!query) return;
  const values = formValues(query);
  const hash = hashFor(query.name, values);
  if (location.hash !== hash) history.replaceState(null, "", hash);
  $("permalink").href = location.href;
  const search = new URLSearchParams(values).toString();
  const url = `queries/${encodeURIComponent(query.name)}${search ? "?" + search : ""}`;
  $("download-csv").href = url + (search ? "&" : "?") + "format=csv";
  $("notice").hidden = true;
  $("chart").replaceChildren();
  $("results").replaceChildren();
  $("graph-text").hidden = true;
  showStatus("Running…");
  const graph = query.form === "CONSTRUCT" || query.form === "DESCRIBE";
  const started = performance.now();
  let response;
  try {
    response = await fetch(url, { headers: { Accept: graph ? "text/turtle" : "application/sparql-results+json" } });
  } catch (error) {
    showStatus(`The server did not answer: ${error}`, true);
    return;
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  if (!response.ok) {
    const text = await response.text();
    let message = text;
    try { message = JSON.parse(text).detail || text; } catch (e) { /* plain text */ }
    showStatus(`${response.status}: ${String(message).split("\n")[0]}`, true);
    return;
  }
  const notice = response.headers.get("X-Odlm-Evidence-Notice");
  if (notice) {
    $("notice").textContent = notice;
    $("notice").hidden = false;
  }
  if (graph) {
    const text = await response.text();
    $("graph-text").textContent = text;
    $("graph-text").hidden = false;
    showStatus(`${text.split("\n").filter((l) => l.trim() && !l.startsWith("@prefix")).length} lines of Turtle in ${seconds} s`);
    return;
  }
  const answer = await response.json();
  state.lastAnswer = answer;
  const rows = (answer.results && answer.results.bindings) || [];
  const capped = response.headers.get("X-Row-Cap-Notice");
  showStatus(`${rows.length} row${rows.length === 1 ? "" : "s"} in ${seconds} s${capped ? " — " + capped : ""}`);
  const columns = visibleColumns(answer.head.vars || [], rows);
  drawTable(columns, rows);
  drawChart(columns, rows);
}

// A column X with a companion XLabel shows the label in X's cell; the XLabel column itself is hidden.
function visibleColumns(vars, rows) {
  const names = new Set(vars);
  return vars.filter((v) => !(v.endsWith("Label") && names.has(v.slice(0, -5))))
    .map((v) => ({ name: v, label: names.has(v + "Label") ? v + "Label" : null }));
}

function cellFor(column, row) {
  const cell = cellValue(row[column.name]);
  if (column.label && row[column.label]) {
    cell.title = row[column.name] ? row[column.name].value : null;
    cell.text = row[column.label].value;
  }
  return cell;
}

function drawTable(columns, rows) {
  const table = $("results");
  const numeric = columns.map((c) => rows.length > 0 && rows.every((r) => !r[c.name] || cellValue(r[c.name]).kind === "number"));
  const head = el("tr");
  columns.forEach((c, i) => head.append(el("th", { class: numeric[i] ? "number" : null, scope: "col", text: c.name })));
  const body = el("tbody");
  for (const row of rows) {
    const synthetic = row.synthetic && row.synthetic.value === "true";
    const tr = el("tr", { class: synthetic ? "synthetic" : null });
    columns.forEach((c, i) => {
      const cell = cellFor(c, row);
      const classes = [numeric[i] ? "number" : "", cell.kind === "iri" ? "iri" : "", c.name === "evidence" ? "evidence" : ""]
        .filter(Boolean).join(" ");
      tr.append(el("td", { class: classes || null, title: cell.title, text: cell.text }));
    });
    body.append(tr);
  }
  table.replaceChildren(el("thead", {}, head), body);
}

// The value a comparison is about: a percentage or share column, else the first count that is not part of
// the evidence (base, n, numerator); null when the answer compares nothing.
function chartColumn(columns, rows) {
  const numericColumns = columns.filter((c) => !EVIDENCE_COLUMNS.has(c.name) && rows.some((r) => r[c.name])
    && rows.every((r) => !r[c.name] || cellValue(r[c.name]).kind === "number"));
  return numericColumns.find((c) => /percent|share|proportion|rate/i.test(c.name)) || numericColumns[0] || null;
}

// Rows whose numbers have different bases ("% of the answers of model sharers", "% of an age band who share
// NO model") are never drawn as one comparison: one block of bars per distinct measure text, each titled with
// it. Bars are named by the row's label (not the dimension), then its evidence.
function chartGroups(columns, rows) {
  const measure = columns.find((c) => /^(measures?|baseCounts|shareOf|unit)$/i.test(c.name));
  const dimension = columns.find((c) => /^(dimension|side)$/i.test(c.name));
  const groups = new Map();
  for (const row of rows) {
    const key = [dimension && row[dimension.name] ? row[dimension.name].value : "",
      measure && row[measure.name] ? row[measure.name].value : ""].filter(Boolean).join(": ");
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(row);
  }
  return groups;
}

function drawChart(columns, rows) {
  const chart = $("chart");
  chart.replaceChildren();
  const value = chartColumn(columns, rows);
  if (!value || rows.length < 2) return;
  // the labelled column that tells the rows apart best (value → valueLabel, location → locationLabel, label)
  const distinct = (c) => new Set(rows.map((r) => cellFor(c, r).text)).size;
  const labelled = columns.filter((c) => (c.label || c.name === "label") && rows.some((r) => r[c.name]));
  const labelColumn = labelled.sort((a, b) => distinct(b) - distinct(a))[0];
  const categories = labelColumn ? [labelColumn] : columns.filter((c) => c !== value && !EVIDENCE_COLUMNS.has(c.name)
    && rows.some((r) => r[c.name] && cellValue(r[c.name]).kind !== "number")).slice(0, 2);
  const shown = rows.filter((r) => r[value.name]).slice(0, CHART_LIMIT);
  if (shown.length < 2) return;
  const percent = /percent/i.test(value.name);
  const groups = chartGroups(columns, shown);
  const labelWidth = 330, barWidth = 420, rowHeight = 15, top = 20, groupGap = 22;
  const height = top + shown.length * rowHeight + groups.size * groupGap + 6;
  const svgNS = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(svgNS, "svg");
  svg.setAttribute("viewBox", `0 0 ${labelWidth + barWidth + 70} ${height}`);
  svg.setAttribute("width", String(labelWidth + barWidth + 70));
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `bar chart of ${value.name}`);
  const text = (x, y, content, anchor = "start", cls = null) => {
    const t = document.createElementNS(svgNS, "text");
    t.setAttribute("x", String(x));
    t.setAttribute("y", String(y));
    t.setAttribute("text-anchor", anchor);
    if (cls) t.setAttribute("class", cls);
    t.textContent = content;
    return t;
  };
  svg.append(text(0, 14, `${value.name}${percent ? " (%)" : ""}` + (rows.length > shown.length ? ` — first ${shown.length} of ${rows.length} rows` : "")));
  let y = top;
  for (const [title, members] of groups) {
    const numbers = members.map((r) => Number(r[value.name].value));
    // a percentage is drawn against 100; counts against the largest count of their own block
    const max = percent ? Math.max(100, ...numbers) : Math.max(...numbers, 1e-9);
    y += groupGap;
    if (title) svg.append(text(0, y - 6, title.length > 120 ? title.slice(0, 119) + "…" : title, "start", "bar-group"));
    members.forEach((row, i) => {
      const parts = categories.map((c) => cellFor(c, row).text).filter(Boolean);
      if (row.evidence) parts.push(row.evidence.value);
      let name = parts.join(" · ");
      if (name.length > 52) name = name.slice(0, 51) + "…";
      svg.append(text(labelWidth - 6, y + 11, name, "end"));
      const rect = document.createElementNS(svgNS, "rect");
      rect.setAttribute("x", String(labelWidth));
      rect.setAttribute("y", String(y + 2));
      rect.setAttribute("height", String(rowHeight - 4));
      rect.setAttribute("width", String(Math.max(1, (numbers[i] / max) * barWidth)));
      rect.setAttribute("class", "bar-rect" + (row.synthetic && row.synthetic.value === "true" ? " synthetic" : ""));
      svg.append(rect);
      svg.append(text(labelWidth + (numbers[i] / max) * barWidth + 4, y + 11, cellValue(row[value.name]).text));
      y += rowHeight;
    });
  }
  chart.append(svg);
}

// ---- choosing a query ----

async function select(name, values) {
  const query = state.byName.get(name);
  if (!query) {
    showStatus(`no named query ${name}`, true);
    return;
  }
  state.current = query;
  for (const a of document.querySelectorAll("#picker a")) a.classList.toggle("selected", a.dataset.name === name);
  $("intro").hidden = true;
  $("query").hidden = false;
  $("query-title").textContent = query.title;
  $("query-description").textContent = query.description;
  $("query-description").classList.add("clamped");
  $("query-description").title = "click to read all of it";
  $("open-in-editor").href = "editor#sparql=" + encodeURIComponent(query.text) + "&name=" + encodeURIComponent(query.name);
  await buildForm(query, values);
  await runCurrent();
}

async function followHash() {
  const { name, values } = readHash();
  if (name) await select(name, values);
}

async function start() {
  const [queries, vocabulary] = await Promise.all([
    fetch("queries").then((r) => r.json()),
    fetch("vocabulary").then((r) => (r.ok ? r.json() : null)).catch(() => null),
  ]);
  state.queries = queries;
  state.vocabulary = vocabulary;
  for (const q of queries) state.byName.set(q.name, q);
  buildPicker();
  $("parameters").addEventListener("submit", (event) => {
    event.preventDefault();
    runCurrent();
  });
  $("query-description").addEventListener("click", (event) => event.currentTarget.classList.toggle("clamped"));
  window.addEventListener("hashchange", followHash);
  await followHash();
}

start().catch((error) => {
  $("picker").textContent = `Cannot load the named queries: ${error}`;
});
