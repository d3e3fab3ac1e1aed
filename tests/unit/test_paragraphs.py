"""Paragraph splitting and classification: offsets, zones, boilerplate, duplicates, recurrence."""

from __future__ import annotations

import random

import pytest

from dagster_project.lib.paragraphs import (
    ZONES,
    ArticleText,
    Paragraph,
    classify_corpus,
    is_file_photo,
    split_paragraphs,
)

NBSP = "\u00a0"
HEADLINE = "Police Arrest Fraud Suspects in Joint Raid"
LEAD = (
    "Cambodian police arrested 40 suspects in a joint raid with Interpol on a scam compound "
    "in Sihanoukville on Monday, officials said."
)
BODY = (
    "The operation followed months of intelligence sharing between the National Police and "
    "their Chinese counterparts, according to a ministry spokesman."
)


def article(text: str, article_id: str = "a1", **kwargs: str | None) -> ArticleText:
    return ArticleText(
        article_id=article_id, content_hash="0123456789abcdef" * 4, text=text, **kwargs
    )


def classify(text: str) -> list[Paragraph]:
    return classify_corpus([article(text)])


def by_text(rows: list[Paragraph], text: str) -> Paragraph:
    return next(r for r in rows if r.paragraph_text == text)


def covered(text: str, spans: list[tuple[int, int]]) -> bool:
    inside = set()
    for start, end in spans:
        inside.update(range(start, end))
    invisible = "\u200b\u200c\u200d\u2060\ufeff"
    return all(i in inside for i, ch in enumerate(text) if not ch.isspace() and ch not in invisible)


# --------------------------------------------------------------------------------------------
# Splitting

SPLIT_CASES = [
    ("blank_lines", "One.\n\nTwo.\n\n\nThree.", ["One.", "Two.", "Three."]),
    ("single_newlines", "One.\nTwo.\nThree.", ["One.", "Two.", "Three."]),
    ("crlf", "One.\r\n\r\nTwo.\r\nThree.", ["One.", "Two.", "Three."]),
    ("lone_cr", "One.\rTwo.", ["One.", "Two."]),
    (
        "nbsp_run_joins_paragraphs",
        f"First ends here. {NBSP * 11} Second starts here.",
        ["First ends here.", "Second starts here."],
    ),
    ("spaces_after_sentence", "First one.     Second one.", ["First one.", "Second one."]),
    ("spaces_inside_sentence_kept", "The police   arrested him.", ["The police   arrested him."]),
    ("run_before_lowercase_kept", "Ends here.    and goes on.", ["Ends here.    and goes on."]),
    (
        "nbsp_run_without_full_stop",
        f"Key Points{NBSP * 4}The raid began",
        ["Key Points", "The raid began"],
    ),
    (
        "bullets",
        "Intro:\n  • First item\n  • Second item",
        ["Intro:", "• First item", "• Second item"],
    ),
    ("leading_trailing_space", "   \n  Title  \n\n  Body text.  \n  ", ["Title", "Body text."]),
    ("tabs_and_nbsp_edges", f"\t{NBSP}Title{NBSP}\t\nBody.", ["Title", "Body."]),
    ("bom_and_zero_width", "\ufeffTitle\n\u200b\nBody.", ["Title", "Body."]),
    ("unicode_line_separators", "One.\u2028Two.\u2029Three.", ["One.", "Two.", "Three."]),
    ("empty", "", []),
    ("whitespace_only", f" \n\n{NBSP}\t\n", []),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in SPLIT_CASES], ids=[c[0] for c in SPLIT_CASES]
)
def test_split_paragraphs(text: str, expected: list[str]) -> None:
    spans = split_paragraphs(text)
    assert [text[s:e] for s, e in spans] == expected
    assert all(not text[s].isspace() and not text[e - 1].isspace() for s, e in spans)
    assert covered(text, spans)


def wrap(paragraph: str, width: int) -> str:
    """A paragraph hard-wrapped at `width` characters, as plain-text mail and wire copy are."""
    lines, line = [], ""
    for word in paragraph.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line])


WRAPPED_ONE = (
    "Investigators from three countries met in the border town on Tuesday to compare notes on "
    "the smuggling routes they had mapped over the past year, and agreed to share the names of "
    "the couriers they had identified with each other within a month."
)
WRAPPED_TWO = (
    "The meeting was the fourth of its kind since the task force was set up, and the first "
    "held on the western side of the river, where most of the seizures were made last spring."
)


@pytest.mark.parametrize("width", [60, 72, 80])
def test_hard_wrapped_lines_join_into_their_paragraphs(width: int) -> None:
    text = f"Task Force Meets at Border\n\n{wrap(WRAPPED_ONE, width)}\n{wrap(WRAPPED_TWO, width)}\n"
    spans = split_paragraphs(text)
    paragraphs = [text[s:e] for s, e in spans]
    assert [" ".join(p.split()) for p in paragraphs] == [
        "Task Force Meets at Border",
        WRAPPED_ONE,
        WRAPPED_TWO,
    ]
    assert "\n" in paragraphs[1]
    assert covered(text, spans)


def test_a_wrapped_line_that_stops_early_mid_sentence_goes_on() -> None:
    body = wrap(WRAPPED_ONE, 72).split("\n")
    # a line broken early, before a word that would have fitted, on a lower-case word
    early = body[0].rsplit(" ", 2)
    lines = [early[0], f"{early[1]} {early[2]} " + body[1], *body[2:]]
    text = "\n".join(lines) + "\n" + wrap(WRAPPED_TWO, 72)
    assert [" ".join(text[s:e].split()) for s, e in split_paragraphs(text)] == [
        WRAPPED_ONE,
        WRAPPED_TWO,
    ]


