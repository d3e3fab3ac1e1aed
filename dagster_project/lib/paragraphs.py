"""Split article texts into paragraphs and classify every paragraph; none is ever dropped.

Each paragraph gets a zone (title, dek, subheading, body, caption, boilerplate), a boilerplate
flag naming the rule that matched, an exact-duplicate pointer to the first copy in the same
article and a near-duplicate pointer with a similarity. `is_content` marks what NLP reads: not
boilerplate and not a repeated copy.

The boilerplate rules are general patterns over normalised text (page furniture as most news
and government sites print it), rules of position (a short line above the headline is the
site's name or section; a name and date line under it is the byline; short lists after the last
news paragraph are tags, credits and contacts), plus recurrence: a short, non-news paragraph
printed in several articles of one publisher is furniture whatever its wording. Evaluation
happens on publishers the rules were never tuned on, so no rule quotes a sample article.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import PurePosixPath

import pandas as pd
from rapidfuzz import fuzz

ZONES = ("title", "dek", "subheading", "body", "caption", "boilerplate")


@dataclass(frozen=True)
class ArticleText:
    article_id: str
    content_hash: str
    text: str
    publisher: str | None = None
    source_path: str | None = None


@dataclass(frozen=True)
class Paragraph:
    paragraph_id: str
    article_id: str
    content_hash: str
    paragraph_index: int
    char_start: int
    char_end: int
    paragraph_text: str
    zone: str
    is_boilerplate: bool
    boilerplate_rule: str | None
    is_duplicate: bool
    duplicate_of_paragraph_id: str | None
    near_duplicate_of_paragraph_id: str | None
    similarity: float | None
    is_content: bool


# ---------------------------------------------------------------------------------------------
# Splitting

_LINE_BREAK = re.compile(r"\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")
# horizontal space runs; a long one inside a line is how some scrapers glue two paragraphs
_SPACE_RUN = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]{3,}")
_NO_BREAK = "\u00a0\u2007\u202f"
# invisible characters that scrapers leave at line edges (a BOM before the headline, say):
# trimmed like whitespace so a line holding only them makes no paragraph
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_TERMINAL = ".!?…\"”’')]"


def _is_space(ch: str) -> bool:
    return ch.isspace() or ch in _INVISIBLE


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and _is_space(text[start]):
        start += 1
    while end > start and _is_space(text[end - 1]):
        end -= 1
    return start, end


def _joins_paragraphs(text: str, run: re.Match[str], line_start: int) -> bool:
    """A space run splits a line only where it sits between a finished sentence (or is made of
    no-break spaces, a layout artefact) and the capitalised start of another paragraph; runs
    inside a sentence or a table row are left alone."""
    before = text[line_start : run.start()].rstrip("".join(_INVISIBLE) + " \t" + _NO_BREAK)
    after = text[run.end() : run.end() + 1]
    if not before or not after or after.islower():
        return False
    no_breaks = sum(ch in _NO_BREAK for ch in run.group())
    return before[-1] in _TERMINAL or no_breaks >= 3


# Plain text hard-wrapped at a fixed width (70-80 characters, as mail and wire copy are): a
# line that goes on into the next without a blank line is one paragraph with it when the next
# word would not have fitted on it, or when it stops on a lower-case word without closing
# punctuation. A text is read as wrapped only when most of its continued lines end within
# WRAP_SLACK characters of a common width and most of them end mid-sentence.
WRAP_WIDTHS = range(40, 101)
WRAP_MIN_LINES = 4
WRAP_SLACK = 20
WRAP_SHARE = 0.6
_LIST_ITEM = re.compile(r"^(?:[-*•·▪◦–—]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s")


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line of `text`, line breaks excluded."""
    out, start = [], 0
    for m in _LINE_BREAK.finditer(text):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, len(text)))
    return out


def _wrap_width(trimmed: list[tuple[int, int]]) -> int | None:
    """The width the lines were wrapped at, or None when the text is not hard-wrapped.

    `trimmed` holds each line's trimmed (start, end); an empty line has start == end."""
    continued = [
        (s, e) for (s, e), (ns, ne) in zip(trimmed, trimmed[1:], strict=False) if e > s and ne > ns
    ]
    if len(continued) < WRAP_MIN_LINES:
        return None
    lengths = sorted(e - s for s, e in continued)
    width = lengths[int(0.9 * (len(lengths) - 1))]
    if width not in WRAP_WIDTHS:
        return None
    filled = sum(width - WRAP_SLACK <= n <= width for n in lengths)
    return width if filled >= WRAP_SHARE * len(lengths) else None


def _continues(text: str, line: tuple[int, int], following: tuple[int, int], width: int) -> bool:
    """Whether `following` carries on the paragraph of `line` in text wrapped at `width`."""
    (s, e), (ns, ne) = line, following
    if e == s or ne == ns:
        return False
    nxt = text[ns:ne]
    if _LIST_ITEM.match(nxt):
        return False
    first_word = nxt.split(maxsplit=1)[0]
    if (e - s) + 1 + len(first_word) > width:
        return True
    last_word = text[s:e].rsplit(maxsplit=1)[-1]
    return last_word[-1] not in _TERMINAL and last_word.isalpha() and last_word.islower()


def split_paragraphs(text: str) -> list[tuple[int, int]]:
    """(char_start, char_end) spans of the paragraphs of `text`, in order, trimmed of spaces.

    Lines are paragraphs (blank or single newlines alike), but for hard-wrapped plain text,
    whose wrapped lines are joined back into their paragraphs (the span then holds the line
    breaks as written); a run of 3+ spaces or no-break spaces joining two paragraphs on one
    line also splits it. Every non-space character of the text lies in exactly one span, and
    `text[start:end]` is the paragraph as written.
    """
    lines = _lines(text)
    trimmed = [_trim(text, s, e) for s, e in lines]
    width = _wrap_width(trimmed)
    spans: list[tuple[int, int]] = []
    piece_start = 0
    for k, (line_start, line_end) in enumerate(lines):
        joined = width is not None and k > 0 and _continues(text, trimmed[k - 1], trimmed[k], width)
        if k > 0 and not joined:
            spans.append((piece_start, lines[k - 1][1]))
            piece_start = line_start
        for run in _SPACE_RUN.finditer(text, line_start, line_end):
            if _joins_paragraphs(text, run, max(piece_start, line_start)):
                spans.append((piece_start, run.start()))
                piece_start = run.end()
    spans.append((piece_start, lines[-1][1]))
    trimmed_spans = (_trim(text, s, e) for s, e in spans)
    return [(s, e) for s, e in trimmed_spans if e > s]


# ---------------------------------------------------------------------------------------------
# Normalisation

