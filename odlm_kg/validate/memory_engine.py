"""The compiled shapes (:mod:`odlm_kg.validate.sparql_engine`'s plan) run over triples held in Python.

The loaders validate a thousand records at a time. Loading each batch and the ontology into a scratch
Oxigraph store and asking some eighty SPARQL queries of it cost more than mapping the records; this
engine answers the same plan from dictionaries instead: focus nodes from an index of ``rdf:type``
(with ``rdfs:subClassOf*``), value nodes by walking the SHACL path, counts, classes and values checked
in Python.

Terms are handled as *keys*: their N-Triples text (``<iri>``, ``_:label``, ``"lexical"@lang``,
``"lexical"^^<datatype>``). Strings hash and compare in C, rdflib terms partly in Python, and the
loaders have the N-Triples text of every term anyway. :func:`term_key` makes exact keys of rdflib
terms (an ill-typed literal gets a mark of its own, so it is not mistaken for the well-typed literal
rdflib considers equal to it); :func:`term_of_key` turns a key back into an rdflib term.

What it shares with the SPARQL engine: the plan (which shapes compile, and how), the messages, and
the value-local checks, which still run pySHACL's own constraint code, once per distinct value and
remembered across batches. What it hands on: SHACL-SPARQL constraints that have focus nodes run as
SPARQL over a store made on demand, and roots the plan gives to pySHACL go to pySHACL. Kept honest by
the tests that run it, the SPARQL engine and pySHACL over the W3C SHACL suite and the project's shape
examples (``validate(..., engine="memory")``).

>>> from rdflib import Graph
>>> from odlm_kg.validate import validate
>>> data = Graph().parse(data='''
...     @prefix odlm: <https://w3id.org/odlm#> .
...     <https://example.org/m> a odlm:DeepLearningModel ; odlm:synthetic "maybe" .''', format="turtle")
>>> sorted(r.constraint_component.rsplit("#")[1] for r in validate(data, ["core"], engine="memory").violations)
['DatatypeConstraintComponent', 'MinCountConstraintComponent']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS
from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
from rdflib.term import Node

from odlm_kg.namespaces import SH
from odlm_kg.validate.report import ResultPath, ValidationResult, term_text
from odlm_kg.validate.sparql_engine import (
    COMPONENTS,
    FILTERED_COMPONENTS,
    GENERIC_MESSAGES,
    FastValidator,
    LiteralMap,
    ShapeEvaluation,
    check_value_local,
)

if TYPE_CHECKING:
    import pyoxigraph as ox

#: A triple of keys (the N-Triples text of subject, predicate and object).
KeyTriple = tuple[str, str, str]
_EMPTY: frozenset[str] = frozenset()
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_TYPE = f"<{RDF.type}>"
_SUBCLASS_OF = f"<{RDFS.subClassOf}>"
#: Appended to the key of an ill-typed literal (never part of N-Triples text).
ILL_TYPED = "\x00"

_ESCAPE = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_UNESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_UNESCAPED = {"\\": "\\", '"': '"', "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "'": "'"}


# -- keys ------------------------------------------------------------------------------------------

def term_key(term: Node) -> str:
    """The exact key of an rdflib term.

    >>> term_key(Literal("x", lang="en")), term_key(URIRef("urn:a"))
    ('"x"@en', '<urn:a>')
    """
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        text = f'"{str(term).translate(_ESCAPE)}"'
        if term.language:
            text = f"{text}@{term.language}"
        elif term.datatype is not None:
            text = f"{text}^^<{term.datatype}>"
        return text + ILL_TYPED if term.ill_typed else text
    raise TypeError(f"not an RDF term: {term!r}")


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        code = match.group(1)
        if len(code) > 1:
            return chr(int(code[1:], 16))
        return _UNESCAPED.get(code, code)

    return _UNESCAPE.sub(replace, text)


def literal_parts(key: str) -> tuple[str, str | None, str]:
    """(lexical form, language or None, datatype IRI) of a literal's key."""
    key = key.rstrip(ILL_TYPED)
    close = key.rindex('"')
    lexical = _unescape(key[1:close])
    rest = key[close + 1:]
    if rest.startswith("@"):
        return lexical, rest[1:], _LANG_STRING
    if rest.startswith("^^<"):
        return lexical, None, rest[3:-1]
    return lexical, None, _XSD_STRING