def test_list_items_of_a_wrapped_text_stay_apart() -> None:
    items = "\n".join(f"- {line}" for line in wrap(WRAPPED_TWO, 60).split("\n"))
    text = wrap(WRAPPED_ONE, 72) + "\n" + items
    paragraphs = [text[s:e] for s, e in split_paragraphs(text)]
    assert " ".join(paragraphs[0].split()) == WRAPPED_ONE
    assert all(p.startswith("- ") for p in paragraphs[1:])
    assert len(paragraphs) == 1 + items.count("\n") + 1


UNWRAPPED = [
    pytest.param(f"{HEADLINE}\n{LEAD}\n{BODY}\n{LEAD}", id="one_paragraph_a_line"),
    pytest.param(
        "Contacts\nPress office\nPhone: 555 0100\nEmail: press@example.org\nOpening hours",
        id="short_lines_of_a_contact_block",
    ),
    pytest.param(
        "\n\n".join(wrap(p, 200) for p in (WRAPPED_ONE, WRAPPED_TWO, LEAD, BODY)),
        id="long_lines_between_blank_lines",
    ),
]


@pytest.mark.parametrize("text", UNWRAPPED)
def test_text_that_is_not_hard_wrapped_keeps_a_paragraph_per_line(text: str) -> None:
    spans = split_paragraphs(text)
    assert all("\n" not in text[s:e] for s, e in spans)
    assert len(spans) == len([line for line in text.split("\n") if line.strip()])


@pytest.mark.parametrize("seed", range(25))
def test_split_never_drops_a_character(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = ["a", "B", ".", "”", "•", " ", " ", "\n", "\r", "\t", NBSP, "\u200b", "\u2028", "1"]
    text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300)))
    spans = split_paragraphs(text)
    assert covered(text, spans)
    assert all(s < e for s, e in spans)
    assert all(e1 <= s2 for (_, e1), (s2, _) in zip(spans, spans[1:], strict=False))


def test_rows_slice_back_and_cover_the_text() -> None:
    text = f"  {HEADLINE}\n\n{LEAD} {NBSP * 11} {BODY}\n  • A bullet item\n\nRelated Stories\n"
    rows = classify(text)
    assert all(text[r.char_start : r.char_end] == r.paragraph_text for r in rows)
    assert covered(text, [(r.char_start, r.char_end) for r in rows])
    assert [r.paragraph_index for r in rows] == list(range(len(rows)))
    assert rows[3].paragraph_text == "• A bullet item"


def test_paragraph_ids_and_determinism() -> None:
    text = f"{HEADLINE}\n\n{LEAD}\n\n{BODY}"
    first = classify(text)
    assert [r.paragraph_id for r in first] == [f"a1-01234567-{i:04d}" for i in range(3)]
    assert classify(text) == first
    assert {r.zone for r in first} <= set(ZONES)


# --------------------------------------------------------------------------------------------
# Boilerplate rules fire on page furniture, phrased many ways

