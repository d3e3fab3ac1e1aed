"""The event extractor's spaCy pipeline components, registered by name for the pipeline config.

- `event_cues` marks the law-enforcement actors and crimes of `event_domain.json` in
  `doc.spans["event_cues"]` (labels 'actors', 'crimes'): whether cooperation is in play.
- `event_triggers` finds the trigger words of `event_triggers.json` (PhraseMatcher and
  DependencyMatcher patterns), keeps those whose sense check passes, sets `Token._.event_type`
  on each and puts those that each name an event in `doc.spans["event_triggers"]`, labelled by
  event type.
- `event_status` reads each trigger's clause (the ConText problem: happened, planned,
  hypothetical, negated...) into `Span._.event_clause` and `Span._.event_status`.

Registered as `news_event_cues`, `news_event_triggers` and `news_event_status`, and listed in
that order in `dbt/seeds/rules/pipeline.cfg`: they need the parse only, and the status reads
the triggers. Participants, places,
dates against the publication date and the merging of restatements are article-level:
`events.extract_article_events` reads these results once the entities are known.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.matcher import DependencyMatcher, Matcher, PhraseMatcher
from spacy.tokens import Doc, Span, SpanGroup, Token

from dagster_project.lib import events

if not Token.has_extension("event_type"):
    Token.set_extension("event_type", default=None)
for _name in ("event_clause", "event_status"):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)


def _one_token(vocab, word: str) -> Doc:
    """A phrase pattern of one token, matchable on LEMMA or LOWER ("mou." stays one token)."""
    return Doc(vocab, words=[word], lemmas=[word])


class EventCues:
    """Law-enforcement actor and crime cues, as spans: words by lemma or lower-cased text and
    phrases by lower-cased text through PhraseMatchers (a lookup per token), the few token
    patterns through a Matcher."""

    def __init__(self, nlp: Language):
        self.by_lemma = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self.by_lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.matcher = Matcher(nlp.vocab)
        for label, cues in events.domain_cue_rules().items():
            words = [_one_token(nlp.vocab, w) for w in cues["words"]]
            self.by_lemma.add(label, words)
            self.by_lower.add(label, words + [nlp.make_doc(p) for p in cues["phrases"]])
            if cues["patterns"]:
                self.matcher.add(label, cues["patterns"])

    def __call__(self, doc: Doc) -> Doc:
        found = {
            (span.start, span.end, span.label): span
            for matcher in (self.by_lemma, self.by_lower, self.matcher)
            for span in matcher(doc, as_spans=True)
        }
        doc.spans[events.CUES_KEY] = SpanGroup(
            doc, name=events.CUES_KEY, spans=[found[key] for key in sorted(found)]
        )
        return doc


_TOKEN_ATTRS = {
    "POS": lambda t: t.pos_,
    "TAG": lambda t: t.tag_,
    "DEP": lambda t: t.dep_,
    "IS_TITLE": lambda t: t.is_title,
}


def _meets(token: Token, constraints: dict) -> bool:
    """Whether a token meets constraints in the Matcher's syntax (a value, IN or NOT_IN)."""
    for attr, rule in constraints.items():
        value = _TOKEN_ATTRS[attr](token)
        if isinstance(rule, dict):
            if "IN" in rule and value not in rule["IN"]:
                return False
            if "NOT_IN" in rule and value in rule["NOT_IN"]:
                return False
        elif value != rule:
            return False
    return True


