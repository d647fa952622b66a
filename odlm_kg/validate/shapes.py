"""Shape layers (``shapes/<layer>.ttl``) and the ontology graph that validation looks classes up in.

>>> "core" in available_layers()
True
>>> graph = shapes_graph(["core"])
>>> len(graph) > 0
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from odlm_kg.errors import UsageError
from odlm_kg.namespaces import SH
from odlm_kg.rdf_formats import read_graph
from odlm_kg.resources import resource_dir
from odlm_kg.validate.report import path_from_rdf, term_text

#: The layers in the order a full check applies them (DESIGN §5); others may be added as files.
STANDARD_LAYERS = ("core", "survey", "crawl", "findings", "cube", "recommended")
#: What ``odlm-kg validate`` checks when no ``--profile`` is given.
DEFAULT_PROFILE = ("core", "recommended")


def shapes_dir() -> Path:
    return resource_dir("shapes")


def available_layers() -> list[str]:
    """Names of the shipped layers (the ``*.ttl`` files in ``shapes/``)."""
    return sorted(path.stem for path in shapes_dir().glob("*.ttl"))


def parse_profile(values: Iterable[str]) -> tuple[str, ...]:
    """Layers from ``--profile`` values: repeatable, each may be a comma-separated list.

    >>> parse_profile(["core,crawl", "recommended"])
    ('core', 'crawl', 'recommended')
    """
    layers: list[str] = []
    for value in values:
        for item in value.split(","):
            item = item.strip()
            if item and item not in layers:
                layers.append(item)
    return tuple(layers)


def layer_path(layer: str) -> Path:
    """The file of a layer: a shipped layer by name, or any Turtle file given by path."""
    if layer.endswith((".ttl", ".ttl.gz", ".nt", ".rdf", ".jsonld", ".trig")) or "/" in layer:
        path = Path(layer)
        if not path.is_file():
            raise UsageError(f"shapes file {layer} does not exist")
        return path
    path = shapes_dir() / f"{layer}.ttl"
    if not path.is_file():
        known = ", ".join(available_layers()) or "none"
        raise UsageError(f"no shape layer {layer!r}; known layers: {known} (or give the path of a shapes file)")
    return path


@lru_cache(maxsize=32)
def _cached_shapes(layers: tuple[str, ...], mtimes: tuple[float, ...]) -> Graph:
    graph = Graph()
    for layer in layers:
        read_graph(layer_path(layer), into=graph)
    return graph


def cached_shapes_graph(layers: Sequence[str]) -> Graph:
    """The merged shapes of ``layers``, shared between calls: never modify it."""
    layers = tuple(layers)
    if not layers:
        raise UsageError("no shape layers given")
    paths = [layer_path(layer) for layer in layers]
    return _cached_shapes(layers, tuple(p.stat().st_mtime for p in paths))


def shapes_graph(layers: Sequence[str] = ("core",)) -> Graph:
    """A fresh graph holding the shapes of the given layers (names of ``shapes/*.ttl`` or file paths)."""
    graph = Graph()
    for triple in cached_shapes_graph(layers):
        graph.add(triple)
    return graph


@lru_cache(maxsize=1)
def _ontology_graph() -> Graph:
    from odlm_kg.ontology import full_graph
    from odlm_kg.validate.sparql_engine import remember_conversion

    graph = full_graph()
    remember_conversion(graph)
    return graph


def ontology_graph() -> Graph:
    """Ontology, vocabularies and alignments (``odlm_kg.ontology.full_graph()``), cached: never modify it."""
    return _ontology_graph()


def shape_labels(shapes: Graph) -> dict[Node, str]:
    """Names for shapes a person can find in the shapes file.

    Named shapes keep their prefixed name; a blank-node property shape is named after the node
    shape that holds it and its path (``odlmsh:ModelShape → odlm:licence``).
    """
    labels: dict[Node, str] = {}
    shapes_nodes: set[Node] = set()
    for predicate in (SH.property, SH.node, SH.qualifiedValueShape, SH["not"]):
        shapes_nodes.update(shapes.objects(None, predicate))
    for shape_class in (SH.NodeShape, SH.PropertyShape):
        shapes_nodes.update(shapes.subjects(RDF.type, shape_class))
    shapes_nodes.update(shapes.subjects(SH.path, None))
    for shape in shapes_nodes:
        labels[shape] = _label(shapes, shape, 0)
    return labels


def _label(shapes: Graph, shape: Node, depth: int) -> str:
    if isinstance(shape, URIRef) or depth > 4:
        return term_text(shape)
    name = shapes.value(shape, SH.name) or shapes.value(shape, RDFS.label)
    path_node = shapes.value(shape, SH.path)
    path_text = ""
    if path_node is not None:
        try:
            path_text = term_text(path_from_rdf(shapes, path_node))
        except ValueError:
            path_text = term_text(path_node)
    parent = next(iter(shapes.subjects(SH.property, shape)), None)
    parts = []
    if parent is not None:
        parts.append(_label(shapes, parent, depth + 1))
    if path_text:
        parts.append(path_text)
    text = " → ".join(parts) if parts else term_text(shape)
    if name is not None:
        text += f" ({name})"
    return text if isinstance(shape, BNode) else term_text(shape)