BOILERPLATE_CASES = [
    ("reading_time", "3 min read"),
    ("reading_time", "5 minutes read"),
    ("reading_time", "Reading time: 4 minutes"),
    ("reading_time", "12 Mar 2024 · 6 min read"),
    ("cms_shortcode", '[responsivevoice_button voice="UK English Male" buttontext="Listen"]'),
    ("cms_shortcode", '[social_share_buttons id="42"]'),
    ("cms_shortcode", '[gallery ids="12,13,14"]'),
    ("cms_shortcode", "[/ad_block]"),
    ("section_navigation", "Related Stories"),
    ("section_navigation", "RELATED ARTICLES:"),
    ("section_navigation", "Latest News"),
    ("section_navigation", "Most Read"),
    ("section_navigation", "Most popular this week"),
    ("section_navigation", "Read more"),
    ("section_navigation", "You may also like"),
    ("section_navigation", "Recommended for you"),
    ("section_navigation", "Home » News » Cambodia"),
    ("section_navigation", "Home > World > Asia"),
    ("section_navigation", "News | Politics | Business | Opinion"),
    ("section_navigation", "Read more: Thai police extradite fraud suspect to Phnom Penh"),
    ("section_navigation", "ALSO READ: Interpol issues red notice for tycoon"),
    ("section_navigation", "Previous Article"),
    ("section_navigation", "More from Khmer Daily"),
    ("section_navigation", "Photo Gallery"),
    ("section_navigation", "Top of page"),
    ("accessibility_link", "Skip to content"),
    ("accessibility_link", "Skip to main content"),
    ("accessibility_link", "Back to top"),
    ("accessibility_link", "Menu"),
    ("accessibility_link", "Toggle navigation"),
    ("share_prompt", "Share this article"),
    ("share_prompt", "Share this:"),
    ("share_prompt", "Share on Facebook"),
    ("share_prompt", "Tweet"),
    ("share_prompt", "Print"),
    ("share_prompt", "Email"),
    ("share_prompt", "Facebook Twitter WhatsApp Telegram Email"),
    ("share_prompt", "Click to share on Telegram (Opens in new window)"),
    ("share_prompt", "Copy link"),
    ("share_prompt", "Like this:"),
    ("social_follow", "Follow us on Twitter"),
    ("social_follow", "Follow Phnom Penh Daily on Telegram for the latest updates"),
    ("social_follow", "Join our WhatsApp channel"),
    ("newsletter_prompt", "Click here to subscribe"),
    ("newsletter_prompt", "Subscribe to our newsletter"),
    ("newsletter_prompt", "Sign up for our free daily briefing and get the news in your inbox."),
    (
        "newsletter_prompt",
        "The Morning BriefA weekly newsletter from The Example Post with the top stories delivered "
        "to your inbox every Monday. Sign up now.",
    ),
    ("newsletter_prompt", "Get the latest news from Cambodia delivered straight to your inbox"),
    ("newsletter_prompt", "Newsletter"),
    ("copyright_notice", "© 2023 Example Media. All rights reserved."),
    ("copyright_notice", "Copyright 2024 Example News Group"),
    ("copyright_notice", "(c) 2022 Phnom Penh Daily"),
    (
        "copyright_notice",
        "Example News. No part of this story may be reproduced in print, electronically, "
        "broadcast, rewritten or redistributed without written permission.",
    ),
    (
        "copyright_notice",
        "This material may not be published, broadcast, rewritten or redistributed.",
    ),
    ("gov_banner", "An official website of the United States government"),
    ("gov_banner", "Here's how you know"),
    ("gov_banner", "Official websites use .gov"),
    (
        "gov_banner",
        "A .gov website belongs to an official government organization in the United States.",
    ),
    ("gov_banner", "Secure .gov websites use HTTPS"),
    ("cookie_notice", "We use cookies to improve your experience on our site."),
    ("cookie_notice", "Accept all cookies"),
    ("advertisement", "Advertisement"),
    ("advertisement", "ADVERTISEMENT"),
    ("advertisement", "Story continues below advertisement"),
    ("advertisement", "Sponsored content"),
    ("comment_prompt", "Leave a Reply"),
    ("comment_prompt", "Your email address will not be published. Required fields are marked *"),
    ("page_feedback", "Was this page helpful?"),
    ("taxonomy_label", "Tags: Cambodia, Interpol, scams"),
    ("taxonomy_label", "Topic(s): Human Trafficking"),
    ("press_release_label", "For Immediate Release"),
    ("media_widget", "Listen to this article"),
    ("browser_notice", "Please enable JavaScript to view the comments."),
    ("call_to_action", "Got a news tip? Email us at tips@example.org"),
    ("publication_date", "Updated April 15, 2025"),
    ("publication_date", "PUBLISHED : 3 Mar 2024 at 18:45"),
    ("publication_date", "Issued on: 20/06/2025 - 09:12"),
    ("publication_date", "Published : Oct. 21, 2025 - 15:48"),
    ("publication_date", "Last modified: 06/05/2025"),
    ("publication_date", "Posted: 3 hours ago"),
    ("byline", "By Jane Doe"),
    ("byline", "by Dr. Lim Wei Ling"),
    ("byline", "BY SOK DARA"),
    ("byline", "By AFP"),
    ("byline", "WRITER: Somchai Rattana"),
    ("byline", "Editor: Li Wei"),
    ("byline", "Written by: Chan Dara"),
    ("byline", "By Jane Doe and John Roe, Reuters"),
    ("byline", "Jane Doe | Publication date 12 March 2024 | 10:42 ICT"),
    ("byline", "By Jane Doe   March 19, 2025 | 04:20 pm GMT+7"),
    ("byline", "(Reporting by Jane Doe; Editing by John Roe)"),
    ("contact_details", "Email: press-office[at]example.org"),
    ("contact_details", "jdoe@example.com"),
    ("contact_details", "Tel: +855 23 214 441"),
    ("media_contact", "For further information please contact:"),
    ("media_contact", "Media contacts"),
    ("page_feedback", "Do you like the content of this article?"),
    ("page_feedback", "Did you enjoy this story?"),
    ("section_navigation", "News › Crime"),
    ("section_navigation", "National » Social Affairs"),
    ("section_navigation", "Related Search"),
    ("taxonomy_label", "KEYWORDS"),
    ("taxonomy_label", "Topic(s)"),
    ("taxonomy_label", "Newspaper section: News"),
    ("reading_time", "2 min"),
    ("copyright_notice", "This article was originally published by Example News Agency."),
    ("accessibility_link", "Skip Global Navigation to Main Content"),
    ("accessibility_link", "Skip Sub Navigation"),
    ("accessibility_link", "Skip Breadcrumb Navigation"),
    ("section_navigation", "Press Releases 2019"),
    ("section_navigation", "Speeches and Remarks 2012"),
    ("publication_date", "Released in Vientiane, March 3, 2015"),
    ("publication_date", "Issued at Bangkok: 4 May 2021"),
    ("press_release_label", "(as prepared for delivery)"),
    ("press_release_label", "As Delivered"),
    ("comment_prompt", "No comments:"),
    ("call_to_action", "Report Crimes: Email or Call"),
    ("contact_details", "Report Crimes: Email or Call 1-800-555-0100"),
    ("call_to_action", "Submit a tip online"),
    ("section_navigation", "• Download"),
    ("page_number", "17"),
    ("page_number", "Page 3 of 12"),
    ("site_logo", "Logo: Regional Training Academy"),
    ("site_tagline", "Example Radio Independent News for the Region since 1951"),
]