def term_of_key(key: str) -> Node:
    """The rdflib term of a key.

    >>> term_of_key('"a\\\\"b"^^<http://www.w3.org/2001/XMLSchema#string>') == Literal('a"b', datatype=URIRef(_XSD_STRING))
    True
    """
    first = key[0]
    if first == "<":
        return URIRef(key[1:-1])
    if first == "_":
        return BNode(key[2:])
    lexical, language, datatype = literal_parts(key)
    if language is not None:
        return Literal(lexical, lang=language)
    if key.rstrip(ILL_TYPED).endswith('"'):
        return Literal(lexical)
    return Literal(lexical, datatype=URIRef(datatype), normalize=False)


def string_value(key: str) -> str:
    """SPARQL's ``STR()`` of a key's term (the IRI, or the literal's lexical form)."""
    if key[0] == "<" or (key[-1] == '"' and "\\" not in key):  # an IRI, or a plain string with no escape
        return key[1:-1]
    return literal_parts(key)[0]


# -- the index -------------------------------------------------------------------------------------

class TripleIndex:
    """Key triples indexed by subject and predicate, over an optional fixed base index (the ontology).

    Lookups answer for the union of this index and its base. The inverse index is built on first use.

    >>> base = TripleIndex([("<urn:a>", _TYPE, "<urn:C>")])
    >>> sorted(TripleIndex([("<urn:b>", _TYPE, "<urn:C>")], base).subjects(_TYPE, "<urn:C>"))
    ['<urn:a>', '<urn:b>']
    """

    def __init__(self, triples: Iterable[KeyTriple], base: TripleIndex | None = None) -> None:
        self.base = base
        out: dict[str, dict[str, set[str]]] = {}
        # (predicate, object) -> subjects, for rdf:type and rdfs:subClassOf only: focus nodes are
        # found by class; the full inverse index is made when a path needs it
        typed: dict[tuple[str, str], set[str]] = {}
        rdf_type, subclass_of = _TYPE, _SUBCLASS_OF
        for s, p, o in triples:
            if p in (rdf_type, subclass_of):
                instances = typed.get((p, o))
                if instances is None:
                    typed[(p, o)] = {s}
                else:
                    instances.add(s)
            by_predicate = out.get(s)
            if by_predicate is None:
                out[s] = {p: {o}}
                continue
            objects = by_predicate.get(p)
            if objects is None:
                by_predicate[p] = {o}
            else:
                objects.add(o)
        self.out = out
        self.typed = typed
        self._inverse: dict[str, dict[str, set[str]]] | None = None

    @property
    def inverse(self) -> dict[str, dict[str, set[str]]]:
        if self._inverse is None:
            inverse: dict[str, dict[str, set[str]]] = {}
            for s, by_predicate in self.out.items():
                for p, objects in by_predicate.items():
                    for o in objects:
                        found = inverse.get(o)
                        if found is None:
                            inverse[o] = {p: {s}}
                        elif p in found:
                            found[p].add(s)
                        else:
                            found[p] = {s}
            self._inverse = inverse
        return self._inverse

    def objects(self, subject: str, predicate: str) -> set[str] | frozenset[str]:
        own = self.out.get(subject)
        found = own.get(predicate, _EMPTY) if own is not None else _EMPTY
        base = self.base
        if base is None or subject not in base.out:
            return found
        inherited = base.objects(subject, predicate)
        if not inherited:
            return found
        return found | inherited if found else inherited

    def objects_of_each(self, subjects: Iterable[str], predicate: str) -> dict[str, set[str] | frozenset[str]]:
        """``{s: self.objects(s, predicate)}`` for each of ``subjects``, in one pass."""
        out, base = self.out, self.base
        inherited = base.out if base is not None else {}
        found: dict[str, set[str] | frozenset[str]] = {}
        for subject in subjects:
            if subject in inherited:
                found[subject] = self.objects(subject, predicate)
            else:
                own = out.get(subject)
                found[subject] = own.get(predicate, _EMPTY) if own is not None else _EMPTY
        return found

    def subjects(self, predicate: str, obj: str) -> set[str] | frozenset[str]:
        if predicate in (_TYPE, _SUBCLASS_OF):
            found = self.typed.get((predicate, obj), _EMPTY)
        else:
            own = self.inverse.get(obj)
            found = own.get(predicate, _EMPTY) if own is not None else _EMPTY
        if self.base is None:
            return found
        inherited = self.base.subjects(predicate, obj)
        if not inherited:
            return found
        return found | inherited if found else inherited

    def subjects_with(self, predicate: str) -> set[str]:
        found = {s for s, by_predicate in self.out.items() if predicate in by_predicate}
        return found | self.base.subjects_with(predicate) if self.base is not None else found

    def objects_of(self, predicate: str) -> set[str]:
        found = {o for by_predicate in self.out.values() for o in by_predicate.get(predicate, ())}
        return found | self.base.objects_of(predicate) if self.base is not None else found