_QUOTES = (("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"'), ("`", "'"))
_NON_WORD = re.compile(r"[\W_]+")


def _lower(text: str) -> str:
    """NFKC, straight quotes, casefolded, whitespace collapsed: the form the rules read."""
    text = unicodedata.normalize("NFKC", text)
    for curly, straight in _QUOTES:
        text = text.replace(curly, straight)
    return " ".join(text.casefold().split())


def _key_of(low: str) -> str:
    return " ".join(_NON_WORD.sub(" ", low).split())


def _key(text: str) -> str:
    """Words only: the identity of a paragraph for duplicate and recurrence checks."""
    return _key_of(_lower(text))


def _has(low: str, hints: tuple[str, ...]) -> bool:
    """Cheap substring gate in front of the slower alternation patterns."""
    return any(h in low for h in hints)


def _full(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"^(?:" + "|".join(alternatives) + r")$")


def _any(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


# ---------------------------------------------------------------------------------------------
# Boilerplate rules. Each reads the paragraph in three forms: `low` (normalised, punctuation
# kept), `key` (words only) and `words` (word count). Rules over long text require the wording
# of a notice, rules over short text require the paragraph to be (almost) nothing but the label,
# so a news sentence that merely mentions a newsletter, a share or a cookie is left alone.

_SOCIAL = (
    r"facebook|twitter|x|linkedin|whatsapp|telegram|reddit|pinterest|messenger|line|viber"
    r"|wechat|weibo|tumblr|pocket|flipboard|mastodon|threads|bluesky|instagram|youtube|tiktok"
    r"|e ?mail|sms"
)

_SHORTCODE_TAG = r"\[/?[a-z][\w-]*(?:\s[^\[\]]*)?\]"
_SHORTCODE_LINE = re.compile(rf"^(?:{_SHORTCODE_TAG}\s*)+$")
_SHORTCODE_STRONG = re.compile(r"\[(?:[a-z]+[_-][\w-]*|/[a-z][\w-]*)|\[[a-z][\w-]*\s[^\]]*=")
_EMBED_BLOCK = re.compile(r"^\[(embed|video|audio|gallery|caption)\b[^\]]*\].*\[/\1\]$")
_HTML_ONLY = re.compile(r"^(?:<[^<>]+>\s*)+$")

_GOV_BANNER = _any(
    r"^an official (?:web ?site|portal) of the\b",
    r"\ban official website of the [\w. ]{1,30} government\b",
    r"\bexternal links? to other internet sites?\b.{0,80}\b(?:endorsement|construed)\b",
    r"\bofficial websites? use \.?gov\b",
    r"\.gov websites? belongs? to an official government",
    r"\bsecure \.?gov websites? use https\b",
    r"^(?:here'?s|here is) how you know$",
    r"\bshare sensitive information only on official\b",
    r"\ba lock \(.{0,20}\) or https",
    r"\bopen government licen[cs]e\b",
)
_GOV_HEADER = re.compile(
    r"^(?:this is )?(?:the )?official (?:web ?site|portal|page) of the (?:[\w.'&-]+ ){0,6}"
    r"(?:government|ministry|embassy|department|police|agency)\b"
)

_COOKIE = _any(
    r"\b(?:we|this (?:web)?site|our (?:web)?site|this page) (?:uses?|is using) cookies\b",
    r"^(?:accept|reject|decline|manage|allow)(?: all| necessary| essential)? cookies\b",
    r"^cookie (?:policy|settings|preferences|consent|notice)s?$",
    r"\bby (?:continuing|using)(?: to (?:use|browse))? (?:this|our|the) (?:web)?site,? you "
    r"(?:agree|consent|accept)",
)

_COPYRIGHT_LONG = _any(
    r"\ball rights reserved\b",
    r"\b(?:no part of|none of) (?:this|the|these|any) [\w\s,-]{0,60}?(?:may|can|shall|must) "
    r"(?:not )?be (?:reproduced|republished|copied|reprinted|redistributed|published|stored)",
    # two or more of these verbs in a row is the wording of a notice; a single "may not be
    # published" is as likely a court order reported in the news
    r"\bmay not be (?:(?:reproduced|published|republished|copied|reprinted|broadcast|rewritten"
    r"|redistributed|distributed|transmitted|stored|used|modified)(?:,| or| and|,? or|,? and)?\s*)"
    r"{2,}",
    r"^our (?:standards|editorial (?:standards|policy|guidelines))\b",
    r"\bviews expressed (?:in this [\w ]{1,20})?(?:are|is) (?:those of the author|the author's own|"
    r"solely)",
    r"\b(?:reproduction|republication|redistribution|republishing)\b[^.]{0,80}?"
    r"\b(?:prohibited|forbidden|not permitted|without (?:prior |express )?(?:written )?"
    r"(?:permission|consent))",
    r"\bnot responsible for (?:any )?(?:copyright )?infringement\b",
    r"^(?:this (?:article|story|piece|report|post) (?:was |is |has been )?(?:originally |first )?"
    r"|originally |first )(?:published|appeared|republished|posted) (?:by|in|on|at|with)\b",
)
_COPYRIGHT_SHORT = _any(r"©", r"\(c\)\s*(?:19|20)\d\d", r"^copyright\s*(?:©|\(c\)|(?:19|20)\d\d)")

_READING_TIME = re.compile(
    r"\b\d+\s*(?:-\s*)?(?:min|mins|minutes?)\s*(?:read|reading(?: time)?|to read|listen)\b"
    r"|\b(?:estimated )?(?:reading|read|listening) time\b"
)
_DATE_TOKENS = re.compile(
    r"\b(?:\d+|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t|tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|am|pm|updated|published|posted"
    r"|mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:rs|rsday)?|fri(?:day)?|sat(?:urday)?"
    r"|sun(?:day)?|ago|hours?|days?|mins?|minutes?|read|reading|time|estimated)\b"
)

_ACCESSIBILITY = _full(
    r"skip(?: to)?(?: the)?(?: main)? (?:content|navigation|nav|menu|search|footer|article"
    r"|sidebar|main)(?: content)?",
    r"skip navigation|skip links?",
    r"skip(?: over)?(?: the)?(?: \w+){0,2} (?:navigation|nav|menu|links?)(?: to(?: the)?(?: main)?"
    r" (?:content|article|text))?",
    r"(?:back|return|scroll|go|jump) to (?:the )?top(?: of (?:the )?page)?",
    r"top|to top",
    r"jump to (?:the )?(?:main )?(?:content|navigation|section|comments)",
    r"(?:toggle|open|close|show|hide) (?:the )?(?:main |site |mobile )?(?:navigation|menu|search)",
    r"(?:main |site |mobile |primary |secondary )?(?:menu|navigation)",
    r"search(?: for)?(?: this site| the site| news)?|close|open",
    r"accessibility(?: statement| help| tools| options)?",
    r"(?:increase|decrease|reset) (?:font|text) size|(?:font|text) size|a a a|a a",
    r"screen reader(?: mode)?|high contrast(?: mode)?",
)

_ADVERTISEMENT = _full(
    r"advertisements?|advertising|advert|ads?|sponsored(?: content| links?| posts?| stories)?",
    r"paid (?:content|post|partnership)|promoted(?: content| stories)?|partner content",
    r"(?:story|article) continues (?:below|after (?:this )?(?:advertisement|ad))"
    r"(?: advertisement)?",
    r"continue reading (?:below|the main story)|scroll (?:down )?to continue(?: with content)?",
    r"skip ad|remove ads|ad feedback|report (?:this )?ad",
)

_SECTION_LABEL = _full(
    r"(?:related|similar|recommended|suggested|featured|trending|popular|latest|recent|top|more"
    r"|other|further|breaking|most recent|hot|editor s|editors|our|must) (?:news|stories|story"
    r"|articles?|posts?|content|coverage|reading|reads?|links?|topics|videos?|headlines|picks?"
    r"|searche?s?)"
    r"(?: for you| on [\w ]{1,30})?",
    r"related|trending(?: now| today)?|popular(?: now)?|latest",
    r"most (?:read|popular|viewed|shared|commented|emailed|watched)(?: (?:articles?|stories|news"
    r"|this week|today|now))?",
    r"editor s (?:picks?|choice)|editors (?:picks?|choice)|don t miss|do not miss|must reads?",
    r"read more|read next|read also|also read|see also|more|up next|what to read next",
    r"(?:next|previous|prev|older|newer) (?:article|story|post|posts|entries)|next|previous|prev",
    r"you (?:may|might|could|will) (?:also )?(?:like|enjoy|be interested in)|we recommend",
    r"recommended(?: for you)?|in case you missed it|in other news|more on this (?:story|topic)",
    r"more (?:from|in|on|news from|stories from|about) [\w ]{1,40}",
    r"(?:from|around) (?:the|around the) web|from around the web|sponsored links",
    r"home|news|world|national|local|asia|opinion|politics|business|sports?|lifestyle",
    r"entertainment|breaking news|top stories|featured|videos?|photos|gallery|podcasts?",
    r"(?:photo|video|image|picture) galler(?:y|ies)|(?:back to |to )?top of (?:the )?page",
    r"multimedia|log ?in|sign ?in|log out|sign out|register|my account|contact(?: us)?",
    r"about(?: us)?|advertise(?: with us)?|privacy(?: policy)?|privacy notice",
    r"terms (?:of|and) (?:use|service|conditions)|terms|sitemap|site map|rss(?: feeds?)?",
    r"archives?|e ?paper|today s paper|print edition|tags|topics|categories|share|donate",
    r"newsletters?|subscribe(?: now| today)?|sign up(?: now| today)?|subscriptions?",
    r"legal(?: notices?| information)?|imprint|disclaimer|copyright(?: notice| policy)?",
    r"(?:post|posts|page|article|story) navigation|about the (?:author|authors|reporter|writer)",
    r"discover more(?: from [\w ]{1,40})?",
    r"upload|download|downloads|print|print page|print this page",
    r"contact \w+|(?:news|events|media|press|publications|resources)(?: and)? (?:events|media|press"
    r"|releases|updates|publications|resources|centre|center|room)",
    r"continue reading|keep reading|show more|load more|view all|see all|view more|see more",
    r"read (?:this )?(?:article |story |it )?in [a-z]+|english|khmer|français|中文",
)
_SECTION_PREFIX = re.compile(
    r"^\W*(?:read more|read also|also read|see also|related(?: (?:article|story|news|post"
    r"|coverage|content|link))?|recommended|read next|more|read|further reading|read the full "
    r"(?:story|article|report)(?: here)?)\s*(?:[:»›>|]|\s[-–—])"
)
# a section's archive page for one year, printed as a breadcrumb: "Press Releases 2009"
_SECTION_YEAR = _full(
    r"(?:press|news|media) (?:releases?|statements?|notes?)(?: and (?:\w+ ){0,2}\w+)?"
    r" (?:19|20)\d\d",
    r"(?:news|speeches|remarks|statements|testimon(?:y|ies)|briefings?|fact sheets?|reports?"
    r"|archives?|events|publications|stories|releases|readouts|transcripts)"
    r"(?: and (?:\w+ ){0,2}\w+)? (?:19|20)\d\d",
)
# "Released in Phnom Penh, June 17, 2009": where and when a release was issued
_RELEASED_AT = re.compile(
    r"^(?:released|issued|published|posted|delivered|dated|date)(?: on)? (?:in|at|from) "
    r"[^,;:]{2,40}[,;:]\s*(?P<date>.+)$"
)
# a site's motto: "Trusted Source of News & Information since 1942"
_TAGLINE = re.compile(r"\b(?:since|est\.?|established(?: in)?|founded(?: in)?) (?:1[6-9]|20)\d\d$")
_FINITE_BE = re.compile(r"\b(?:is|was|were|are|has|had|have|been)\b")
_LOGO = re.compile(r"^(?:site |official )?logo\s*[:|–—-]")
# a page number of a printed document; a year alone is a timeline's heading
_PAGE_NUMBER = re.compile(r"^(?:page )?(?!(?:19|20)\d\d$)\d{1,4}(?: of \d{1,4})?$")
_READ_MORE_LINK = re.compile(r"^\W*read (?:more|the full (?:story|article|report))\b")
_NAV_SEPARATOR = re.compile(r"\s*[|»›>•·]\s*")
_BREADCRUMB_SEP = re.compile(r"\s*[›»]\s*")
_BREADCRUMB_HOME = re.compile(r"^home\s*(?:[»›>/|]|\s-\s)")

_TAXONOMY = re.compile(
    r"^(?:(?:more|related|popular|other|all|newspaper|print|news|site|main) )?"
    r"(?:tags?|tagged(?: with| in)?|topics?|topic\(s\)"
    r"|keywords?|categor(?:y|ies)|filed (?:under|in)|posted in|published in|component\(s\)"
    r"|components?|sections?|labels?|more about|subjects?)\s*[:|]"
)

_SHARE_TOKEN = re.compile(
    r"\b(?:click to )?(?:share|post|send|pin|forward)(?: this| the| via)?"
    r"(?: article| story| post| page| link)?(?: on| via| to| with| by| using)?"
    rf"(?: (?:{_SOCIAL}))*(?: opens in (?:a )?new window)?\b"
    rf"|\b(?:tweet|retweet)(?: this)?\b|\bprint(?: this)?(?: article| page| story| friendly)?\b"
    r"|\be ?mail(?: this)?(?: article| page| story)?(?: to a friend)?\b"
    rf"|\b(?:{_SOCIAL})\b|\bcopy (?:the )?(?:link|url)\b|\blink copied(?: to (?:the )?clipboard)?\b"
    r"|\blike this\b|\blike\b|\bloading\b|\bshares?\b|\b\d+\b|\bopens in (?:a )?new window\b"
    r"|\bmore\b"
    r"|\bsave\b|\bbookmark\b|\bcomments?\b|\bwhats app\b|\bgoogle news\b|\b(?:download )?pdf\b"
    r"|\bfriendly\b"
)
# a share row needs at least one unambiguous share word; "X" or "Line" alone is not one
_SHARE_CORE = re.compile(
    r"\b(?:share|tweet|print|e ?mail|facebook|twitter|linkedin|whatsapp|telegram|reddit|pinterest"
    r"|copy (?:the )?link|like this|like loading)\b"
)

_SOCIAL_FOLLOW = _any(
    r"^(?:follow|like|join|find|connect with|subscribe to|add) (?:us|our [\w ]{0,30}|[\w.]+(?: "
    rf"[\w.]+){{0,3}}) on (?:{_SOCIAL}|social media|google news)\b",
    r"^follow us\b",
    rf"^(?:join|subscribe to|follow) our (?:official )?(?:{_SOCIAL})(?: channel| group| page"
    r"| account)?\b",
    r"^stay connected\b",
)

_NEWSLETTER_STRONG = _any(
    r"\bsubscribe (?:now|today|here|for (?:free|unlimited|full|just|only|\$)|to our|to receive"
    r"|and get)\b",
    r"\bsign(?:ing)? ?up (?:today|now|here|for free|for our|to our|to receive|and get)\b",
    r"\bsign ?up (?:for|to) (?:the|a|our|free|daily|weekly) (?:[\w'-]+ ){0,3}(?:newsletters?|alerts"
    r"|updates|briefings?|digest)\b",
    r"\b(?:delivered|sent|straight|directly|right)(?: straight| directly| right)? (?:to|into) your "
    r"(?:inbox|e ?mail|mailbox)\b",
    r"\bin your inbox\b|\b(?:enter|type) your e ?mail\b|\byour e ?mail address\b(?! will not)",
    r"\bdon't miss (?:a|an|out|the latest)\b|\bnever miss\b",
    r"\b(?:click|tap) here to (?:subscribe|sign ?up|register)\b",
    r"\balready (?:a )?(?:subscriber|member)\b|\bsubscribers? only\b",
    r"\bsubscribe to (?:continue|keep) reading\b|\bto continue reading\b",
)
_NEWSLETTER_WEAK = (
    re.compile(r"\bnewsletters?\b"),
    re.compile(r"\bsubscri(?:be|ption|ber)s?\b"),
    re.compile(r"\binbox\b"),
    re.compile(r"\bsign(?:ing)? ?up\b"),
    re.compile(r"\be ?mail (?:alerts?|updates|digest)\b|\bbreaking news alerts?\b"),
)
_ADDRESSES_READER = re.compile(
    r"\b(?:our|your|you)\b|(?:^|[.!?]\s+)(?:sign ?up|subscribe|join|get|register|stay)\b"
)
_REPORTING = re.compile(
    r"\b(?:said|says|told|according to|stated|added|announced|reported|confirmed|noted|claimed)\b"
)

_COMMENT = _any(
    r"\bleave a (?:reply|comment)\b",
    r"^(?:post|add|submit|write|leave|show|view|hide|load) (?:a |your |all |more )?comments?\b",
    r"\byour email address will not be published\b",
    r"\brequired fields are marked\b",
    r"\bsave my name,? e ?mail\b",
    r"\bcomments are closed\b",
    r"^join the (?:conversation|discussion)\b",
    r"\byou must be logged in to (?:post|leave) a comment\b",
    r"^log ?in to (?:comment|reply)\b|^cancel reply$|\bbe the first to comment\b",
    r"^\d* ?comments?(?: \(?\d+\)?)?\W*$|^no comments(?: yet)?\W*$",
)
_PAGE_FEEDBACK = _any(
    r"\bwas this (?:page|article|information|content|answer) (?:helpful|useful)\b",
    r"\bis this page useful\b",
    r"\bdid you find (?:this|what you)\b",
    r"\breport a problem with this page\b",
    r"^rate this (?:article|page|story)\b",
    r"^how (?:useful|helpful) was this\b",
)
_PRESS_LABEL = _full(
    r"for immediate release|press releases?|news releases?|media (?:release|note|advisory"
    r"|statement)s?|press statement|readout|fact sheet|press briefing",
    r"\(?as (?:prepared for delivery|delivered)\)?|\(?check against delivery\)?",
    r"(?:press|news) release (?:number|no|#) [\w ]{1,20}",
)
_MEDIA_WIDGET = _full(
    r"listen(?: (?:to|now))?(?: (?:this|the) (?:article|story|podcast|episode))?"
    r"(?: \d+ (?:min|mins|minutes?))?",
    r"(?:play|pause|stop|mute|unmute)(?: (?:audio|video))?",
    r"loading(?: comments| video)?",
    r"(?:watch|view) (?:the |more )?(?:video|videos|gallery|photos?|slideshow|live)",
    r"click (?:to|here to) (?:enlarge|expand|play|view|zoom)(?: (?:image|photo|video))?",
    r"(?:enlarge|expand|zoom) (?:image|photo)|fullscreen|full screen",
    r"your browser does not support [\w ]+",
    r"\d{1,2} \d{2}(?: \d{2})?",
    r"audio (?:version|player)|text to speech|video player|embed|image",
)
_BROWSER_NOTICE = _any(
    r"\b(?:please )?(?:enable|turn on) javascript\b",
    r"\bjavascript (?:is )?(?:disabled|required|must be enabled)\b",
    r"\byour browser (?:does not|doesn't) support\b",
    r"\b(?:upgrade|update) (?:to )?(?:a (?:newer|modern) |your )?browser\b",
)
_CALL_TO_ACTION = _any(
    r"^(?:click|tap) here\b",
    r"^(?:report|submit) (?:a |an )?(?:crimes?|tips?|suspicious activity)\W*"
    r"(?:$|(?:e ?mail|call|phone|contact|online)\b)",
    r"^(?:got|have) a (?:news )?(?:tip|story)\b",
    r"^(?:send|e ?mail) us (?:your )?(?:news )?(?:tips?|story)\b",
    r"^(?:please )?(?:support|donate to|help fund) (?:our|independent|quality|local|free|[\w.]+'s)"
    r" (?:independent )?(?:journalism|reporting|newsroom|work)\b",
    r"^become a (?:member|supporter|patron|subscriber)\b",
    r"^(?:download|get|install) (?:our|the) [\w ]{0,30}\bapp\b",
    r"\bavailable on (?:the )?(?:app store|google play)\b",
)


# Bylines, datelines and contact details: a line made of nothing but a reporter's name, a date
# and a time, a label, an e-mail address or a telephone number. Each piece has to be fully
# accounted for, so a news sentence that merely mentions a date or an address never matches.

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = (
    r"(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?"
    r"|sat(?:urday)?|sun(?:day)?)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
_NUMERIC_DATE = r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}"
_CLOCK = r"\d{1,2}[:.h]\d{2}(?::\d{2})?(?:\s*[ap]\.?\s?m\b\.?)?|\d{1,2}\s*[ap]\.?\s?m\b\.?"
# UTC/GMT offsets and the usual time-zone abbreviations
_ZONE = (
    r"(?:utc|gmt)(?:\s*[+-]\s*\d{1,2}(?::?\d{2})?)?|ict|jst|kst|sgt|hkt|pht|myt|mmt|wib|wita"
    r"|ist|pkt|npt|bst|cet|cest|eet|eest|est|edt|cst|cdt|mst|mdt|pst|pdt|aest|aedt|awst|nzst"
    r"|nzdt|msk"
)
_DATE_LABEL = (
    r"(?:(?:first|last|originally) )?(?:published|updated|posted|issued|modified|edited|released"
    r"|created|uploaded|publication date|publish date|date(?: published| posted| of publication)?"
    r"|time|dated)(?: on| at)?"
)
_DATE_PIECE = re.compile(
    r"(?<!\w)(?:\d+ (?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?) ago"
    rf"|{_DATE_LABEL}|{_NUMERIC_DATE}|{_CLOCK}|{_WEEKDAY}|{_MONTH}|{_DAY}|{_YEAR}"
    rf"|{_ZONE}|at|on|of|the|and)(?!\w)"
)
_DATE_REST = re.compile(r"[\s,|/·•:()+\-–—.]*")
_MONTH_DAY = re.compile(rf"(?<!\w){_MONTH}\s*{_DAY}(?!\w)|(?<!\w){_DAY}\s*(?:of\s+)?{_MONTH}(?!\w)")
_LABELLED = re.compile(rf"^(?:{_DATE_LABEL})\b")
_DATE_EVIDENCE = {
    "weekday": re.compile(rf"(?<!\w){_WEEKDAY}(?!\w)"),
    "year": re.compile(rf"(?<!\w){_YEAR}(?!\w)"),
    "clock": re.compile(rf"(?<!\w)(?:{_CLOCK})"),
    "numeric": re.compile(rf"(?<!\w){_NUMERIC_DATE}(?!\w)"),
    "month": re.compile(rf"(?<!\w){_MONTH}(?!\w)"),
    "ago": re.compile(r"\bago\b"),
}


def _date_only(low: str, allow_clock: bool = False) -> bool:
    """The text is a publication date (or time) and nothing else: "Tuesday, April 15, 2025",
    "PUBLISHED : 3 Mar 2024 at 18:45", "Issued on: 20/06/2025 - 09:12", "Updated 2 hours ago".
    A bare "March 3" or "May 2024" (a timeline heading) needs a year, a weekday, a time or a
    label with it."""
    if len(low) > 90 or not any(ch.isdigit() for ch in low):
        return False
    if _DATE_REST.fullmatch(_DATE_PIECE.sub(" ", low)) is None:
        return False
    has = {name: bool(rx.search(low)) for name, rx in _DATE_EVIDENCE.items()}
    labelled = bool(_LABELLED.match(low))
    month_day = bool(_MONTH_DAY.search(low))
    return (
        has["numeric"]
        or has["ago"]
        or (month_day and (has["year"] or has["weekday"] or has["clock"] or labelled))
        or (labelled and (has["clock"] or (has["month"] and has["year"])))
        or (allow_clock and has["clock"])
    )


_BYLINE_SPLIT = re.compile(r"\s*(?:[|•·;]|\s[-–—]\s|[–—])\s*|\s{2,}")
_BYLINE_LABEL = re.compile(
    r"^(?:(?:(?:additional )?(?:written|reported|reporting|writing|editing|edited|words|story|text"
    r"|compiled|posted|interview)(?: and (?:writing|editing|reporting))? by|by)\b\s*:?"
    r"|(?:writer|writers|author|authors|reporter|reporters|correspondent|byline|words|story"
    r"|text|editor|editors|photographer|translator)\s*:)\s*",
    re.I,
)
_NAME_WORD = re.compile(r"(?:[A-Z][\w'’.-]*|[A-Z]\.)$")
_NAME_PARTICLE = {"de", "da", "del", "van", "von", "der", "den", "bin", "binti", "al", "el"}
_NAME_PARTICLE |= {"le", "la", "du", "dos", "di", "y", "in"}
_NAME_JOIN = re.compile(r"\s*(?:,|&|\band\b)\s*")
# "By The Numbers", "By This Time": a title-case phrase, not a name
_NOT_A_NAME = {"the", "a", "an", "this", "that", "these", "those", "their", "his", "her", "its"}
_NOT_A_NAME |= {"any", "some", "all", "no", "every", "each", "then", "now", "far", "way"}


def _name_words(part: str, max_words: int = 4) -> int:
    """Number of words of a person's (or a desk's) name, 0 when `part` is not one."""
    tokens = part.split()
    if not 1 <= len(tokens) <= max_words or tokens[0] in _NAME_PARTICLE:
        return 0
    if tokens[0].casefold() in _NOT_A_NAME:
        return 0
    if all(_NAME_WORD.match(t) or t in _NAME_PARTICLE for t in tokens):
        return len(tokens)
    return 0


def _names(text: str) -> list[int]:
    """Word counts of the names in "Jane Doe, John Roe and Kim Lee", or [] if any part is not a
    name (a clause, a number, a lowercase word)."""
    parts = [p for p in _NAME_JOIN.split(text.strip(" ,")) if p]
    counts = [_name_words(p) for p in parts]
    return counts if parts and len(parts) <= 4 and all(counts) else []


def _byline_segment(segment: str) -> str | None:
    low = _lower(segment)
    if _date_only(low, allow_clock=True):
        return "date"
    if _EMAIL.search(segment) and _contact_line(segment):
        return "contact"
    label = _BYLINE_LABEL.match(segment)
    if label:
        rest = segment[label.end() :]
        names = _names(rest)
        # "By Monday" or "By Air and Sea" is a phrase: after a bare "by" a name has two words
        # or is an acronym ("By AFP")
        bare = label.group().strip().casefold() == "by"
        if names and (not bare or max(names) >= 2 or (names == [1] and _all_caps(rest))):
            return "byline"
        return None
    names = _names(segment)
    return "name" if names and max(names) >= 2 else None


def _byline_rule(text: str) -> str | None:
    """ "By Jane Doe", "WRITER: Jane Doe", "Jane Doe | Publication date 12 March 2024 | 10:42 ICT",
    "By Jane Doe   March 19, 2025 | 04:20 pm GMT+7" or a date line alone."""
    if len(text) > 160:
        return None
    low = _lower(text)
    if _date_only(low):
        # a labelled date is furniture anywhere; a bare one only outside the story
        return "publication_date" if _LABELLED.match(low) else "date_line"
    text = text.strip()
    if text.startswith("(") and text.endswith(")"):
        # a wire's credit line: "(Reporting by Jane Doe; Editing by John Roe)"
        text = text[1:-1]
    segments = [s for s in _BYLINE_SPLIT.split(text) if s.strip(" ,")]
    if not segments or len(segments) > 6:
        return None
    kinds = [_byline_segment(s) for s in segments]
    if None in kinds:
        return None
    if "byline" in kinds or ("name" in kinds and "date" in kinds):
        return "byline"
    if "date" in kinds and set(kinds) <= {"date", "contact"}:
        return "publication_date"
    return None


_EMAIL = re.compile(
    r"[\w.+-]+(?:@|\s?(?:\[at\]|\(at\)|\{at\})\s?)[\w-]+"
    r"(?:(?:\.|\s?(?:\[dot\]|\(dot\))\s?)[\w-]+)+",
    re.I,
)
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.I)
_PHONE = re.compile(r"\+?\(?\d[\d ()./-]{6,}\d")
_CONTACT_LABEL = re.compile(
    r"\b(?:e-?mail|tel|telephone|phone|mobile|cell|fax|whatsapp|contact|website|web|office"
    r"|hotline|media|press|enquiries|inquiries)\b\.?\s*:?",
    re.I,
)


def _contact_line(text: str) -> bool:
    """Only e-mail addresses, telephone numbers and web addresses, labelled or not, perhaps
    after a name: "Email: jdoe[at]example.org", "jdoe@example.com", "Tel: +855 23 123 456"."""
    if len(text) > 200:
        return False
    found = _EMAIL.findall(text) + _URL.findall(text)
    rest = _URL.sub(" ", _EMAIL.sub(" ", text))
    labelled = bool(_CONTACT_LABEL.search(rest))
    if labelled:
        phones = _PHONE.findall(rest)
        found += phones
        rest = _PHONE.sub(" ", rest)
    if not found:
        return False
    rest = _CONTACT_LABEL.sub(" ", rest)
    rest = re.sub(r"[\s,;:|/()<>\[\]–—-]+|\bor\b|\band\b", " ", rest).strip()
    return not rest or bool(_names(rest))


_MEDIA_CONTACT = _full(
    r"(?:for )?(?:further|more|additional) (?:information|details|info)(?: (?:please )?"
    r"(?:contact|call|e ?mail|write to|reach))?(?: us)?",
    r"(?:for )?(?:media|press) (?:contacts?|enquiries|inquiries|information|queries)"
    r"(?: (?:please )?(?:contact|call|e ?mail))?",
    r"contacts?(?: information| details)|(?:media|press) contacts?(?: information| details)?",
)
_PAGE_FEEDBACK_QUESTION = re.compile(
    r"^(?:do|did) you (?:like|enjoy|love|find|value) (?:the (?:content|contents) of )?"
    r"this (?:article|story|page|content|post|report|piece)\b"
    r"|^(?:how|what) (?:would you rate|do you think (?:of|about)) this (?:article|story|page)\b"
)
_TAXONOMY_HEADER = _full(
    r"(?:related |more |popular |all |article |story )?(?:tags?|topics?|topic s|keywords?"
    r"|key words|categor(?:y|ies)|component s|tagged(?: with| in)?|filed (?:under|in))"
)
_BARE_DURATION = _full(r"\d{1,3} ?(?:min|mins|minutes?)")


def _share_prompt(key: str, words: int) -> bool:
    if words > 25 or not _SHARE_CORE.search(key):
        return False
    return not _SHARE_TOKEN.sub(" ", key).strip()


def _newsletter_prompt(low: str, words: int) -> bool:
    if words > 45 or _REPORTING.search(low):
        return False
    weak = sum(bool(p.search(low)) for p in _NEWSLETTER_WEAK)
    if not weak:
        return False
    if words <= 3 or _NEWSLETTER_STRONG.search(low):
        return True
    # two cues are a prompt only when it talks to the reader; "victims were told to subscribe
    # and sign up friends" is news
    addressed = words <= 8 or _ADDRESSES_READER.search(low)
    return weak >= 2 and words <= 30 and bool(addressed)


def _breadcrumb(low: str) -> bool:
    """ "News › Crime", "National » Social Affairs": a trail of short section names joined by an
    arrow-like separator that prose never uses."""
    if "›" not in low and "»" not in low or low.endswith((".", "?", "!")):
        return False
    parts = [p.strip() for p in _BREADCRUMB_SEP.split(low)]
    return len(parts) >= 2 and all(1 <= len(p.split()) <= 4 for p in parts)


def _navigation(low: str, key: str, words: int) -> bool:
    if words <= 8 and _SECTION_LABEL.match(key):
        return True
    if words <= 30 and _SECTION_PREFIX.match(low):
        return True
    if words <= 15 and _READ_MORE_LINK.match(low) and not _REPORTING.search(low):
        return True
    if words <= 20 and _BREADCRUMB_HOME.match(low):
        return True
    if words <= 12 and _breadcrumb(low):
        return True
    parts = [p for p in _NAV_SEPARATOR.split(low) if p.strip()]
    return (
        len(parts) >= 3
        and words <= 20
        and not any(ch.isdigit() for ch in low)
        and all(len(p.split()) <= 4 and not p.startswith("by ") for p in parts)
        and not low.endswith((".", "?", "!"))
    )


def _reading_time(low: str, words: int) -> bool:
    if words <= 2 and _BARE_DURATION.match(_key_of(low)):
        return True
    if words > 15 or not _READING_TIME.search(low):
        return False
    rest = _DATE_TOKENS.sub(" ", _NON_WORD.sub(" ", low))
    return len(rest.split()) <= 2


def _shortcode(low: str) -> bool:
    if _EMBED_BLOCK.match(low) or _HTML_ONLY.match(low):
        return True
    return bool(_SHORTCODE_LINE.match(low) and _SHORTCODE_STRONG.search(low))


_GOV_HINTS = (".gov", "official web", "official portal", "official page", "how you know", "lock (")
_GOV_HINTS += ("external link", "government licen")
_COPYRIGHT_HINTS = ("reserved", "reproduc", "republi", "redistribut", "permission", "infringement")
_COPYRIGHT_HINTS += ("may not be", "our standards", "our editorial", "views expressed")
_COPYRIGHT_HINTS += ("published", "appeared", "posted")
_CAPTION_HINTS = ("photo", "pictur", "image", "screen", "file", "courtesy", "credit", "/", "(")
_CAPTION_HINTS += ("left", "grab")
_COMMENT_HINTS = ("comment", "reply", "required field", "be published", "conversation")
_COMMENT_HINTS += ("discussion", "save my name")


def _boilerplate_rule(text: str, low: str | None = None, key: str | None = None) -> str | None:
    """Name of the page-furniture rule the paragraph matches, or None."""
    low = _lower(text) if low is None else low
    key = _key_of(low) if key is None else key
    words = len(key.split())
    if ("[" in low or "<" in low) and _shortcode(low):
        return "cms_shortcode"
    if (
        words <= 60
        and _has(low, _GOV_HINTS)
        and (_GOV_BANNER.search(low) or (words <= 20 and _GOV_HEADER.match(low)))
    ):
        return "gov_banner"
    if words <= 80 and "cookie" in low and _COOKIE.search(low):
        return "cookie_notice"
    if words <= 90 and _has(low, _COPYRIGHT_HINTS) and _COPYRIGHT_LONG.search(low):
        return "copyright_notice"
    if (
        words <= 40
        and _has(low, ("©", "(c)", "copyright"))
        and _COPYRIGHT_SHORT.search(low)
        and not _caption_like(low, words)
    ):
        return "copyright_notice"
    if words > 45:
        return None
    if _reading_time(low, words):
        return "reading_time"
    if words <= 8 and _ACCESSIBILITY.match(key):
        return "accessibility_link"
    if words <= 8 and _ADVERTISEMENT.match(key):
        return "advertisement"
    if words <= 6 and _PRESS_LABEL.match(key):
        return "press_release_label"
    if words <= 6 and _SECTION_YEAR.match(key):
        return "section_navigation"
    if words <= 4 and _PAGE_NUMBER.match(key):
        return "page_number"
    if words <= 25 and _LOGO.match(low):
        return "site_logo"
    if (
        words <= 15
        and not _ends_sentence(text)
        and _TAGLINE.search(low.rstrip(" ."))
        and not _REPORTING.search(low)
        and not _FINITE_BE.search(low)
    ):
        return "site_tagline"
    released = _RELEASED_AT.match(low) if words <= 15 else None
    if released and _date_only("published " + released.group("date")):
        return "publication_date"
    if words <= 40 and _TAXONOMY.match(low):
        return "taxonomy_label"
    if words <= 3 and _TAXONOMY_HEADER.match(key):
        return "taxonomy_label"
    if words <= 12 and _MEDIA_CONTACT.match(key):
        return "media_contact"
    if words <= 30 and _contact_line(text):
        return "contact_details"
    byline = _byline_rule(text) if words <= 30 else None
    if byline:
        return byline
    if words <= 15 and _PAGE_FEEDBACK_QUESTION.search(low):
        return "page_feedback"
    if _share_prompt(key, words):
        return "share_prompt"
    if words <= 30 and _SOCIAL_FOLLOW.search(low):
        return "social_follow"
    if _newsletter_prompt(low, words):
        return "newsletter_prompt"
    if _navigation(low, key, words):
        return "section_navigation"
    if words <= 30 and _has(low, _COMMENT_HINTS) and _COMMENT.search(low):
        return "comment_prompt"
    if words <= 15 and _PAGE_FEEDBACK.search(low):
        return "page_feedback"
    if words <= 8 and _MEDIA_WIDGET.match(key):
        return "media_widget"
    if words <= 25 and _has(low, ("javascript", "browser")) and _BROWSER_NOTICE.search(low):
        return "browser_notice"
    if words <= 20 and _CALL_TO_ACTION.search(low):
        return "call_to_action"
    return None


# ---------------------------------------------------------------------------------------------
# Zones

# an archive picture ("FILE - A police officer checks ...", "file photo"): what it shows is
# not what the article reports
_FILE_PHOTO = re.compile(r"\bfile (?:photo|picture|image)\b|^file\s*[-–—:]\s")
_CAPTION = _any(
    r"\bin (?:this|a|an|the) (?:undated |handout |file |recent |supplied |\w+ )?(?:photo|photograph"
    r"|picture|image|video grab|screen ?grab|screenshot)s?\b",
    r"\b(?:photo|photograph|picture|image|screenshot)s? (?:posted|taken|shared|released|provided"
    r"|published|uploaded|supplied|courtesy|credit|by|from|via)\b",
    r"^\W*(?:photo|photograph|picture|image|file photo|credit|photo credit|courtesy)s?\s*"
    r"(?::|/|\||\bby\b|\bcourtesy\b|-|–|—)",
    r"\((?:photo|image|picture|file|credit|pictured)s?\s*(?::|/|\bby\b|\bcourtesy\b|\))",
    r"\b(?:reuters|afp|ap|epa|xinhua|anadolu|getty images|supplied|file)\s*/\s*\w",
    r"\w\s*/\s*(?:reuters|afp|ap|epa|xinhua|anadolu|getty images|supplied|file)\b",
    _FILE_PHOTO.pattern,
    r"^courtesy of\b",
    r"\((?:l|r|c|l-r|r-l|left|right|centre|center|front|top|bottom|above|below|inset)"
    r"(?:\s*(?:to|-)\s*(?:r|l|right|left))?\)(?!\s*(?:19|20)\d\d)",
    r"\bfrom left(?: to right)?[,:)]|\bleft to right\b",
)
_PICTURED = re.compile(r"\bpictured\b")
_DATELINE = re.compile(
    r"^[A-Z][A-Z.'’ -]{2,30}(?:,[^,.\n]{1,40})?(?:\s*\([^)]{1,40}\))?\s*(?:[-–—]+|:)\s+\S"
)
_BYLINE = re.compile(r"^(?:by|from|updated|published|posted|written by|reporting by)\b", re.I)
_BULLET = re.compile(r"^[•·▪●◦‣○■□➢➤►▶✓✔*+-]\s|^\(?\d{1,2}[.)]\s")
_SENTENCE_END = (".", "!", "?", "…", '."', ".”", ".’", "!”", "?”", ".)", ":", ";")


def is_file_photo(zone: str, text: str) -> bool:
    """A caption of an archive picture: the scene it shows happened some other time, so it
    states none of the article's events."""
    return zone == "caption" and bool(_FILE_PHOTO.search(_lower(text)))


def _caption_like(low: str, words: int) -> bool:
    if words > 80 or not _has(low, _CAPTION_HINTS):
        return False
    return bool(_CAPTION.search(low)) or (words <= 40 and bool(_PICTURED.search(low)))


def _ends_sentence(text: str) -> bool:
    return text.rstrip().endswith(_SENTENCE_END)


def _headline_like(text: str, words: int) -> bool:
    if words == 0 or words > 25 or len(text) > 220 or _BULLET.match(text):
        return False
    if not text.rstrip().endswith((".", ";", ",")):
        return True
    capitalised = [w for w in re.findall(r"[^\W\d_][\w'’-]*", text) if len(w) > 3]
    title_case = sum(w[0].isupper() for w in capitalised)
    return words <= 14 and bool(capitalised) and title_case / len(capitalised) >= 0.6


def _subheading_like(text: str, words: int) -> bool:
    return (
        0 < words <= 12
        and len(text) <= 100
        and not _ends_sentence(text)
        and not text.rstrip().endswith((",", '"', "”", "’", "'"))
        and not _BULLET.match(text)
        and not _byline_or_date(text)
    )


def _byline_or_date(text: str) -> bool:
    if _BYLINE.match(text) or (" | " in text and any(ch.isdigit() for ch in text)):
        return True
    return bool(re.fullmatch(r"[\W\d_]*", _DATE_TOKENS.sub("", text.casefold())))


def _looks_like_news(text: str, low: str, words: int) -> bool:
    """A sentence a reporter could have written twice (a quote, an attribution, a full
    sentence): never furniture merely because two articles share it."""
    if any(q in text for q in '“”"«»'):
        return True
    if _REPORTING.search(low):
        return True
    return words >= 12 and _ends_sentence(text)


# ---------------------------------------------------------------------------------------------
# Near-duplicates: containment of word bigrams (exact within an article, so no MinHash
# sampling noise; articles hold tens of paragraphs), backed by a character-level ratio for
# paragraphs of similar length whose words were edited.

NEAR_DUPLICATE_THRESHOLD = 0.8
_NEAR_MIN_WORDS = 6


def _shingles(key: str) -> set[str]:
    tokens = key.split()
    if len(tokens) < 2:
        return set(tokens)
    return {f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)}


def _similarity(a_key: str, a_sh: set[str], b_key: str, b_sh: set[str]) -> float:
    small, large = (a_sh, b_sh) if len(a_sh) <= len(b_sh) else (b_sh, a_sh)
    containment = len(small & large) / len(small) if small else 0.0
    ratio = 0.0
    if min(len(a_key), len(b_key)) >= 0.7 * max(len(a_key), len(b_key)):
        ratio = fuzz.ratio(a_key, b_key) / 100.0
    return max(containment, ratio)


def _near_pairs(keys: list[str], eligible: list[bool]) -> dict[tuple[int, int], float]:
    """(i, j) with i < j -> similarity, for eligible paragraph pairs at or over the threshold."""
    shingles = [_shingles(k) if ok else set() for k, ok in zip(keys, eligible, strict=True)]
    index: dict[str, list[int]] = defaultdict(list)
    for i, sh in enumerate(shingles):
        for s in sh:
            index[s].append(i)
    overlap: dict[tuple[int, int], int] = defaultdict(int)
    for members in index.values():
        for i, j in combinations(members, 2):
            overlap[(i, j)] += 1
    pairs = {}
    for (i, j), shared in sorted(overlap.items()):
        smaller = min(len(shingles[i]), len(shingles[j]))
        # a character ratio can reach the threshold with fewer shared bigrams than containment,
        # but never with almost none
        if shared < 0.4 * smaller:
            continue
        sim = _similarity(keys[i], shingles[i], keys[j], shingles[j])
        if sim >= NEAR_DUPLICATE_THRESHOLD:
            pairs[(i, j)] = round(min(sim, 1.0), 4)
    return pairs


# ---------------------------------------------------------------------------------------------
# Corpus classification

RECURRENCE_MAX_WORDS = 40
_SIBLING_MIN_WORDS = 12


@dataclass
class _Draft:
    index: int
    start: int
    end: int
    text: str
    low: str
    key: str
    words: int
    rule: str | None = None
    zone: str = "body"
    duplicate_of: int | None = None
    near_of: int | None = None
    similarity: float | None = None


def _site_name(key: str) -> str:
    return re.sub(r"^the |[\W_]+", "", key)


def _site_names(article: ArticleText) -> set[str]:
    """The publisher's name as a line of text would spell it, from metadata or the folder."""
    names = set()
    if isinstance(article.publisher, str):
        names.add(_site_name(_key(article.publisher)))
    if isinstance(article.source_path, str):
        for part in PurePosixPath(article.source_path.replace("\\", "/")).parent.parts:
            domain = re.sub(r"^www\.|\.(?:com|org|net|gov|kh|info)\b.*", "", part)
            names.add(_site_name(_key(domain)))
    names.discard("")
    return names


def _publisher(article: ArticleText) -> str | None:
    """Publisher from feed metadata, else the first non-date folder of the source path."""
    if isinstance(article.publisher, str) and article.publisher.strip():
        return "meta:" + _key(article.publisher)
    if isinstance(article.source_path, str) and article.source_path:
        for part in PurePosixPath(article.source_path.replace("\\", "/")).parent.parts:
            if part not in (".", "..", "/") and not re.fullmatch(r"[\d_.-]+", part):
                return "path:" + part.casefold()
    return None


def _draft_article(article: ArticleText) -> list[_Draft]:
    drafts = []
    source = article.text or ""
    for i, (start, end) in enumerate(split_paragraphs(source)):
        text = source[start:end]
        low = _lower(text)
        key = _key_of(low)
        rule = _boilerplate_rule(text, low, key)
        drafts.append(_Draft(i, start, end, text, low, key, len(key.split()), rule=rule))
    return drafts


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass(frozen=True)
class RecurrenceKeys:
    """One article's share of the corpus-wide recurrence signal: what it needs to be compared
    with other articles, without its text. Stored per article version, so that a new article
    is compared with the stored keys of the others instead of re-reading them."""

    # normalised keys of long news paragraphs: two articles sharing two are one story
    siblings: frozenset[str]
    # (paragraph index, scope, key, articles needed, also counted corpus-wide)
    candidates: tuple[tuple[int, str, str, int, bool], ...]


def _story_groups(siblings: Sequence[frozenset[str]]) -> _UnionFind:
    """Articles sharing two or more long news paragraphs are versions of one story: they count
    once for recurrence, so text shared by two versions of a story is not called furniture."""
    holders: dict[str, set[int]] = defaultdict(set)
    for a, keys in enumerate(siblings):
        for key in keys:
            holders[key].add(a)
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for members in holders.values():
        # a long paragraph in many articles is furniture (an author bio), not a shared story
        if 2 <= len(members) <= 20:
            for pair in combinations(sorted(members), 2):
                shared[pair] += 1
    groups = _UnionFind(len(siblings))
    for (a, b), n in sorted(shared.items()):
        if n >= 2:
            groups.union(a, b)
    return groups


_LIST_LABEL = _full(
    r"(?:related|similar|recommended|suggested|featured|trending|popular|latest|recent|top|more"
    r"|other|further|editor s|editors|must)(?: \w+)?(?: for you)?",
    r"most \w+(?: \w+)?|related|trending(?: now| today)?|popular(?: now)?|latest|recommended",
    r"you (?:may|might|could|will) (?:also )?(?:like|enjoy|be interested in)|we recommend",
    r"in case you missed it|read more|read next|also read|read also|see also|don t miss|up next",
    r"more (?:from|in|on|news from|stories from|about) [\w ]{1,40}|what to read next",
)
_FEEDBACK_ANSWER = _full(r"yes|no|yes no|no yes|maybe|not really|thanks?|thank you")


def _body_sentence(p: _Draft) -> bool:
    return p.rule is None and (p.words >= 25 or (p.words >= 6 and _ends_sentence(p.text)))


def _name_like(text: str) -> bool:
    tokens = text.split()
    return 2 <= len(tokens) <= 4 and all(t[:1].isupper() and t.isalpha() for t in tokens)


def _all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _char_class(chars: Sequence[str]) -> str:
    """A regular-expression character class of exactly `chars` (in code point order), as
    ranges."""
    runs: list[list[int]] = []
    for code in sorted(map(ord, chars)):
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    ranges = (re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in runs)
    return "[" + "".join(ranges) + "]"


# letters (str.isalpha) of the Latin blocks, below U+0250, in runs; and any character above
# them: counted by the regex engine, not one Python step per character of a whole article
_LATIN_LETTERS = re.compile(_char_class([chr(c) for c in range(0x250) if chr(c).isalpha()]) + "+")
_BEYOND_LATIN = re.compile("[^\x00-\u024f]")


def _latin_share(text: str) -> float:
    """The share of the text's letters (str.isalpha) that are Latin (below U+0250); 1.0
    without letters."""
    latin = sum(map(len, _LATIN_LETTERS.findall(text)))
    letters = latin + sum(c.isalpha() for c in _BEYOND_LATIN.findall(text))
    return latin / letters if letters else 1.0


def _mark_layout(paras: list[_Draft], site_names: set[str]) -> None:
    """Rules that need the paragraph's neighbours or the article's source, not just its text."""
    latin = _latin_share(" ".join(p.text for p in paras)) >= 0.9
    for p in paras:
        if p.rule is None and p.words <= 5 and _site_name(p.key) in site_names:
            p.rule = "masthead"
        elif p.rule is None and latin and p.words <= 8 and _latin_share(p.text) == 0.0:
            # a navigation label or date in the site's own script over an English story
            p.rule = "foreign_script_label"
    _mark_page_top(paras)
    _mark_tail(paras)
    started = False
    for i, p in enumerate(paras):
        if p.rule == "page_feedback":
            for q in paras[i + 1 : i + 4]:
                if q.rule is None and _FEEDBACK_ANSWER.match(q.key):
                    q.rule = "page_feedback"
        elif p.rule == "section_navigation" and started and _LIST_LABEL.match(p.key):
            _mark_link_list(paras, i)
        started = started or _body_sentence(p)


# Page top and tail. Above the headline a page prints its name, its section and its trail
# (mastheads, site headers of an office, section kickers); between the headline and the story,
# credits; after the last news paragraph, tags, wire slugs and contact details. These rules only
# read lines in those positions, so the same shapes inside the story stay content.

_FUNCTION_WORDS = {"of", "for", "the", "and", "on", "in", "to", "at", "&", "de", "du", "des", "a"}
_FUNCTION_WORDS |= {"an", "-", "–", "—", "/", "|", "by", "with", "against", "from"}
_ORG_HEAD = (
    r"office|offices|ministry|department|agency|bureau|commission|council|committee|embassy"
    r"|consulate|nations|organi[sz]ation|division|directorate|authority|administration"
    r"|secretariat|institute|programme|program|mission|union|delegation|service|services"
)
# an office's name: its head noun ends the line or governs "of/for/on ..."
_ORG_NAME = re.compile(rf"\b(?:{_ORG_HEAD})\b(?:\s+(?:of|for|on|in)\b|\s*$|\s+[-–—|])", re.I)
_ACRONYM_HEADER = re.compile(r"^[A-Z][A-Z&.]{1,9}\s*[-–—:|]\s+[A-Z]")
_LABEL_SEPARATOR = re.compile(r"\s[/|]\s|[›»]")
_WIRE_NAMES = (
    r"reuters|ap|afp|upi|dpa|efe|ansa|tass|ria|xinhua|kyodo(?: news)?|jiji(?: press)?|yonhap"
    r"|bernama|antara|pti|ani|ians|aap|vna|akp|tna|anadolu|associated press|agence france-presse"
    r"|press association|agencies|wires?|news agencies|staff"
)
_WIRE_CREDIT = re.compile(
    r"^[(\[–—-]*\s*(?:(?:with|via|from|source|sources|credit)\s*:?\s*)?"
    rf"(?:{_WIRE_NAMES})(?:\s*(?:[/,&+]|and|with)\s*(?:{_WIRE_NAMES}))*\s*[)\]]?$"
)
# "KYODO", "AFP/REUTERS": an agency's name alone in capitals
_CAPS_CREDIT = re.compile(r"[^\w\s]*[A-Z]{2,10}(?:[\s/&,]+[A-Z]{2,10})?[^\w\s]*")
_SOURCE_LABEL = re.compile(r"^[(\[–—-]*\s*(?:with|sources?|credits?)\s*:?\s*", re.I)
_WIRE_SLUG = re.compile(r"^[a-z]{2,6}(?:-[a-z]{2,6})*(?:/[a-z]{2,6}(?:-[a-z]{2,6})*)+$")
_CLAUSE_OPENERS = ("and ", "or ", "but ", "including ", "which ", "who ", "that ", "while ")
_TAG_SPLIT = re.compile(r"\s*[,;|#]\s*")


def _title_case(text: str) -> bool:
    """Every word capitalised except short function words: a name, not a sentence."""
    words = re.findall(r"[^\W\d_][\w'’.-]*|[&/|–—-]", text)
    content = [w for w in words if w.casefold() not in _FUNCTION_WORDS]
    return bool(content) and all(w[0].isupper() for w in content)


def _furniture_shaped(p: _Draft) -> bool:
    """A line that could be a site's name, an office's name or a section kicker above the
    headline: short, or all capitals, or a trail of labels, or the name of an office."""
    text = p.text.strip()
    if 0 < p.words <= 5 and text.endswith(":"):
        # "Today from ...:", "Latest:": a label over links, not a headline
        return True
    if p.words == 0 or _ends_sentence(text) or text.endswith(("?", "!")):
        return False
    if any(q in text for q in '“”"«»') or _BULLET.match(text):
        return False
    if p.words <= 4:
        return True
    if p.words <= 8 and _all_caps(text):
        return True
    if p.words <= 10 and _LABEL_SEPARATOR.search(text):
        parts = [x for x in _LABEL_SEPARATOR.split(text) if x.strip()]
        if all(len(x.split()) <= 4 for x in parts):
            return True
    return (
        p.words <= 12
        and not any(ch.isdigit() for ch in text)
        and _title_case(text)
        and bool(_ORG_NAME.search(text) or _ACRONYM_HEADER.match(text))
    )


def _dek_shaped(p: _Draft) -> bool:
    """A long sentence-case line: a standfirst printed without its full stop."""
    if p.words < 14:
        return False
    long_words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", p.text) if len(w) > 3]
    return bool(long_words) and sum(w[0].isupper() for w in long_words) / len(long_words) < 0.5


def _is_lead(p: _Draft) -> bool:
    return _body_sentence(p) and not _caption_like(p.low, p.words)


def _headline_index(paras: list[_Draft]) -> int | None:
    """The headline: the first line above the story that is not shaped like page furniture
    (the last one when all are, so a short headline under a masthead still counts)."""
    first_lead = next((i for i, p in enumerate(paras) if _is_lead(p)), None)
    if first_lead is None:
        return None
    # lines this rule marked on an earlier pass stay candidates, so a second pass agrees
    candidates = [
        i
        for i in range(first_lead)
        if paras[i].rule in (None, *_TOP_RULES)
        and paras[i].words > 0
        and not _caption_like(paras[i].low, paras[i].words)
        and not _BULLET.match(paras[i].text)
    ]
    if not candidates:
        return None
    pick = next((k for k, i in enumerate(candidates) if not _furniture_shaped(paras[i])), None)
    if pick is None:
        # all short: the longest line, then one not in capitals, then the later one (a
        # masthead comes first, a reporter's name comes after the headline)
        def weight(k: int) -> tuple[bool, int, bool, int]:
            p = paras[candidates[k]]
            # "Bangkok, Thailand": a short line with a comma is a place or a list, not a title
            return ("," not in p.text, p.words, not _all_caps(p.text), k)

        pick = max(range(len(candidates)), key=weight)
    # a standfirst without a full stop under a short headline is not the headline; but a
    # lone short line above a long headline is more often the masthead, so with nothing
    # above the short line the standfirst has to be longer than headlines run
    chosen = paras[candidates[pick]]
    if pick > 0 and _dek_shaped(chosen) and (pick > 1 or chosen.words >= 18):
        before = paras[candidates[pick - 1]]
        if before.words >= 3 and _headline_like(before.text, before.words):
            strong = _all_caps(before.text) or _LABEL_SEPARATOR.search(before.text)
            if not strong and not _ORG_NAME.search(before.text):
                pick -= 1
    return candidates[pick]


def _mark_page_top(paras: list[_Draft]) -> None:
    """Furniture above the headline, credits under it, and date lines: a bare date is the page's
    publication date above or below the story but a heading inside it (a timeline's dates)."""
    headline = _headline_index(paras)
    leads = [i for i, p in enumerate(paras) if _is_lead(p)]
    story = leads[0] if leads else len(paras)
    if headline is not None:
        above = [i for i in range(headline) if paras[i].words > 0]
        above = [i for i in above if paras[i].rule in (None, *_TOP_RULES)]
        for n, i in enumerate(above):
            p = paras[i]
            if p.rule is None and _furniture_shaped(p) and not _caption_like(p.low, p.words):
                p.rule = "masthead" if n == 0 else "section_label"
        story = _mark_credits(paras, headline)
    last = leads[-1] if leads else -1
    for i, p in enumerate(paras):
        if p.rule == "date_line":
            p.rule = None if story < i < last else "publication_date"


_TOP_RULES = ("masthead", "section_label")
# "Bangkok, Thailand" alone under a headline: where the page is from, not a sentence
_PLACE_LABEL = re.compile(
    r"^[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){0,2}, [A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){0,2}$"
)


def _mark_credits(paras: list[_Draft], headline: int) -> int:
    """Between the headline and the story: a wire credit ("AFP", "REUTERS") alone on its line,
    and a reporter's bare name printed next to the byline or date line. Returns where the
    story starts: at its first paragraph, or at the second when the first is a standfirst (a
    sentence right under the headline that the story repeats)."""
    leads = [i for i in range(headline + 1, len(paras)) if _is_lead(paras[i])]
    end = leads[0] if leads else len(paras)
    standfirst = len(leads) >= 2 and _standfirst_slot(paras, headline, end)
    if standfirst and _repeated_later(paras, end, leads[1:]):
        end = leads[1]
    region = range(headline + 1, end)
    for i in region:
        p = paras[i]
        if p.rule is not None:
            continue
        names = _names(p.text)
        if _wire_credit(p):
            p.rule = "wire_credit"
        elif _PLACE_LABEL.match(p.text.strip()):
            p.rule = "location_line"
        elif names and len(names) <= 3 and min(names) >= 2:
            near = [paras[j].rule for j in (i - 1, i + 1) if j in region]
            if any(r in ("byline", "publication_date", "date_line") for r in near):
                p.rule = "byline"
    return end


def _repeated_later(paras: list[_Draft], i: int, later: list[int]) -> bool:
    sh = _shingles(paras[i].key)
    return any(
        _similarity(paras[i].key, sh, paras[j].key, _shingles(paras[j].key))
        >= NEAR_DUPLICATE_THRESHOLD
        for j in later
    )


def _standfirst_slot(paras: list[_Draft], headline: int, i: int) -> bool:
    """Only furniture lies between the headline and paragraph i."""
    return all(paras[j].rule is not None for j in range(headline + 1, i))


def _wire_credit(p: _Draft) -> bool:
    text = p.text.strip()
    if p.words == 0 or p.words > 4 or _ends_sentence(text.rstrip(")")):
        return False
    if _WIRE_CREDIT.match(p.low):
        return True
    source = _SOURCE_LABEL.match(text)
    if source and _names(text[source.end() :]):
        return True
    return p.words <= 2 and bool(_CAPS_CREDIT.fullmatch(text))


# "-ENDS-", "- 30 -": a line of symbols alone ("###") has no words for a scorer or a reader
# to match, so it is left as it is
_END_MARK = re.compile(
    r"^[#*=~_\s-]*(?:ends?|end of (?:release|statement|text)|30)[#*=~_\s-]*$", re.I
)
_AUTHOR_ROLE = (
    r"journalist|reporter|correspondent|writer|editor|contributor|columnist|photographer"
    r"|freelancer|analyst|researcher|fellow|author|producer|photojournalist"
)
_AUTHOR_BIO = re.compile(
    r"^(?:[A-Z][\w'’.-]*\s){1,3}[A-Z][\w'’.-]*,?\s(?:is|was|has been)\s(?:a|an|the|our)\s"
    rf"(?:[\w-]+\s){{0,4}}?(?:{_AUTHOR_ROLE})s?(?:\s+(?:based|at|for|with|in|covering|and|who "
    r"(?:covers|writes|reports))\b|[.,]?$)"
    r"|^(?:[A-Z][\w'’.-]*\s){1,3}[A-Z][\w'’.-]*\s(?:writes|reports) (?:about|on|for|from)\b"
)
# what happened to a journalist is news, not the page's note about its author
_NEWS_EVENT = re.compile(
    r"\b(?:arrest|detain|charg|jail|sentenc|kill|convict|accus|die|murder|sued)"
)


def _author_bio(p: _Draft) -> bool:
    """ "Jane Doe is a freelance journalist based in Bangkok." closing the page."""
    return (
        p.words <= 40
        and bool(_AUTHOR_BIO.match(p.text))
        and not _REPORTING.search(p.low)
        and not _NEWS_EVENT.search(p.low)
    )


def _tag_list(p: _Draft) -> bool:
    """ "Cambodia, fraud, National Police Agency, Kyodo": three or more short items."""
    text = p.text.strip()
    if p.words > 25 or _ends_sentence(text) or _BULLET.match(text):
        return False
    items = [x for x in _TAG_SPLIT.split(text) if x]
    # "..., confirmed the meetings, but would not": a clause cut short, not a list of tags
    clauses = sum(len(x.split()) >= 2 and x[0].islower() for x in items)
    return (
        len(items) >= 3
        and all(1 <= len(x.split()) <= 4 for x in items)
        and not any(x.casefold().startswith(_CLAUSE_OPENERS) for x in items)
        and clauses < 2
    )


def _tag_item(p: _Draft) -> bool:
    text = p.text.strip()
    return (
        0 < p.words <= 8
        and not _ends_sentence(text)
        and not text.endswith(("?", "!"))
        and not _BULLET.match(text)
        and not any(q in text for q in '“”"«»')
    )


def _contact_item(p: _Draft) -> bool:
    """A line of a media-contact block: a name with title and office, an address, a number."""
    text = p.text.strip()
    if p.words == 0 or p.words > 25:
        return False
    if _EMAIL.search(text) or _URL.search(text) or _contact_line(text):
        return True
    if _ends_sentence(text) or _REPORTING.search(p.low):
        return False
    parts = [x for x in re.split(r"\s*(?:[,;|]|\s[-–—]\s)\s*", text) if x]
    return all(_title_case(x) for x in parts)


def _mark_tail(paras: list[_Draft]) -> None:
    """After the last news paragraph: tag lists, the items under a tag or contact label, wire
    credits and slugs, end marks, lines holding a reporter's e-mail; and the author's bio
    that closes the page."""
    last = max((i for i, p in enumerate(paras) if _is_lead(p)), default=None)
    while last is not None and _author_bio(paras[last]):
        paras[last].rule = "author_bio"
        last = max((i for i, p in enumerate(paras[:last]) if _is_lead(p)), default=None)
    for i, p in enumerate(paras):
        if p.rule == "media_contact":
            for q in paras[i + 1 : i + 7]:
                if q.rule is not None or not _contact_item(q):
                    break
                q.rule = "media_contact"
    if last is None:
        return
    label = None
    for p in paras[last + 1 :]:
        if p.rule is not None:
            # a "Tags"/"Topic(s)" heading: the short lines under it are the tags
            heading = p.rule == "taxonomy_label" and _TAXONOMY_HEADER.match(p.key)
            label = p.rule if heading else None
            continue
        if (label and _tag_item(p)) or _tag_list(p):
            p.rule = "taxonomy_label"
        elif _END_MARK.match(p.text.strip()):
            p.rule = "end_mark"
        elif _wire_credit(p) or _WIRE_SLUG.match(p.text.strip()):
            p.rule = "wire_credit"
        elif p.words <= 12 and _EMAIL.search(p.text) and not _REPORTING.search(p.low):
            p.rule = "contact_details"
        else:
            label = None


def _mark_link_list(paras: list[_Draft], label: int) -> None:
    """Headlines listed under a "Related"/"Most read" label after the story are links, but only
    when the list runs into more furniture or the end of the page, so a label stranded above
    real content does not swallow it."""
    items = []
    for q in paras[label + 1 :]:
        if q.rule is not None:
            break
        if q.words > 20 or q.text.rstrip().endswith((".", ";", '"', "”")):
            return
        items.append(q)
    for q in items:
        q.rule = "related_links"


def _first_content(paras: list[_Draft]) -> int | None:
    return next((i for i, p in enumerate(paras) if p.rule is None), None)


def recurrence_keys(article: ArticleText, paras: list[_Draft]) -> RecurrenceKeys:
    """Short non-news paragraphs printed by several articles of one publisher are furniture:
    the paragraphs of one article that could be, and the story keys that group its versions.

    The publisher comes from metadata or the source folder (2 articles suffice); without one,
    the whole corpus is the publisher and 3 articles are needed. Versions of one story count
    once. A headline, or a subheading-like line between body paragraphs, needs one article more:
    content-farm sites reuse "Conclusion" and two versions of a story share a headline.
    """
    siblings = frozenset(
        p.key
        for p in paras
        if p.rule is None and p.words >= _SIBLING_MIN_WORDS and _ends_sentence(p.text)
    )
    publisher = _publisher(article)
    scope = publisher or "corpus"
    needed = 2 if publisher else 3
    first = _first_content(paras)
    body = [i for i, p in enumerate(paras) if _body_sentence(p)]
    candidates = []
    for i, p in enumerate(paras):
        if p.rule or not p.key or p.words > RECURRENCE_MAX_WORDS:
            continue
        if _looks_like_news(p.text, p.low, p.words) or _caption_like(p.low, p.words):
            continue
        # a reporter's name under the headline recurs in all their stories: a byline, and
        # bylines are not furniture
        under_headline = first is not None and first < i < (body[0] if body else len(paras))
        if _byline_or_date(p.text) or (under_headline and _name_like(p.text)):
            continue
        headline = i == first and _headline_like(p.text, p.words)
        inner = bool(body) and body[0] < i < body[-1] and _subheading_like(p.text, p.words)
        # an article without a publisher may belong to any of them: a publisher's line also
        # counts corpus-wide
        candidates.append((p.index, scope, p.key, needed + (headline or inner), bool(publisher)))
    return RecurrenceKeys(siblings, tuple(candidates))


def recurring_paragraphs(keys: Sequence[RecurrenceKeys]) -> list[set[int]]:
    """For each article, the indices of its paragraphs that recur across the corpus."""
    groups = _story_groups([k.siblings for k in keys])
    counts: dict[tuple[str, str], set[int]] = defaultdict(set)
    for a, article_keys in enumerate(keys):
        group = groups.find(a)
        for _index, scope, key, _needed, also_corpus in article_keys.candidates:
            counts[(scope, key)].add(group)
            if also_corpus:
                counts[("corpus", key)].add(group)
    return [
        {
            index
            for index, scope, key, needed, _ in k.candidates
            if len(counts[(scope, key)]) >= needed
        }
        for k in keys
    ]


# furniture that belongs to this article's text (its date, its byline): printed twice, the
# second print is a repeated copy like any other
_OWN_FURNITURE = {"publication_date", "date_line", "byline"}
_CUT_COPY_MIN_WORDS = 6


def _mark_duplicates(paras: list[_Draft]) -> None:
    first_copy: dict[str, int] = {}
    for p in paras:
        # a line of pure punctuation ("* * *") has no words to repeat, and repeated navigation
        # (a "Share" line at the top and the bottom) is already out of the content: flagging
        # it again would report page layout as repeated news
        if not p.key or (p.rule and p.rule not in _OWN_FURNITURE):
            continue
        if p.key in first_copy:
            p.duplicate_of = first_copy[p.key]
        else:
            first_copy[p.key] = p.index
    last = paras[-1] if paras else None
    if last is None or last.rule or last.duplicate_of is not None:
        return
    if last.words < _CUT_COPY_MIN_WORDS:
        return
    # a page stored up to a byte limit ends mid-word; when it was repeating an earlier
    # paragraph, the cut copy is still a copy
    for p in paras[:-1]:
        if p.rule is None and p.key.startswith(last.key) and len(p.key) > len(last.key):
            last.duplicate_of = p.index
            return


_WRAPPED_SHARE = 0.25
_WRAPPED_MIN_LINES = 6


def _hard_wrapped(content: list[_Draft]) -> bool:
    """Text broken into lines of a fixed width (a PDF or a plain-text release): a quarter or
    more of its lines continue the sentence of the line before, so its short lines are pieces
    of sentences, not headings."""
    if len(content) < _WRAPPED_MIN_LINES:
        return False
    continued = sum(
        not _ends_sentence(a.text) and b.text.lstrip()[:1].islower()
        for a, b in zip(content, content[1:], strict=False)
    )
    return continued >= _WRAPPED_SHARE * (len(content) - 1)


def _assign_zones(paras: list[_Draft], near: dict[tuple[int, int], float]) -> None:
    for p in paras:
        if p.rule:
            p.zone = "boilerplate"
        elif _caption_like(p.low, p.words):
            p.zone = "caption"
    content = [p for p in paras if p.zone == "body"]
    if _hard_wrapped(content):
        return
    # bylines and datelines may sit above the headline; they are neither title nor dek
    leads = [p for p in content if not _byline_or_date(p.text)]
    repeated_later = {i for (i, _j) in near}

    def dek_like(p: _Draft, following: _Draft | None) -> bool:
        if p.index in repeated_later:
            return True
        if _dek_shaped(p) and not _ends_sentence(p.text):
            # a long sentence-case line without a full stop under the headline
            return True
        return (
            following is not None
            and p.words <= 50
            and not _DATELINE.match(p.text)
            and bool(_DATELINE.match(following.text))
        )

    if leads:
        lead = leads[0]
        following = leads[1] if len(leads) > 1 else None
        if _headline_like(lead.text, lead.words):
            lead.zone = "title"
            if following is not None:
                after = leads[2] if len(leads) > 2 else None
                standfirst = not _headline_like(following.text, following.words)
                if (standfirst or _dek_shaped(following)) and dek_like(following, after):
                    following.zone = "dek"
        elif _ends_sentence(lead.text) and dek_like(lead, following):
            lead.zone = "dek"
    for p in content:
        if p.zone == "body" and _subheading_like(p.text, p.words):
            p.zone = "subheading"


def _mark_near_duplicates(paras: list[_Draft], near: dict[tuple[int, int], float]) -> None:
    """Each paragraph points at its closest near-copy: a dek at the body sentence it summarises,
    any other paragraph back at the earlier one (the first telling is the original)."""
    best: dict[int, tuple[float, int]] = {}
    for (i, j), sim in near.items():
        source, target = (i, j) if paras[i].zone == "dek" else (j, i)
        current = best.get(source)
        if current is None or (sim, -target) > (current[0], -current[1]):
            best[source] = (sim, target)
    for source, (sim, target) in best.items():
        paras[source].near_of = target
        paras[source].similarity = sim


def _classify_article(paras: list[_Draft]) -> None:
    _mark_duplicates(paras)
    eligible = [
        p.rule is None and p.duplicate_of is None and p.words >= _NEAR_MIN_WORDS for p in paras
    ]
    near = _near_pairs([p.key for p in paras], eligible)
    _assign_zones(paras, near)
    near = {
        (i, j): s for (i, j), s in near.items() if "title" not in (paras[i].zone, paras[j].zone)
    }
    _mark_near_duplicates(paras, near)


def _paragraph_id(article: ArticleText, index: int) -> str:
    return f"{article.article_id}-{article.content_hash[:8]}-{index:04d}"


def draft_article(article: ArticleText) -> list[_Draft]:
    """An article's paragraphs with the rules that read only the article itself applied."""
    paras = _draft_article(article)
    _mark_layout(paras, _site_names(article))
    return paras


def finish_article(
    article: ArticleText, paras: list[_Draft], recurring: set[int]
) -> list[Paragraph]:
    """The classified paragraphs of one drafted article, given which of its paragraphs recur
    across the corpus."""
    for p in paras:
        if p.index in recurring:
            p.rule = "recurring_across_articles"
    # layout rules run again after recurrence: a recurring line can close a list of links
    _mark_layout(paras, _site_names(article))
    _classify_article(paras)
    rows = []
    for p in paras:
        is_dup = p.duplicate_of is not None
        rows.append(
            Paragraph(
                paragraph_id=_paragraph_id(article, p.index),
                article_id=article.article_id,
                content_hash=article.content_hash,
                paragraph_index=p.index,
                char_start=p.start,
                char_end=p.end,
                paragraph_text=p.text,
                zone=p.zone,
                is_boilerplate=p.rule is not None,
                boilerplate_rule=p.rule,
                is_duplicate=is_dup,
                duplicate_of_paragraph_id=(
                    _paragraph_id(article, p.duplicate_of) if is_dup else None
                ),
                near_duplicate_of_paragraph_id=(
                    _paragraph_id(article, p.near_of) if p.near_of is not None else None
                ),
                similarity=p.similarity,
                is_content=p.rule is None and not is_dup,
            )
        )
    return rows


def classify_corpus(articles: Sequence[ArticleText]) -> list[Paragraph]:
    """Every paragraph of every article, classified; articles in the given order.

    Recurrence is judged across the articles passed together (the incremental driver passes
    the stored recurrence keys of the others instead). Exact repeats of content are
    `is_duplicate`; repeated boilerplate stays boilerplate only (a paragraph has one reason to
    be left out); near-duplicates stay content.
    """
    drafts = [draft_article(article) for article in articles]
    recurring = recurring_paragraphs(
        [recurrence_keys(article, paras) for article, paras in zip(articles, drafts, strict=True)]
    )
    return [
        row
        for article, paras, marks in zip(articles, drafts, recurring, strict=True)
        for row in finish_article(article, paras, marks)
    ]


# pandas types of the nlp.paragraphs columns, so that even an empty table has its schema
COLUMN_TYPES = {
    "paragraph_id": "string",
    "article_id": "string",
    "content_hash": "string",
    "paragraph_index": "int32",
    "char_start": "int32",
    "char_end": "int32",
    "paragraph_text": "string",
    "zone": "string",
    "is_boilerplate": "bool",
    "boilerplate_rule": "string",
    "is_duplicate": "bool",
    "duplicate_of_paragraph_id": "string",
    "near_duplicate_of_paragraph_id": "string",
    "similarity": "float64",
    "is_content": "bool",
}


def to_frame(paragraphs: Sequence[Paragraph]) -> pd.DataFrame:
    """The rows of nlp.paragraphs, typed."""
    # vars, not asdict: asdict deep-copies every field, minutes for a page of 100,000 lines
    rows = [vars(p) for p in paragraphs]
    return pd.DataFrame(rows, columns=list(COLUMN_TYPES)).astype(COLUMN_TYPES)


def classify_articles(current: pd.DataFrame) -> pd.DataFrame:
    """nlp.paragraphs for a frame of current articles (article_id, content_hash, text,
    publisher, source_path): every paragraph of every article, classified and typed."""
    corpus = [
        ArticleText(
            article_id=row.article_id,
            content_hash=row.content_hash,
            text=row.text,
            publisher=row.publisher,
            source_path=row.source_path,
        )
        for row in current.itertuples()
    ]
    return to_frame(classify_corpus(corpus))