@pytest.mark.parametrize(
    ("rule", "text"), BOILERPLATE_CASES, ids=[f"{r}-{t[:30]}" for r, t in BOILERPLATE_CASES]
)
def test_boilerplate_rule_fires(rule: str, text: str) -> None:
    row = by_text(classify(f"{HEADLINE}\n\n{LEAD}\n\n{text}\n\n{BODY}"), text)
    assert (row.is_boilerplate, row.boilerplate_rule, row.zone) == (True, rule, "boilerplate")
    assert not row.is_content


NEWS_CASES = [
    "Police urged the public to subscribe to the ministry's newsletter for scam alerts, he said.",
    "Victims were told to subscribe to a fake investment platform and sign up their friends.",
    "The trainer said subscribing to threat-intelligence newsletters helps analysts spot fraud.",
    "Thai police will share intelligence with Cambodia on the network's Facebook accounts.",
    "The defendants printed fake passports and shared them with buyers by email, the court heard.",
    "The site, which asked visitors to accept cookies before stealing their data, was shut.",
    "All rights to the seized property will be transferred to the state, the court ruled.",
    "The court ordered that the names of the victims may not be published.",
    "The scammers built an official website of the fake ministry to lure victims.",
    "Here’s how you know a message is a scam: it asks for money upfront, police said.",
    "Related charges are pending against two other suspects.",
    "Top officials from both countries will meet again next month.",
    "Menu prices at the casino were used to launder money, prosecutors alleged.",
    "Officials said the investigators would read more than 500 pages of case files.",
    "The group ran a fake copyright agency that demanded payments from small businesses.",
    "Advertisements for the fake jobs were shared thousands of times before being removed.",
    "Home to 16 million people, Cambodia has become a hub for online fraud.",
    "Latest figures show a sharp rise in trafficking cases, the report said.",
    "He said he would follow the case closely.",
    "Minister of Interior",
    # dates, bylines and addresses inside news sentences
    "On April 15, 2025, police arrested 12 people in a raid on a casino in Poipet.",
    "Updated figures show 300 arrests since 2023, the ministry said.",
    "Published reports say the gang moved to Laos in May 2024.",
    "By Monday, investigators had frozen 12 bank accounts linked to the group.",
    "By then the gang had moved its operations to Bavet.",
    "By Air and Sea",
    "By The Numbers",
    "Victims can email help@police.example.kh to report scams, the ministry said.",
    "For more information, contact the embassy's consular section, officials said.",
    "Do you like working with foreign police, the trainer asked the recruits.",
    # short lines that are furniture only at the top or the bottom of a page
    "October 14, 2024",
    "March 2023",
    "Sok Dara",
    "BACKGROUND",
    "Cambodia, Thailand, Laos",
    "Office of Public Affairs",
    "Asia-Pacific",
    "Jane Doe is a journalist who was arrested in 2023.",
    "The training centre was founded in 1998",
    "Police released in Kampot, March 3, 2015 the last of the suspects.",
    "2019",
    "Reports 2019 show fewer seizures than the year before.",
]


@pytest.mark.parametrize("text", NEWS_CASES, ids=[t[:40] for t in NEWS_CASES])
def test_news_sentence_is_not_boilerplate(text: str) -> None:
    row = by_text(classify(f"{HEADLINE}\n\n{LEAD}\n\n{text}\n\n{BODY}"), text)
    assert not row.is_boilerplate
    assert row.boilerplate_rule is None
    assert row.is_content


def test_link_list_under_a_related_label_after_the_story() -> None:
    text = (
        f"{HEADLINE}\n\n{LEAD}\n\n{BODY}\n\nRelated Posts\nCambodia, Laos police seize meth\n"
        "Police arrest 5 over online fraud\nNext Article"
    )
    rows = classify(text)
    assert [r.boilerplate_rule for r in rows[3:]] == [
        "section_navigation",
        "related_links",
        "related_links",
        "section_navigation",
    ]


def test_label_above_the_story_does_not_swallow_it() -> None:
    rows = classify(f"Latest\n{HEADLINE}\n\n{LEAD}")
    assert rows[0].is_boilerplate
    assert (rows[1].zone, rows[1].is_boilerplate) == ("title", False)


def test_feedback_answers_and_masthead() -> None:
    rows = classify(f"DAILY GAZETTE\n{HEADLINE}\n\n{LEAD}\n\nWas this page helpful?\nYes\nNo")
    assert rows[0].boilerplate_rule == "masthead"
    assert rows[1].zone == "title"
    assert [r.boilerplate_rule for r in rows[-2:]] == ["page_feedback", "page_feedback"]


def test_line_naming_the_publisher_is_masthead() -> None:
    row = classify_corpus([article(f"Khmer Daily\n{HEADLINE}\n\n{LEAD}", publisher="Khmer Daily")])[
        0
    ]
    assert row.boilerplate_rule == "masthead"


# --------------------------------------------------------------------------------------------
# Exact duplicates


def test_duplicates_point_at_the_first_copy() -> None:
    text = f"{HEADLINE}\n\n{LEAD}\n\n{BODY}\n\n{LEAD}\n\n{BODY.upper()}\n\n{LEAD.replace(',', '')}"
    rows = classify(text)
    assert [r.is_duplicate for r in rows] == [False, False, False, True, True, True]
    assert [r.duplicate_of_paragraph_id for r in rows[3:]] == [
        rows[1].paragraph_id,
        rows[2].paragraph_id,
        rows[1].paragraph_id,
    ]
    assert [r.is_content for r in rows] == [True, True, True, False, False, False]
    assert all(r.near_duplicate_of_paragraph_id is None for r in rows[3:])