# -- compiled paths and filters ----------------------------------------------------------------------

#: A SHACL path over keys: returns the value keys of a focus key.
KeyPath = Callable[[TripleIndex, str], "set[str] | frozenset[str]"]


def compile_path(path: ResultPath | None, inverse: bool = False) -> KeyPath:
    """The value nodes of a focus node along a SHACL path, as a SPARQL property path gives them."""
    if path is None:
        return lambda index, focus: frozenset((focus,))
    if isinstance(path, URIRef):
        predicate = f"<{path}>"
        if inverse:
            return lambda index, focus: index.subjects(predicate, focus)
        return lambda index, focus: index.objects(focus, predicate)
    if isinstance(path, InvPath):
        return compile_path(path.arg, not inverse)
    if isinstance(path, SequencePath):
        steps = [compile_path(step, inverse) for step in (reversed(path.args) if inverse else path.args)]

        def sequence(index: TripleIndex, focus: str) -> set[str]:
            current: set[str] = {focus}
            for step in steps:
                current = {value for node in current for value in step(index, node)}
            return current
        return sequence
    if isinstance(path, AlternativePath):
        options = [compile_path(step, inverse) for step in path.args]
        return lambda index, focus: {value for option in options for value in option(index, focus)}
    if isinstance(path, MulPath):
        step = compile_path(path.path, inverse)
        zero, more = path.zero, path.more

        def repeat(index: TripleIndex, focus: str) -> set[str]:
            reached: set[str] = {focus} if zero else set()
            frontier = {focus}
            while frontier:
                found = {value for node in frontier for value in step(index, node)}
                frontier = found - reached
                reached |= found
                if not more:
                    break
            return reached
        return repeat
    raise ValueError(f"unsupported path {path!r}")


_KIND_FAILS: dict[URIRef, Callable[[str], bool]] = {
    SH.IRI: lambda key: key[0] != "<",
    SH.BlankNode: lambda key: key[0] != "_",
    SH.Literal: lambda key: key[0] != '"',
    SH.BlankNodeOrIRI: lambda key: key[0] == '"',
    SH.BlankNodeOrLiteral: lambda key: key[0] == "<",
    SH.IRIOrLiteral: lambda key: key[0] == "_",
}


