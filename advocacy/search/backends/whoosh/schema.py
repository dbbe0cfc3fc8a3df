"""The Whoosh index's schema and how a SearchDocument becomes its fields."""

from __future__ import annotations

from whoosh import fields
from whoosh.analysis import Filter, RegexTokenizer, StemFilter, StopFilter

from advocacy.search.documents import SearchDocument, fold, match_key, utc_timestamp
from advocacy.search.query.nodes import STOP_WORDS, word_tokens

EVERYONE = "*"  # the audience token of a dimension that targets nobody in particular
NO_SPACE = "_none"
FOREVER = 2**62


class FoldFilter(Filter):
    """Case- and accent-folds tokens exactly like the query parser does."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = fold(token.text)
            yield token


def text_analyzer():
    """Words for matching: letters and digits, folded, common words dropped, stemmed."""
    stop = StopFilter(stoplist=STOP_WORDS, minsize=1, renumber=False)
    return RegexTokenizer(r"[^\W_]+") | FoldFilter() | stop | StemFilter()


def make_schema() -> fields.Schema:
    """The index's fields. Matching and counting use one field, `all` (title, tags and body, one
    posting list per word: multi-field OR matchers were the slowest part of a query); `title`
    and `tags_text` only add score to what `all` matched, and serve in:title."""
    text = text_analyzer()
    number = {"numtype": int, "bits": 64}
    return fields.Schema(
        key=fields.ID(stored=True, unique=True),
        type=fields.ID(stored=True),
        all=fields.TEXT(analyzer=text, phrase=True),
        title=fields.TEXT(analyzer=text, stored=True, phrase=True),
        tags_text=fields.TEXT(analyzer=text, phrase=False),
        body=fields.STORED(),
        words=fields.KEYWORD(),
        tag_names=fields.STORED(),
        tag_keys=fields.KEYWORD(),
        author_keys=fields.KEYWORD(),
        author_id=fields.STORED(),
        author_name=fields.STORED(),
        space=fields.ID(stored=True),
        space_keys=fields.KEYWORD(),
        space_name=fields.STORED(),
        aud_teams=fields.KEYWORD(),
        aud_locations=fields.KEYWORD(),
        aud_languages=fields.KEYWORD(),
        statuses=fields.KEYWORD(stored=True),
        created=fields.NUMERIC(stored=True, sortable=True, **number),
        updated=fields.NUMERIC(stored=True, sortable=True, **number),
        visible_from=fields.NUMERIC(**number),
        visible_until=fields.NUMERIC(**number),
        url=fields.STORED(),
    )


# Between the parts of `all`, so that a phrase never spans the end of a title and a body's start.
FIELD_GAP = " qqfieldgapqq "


def document_fields(doc: SearchDocument) -> dict:
    """A document as Whoosh fields."""
    audience = doc.audience
    tags = " ".join(doc.tags)
    vocabulary = set(word_tokens(f"{doc.title} {tags} {doc.body}")) - STOP_WORDS
    return {
        "key": doc.key,
        "type": doc.type,
        "all": FIELD_GAP.join((doc.title, tags, doc.body)),
        "title": doc.title,
        "tags_text": tags,
        "body": doc.body,
        "words": " ".join(sorted(vocabulary)),
        "tag_names": list(doc.tags),
        "tag_keys": " ".join(doc.tag_keys),
        "author_keys": " ".join(doc.author_keys),
        "author_id": doc.author_id,
        "author_name": doc.author_name,
        "space": str(doc.space_id) if doc.space_id is not None else NO_SPACE,
        "space_keys": " ".join(doc.space_keys),
        "space_name": doc.space_name,
        "aud_teams": " ".join(map(str, audience.teams)) or EVERYONE,
        "aud_locations": " ".join(map(match_key, audience.locations)) or EVERYONE,
        "aud_languages": " ".join(map(match_key, audience.languages)) or EVERYONE,
        "statuses": " ".join(doc.statuses),
        "created": utc_timestamp(doc.created_at),
        "updated": utc_timestamp(doc.updated_at),
        "visible_from": utc_timestamp(doc.visible_from) if doc.visible_from else 0,
        "visible_until": utc_timestamp(doc.visible_until) if doc.visible_until else FOREVER,
        "url": doc.url,
    }