def test_repeated_boilerplate_stays_boilerplate_not_duplicate() -> None:
    rows = classify(f"{HEADLINE}\n\nRelated Stories\n\n{LEAD}\n\nRelated Stories")
    first, repeat = rows[1], rows[3]
    assert first.is_boilerplate and not first.is_duplicate
    assert repeat.is_boilerplate and not repeat.is_duplicate
    assert repeat.duplicate_of_paragraph_id is None


def test_short_repeated_heading_is_a_duplicate() -> None:
    rows = classify(f"{HEADLINE}\n\n{LEAD}\n\nBackground\n\n{BODY}\n\nBackground")
    assert rows[4].is_duplicate and rows[4].duplicate_of_paragraph_id == rows[2].paragraph_id


def test_a_repeated_date_line_is_a_duplicate_copy() -> None:
    rows = classify(f"March 3, 2015\n\n{HEADLINE}\n\nMarch 3, 2015\n\n{LEAD}\n\n{BODY}")
    first, repeat = rows[0], rows[2]
    assert first.is_boilerplate and not first.is_duplicate
    assert repeat.is_boilerplate and repeat.duplicate_of_paragraph_id == first.paragraph_id


def test_a_copy_cut_short_at_the_end_of_the_page_is_a_duplicate() -> None:
    rows = classify(f"{HEADLINE}\n\n{LEAD}\n\n{BODY}\n\n{LEAD[:70]}")
    assert rows[3].is_duplicate and rows[3].duplicate_of_paragraph_id == rows[1].paragraph_id
    # the same shortening in the middle of a page is an edit, not a cut
    rows = classify(f"{HEADLINE}\n\n{LEAD}\n\n{LEAD[:70]}\n\n{BODY}")
    assert not rows[2].is_duplicate


def test_hard_wrapped_prose_has_no_headings() -> None:
    lines = [
        "Officials from the two countries signed a",
        "memorandum on Tuesday to share records on",
        "fugitives, the ministry said in a statement.",
        "Deputy Minister Dara Vong signed on behalf of",
        "the ministry and thanked the visiting team for",
        "their work over the past two years.",
        "The agreement takes effect next month.",
    ]
    rows = classify("\n".join(lines))
    assert {r.zone for r in rows} == {"body"}


def test_punctuation_only_lines_are_not_duplicates() -> None:
    rows = classify(f"{HEADLINE}\n\n{LEAD}\n\n* * *\n\n{BODY}\n\n* * *")
    assert not any(r.is_duplicate for r in rows)


# --------------------------------------------------------------------------------------------
# Near-duplicates


def test_dek_repeated_in_body_points_at_the_body() -> None:
    dek = (
        "Cambodia has had three major sweeps of foreign gangs in recent years and is learning to "
        "cooperate."
    )
    body = (
        "Cambodia has had three major sweeps of foreign gangs in recent years, the deputy police "
        "chief told reporters, and is learning to cooperate."
    )
    rows = classify(f"{dek}\nWASHINGTON - {LEAD}\n{BODY}\n{body}")
    assert rows[0].zone == "dek"
    assert rows[0].near_duplicate_of_paragraph_id == rows[3].paragraph_id
    assert 0.8 <= rows[0].similarity <= 1.0
    assert rows[3].near_duplicate_of_paragraph_id is None
    assert rows[0].is_content and not rows[0].is_duplicate


NEAR_CASES = [
    (
        "few_words_changed",
        "The court also fined each defendant 100 million riels and ordered their deportation.",
        "The court also fined each of the defendants 100 million riels and ordered deportation.",
    ),
    (
        "sentence_contained_in_later_paragraph",
        "The workers were held against their will and forced to defraud people online.",
        "The workers were held against their will and forced to defraud people online, according "
        "to the Ministry of Interior, which said 200 were rescued.",
    ),
]


@pytest.mark.parametrize(
    ("first", "second"), [c[1:] for c in NEAR_CASES], ids=[c[0] for c in NEAR_CASES]
)
def test_later_body_near_duplicate_points_at_the_earlier(first: str, second: str) -> None:
    rows = classify(f"{HEADLINE}\n\n{LEAD}\n\n{first}\n\n{BODY}\n\n{second}")
    later = by_text(rows, second)
    assert later.near_duplicate_of_paragraph_id == by_text(rows, first).paragraph_id
    assert 0.8 <= later.similarity <= 1.0
    assert later.is_content and not later.is_duplicate
    assert by_text(rows, first).near_duplicate_of_paragraph_id is None


def test_different_paragraphs_are_not_near_duplicates() -> None:
    rows = classify(
        f"{HEADLINE}\n\n{LEAD}\n\n{BODY}\n\nThe suspects will appear in court on Friday."
    )
    assert all(r.near_duplicate_of_paragraph_id is None and r.similarity is None for r in rows)


# --------------------------------------------------------------------------------------------
# Recurrence across articles

TAGLINE = "Khmer Daily is an independent outlet covering Cambodia since 2015"


def corpus_with(line: str, n: int, **kwargs: str | None) -> list[Paragraph]:
    texts = [f"Headline Number {i} About Police\n\n{LEAD} Case {i}.\n\n{line}" for i in range(n)]
    arts = [article(t, article_id=f"a{i}", **kwargs) for i, t in enumerate(texts)]
    return [r for r in classify_corpus(arts) if r.paragraph_text == line]