def compile_filter(predicate: URIRef, parameter: Node) -> Callable[[str], bool]:
    """Whether a value fails a constraint that :func:`~odlm_kg.validate.sparql_engine.value_filter`
    decides in SPARQL, decided the same way (node kinds, string datatypes, lengths)."""
    if predicate == SH.nodeKind:
        return _KIND_FAILS[parameter]  # type: ignore[index]
    if predicate == SH.datatype:
        return _datatype_fails(str(parameter))
    length = int(parameter)  # type: ignore[call-overload]
    if predicate == SH.minLength:
        return lambda key: key[0] == "_" or len(string_value(key)) < length
    return lambda key: key[0] == "_" or len(string_value(key)) > length


def _datatype_fails(wanted: str) -> Callable[[str], bool]:
    # The key's ending says its datatype in the common cases (a typed literal written with this
    # datatype, a plain string); literal_parts() decides the rest.
    typed_end = f'"^^<{wanted}>'
    plain_wanted = wanted == _XSD_STRING

    def fails(key: str) -> bool:
        if key[0] != '"':
            return True
        if key.endswith(typed_end) or (plain_wanted and key[-1] == '"'):
            return False
        return literal_parts(key)[2] != wanted
    return fails


# -- values surely accepted by value-local constraints ------------------------------------------------
#
# Value-local constraints are decided by pySHACL's own code (check_value_local), once per distinct
# value. Some values are new in every batch (download counts, arXiv ids, time stamps); for the common
# constraints the engine accepts such a value itself when it is *certain* pySHACL would, and asks
# pySHACL otherwise, so a failure is always pySHACL's verdict with pySHACL's message.

_XSD = "http://www.w3.org/2001/XMLSchema#"
_DATE = r"-?[0-9]{4}-[0-9]{2}-[0-9]{2}"
_TIME = r"[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?"
_ZONE = r"(Z|[+-][0-9]{2}:[0-9]{2})?"
_DATE_TIME_FORM = re.compile(_DATE + "T" + _TIME + _ZONE)
_DATE_FORM = re.compile(_DATE + _ZONE)
#: Lexical forms surely valid for their datatype (rdflib reads them as the right Python type).
_VALID_FORMS: dict[str, Callable[[str], bool]] = {
    _XSD + "integer": re.compile(r"[+-]?[0-9]{1,18}").fullmatch,  # type: ignore[dict-item]
    _XSD + "boolean": re.compile(r"true|false").fullmatch,  # type: ignore[dict-item]
    _XSD + "dateTime": lambda text: _calendar_date(text, _DATE_TIME_FORM),
    _XSD + "date": lambda text: _calendar_date(text, _DATE_FORM),
}


def _calendar_date(text: str, form: re.Pattern[str]) -> bool:
    import datetime

    if form.fullmatch(text) is None or text.startswith("-"):
        return False
    try:
        datetime.date.fromisoformat(text[:10])
    except ValueError:
        return False
    return text[11:13] < "24" if len(text) > 10 and text[10] == "T" else True


def _datatype_accepts(datatype: str) -> Callable[[str], bool] | None:
    valid = _VALID_FORMS.get(datatype)
    if valid is None:
        return None
    suffix = f'"^^<{datatype}>'
    end = -len(suffix)

    def accepts(key: str) -> bool:
        if key[0] != '"' or not key.endswith(suffix):
            return False
        lexical = key[1:end]
        return bool(valid(_unescape(lexical) if "\\" in lexical else lexical))
    return accepts


