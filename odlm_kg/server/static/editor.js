// The free SPARQL editor: YASGUI (vendored) against this server's /sparql, with the project's prefixes
// declared in a new tab, completion of the ontology's classes and properties from /vocabulary instead of
// the LOV service (no request off the machine), and tabs kept in localStorage across reloads.
"use strict";

(async function () {
  const endpoint = new URL("sparql", window.location.href).href;
  let vocabulary = { prefixes: {}, classes: {}, properties: {} };
  try {
    const response = await fetch("vocabulary");
    if (response.ok) vocabulary = await response.json();
  } catch (error) {
    console.warn("no vocabulary for completion", error);
  }
  const wanted = ["odlm", "vocab", "id", "rdf", "rdfs", "owl", "xsd", "skos", "dcterms", "prov"];
  const prefixLines = wanted.filter((p) => vocabulary.prefixes[p])
    .map((p) => `PREFIX ${p}: <${vocabulary.prefixes[p]}>`).join("\n");
  const starter = `${prefixLines}

# Classes of the graph and how many resources each has
SELECT ?class (COUNT(?s) AS ?resources) WHERE {
  ?s a ?class .
} GROUP BY ?class ORDER BY DESC(?resources) LIMIT 25
`;

  const Yasqe = Yasgui.Yasqe;
  // The class and property completers of YASQE ask lov.linkeddata.es; these answer from the ontology.
  Yasqe.defaults.autocompleters = Yasqe.defaults.autocompleters.filter((n) => n !== "class" && n !== "property");
  Yasqe.forkAutocompleter("class", { name: "odlm-class", bulk: true, persistenceId: null,
    get: () => Object.keys(vocabulary.classes || {}) });
  Yasqe.forkAutocompleter("property", { name: "odlm-property", bulk: true, persistenceId: null,
    get: () => Object.keys(vocabulary.properties || {}) });

  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: "odlm-kg-editor",   // tabs and their queries survive a reload (localStorage)
    populateFromUrl: false,
    endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
    yasqe: { value: starter, editorHeight: "38vh", resizeable: true, collapsePrefixesOnLoad: true },
    yasr: { prefixes: vocabulary.prefixes },
  });
  window.odlmYasgui = yasgui;

  // "open in the SPARQL editor" from the research-question page: #sparql=TEXT&name=NAME opens a tab
  const hash = new URLSearchParams(window.location.hash.replace(/^#/, ""));
  const text = hash.get("sparql");
  if (text) {
    const name = hash.get("name") || "query";
    yasgui.addTab(true, { name: name, yasqe: { value: text }, requestConfig: { endpoint: endpoint } },
                  { avoidDuplicateTabs: true });
    history.replaceState(null, "", window.location.pathname);
  }
})();