RECURRENCE_CASES = [
    ("same_publisher_metadata", TAGLINE, 2, {"publisher": "Khmer Daily"}, True),
    ("same_publisher_folder", TAGLINE, 2, {"source_path": "khmerdaily/2024/x.txt"}, True),
    ("no_publisher_two_articles", TAGLINE, 2, {}, False),
    ("no_publisher_three_articles", TAGLINE, 3, {}, True),
    (
        "quote_is_news",
        "“We will not tolerate scams,” the minister said.",
        3,
        {"publisher": "P"},
        False,
    ),
    (
        "long_sentence_is_news",
        "Police said the raid was the largest of its kind in the province and that more arrests "
        "would follow in the coming weeks.",
        3,
        {"publisher": "P"},
        False,
    ),
]


@pytest.mark.parametrize(
    ("line", "n", "meta", "expected"),
    [c[1:] for c in RECURRENCE_CASES],
    ids=[c[0] for c in RECURRENCE_CASES],
)
def test_recurrence(line: str, n: int, meta: dict, expected: bool) -> None:
    rows = corpus_with(line, n, **meta)
    assert len(rows) == n
    assert all(r.is_boilerplate is expected for r in rows)
    if expected:
        assert {r.boilerplate_rule for r in rows} == {"recurring_across_articles"}


def test_recurrence_needs_the_same_publisher() -> None:
    arts = [
        article(
            f"Headline {i} Police\n\n{LEAD} Case {i}.\n\n{TAGLINE}", article_id=f"a{i}", publisher=p
        )
        for i, p in enumerate(["One", "Two"])
    ]
    assert not any(r.is_boilerplate for r in classify_corpus(arts))


def test_reporter_name_under_headline_is_not_recurring_furniture() -> None:
    arts = [
        article(f"Headline {i} Police\nSun Narin\n\n{LEAD} Case {i}.", article_id=f"a{i}")
        for i in range(4)
    ]
    rows = [r for r in classify_corpus(arts) if r.paragraph_text == "Sun Narin"]
    assert len(rows) == 4 and not any(r.is_boilerplate for r in rows)


def test_versions_of_one_story_count_once() -> None:
    shared = f"{LEAD}\n\n{BODY}"
    arts = [
        article(
            f"Headline {i}\n\n{shared}\n\nThe investigation is ongoing",
            article_id=f"a{i}",
            publisher="P",
        )
        for i in range(2)
    ]
    assert not any(r.is_boilerplate for r in classify_corpus(arts))


# --------------------------------------------------------------------------------------------
# Zones

ZONE_CASES = [
    ("headline_title", f"{HEADLINE}\n\n{LEAD}", 0, "title"),
    ("sentence_case_headline", f"Cambodia, US discuss security cooperation\n\n{LEAD}", 0, "title"),
    ("no_headline_lead_is_body", f"{LEAD}\n\n{BODY}", 0, "body"),
    (
        "dek_before_dateline",
        f"{HEADLINE}\n\nPolice say the ring defrauded thousands.\n\nPHNOM PENH — {LEAD}",
        1,
        "dek",
    ),
    ("lead_after_title_is_body", f"{HEADLINE}\n\n{LEAD}\n\n{BODY}", 1, "body"),
    ("subheading", f"{HEADLINE}\n\n{LEAD}\n\nThe Rise of Online Scams\n\n{BODY}", 2, "subheading"),
    (
        "colon_line_is_body",
        f"{HEADLINE}\n\n{LEAD}\n\nSeveral agencies take part:\n\n{BODY}",
        2,
        "body",
    ),
    ("bullet_is_body", f"{HEADLINE}\n\n{LEAD}\n\n  • Interpol\n\n{BODY}", 2, "body"),
    ("byline_is_furniture", f"{HEADLINE}\nBy Sok Dara\n\n{LEAD}", 1, "boilerplate"),
    ("date_is_furniture", f"{HEADLINE}\nThursday, March 2, 2023\n\n{LEAD}", 1, "boilerplate"),
    (
        "dek_without_full_stop",
        f"{HEADLINE}\n\nThousands of workers remain trapped in compounds along the border despite "
        f"repeated raids by police\n\n{LEAD}",
        1,
        "dek",
    ),
    (
        "caption_photo_posted",
        f"{HEADLINE}\nThe minister speaks in Kandal, in a photo posted to Facebook.\n{LEAD}",
        1,
        "caption",
    ),
    ("caption_photo_credit", f"{HEADLINE}\n\n{LEAD}\n\nPhoto: Reuters\n\n{BODY}", 2, "caption"),
    (
        "caption_parenthesised_credit",
        f"{HEADLINE}\n\n{LEAD}\n\nOfficers guard seized drugs. (Photo: Daily Post)\n\n{BODY}",
        2,
        "caption",
    ),
    (
        "caption_agency_slash",
        f"{HEADLINE}\n\n{LEAD}\n\nPolice escort suspects at the airport. REUTERS/Jo Doe\n\n{BODY}",
        2,
        "caption",
    ),
    (
        "caption_file",
        f"{HEADLINE}\n\n{LEAD}\n\nFILE - Police stand guard in Phnom Penh.\n\n{BODY}",
        2,
        "caption",
    ),
    ("boilerplate_zone", f"{HEADLINE}\n\n{LEAD}\n\nRelated Stories", 2, "boilerplate"),
]