def value_accepts(shapes: Graph, shape: Node, predicates: Iterable[URIRef]) -> Callable[[str], bool] | None:
    """A test that a value key surely passes every value-local constraint of ``shape`` (``predicates``
    names which), or None when one of them is not one the engine decides itself."""
    tests: list[Callable[[str], bool]] = []
    for predicate in predicates:
        parameters = list(shapes.objects(shape, predicate))
        if len(parameters) != 1:
            return None
        parameter = parameters[0]
        if predicate == SH.datatype:
            test = _datatype_accepts(str(parameter))
        elif predicate == SH["in"]:
            members = list(Collection(shapes, parameter))
            if not all(isinstance(m, URIRef) for m in members):
                return None
            allowed = frozenset(term_key(m) for m in members)
            test = allowed.__contains__
        elif predicate == SH.pattern:
            if list(shapes.objects(shape, SH.flags)) or not isinstance(parameter, Literal):
                return None
            search = re.compile(str(parameter)).search
            test = _pattern_accepts(search)
        elif predicate in (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive):
            test = _bound_accepts(predicate, parameter)
        elif predicate == SH["or"]:
            # only an sh:or of shapes that each hold a datatype and nothing else
            members = list(Collection(shapes, parameter))
            if any({p for p, _ in shapes.predicate_objects(m)} - {SH.datatype, RDF.type} for m in members):
                return None
            options = [value_accepts(shapes, member, [SH.datatype]) for member in members]
            if any(option is None for option in options):
                return None
            test = _any_accepts(options)  # type: ignore[arg-type]
        else:
            return None
        if test is None:
            return None
        tests.append(test)
    if not tests:
        return None
    if len(tests) == 1:
        return tests[0]
    return lambda key: all(test(key) for test in tests)


def _any_accepts(options: list[Callable[[str], bool]]) -> Callable[[str], bool]:
    return lambda key: any(option(key) for option in options)


def _pattern_accepts(search: Callable[[str], object]) -> Callable[[str], bool]:
    def accepts(key: str) -> bool:
        if key[0] == "<":
            return search(key[1:-1]) is not None
        if key[0] != '"':
            return False  # blank nodes never match
        lexical, _language, datatype = literal_parts(key)
        if datatype not in (_XSD_STRING, _LANG_STRING):
            return False  # pySHACL reads the lexical form of typed literals its own way: ask it
        return search(lexical) is not None
    return accepts


def _bound_accepts(predicate: URIRef, parameter: Node) -> Callable[[str], bool] | None:
    if not (isinstance(parameter, Literal) and parameter.datatype is not None
            and str(parameter.datatype) == _XSD + "integer" and isinstance(parameter.value, int)):
        return None
    bound = parameter.value
    integer = _datatype_accepts(_XSD + "integer")
    assert integer is not None
    compare: Callable[[int], bool] = {
        SH.minInclusive: lambda v: v >= bound, SH.maxInclusive: lambda v: v <= bound,
        SH.minExclusive: lambda v: v > bound, SH.maxExclusive: lambda v: v < bound,
    }[predicate]
    return lambda key: integer(key) and compare(int(literal_parts(key)[0]))


# -- the engine ------------------------------------------------------------------------------------

class _Compiled:
    """What the engine needs of one shape evaluation, worked out once."""

    def __init__(self, evaluation: ShapeEvaluation) -> None:
        self.evaluation = evaluation
        self.values = compile_path(evaluation.path)
        #: the predicate's key when the path is a single predicate (the common case, done in one pass)
        self.predicate = f"<{evaluation.path}>" if isinstance(evaluation.path, URIRef) else None
        self.path_key = _path_key(evaluation.path)
        self.checks: list[tuple[URIRef, Node, str, URIRef]] = []  # (kind, parameter, message, component)
        self.sparql: list[Node] = []
        for predicate, parameter in evaluation.queried:
            if predicate == SH.sparql:
                self.sparql.append(parameter)
            elif predicate == SH.minCount and int(parameter) == 0:  # type: ignore[call-overload]
                continue
            else:
                message = evaluation.message or GENERIC_MESSAGES[predicate].format(parameter)
                self.checks.append((predicate, parameter, message, COMPONENTS[predicate]))
        self.filters = [(compile_filter(predicate, parameter), FILTERED_COMPONENTS[predicate],
                         evaluation.message or f"Value does not meet {term_text(predicate)} {term_text(parameter)}")
                        for predicate, parameter in evaluation.filtered]
        self.accepts: Callable[[str], bool] | None = None