class EventTriggers:
    """Trigger words by PhraseMatcher and dependency patterns, kept when the token meets its
    entry's constraints and the sense check the entry names."""

    def __init__(self, nlp: Language, rules: str):
        data = events.load_rules(rules)
        self.entries: list[dict] = data["words"]
        self.matchers = {attr: PhraseMatcher(nlp.vocab, attr=attr) for attr in ("LEMMA", "LOWER")}
        for n, entry in enumerate(self.entries):
            self._check(entry)
            self.matchers[entry["attr"]].add(
                str(n), [_one_token(nlp.vocab, w) for w in entry["words"]]
            )
        self.dependency_matcher = DependencyMatcher(nlp.vocab)
        self.dependency_labels: dict[str, tuple[str, str]] = {}
        # a dependency pattern can only match a doc holding a lemma of each node that names some
        self.dependency_lemmas: list[list[set[int]]] = []
        for n, entry in enumerate(data.get("dependency_patterns", [])):
            self._check(entry, ("label", "sense", "pattern"))
            key = f"dependency {n}"
            self.dependency_matcher.add(key, [entry["pattern"]])
            self.dependency_labels[key] = (entry["label"], entry["sense"])
            nodes = []
            for node in entry["pattern"]:
                lemma = node["RIGHT_ATTRS"].get("LEMMA")
                if lemma is not None:
                    words = lemma["IN"] if isinstance(lemma, dict) else [lemma]
                    nodes.append({nlp.vocab.strings.add(w) for w in words})
            self.dependency_lemmas.append(nodes)

    @staticmethod
    def _check(entry: dict, fields: tuple[str, ...] = ("label", "sense", "attr", "words")) -> None:
        for field in fields:
            if not entry.get(field):
                raise ValueError(f"event trigger entry without a {field!r}: {entry}")
        if "attr" in fields and entry["attr"] not in ("LEMMA", "LOWER"):
            raise ValueError(f"event trigger entry matched on {entry['attr']!r}: {entry}")
        unknown = set(entry.get("token", {})) - set(_TOKEN_ATTRS)
        if unknown:
            raise ValueError(f"event trigger entry constrains {sorted(unknown)}: {entry}")

    def _candidates(self, doc: Doc) -> dict[int, dict[str, str]]:
        """{token index: {sense: event type}} of every pattern hit."""
        strings = doc.vocab.strings
        matched: dict[int, dict[str, str]] = {}
        for matcher in self.matchers.values():
            for match_id, start, _end in matcher(doc):
                entry = self.entries[int(strings[match_id])]
                if _meets(doc[start], entry.get("token", {})):
                    matched.setdefault(start, {})[entry["sense"]] = entry["label"]
        if self.dependency_lemmas:
            lemmas = set(doc.to_array("LEMMA").tolist())
            if any(all(node & lemmas for node in nodes) for nodes in self.dependency_lemmas):
                for match_id, token_ids in self.dependency_matcher(doc):
                    label, sense = self.dependency_labels[strings[match_id]]
                    matched.setdefault(token_ids[0], {})[sense] = label
        return matched

    def __call__(self, doc: Doc) -> Doc:
        matched = self._candidates(doc)
        found = []
        for i in sorted(matched):
            etype = events.confirm_trigger(doc[i], matched[i])
            if etype is not None:
                doc[i]._.event_type = etype
                found.append((doc[i], etype))
        doc.spans[events.TRIGGERS_KEY] = SpanGroup(
            doc,
            name=events.TRIGGERS_KEY,
            spans=[
                Span(doc, tok.i, tok.i + 1, label=etype)
                for tok, etype in events.stated_triggers(found)
            ],
        )
        return doc


class EventStatus:
    """Each trigger's clause reading and status."""

    def __call__(self, doc: Doc) -> Doc:
        for trigger in doc.spans[events.TRIGGERS_KEY]:
            reading = events.read_clause(trigger.root)
            trigger._.event_clause = reading
            trigger._.event_status = reading.status if reading is not None else None
        return doc


@Language.factory("news_event_cues")
def make_event_cues(nlp: Language, name: str) -> EventCues:
    return EventCues(nlp)


@Language.factory("news_event_triggers", default_config={"rules": "event_triggers"})
def make_event_triggers(nlp: Language, name: str, rules: str) -> EventTriggers:
    return EventTriggers(nlp, rules)


@Language.factory("news_event_status")
def make_event_status(nlp: Language, name: str) -> EventStatus:
    return EventStatus()