@pytest.mark.parametrize(
    ("text", "index", "zone"), [c[1:] for c in ZONE_CASES], ids=[c[0] for c in ZONE_CASES]
)
def test_zones(text: str, index: int, zone: str) -> None:
    rows = classify(text)
    assert rows[index].zone == zone
    if zone == "caption":
        assert not rows[index].is_boilerplate and rows[index].is_content


FILE_PHOTOS = [
    ("file_dash", "caption", "FILE - Police stand guard in Phnom Penh, May 2, 2019.", True),
    ("file_photo_colon", "caption", "FILE PHOTO: Officers guard seized drugs.", True),
    ("file_photo_inside", "caption", "Police escort suspects (file photo).", True),
    ("fresh_caption", "caption", "Police escort suspects at the airport. REUTERS/Jo Doe", False),
    ("body_mentions_a_file", "body", "FILE - Police stand guard in Phnom Penh.", False),
]


@pytest.mark.parametrize(
    ("zone", "text", "expected"), [c[1:] for c in FILE_PHOTOS], ids=[c[0] for c in FILE_PHOTOS]
)
def test_an_archive_photo_caption_is_known(zone: str, text: str, expected: bool) -> None:
    assert is_file_photo(zone, text) is expected


def test_title_after_page_furniture() -> None:
    rows = classify(f"Skip to main content\nMenu\n{HEADLINE}\n\n{LEAD}")
    assert [r.zone for r in rows] == ["boilerplate", "boilerplate", "title", "body"]


# --------------------------------------------------------------------------------------------
# Page layout: furniture above the headline, credits under it, tags and contacts after the story

DEK = (
    "Thousands of workers remain trapped in compounds along the border despite repeated raids "
    "by police and pressure from neighbouring countries"
)
LAST = "The suspects will appear in court on Friday, the spokesman said."
STANDFIRST = (
    "The National Police will send investigators to Thailand after 29 suspects were detained "
    "in a raid on a call centre."
)