def _path_key(path: ResultPath | None) -> object:
    """A hashable stand-in for a path (rdflib's property paths compare by identity)."""
    if path is None or isinstance(path, URIRef):
        return path
    if isinstance(path, InvPath):
        return ("^", _path_key(path.arg))
    if isinstance(path, (SequencePath, AlternativePath)):
        return (type(path).__name__, tuple(_path_key(p) for p in path.args))
    if isinstance(path, MulPath):
        return (path.mod, _path_key(path.path))
    return id(path)


_CLASS, _MIN, _MAX, _HAS = SH["class"], SH.minCount, SH.maxCount, SH.hasValue


class MemoryValidator:
    """Runs a :class:`FastValidator`'s plan over a :class:`TripleIndex` of keys."""

    #: Value-local verdicts remembered across runs (a loader's batches repeat licences, locations…).
    VALUE_MEMORY = 50_000

    def __init__(self, fast: FastValidator) -> None:
        self.fast = fast
        self.plan = fast.plan
        self.compiled = [_Compiled(e) for e in self.plan.evaluations]
        for compiled in self.compiled:
            if compiled.evaluation.value_local:
                compiled.accepts = value_accepts(fast.shapes, compiled.evaluation.shape, compiled.evaluation.value_local)
        self.targets = {root: (tuple(term_key(n) for n in targets.nodes), tuple(term_key(c) for c in targets.classes),
                               tuple(term_key(p) for p in targets.subjects_of),
                               tuple(term_key(p) for p in targets.objects_of))
                        for root, targets in self.plan.targets.items()}
        self._verdicts: dict[tuple[int, str], list[tuple[URIRef, str | None]]] = {}

    def run(self, index: TripleIndex, term_of: Callable[[str], Node],
            store: Callable[[], tuple[ox.Store, LiteralMap]],
            data: Graph | None = None, ontology: Graph | None = None) -> list[ValidationResult]:
        """Validate the triples of ``index`` (data over ontology).

        ``term_of`` gives the rdflib term of a key (for results and value-local checks); ``store``
        makes an Oxigraph store of data and ontology together, wanted only by SHACL-SPARQL constraints
        and roots the plan hands to pySHACL; ``data`` and ``ontology`` as rdflib graphs, when the caller
        has them, spare pySHACL a copy out of that store.
        """
        with self.fast.lock:  # the run's state lives on this shared object (see FastValidator.lock)
            return self._run(index, term_of, store, data, ontology)

    def _run(self, index: TripleIndex, term_of: Callable[[str], Node],
             store: Callable[[], tuple[ox.Store, LiteralMap]],
             data: Graph | None, ontology: Graph | None) -> list[ValidationResult]:
        self._index = index
        self._term_of = term_of
        self._subclasses: dict[str, frozenset[str]] = {}
        self._focus: dict[Node, list[str]] = {}
        self._values: dict[tuple[object, object], dict[str, set[str] | frozenset[str]]] = {}
        self._store_made: tuple[ox.Store, LiteralMap] | None = None
        self._make_store = store
        self._data = data
        results: list[ValidationResult] = []
        for position, compiled in enumerate(self.compiled):
            focus = self.focus_nodes(compiled.evaluation.root)
            if focus:
                results.extend(self._evaluate(position, compiled, focus))
        if self.plan.fallback_roots:
            oxigraph_store, _literals = self._store()
            active = [root for root in self.plan.fallback_roots if self.fast._has_focus(oxigraph_store, root)]
            if active:
                from odlm_kg.validate.pyshacl_engine import run_pyshacl
                from odlm_kg.validate.sparql_engine import graph_from_store

                if data is None:
                    data, ontology = graph_from_store(oxigraph_store), None
                quiet = frozenset(self.fast.compiler.compiled_roots | (set(self.plan.fallback_roots) - set(active)))
                fallback = run_pyshacl(data, self.fast.compiler.fallback_graph_for(quiet), ontology, "none")
                results.extend(r for r in fallback if r.source_shape in self.plan.fallback_shapes)
        return results

    def forget(self) -> None:
        """Drop what the last run kept of its batch (its index, focus nodes, values, scratch store), so
        that a caller validating batch after batch holds one batch at a time, not two; the verdicts on
        values stay remembered."""
        for name in ("_index", "_term_of", "_focus", "_values", "_store_made", "_make_store", "_data", "_subclasses"):
            self.__dict__.pop(name, None)

    def _store(self) -> tuple[ox.Store, LiteralMap]:
        if self._store_made is None:
            self._store_made = self._make_store()
        return self._store_made

    # focus nodes and classes --------------------------------------------------------------------

    def subclasses(self, cls: str) -> frozenset[str]:
        """``cls`` and every class declared (in data or ontology) a subclass of it, transitively."""
        found = self._subclasses.get(cls)
        if found is None:
            seen = {cls}
            todo = [cls]
            while todo:
                for sub in self._index.subjects(_SUBCLASS_OF, todo.pop()):
                    if sub not in seen:
                        seen.add(sub)
                        todo.append(sub)
            found = self._subclasses[cls] = frozenset(seen)
        return found

    def focus_nodes(self, root: Node) -> list[str]:
        found = self._focus.get(root)
        if found is None:
            nodes_, classes, subjects_of, objects_of = self.targets[root]
            nodes: dict[str, None] = dict.fromkeys(nodes_)
            index = self._index
            for cls in classes:
                for sub in self.subclasses(cls):
                    nodes.update(dict.fromkeys(index.subjects(_TYPE, sub)))
            for predicate in subjects_of:
                nodes.update(dict.fromkeys(index.subjects_with(predicate)))
            for predicate in objects_of:
                nodes.update(dict.fromkeys(index.objects_of(predicate)))
            found = self._focus[root] = list(nodes)
        return found

    # one shape ------------------------------------------------------------------------------------

    def _evaluate(self, position: int, compiled: _Compiled, focus: list[str]) -> Iterator[ValidationResult]:
        index = self._index
        evaluation = compiled.evaluation
        shared = (self.targets[evaluation.root], compiled.path_key)
        values = self._values.get(shared)
        if values is None:
            if compiled.predicate is not None:
                values = index.objects_of_each(focus, compiled.predicate)
            else:
                path = compiled.values
                values = {node: path(index, node) for node in focus}
            self._values[shared] = values
        for constraint in compiled.sparql:
            yield from self._sparql(evaluation, constraint)
        for kind, parameter, message, component in compiled.checks:
            if kind == _CLASS:
                classes = self.subclasses(term_key(parameter))
                objects = index.objects
                for node, node_values in values.items():
                    for value in node_values:
                        if classes.isdisjoint(objects(value, _TYPE)):
                            yield self._result(evaluation, component, node, value, message)
            elif kind == _MIN:
                limit = int(parameter)  # type: ignore[call-overload]
                for node, node_values in values.items():
                    if len(node_values) < limit:
                        yield self._result(evaluation, component, node, None, message)
            elif kind == _MAX:
                limit = int(parameter)  # type: ignore[call-overload]
                for node, node_values in values.items():
                    if len(node_values) > limit:
                        yield self._result(evaluation, component, node, None, message)
            elif kind == _HAS:
                wanted = term_key(parameter)
                for node, node_values in values.items():
                    if wanted not in node_values:
                        yield self._result(evaluation, component, node, None, message)
        for fails, component, message in compiled.filters:
            for node, node_values in values.items():
                for value in node_values:
                    if fails(value):
                        yield self._result(evaluation, component, node, value, message)
        if evaluation.value_local:
            yield from self._value_local(position, compiled, values)

    def _value_local(self, position: int, compiled: _Compiled,
                     values: dict[str, set[str] | frozenset[str]]) -> Iterator[ValidationResult]:
        evaluation = compiled.evaluation
        verdicts = self._verdicts
        distinct = {value for node_values in values.values() for value in node_values}
        unknown = [value for value in distinct if (position, value) not in verdicts]
        if unknown and compiled.accepts is not None:
            accepts = compiled.accepts
            unknown = [value for value in unknown if not accepts(value)]
        blank: dict[str, list[tuple[URIRef, str | None]]] = {}
        if unknown:
            if len(verdicts) + len(unknown) > self.VALUE_MEMORY:
                verdicts.clear()
            # rdflib takes an ill-typed literal for the well-typed one it normalises to: check apart
            for group in ([k for k in unknown if k.endswith(ILL_TYPED)], [k for k in unknown if not k.endswith(ILL_TYPED)]):
                if not group:
                    continue
                keys_of: dict[Node, list[str]] = {}
                for key in group:
                    keys_of.setdefault(self._term_of(key), []).append(key)
                failing: dict[str, list[tuple[URIRef, str | None]]] = {}
                for component, value, message in check_value_local(self.fast.compiler, evaluation, set(keys_of)):
                    for key in keys_of.get(value, ()):
                        failing.setdefault(key, []).append((component, message))
                for key in group:
                    if key[0] == "_":  # a blank node's label means nothing outside its graph
                        blank[key] = failing.get(key, [])
                    else:
                        verdicts[(position, key)] = failing.get(key, [])
        if not blank and not any((position, value) in verdicts and verdicts[(position, value)] for value in distinct):
            return  # every value passes
        for node, node_values in values.items():
            for value in node_values:
                found = blank.get(value) if value[0] == "_" else verdicts.get((position, value))
                for component, message in found or ():
                    yield self._result(evaluation, component, node, value, evaluation.message or message)

    def _sparql(self, evaluation: ShapeEvaluation, constraint: Node) -> Iterator[ValidationResult]:
        oxigraph_store, literals = self._store()
        fast = self.fast
        fast.data, fast.literals = self._data, literals
        yield from fast._sparql(oxigraph_store, evaluation, constraint)

    def _result(self, evaluation: ShapeEvaluation, component: URIRef, focus: str, value: str | None,
                message: str | None) -> ValidationResult:
        term_of = self._term_of
        return ValidationResult(focus_node=term_of(focus), result_path=evaluation.path,
                                value=term_of(value) if value is not None else None, message=message,
                                severity=evaluation.severity, source_shape=evaluation.shape,
                                constraint_component=component)