# (id, page lines, {line: expected rule or zone of a content line})
LAYOUT_CASES = [
    (
        "masthead_and_section_above_headline",
        ["Example Daily", "Asia-Pacific", HEADLINE, LEAD, BODY],
        {"Example Daily": "masthead", "Asia-Pacific": "section_label", HEADLINE: "title"},
    ),
    (
        "capitals_and_slash_section",
        ["THE EXAMPLE TIMES", "NATIONAL / CRIME & LEGAL", HEADLINE, LEAD, BODY],
        {
            "THE EXAMPLE TIMES": "masthead",
            "NATIONAL / CRIME & LEGAL": "section_label",
            HEADLINE: "title",
        },
    ),
    (
        "office_headers_above_headline",
        [
            "ABCD - Agency for Border Cooperation and Development",
            "Regional Office for Central Asia",
            "Office of Communications",
            HEADLINE,
            LEAD,
        ],
        {
            "ABCD - Agency for Border Cooperation and Development": "masthead",
            "Regional Office for Central Asia": "section_label",
            "Office of Communications": "section_label",
            HEADLINE: "title",
        },
    ),
    (
        "short_headline_under_masthead",
        ["DAILY GAZETTE", "Scam Ring Busted", LEAD, BODY],
        {"DAILY GAZETTE": "masthead", "Scam Ring Busted": "title"},
    ),
    (
        "short_headline_and_unpunctuated_dek",
        ["Example Review", "Investigations", "Inside the Compounds", DEK, "By Jane Doe", LEAD],
        {
            "Example Review": "masthead",
            "Investigations": "section_label",
            "Inside the Compounds": "title",
            DEK: "dek",
            "By Jane Doe": "byline",
        },
    ),
    (
        "headline_then_subheading",
        ["Drug Arrests in Cambodia: The Role of Cooperation", "The Drug Problem", LEAD, BODY],
        {
            "Drug Arrests in Cambodia: The Role of Cooperation": "title",
            "The Drug Problem": "subheading",
        },
    ),
    (
        "headline_then_reporter_name",
        ["Police Bust Scam Ring", "Sun Narin", LEAD],
        {"Police Bust Scam Ring": "title", "Sun Narin": "subheading"},
    ),
    (
        "wire_credit_and_date_under_a_standfirst_the_story_repeats",
        [HEADLINE, STANDFIRST, "KYODO", "Nov 14, 2024", f"PHNOM PENH - {STANDFIRST}", BODY],
        {"KYODO": "wire_credit", "Nov 14, 2024": "publication_date", STANDFIRST: "dek"},
    ),
    (
        "credit_shapes_after_the_lead_stay_content",
        [HEADLINE, LEAD, "KYODO", "Nov 14, 2024", BODY, LAST],
        {"KYODO": "subheading", "Nov 14, 2024": "body", LEAD: "body"},
    ),
    (
        "bare_name_next_to_date_line",
        [HEADLINE, "Sok Dara", "March 3, 2025", LEAD, BODY],
        {"Sok Dara": "byline", "March 3, 2025": "publication_date"},
    ),
    (
        "dates_inside_the_story_are_headings",
        [HEADLINE, LEAD, "October 14, 2024", BODY, "2025", LAST],
        {"October 14, 2024": "body", "2025": "body"},
    ),
    (
        "tag_blocks_after_the_story",
        [
            HEADLINE,
            LEAD,
            BODY,
            "Updated April 15, 2025",
            "Topic(s)",
            "Human Trafficking",
            "Component(s)",
            "Criminal Division",
            "Federal Bureau of Investigation",
        ],
        {
            "Updated April 15, 2025": "publication_date",
            "Topic(s)": "taxonomy_label",
            "Human Trafficking": "taxonomy_label",
            "Criminal Division": "taxonomy_label",
            "Federal Bureau of Investigation": "taxonomy_label",
        },
    ),
    (
        "keyword_lists_after_the_story",
        [HEADLINE, LEAD, BODY, "KEYWORDS", "Cambodia, fraud, police", "Interpol, scams, Laos"],
        {
            "KEYWORDS": "taxonomy_label",
            "Cambodia, fraud, police": "taxonomy_label",
            "Interpol, scams, Laos": "taxonomy_label",
        },
    ),
    (
        "media_contact_block",
        [
            HEADLINE,
            LEAD,
            BODY,
            "For further information please contact:",
            "Jane Doe, Communications Officer, Regional Office for Central Asia",
            "Email: jdoe[at]example.org",
            "Related content",
        ],
        {
            "Jane Doe, Communications Officer, Regional Office for Central Asia": "media_contact",
            "Email: jdoe[at]example.org": "contact_details",
            "Related content": "section_navigation",
        },
    ),
    (
        "wire_slug_credit_and_reporter_email",
        [
            HEADLINE,
            LEAD,
            BODY,
            "jm/dv-ab",
            "AFP",
            "Source: VNA",
            "With agencies",
            "jdoe@example.com",
        ],
        {
            "jm/dv-ab": "wire_credit",
            "AFP": "wire_credit",
            "Source: VNA": "wire_credit",
            "With agencies": "wire_credit",
            "jdoe@example.com": "contact_details",
        },
    ),
    (
        "author_bio_and_end_mark",
        [HEADLINE, LEAD, BODY, "Jane Doe is a freelance journalist based in Bangkok.", "-ENDS-"],
        {
            "Jane Doe is a freelance journalist based in Bangkok.": "author_bio",
            "-ENDS-": "end_mark",
            BODY: "body",
        },
    ),
    (
        "list_closing_the_story_stays_content",
        [
            HEADLINE,
            LEAD,
            BODY,
            "Participants practised:",
            "- identifying chemicals;",
            "- profiling",
        ],
        {"- identifying chemicals;": "body", "- profiling": "body"},
    ),
    (
        "journalist_in_the_news_stays_content",
        [HEADLINE, LEAD, "Jane Doe is a journalist who was arrested in 2023."],
        {"Jane Doe is a journalist who was arrested in 2023.": "body"},
    ),
    (
        "site_header_labels_over_the_headline",
        [
            "Example Radio Independent News for the Region since 1951",
            "Latest from Example Radio:",
            "Programs in 12 Languages",
            HEADLINE,
            LEAD,
            BODY,
        ],
        {
            "Example Radio Independent News for the Region since 1951": "site_tagline",
            "Latest from Example Radio:": "masthead",
            "Programs in 12 Languages": "section_label",
            HEADLINE: "title",
        },
    ),
    (
        "academy_page_with_logo_and_place_line",
        ["Regional Academy", "Logo: Regional Academy", "Hanoi, Vietnam", LEAD, BODY],
        {
            "Regional Academy": "title",
            "Logo: Regional Academy": "site_logo",
            "Hanoi, Vietnam": "location_line",
        },
    ),
    (
        "topic_tag_over_the_headline",
        ["Report a crime: call 1-800-555-0100", "Human Trafficking", HEADLINE, LEAD, BODY],
        {"Human Trafficking": "masthead", HEADLINE: "title"},
    ),
    (
        "labels_in_another_script_over_an_english_story",
        ["ข่าวสาร", HEADLINE, "12 มีนาคม 2024", LEAD, BODY],
        {"ข่าวสาร": "foreign_script_label", "12 มีนาคม 2024": "foreign_script_label"},
    ),
    (
        "a_clause_cut_short_at_the_end_stays_content_not_a_tag_list",
        [HEADLINE, LEAD, BODY, "His deputy, Col. Sok Dara, confirmed the talks, but would not sa"],
        {"His deputy, Col. Sok Dara, confirmed the talks, but would not sa": "subheading"},
    ),
    (
        "no_headline_no_masthead",
        [LEAD, "Kampot Provincial Police", BODY],
        {LEAD: "body", "Kampot Provincial Police": "subheading"},
    ),
]


@pytest.mark.parametrize(
    ("lines", "expected"), [c[1:] for c in LAYOUT_CASES], ids=[c[0] for c in LAYOUT_CASES]
)
def test_page_layout(lines: list[str], expected: dict[str, str]) -> None:
    rows = classify("\n\n".join(lines))
    for text, want in expected.items():
        row = by_text(rows, text)
        got = row.boilerplate_rule if row.is_boilerplate else row.zone
        assert got == want, text
        assert row.is_content is (not row.is_boilerplate)


def test_layout_rules_agree_on_a_second_pass() -> None:
    """Recurrence runs between two layout passes; the page top must come out the same."""
    pages = [
        f"Example Review\n\nInvestigations\n\nInside the Compounds {i}\n\n{DEK}\n\n{LEAD} Case {i}."
        for i in range(3)
    ]
    arts = [article(t, article_id=f"a{i}", publisher="Example") for i, t in enumerate(pages)]
    rows = classify_corpus(arts)
    titles = [r.paragraph_text for r in rows if r.zone == "title"]
    assert titles == [f"Inside the Compounds {i}" for i in range(3)]