def memory_validator(fast: FastValidator) -> MemoryValidator:
    """The memory engine for a compiled shapes graph (one per :class:`FastValidator`, so that its
    remembered verdicts serve every batch validated against the same shapes)."""
    found: MemoryValidator | None = getattr(fast, "memory", None)
    if found is None:
        found = fast.memory = MemoryValidator(fast)  # type: ignore[attr-defined]
    return found


def graph_index(graph: Graph, key: Callable[[Node], str] = term_key,
                base: TripleIndex | None = None) -> tuple[TripleIndex, dict[str, Node]]:
    """An index of an rdflib graph's triples, and each key's term."""
    terms: dict[str, Node] = {}

    def keyed(term: Node) -> str:
        found = key(term)
        terms[found] = term
        return found

    triples = [(keyed(s), keyed(p), keyed(o)) for s, p, o in graph]
    return TripleIndex(triples, base), terms


def ontology_index(ontology: Graph, key: Callable[[Node], str] = term_key) -> TripleIndex:
    """The ontology graph indexed once (and kept while the graph object lives unchanged)."""
    cache_key = (id(ontology), key)
    found = _ONTOLOGY_INDEXES.get(cache_key)
    if found is not None and found[0] is ontology and found[1] == len(ontology):
        return found[2]
    index = TripleIndex((key(s), key(p), key(o)) for s, p, o in ontology)
    _ONTOLOGY_INDEXES[cache_key] = (ontology, len(ontology), index)
    return index


_ONTOLOGY_INDEXES: dict[tuple[int, object], tuple[Graph, int, TripleIndex]] = {}
