"""Name-level rules of the entity layer: linking, prefixes, acronyms, people, places, crimes.

A small in-memory reference stands in for the seed tables, so these tests need no file and
no trained spaCy model: the token-level rules run on a blank English tokenizer with a
rule-based sentencizer.
"""

from __future__ import annotations

import pytest
import spacy

from dagster_project.lib.entities import (
    Agency,
    AgencyReference,
    Gazetteer,
    Place,
    appositive_name_spans,
    byline_name_spans,
    clean_person_name,
    corefers,
    detect_crime_types,
    discovered_agency,
    discovered_agency_id,
    find_acronym_definition,
    is_acronym_like,
    is_agency_like,
    is_attribution_line,
    is_headline_like,
    is_title_word,
    is_unit_name,
    kind_noun_places,
    link_agency_name,
    merge_person_names,
    name_signature,
    normalise_name,
    provincial_police_name,
    reads_as_headline,
    reference_problems,
    short_form_index,
    surnamed_spans,
    titled_name_spans,
    unit_agency,
)

PLACES = [
    Place("Cambodia", "country", "KH", ("Kingdom of Cambodia",), ("Cambodian", "Khmer")),
    Place(
        "United States",
        "country",
        "US",
        ("US", "U.S.", "USA", "America", "United States of America"),
        ("American",),
    ),
    Place("United Kingdom", "country", "GB", ("UK", "Britain", "Great Britain"), ("British",)),
    Place("Thailand", "country", "TH", (), ("Thai",)),
    Place("Australia", "country", "AU", (), ("Australian",)),
    Place("India", "country", "IN", (), ("Indian",)),
    Place("South Korea", "country", "KR", ("Korea",), ("South Korean", "Korean")),
    Place("Vietnam", "country", "VN", ("Viet Nam",), ("Vietnamese",)),
    Place("Laos", "country", "LA", ("Lao PDR",), ("Lao", "Laotian")),
    Place("Phnom Penh", "city", "KH"),
    Place("Kandal", "province", "KH"),
    Place("Tay Ninh", "province", "VN"),
    Place("Moc Bai", "city", "VN"),
    Place("Southeast Asia", "region", None),
]


def _agency(agency_id, name, acronym, country, kind, *aliases):
    return Agency(agency_id, name, acronym, country, kind, tuple(aliases))


AGENCIES = [
    _agency("us-fbi", "Federal Bureau of Investigation", "FBI", "US", "police"),
    _agency("us-dea", "Drug Enforcement Administration", "DEA", "US", "drug_control"),
    _agency(
        "us-customs", "United States Customs Service", None, "US", "customs", "US Customs Service"
    ),
    _agency("kh-nacd", "National Authority for Combating Drugs", "NACD", "KH", "drug_control"),
    _agency("kh-moi", "Ministry of Interior", "MoI", "KH", "ministry", "Interior Ministry"),
    _agency(
        "th-moi",
        "Ministry of Interior of Thailand",
        None,
        "TH",
        "ministry",
        "Ministry of Interior",
        "Thai Ministry of Interior",
    ),
    _agency(
        "kh-cnp",
        "General Commissariat of National Police",
        "CNP",
        "KH",
        "police",
        "National Police",
    ),
    _agency("au-afp", "Australian Federal Police", "AFP", "AU", "police"),
    _agency(
        "int-interpol",
        "International Criminal Police Organization",
        "INTERPOL",
        "INT",
        "intergovernmental",
        "Interpol",
    ),
]
GAZETTEER = Gazetteer(PLACES)
REFERENCE = AgencyReference(AGENCIES, GAZETTEER)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The FBI’s", "fbi"),
        ("the Ministry of Interior", "ministry of interior"),
        ("U.S.", "us"),
        ("U.S. Embassy", "us embassy"),
        ("  Anti-Human   Trafficking ", "anti human trafficking"),
        ("", ""),
    ],
)
def test_normalise_name(text, expected):
    assert normalise_name(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("FBI", True), ("MoI", True), ("JIATF-West", True), ("Interpol", False), ("US DEA", False)],
)
def test_is_acronym_like(text, expected):
    assert is_acronym_like(text) is expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("US DEA", ("US", "DEA")),
        ("U.S. Secret Service", ("US", "Secret Service")),
        ("American Embassy", ("US", "Embassy")),
        ("Thai Anti-Narcotic Task Force", ("TH", "Anti-Narcotic Task Force")),
        ("South Korean Embassy", ("KR", "Embassy")),
        ("Royal Thai Police", (None, "Royal Thai Police")),
        ("Cambodia’s National Police", (None, "Cambodia’s National Police")),
        ("Interpol", (None, "Interpol")),
    ],
)
def test_split_national_prefix(name, expected):
    assert GAZETTEER.split_national_prefix(name) == expected


@pytest.mark.parametrize(
    ("name", "rank", "agency_id", "method"),
    [
        ("Federal Bureau of Investigation", (), "us-fbi", "reference"),
        ("US Federal Bureau of Investigation", (), "us-fbi", "reference"),
        ("U.S. Customs Service", (), "us-customs", "reference"),
        ("Interpol", (), "int-interpol", "reference"),
        ("Interior Ministry", ("KH",), "kh-moi", "reference"),
        # one name, two countries: the prefix decides, then the article's countries
        ("Ministry of Interior", ("KH",), "kh-moi", "reference"),
        ("Cambodian Ministry of Interior", (), "kh-moi", "reference"),
        ("Ministry of Interior", ("TH", "KH"), "th-moi", "reference"),
        ("Thai Ministry of Interior", ("KH",), "th-moi", "reference"),
        # inexact names
        ("Federal Bureau of Investigations", ("US",), "us-fbi", "fuzzy"),
        ("US Drug Enforcement Agency", (), "us-dea", "fuzzy"),
        ("National Anti-Drug Authority", ("KH",), "kh-nacd", "fuzzy"),
        ("Federal Police of Australia", ("KH",), "au-afp", "fuzzy"),
    ],
)
def test_link_reference_agencies(name, rank, agency_id, method):
    link = link_agency_name(name, REFERENCE, rank)
    assert link is not None
    assert (link.agency.agency_id, link.method) == (agency_id, method)
    assert 0.0 < link.confidence <= 1.0


@pytest.mark.parametrize(
    ("name", "rank", "expected"),
    [
        # a name every country uses, in an article about no country the table knows: not
        # Cambodia's body by default
        ("Ministry of Interior", (), "disc-ministry-of-interior"),
        ("Ministry of Interior", ("GB",), "disc-ministry-of-interior-united-kingdom"),
        ("Interior Ministry", ("AU",), "disc-interior-ministry-australia"),
        # a name only one body has needs no context
        ("Federal Bureau of Investigation", ("GB",), "us-fbi"),
    ],
)
def test_generic_names_need_the_articles_country(name, rank, expected):
    fallback = rank[0] if rank else None
    link = link_agency_name(name, REFERENCE, rank, fallback_country=fallback)
    assert link is not None and link.agency.agency_id == expected
    assert link.agency.country_code == (fallback if expected.startswith("disc") else "US")


@pytest.mark.parametrize(
    ("name", "fallback", "agency_id", "country", "kind"),
    [
        (
            "Joint Transnational Crime Investigation Team",
            "KH",
            "disc-joint-transnational-crime-investigation-team",
            "KH",
            "task_force",
        ),
        (
            "Thai Anti-Narcotic Task Force",
            "KH",
            "disc-anti-narcotic-task-force",
            "TH",
            "task_force",
        ),
        (
            "Anti-Human Trafficking and Sexual Exploitation Unit",
            "KH",
            "disc-anti-human-trafficking-and-sexual-exploitation-unit",
            "KH",
            "police",
        ),
        ("Kandal Provincial Court", "KH", "disc-kandal-provincial-court", "KH", "judiciary"),
        ("Indian Embassy", "KH", "disc-indian-embassy", "IN", "embassy"),
        # offices named after the title of the official who heads them
        (
            "Office of the Attorney General",
            "TH",
            "disc-office-of-the-attorney-general",
            "TH",
            "judiciary",
        ),
        (
            "Office of the Prosecutor General",
            "VN",
            "disc-office-of-the-prosecutor-general",
            "VN",
            "judiciary",
        ),
        # a name the reference uses for another country's body is qualified with the country
        (
            "British Ministry of Interior",
            "KH",
            "disc-ministry-of-interior-united-kingdom",
            "GB",
            "ministry",
        ),
    ],
)
def test_discovered_agencies(name, fallback, agency_id, country, kind):
    link = link_agency_name(name, REFERENCE, (), fallback_country=fallback)
    assert link is not None and link.method == "discovered"
    assert link.agency.agency_id == agency_id
    assert link.agency.country_code == country
    assert link.agency.agency_type == kind
    assert not link.agency.is_reference


@pytest.mark.parametrize(
    "name",
    [
        "The Cambodia Daily",
        "Khmer Times",
        "VOA Khmer",
        "National Television of Cambodia",
        "Royal Academy of Cambodia",
        "Asian Gang Investigators Association",
        "Huione Group",
        "Interior Minister",
        "US ambassador",
        "Cambodia",
        "International Police",
        "Provincial Police",
        "Cambodian Police",
        "Ministry of Tourism",
        "Council for the Development of Cambodia",
        "Law on Drug Control",
        "Attorney General",
        "Prosecutor General",
        "Assistant Attorney General",
    ],
)
def test_not_agencies(name):
    assert link_agency_name(name, REFERENCE, ("KH",), fallback_country="KH") is None


def test_discovery_and_fuzzy_can_be_switched_off_for_headlines():
    assert (
        link_agency_name(
            "International Police Expanding", REFERENCE, allow_fuzzy=False, allow_discovery=False
        )
        is None
    )
    assert link_agency_name("Joint Crime Team", REFERENCE, allow_discovery=False) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Anti-Cybercrime Department", True),
        ("Central Security Department", True),
        ("Kandal Provincial Police", True),
        ("Ministry of Labour", False),
        ("National Police", False),
        ("Police", False),
        ("Phnom Penh Post", False),
    ],
)
def test_is_agency_like(name, expected):
    assert is_agency_like(name, GAZETTEER) is expected


def test_signature_ignores_order_function_words_and_synonyms():
    assert name_signature("National Anti-Drug Authority") == name_signature(
        "National Authority for Combating Drugs"
    )
    assert name_signature("Drug Enforcement Agency") == name_signature(
        "Drug Enforcement Administration"
    )


@pytest.mark.parametrize(
    ("after", "before", "expected"),
    [
        (" (NACD), and US ambassador", "the National Authority for Combating Drugs", "NACD"),
        (" (TVK) report", "National Television of Cambodia", "TVK"),
        (" (the agency) said", "the Ministry", None),
        (" (2020) report", "the Ministry", None),
        (") said", "the NACD (", "NACD"),
        (" said", "the Ministry", None),
    ],
)
def test_find_acronym_definition(after, before, expected):
    assert find_acronym_definition(after, before) == expected


@pytest.mark.parametrize(
    ("short", "full", "expected"),
    [
        ("Customs Service", "US Customs Service", True),
        ("Customs Service", "United States Customs Service", True),
        ("Crime Investigation Team", "Joint Transnational Crime Investigation Team", True),
        ("Service", "US Customs Service", False),
        ("Secret Service", "US Customs Service", False),
        ("Customs Department", "US Customs Service", False),
    ],
)
def test_corefers(short, full, expected):
    assert corefers(short, full, GAZETTEER) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("General Khieu Sopheak", "Khieu Sopheak"),
        ("Interior Minister Sar Kheng", "Sar Kheng"),
        ("Deputy Prime Minister Neth Savoeun", "Neth Savoeun"),
        ("US President Joe Biden", "Joe Biden"),
        ("H.E. Samdech Hun Manet", "Hun Manet"),
        ("Khieu Sopheak’s", "Khieu Sopheak"),
        ("W Patrick Murphy", "W Patrick Murphy"),
        ("Lawyer Sam Sokong", "Sam Sokong"),
        ("Analyst Kim Sovann", "Kim Sovann"),
        ("Ministry of Interior", None),
        ("Cambodia", None),
        ("Cambodian", None),
        ("police official", None),
        ("Tuesday", None),
        ("FBI", None),
        ("Tier 3", None),
    ],
)
def test_clean_person_name(text, expected):
    assert clean_person_name(text, GAZETTEER) == expected


def test_short_forms_stand_for_one_full_name():
    names = [("Sar", "Kheng"), ("Neth", "Savoeun"), ("Chhay", "Kim", "Khoeun"), ("Kim", "Sok")]
    index = short_form_index(names)
    assert index["Kheng"] == ("Sar", "Kheng")
    assert index["Savoeun"] == ("Neth", "Savoeun")
    assert "Kim" not in index


def test_merge_person_names_keeps_the_longest_form():
    merged = merge_person_names([("Patrick", "Murphy"), ("W", "Patrick", "Murphy"), ("Murphy",)])
    assert set(merged.values()) == {("W", "Patrick", "Murphy")}


@pytest.mark.parametrize(
    ("surface", "name", "code"),
    [
        ("U.S.", "United States", "US"),
        ("US", "United States", "US"),
        ("America", "United States", "US"),
        ("Kingdom of Cambodia", "Cambodia", "KH"),
        ("Britain", "United Kingdom", "GB"),
        ("UK", "United Kingdom", "GB"),
        ("Phnom Penh", "Phnom Penh", "KH"),
        ("Cambodian", None, None),
        ("Thai", None, None),
    ],
)
def test_place_normalisation(surface, name, code):
    place = GAZETTEER.lookup(surface)
    assert (place.name if place else None, place.country_code if place else None) == (name, code)


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("US", "US"),
        ("U.S.", "US"),
        ("American", "US"),
        ("Thai", "TH"),
        ("Khmer", "KH"),
        ("Police", None),
    ],
)
def test_nationality_of_prefix(word, code):
    assert GAZETTEER.nationality(word) == code


SENTENCES = [("No crime here.", 0, 14), ("Drug gangs grew.", 15, 31), ("More drugs.", 32, 43)]


def test_first_evidence_sentence_wins():
    cues = [("drug_trafficking", 37, 42), ("drug_trafficking", 15, 19), ("organized_crime", 20, 25)]
    found = {f.crime_type: f for f in detect_crime_types(SENTENCES, cues)}
    assert found["drug_trafficking"].evidence_text == "Drug gangs grew."
    assert (found["drug_trafficking"].char_start, found["drug_trafficking"].char_end) == (15, 31)
    assert list(found) == ["drug_trafficking", "organized_crime"]


def test_cues_inside_agency_names_are_not_evidence():
    cues = [("organized_crime", 20, 25)]
    assert detect_crime_types(SENTENCES, cues, [(15, 25)]) == []
    assert detect_crime_types(SENTENCES, cues, [(0, 14)]) != []


def test_cues_outside_every_sentence_are_not_evidence():
    assert detect_crime_types(SENTENCES, [("terrorism", 50, 55)]) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("International Police Expanding Their Presence", True),
        ("Key Agencies Involved in Drug Enforcement", True),
        ("The Joint Transnational Crime Investigation Team started in September.", False),
        ("“We will work on this,” he said.", False),
    ],
)
def test_is_headline_like(text, expected):
    assert is_headline_like(text) is expected


def test_discovered_ids_are_stable_slugs():
    assert discovered_agency_id("Drugs and Crime Fund") == "disc-drugs-and-crime-fund"
    assert discovered_agency_id("Ministry’s  Unit") == discovered_agency_id("ministry unit")


def test_reference_problems():
    bad = [
        _agency("us-fbi", "FBI one", None, "US", "police"),
        _agency("us-fbi", "FBI two", None, "USA", "spy"),
        Agency("Bad Id", "X", None, "KH", "police", (), "missing-parent"),
    ]
    problems = " | ".join(reference_problems(bad))
    for fragment in (
        "duplicate agency_id us-fbi",
        "bad country_code 'USA'",
        "unknown agency_type 'spy'",
        "not a slug",
        "unknown parent",
    ):
        assert fragment in problems
    assert reference_problems(AGENCIES) == []


# ---------------------------------------------------------------------------------------------
# Token-level rules on a blank tokenizer (no trained model)

_BLANK = spacy.blank("en")
_BLANK.add_pipe("sentencizer")


def _spans(doc, pairs):
    return [doc[s:e].text for s, e in pairs]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("By Kang Min-seo", ["Kang Min-seo"]),
        ("BY SORN RATHANA", ["SORN RATHANA"]),
        ("By Sorn Rathana", ["Sorn Rathana"]),
        ("WRITER: Sompong Thanakit", ["Sompong Thanakit"]),
        ("Written by Meas Sokchea and Ou Sokmean", ["Meas Sokchea", "Ou Sokmean"]),
        ("By Hoang Phuong   March 19, 2025 | 04:20 pm GMT+7", ["Hoang Phuong"]),
        ("Sen Sophorn | Publication date 12 March 2024 | 10:42 ICT", ["Sen Sophorn"]),
        ("Reporting by Prak Chan Thul; Editing by Martin Petty", ["Prak Chan Thul"]),
        # near misses: prose that starts with "By", credit lines, one-word names, long text
        ("By the end of April, police will inspect every building.", []),
        ("By Friday, the suspects had been deported.", []),
        ("By Staff Reporter", []),
        ("By AFP", []),
        ("Phnom Penh Post Staff | 12 March 2024", []),
        ("By Chinese New Year the compounds will close, officials said.", []),
        ("Sok Chea | " + "x" * 150, []),
    ],
)
def test_byline_name_spans(text, expected):
    assert [text[s:e] for s, e in byline_name_spans(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Kenji Tanabe, Counsellor at the Embassy of Japan, said Japan would help.",
            ["Kenji Tanabe"],
        ),
        ("Siriporn Chaiwat, Communications Officer, UNODC", ["Siriporn Chaiwat"]),
        ("It named Keo Sarath, a spokesman for the department, as the source.", ["Keo Sarath"]),
        ("Nine were wanted, including Le Van Thanh, 38, who fled in 2022.", ["Le Van Thanh"]),
        ("Chan Virak, 47, of Phnom Penh, was extradited.", ["Chan Virak"]),
        # near misses: relative clauses, places with distances, dates, one word
        ("Human Rights Watch, which monitors the police, objected.", []),
        ("Kampong Speu, 40 km from the capital, was quiet.", []),
        ("On March 19, 2025, the men were handed over.", []),
        ("Interpol, the global police body, said so.", []),
    ],
)
def test_appositive_name_spans(text, expected):
    doc = _BLANK(text)
    assert _spans(doc, appositive_name_spans(doc)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pol Sub Lt Somchai Jaidee led the raid.", ["Somchai Jaidee"]),
        ("Interior Minister Sar Sokha met them.", ["Sar Sokha"]),
        ("Lt. Gen. Kheang Sokhom said so.", ["Kheang Sokhom"]),
        (
            "Judge Sam Rithy and Ambassador W Patrick Murphy attended.",
            ["Sam Rithy", "W Patrick Murphy"],
        ),
        # near misses: a title before a one-word name, an agency, or nothing capitalised
        ("President Trump said so.", []),
        ("The minister said the case was closed.", []),
        ("The Deputy Director of Immigration spoke.", []),
        ("The General Assembly Hall was full.", []),
        # every title opens a span; the extractor keeps the name after the last title
        (
            "Chief Executive Officer Kim Sokun resigned.",
            ["Executive Officer Kim Sokun", "Kim Sokun"],
        ),
    ],
)
def test_titled_name_spans(text, expected):
    doc = _BLANK(text)
    assert _spans(doc, titled_name_spans(doc)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A South Korean man surnamed Choi was extradited.", ["Choi"]),
        ("A woman with the surname Nguyen Thi was held.", ["Nguyen Thi"]),
        ("A man surnamed by police was held.", []),
    ],
)
def test_surnamed_spans(text, expected):
    doc = _BLANK(text)
    assert _spans(doc, surnamed_spans(doc)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Police raided a building in Sihanoukville’s Buon commune.", [("Buon", "region")]),
        ("The drugs were seized in Nam Yuen district on Sunday.", [("Nam Yuen", "region")]),
        (
            "Police from Stung Treng and Champasak provinces joined.",
            [("Stung Treng", "province"), ("Champasak", "province")],
        ),
        (
            "They met at the Xa Mat - Trapeang Phlong border gate.",
            [("Xa Mat", "city"), ("Trapeang Phlong", "city")],
        ),
        (
            "They met at the Vangtao–Chong Mek border crossing.",
            [("Vangtao", "city"), ("Chong Mek", "city")],
        ),
        ("Officials from Pampanga province said so.", [("Pampanga", "province")]),
        # near misses: ordinary sentence openers, demonyms, agencies, generic words, no "border"
        ("Several districts reported raids.", []),
        ("Both provinces sent officers.", []),
        ("A Thai province was named.", []),
        ("The National Police district office was closed.", []),
        ("He stood at the Northern district line.", []),
        ("They crossed at the Friendship Bridge crossing.", []),
        ("the suspects lived in a village near the town.", []),
    ],
)
def test_kind_noun_places(text, expected):
    doc = _BLANK(text)
    assert [(span.text, kind) for span, kind in kind_noun_places(doc, GAZETTEER)] == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Tay Ninh Police", ("Tay Ninh Provincial Police Department", "VN")),
        ("Tay Ninh Province Police", ("Tay Ninh Provincial Police Department", "VN")),
        ("Tay Ninh Provincial Police Department", ("Tay Ninh Provincial Police Department", "VN")),
        ("Kandal Police", ("Kandal Provincial Police", "KH")),
        ("Kandal Provincial Police Commissariat", ("Kandal Provincial Police", "KH")),
        # near misses: a city's police, another kind of body, no place
        ("Phnom Penh Police", None),
        ("Tay Ninh Border Guard", None),
        ("National Police", None),
    ],
)
def test_provincial_police_name(name, expected):
    assert provincial_police_name(name, GAZETTEER) == expected


def test_provincial_police_written_two_ways_is_one_discovered_agency():
    one = discovered_agency("Tay Ninh Police", "KH", REFERENCE)
    other = discovered_agency("Tay Ninh Province Police", "KH", REFERENCE)
    assert one.agency_id == other.agency_id == "disc-tay-ninh-provincial-police-department"
    assert one.country_code == "VN"


@pytest.mark.parametrize(
    ("name", "min_words", "expected"),
    [
        ("International Cooperation Bureau", 2, True),
        ("Office of International Affairs", 2, True),
        ("Environment and Natural Resources Division", 2, True),
        ("Miami Field Office", 1, True),
        ("Regional Office for Southeast Asia", 1, True),
        # near misses: a head alone, no head, an outlet, a nationality only
        ("Office", 1, False),
        ("Bureau", 2, False),
        ("International Cooperation", 2, False),
        ("News Bureau", 1, False),
        ("Korean Bureau", 2, False),
    ],
)
def test_is_unit_name(name, min_words, expected):
    assert is_unit_name(name, GAZETTEER, min_words) is expected


def test_unit_agency_takes_its_parents_country_and_type():
    knpa = _agency("kr-knpa", "Korean National Police Agency", "KNPA", "KR", "police")
    unit = unit_agency(
        "International Cooperation Bureau of the Korean National Police Agency",
        "International Cooperation Bureau",
        knpa,
    )
    assert unit.agency_id == (
        "disc-international-cooperation-bureau-of-the-korean-national-police-agency"
    )
    assert (unit.country_code, unit.agency_type, unit.parent_agency_id) == (
        "KR",
        "police",
        "kr-knpa",
    )
    doj = _agency("us-doj", "United States Department of Justice", "DOJ", "US", "ministry")
    office = unit_agency("Office of International Affairs of the DOJ", "Office", doj)
    assert office.agency_type == "other"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pol Lt Gen Kittipong Rattanasiri", "Kittipong Rattanasiri"),
        ("Datuk Seri Mohd Zain", "Mohd Zain"),
        ("Samdech Techo Hun Sen", "Hun Sen"),
        ("Kang Min-seo", "Kang Min-seo"),
        ("Det Supt Jane Moore", "Jane Moore"),
        # outlets, place names and plural agency heads are not people
        ("RFA Khmer", None),
        ("Xinhua", None),
        ("Svay Rieng Province", None),
        ("Border Liaison Offices", None),
        ("Nov. 8", None),
    ],
)
def test_clean_person_name_titles_places_plurals(text, expected):
    assert clean_person_name(text, GAZETTEER) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("By Kang Min-seo", True),
        ("Sen Sophorn | Publication date 12 March 2024 | 10:42 ICT", True),
        ("Siriporn Chaiwat, Communications Officer, UNODC Regional Office", True),
        ("Sok Dara, spokesman for the National Police", True),
        # near misses: tag lines, section labels, credit lines, long prose
        ("Ubon Ratchathani, Laos, methamphetamine, ONCB", False),
        ("Home › National", False),
        ("Khmer Times, 12 March 2024", False),
        ("© 2024 Khmer Times. All Rights Reserved.", False),
        ("Sok Dara, spokesman, said " + "the police acted " * 20, False),
    ],
)
def test_is_attribution_line(text, expected):
    assert is_attribution_line(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Phnom Pehn", "Phnom Penh"), ("Phnom Pen", "Phnom Penh"), ("Cambodja", None), ("Laso", None)],
)
def test_misspelt_place_names_find_the_gazetteer_entry(text, expected):
    place = Gazetteer(PLACES).closest(text)
    assert (place.name if place else None) == expected


EMBASSIES = AgencyReference(
    [
        _agency(
            "us-e-kh",
            "Embassy of the United States in Phnom Penh",
            None,
            "US",
            "embassy",
            "US Embassy",
        ),
        _agency(
            "us-e-th",
            "Embassy of the United States in Thailand",
            None,
            "US",
            "embassy",
            "US Embassy",
        ),
        _agency(
            "th-e-kh", "Royal Thai Embassy in Phnom Penh", None, "TH", "embassy", "Thai Embassy"
        ),
    ],
    GAZETTEER,
)


@pytest.mark.parametrize(
    ("name", "rank", "expected"),
    [
        ("US Embassy", ("TH", "US"), "us-e-th"),
        ("US Embassy", ("US", "KH"), "us-e-kh"),
        # the sender alone says nothing about which of its embassies
        ("US Embassy", ("US",), None),
        ("Thai Embassy", ("TH",), "th-e-kh"),
    ],
)
def test_an_embassy_is_the_one_in_the_articles_country(name, rank, expected):
    link = link_agency_name(name, EMBASSIES, rank, allow_discovery=False)
    found = link.agency.agency_id if link and link.agency.is_reference else None
    assert found == expected


def test_first_and_last_names_are_the_full_name_without_the_middle_one():
    merged = merge_person_names([("Dara", "Vong"), ("Dara", "Sok", "Vong"), ("Vong",)])
    assert merged[("Dara", "Vong")] == ("Dara", "Sok", "Vong")
    assert merged[("Vong",)] == ("Dara", "Sok", "Vong")
    # the same first name with another surname is somebody else
    assert merge_person_names([("Dara", "Lim"), ("Dara", "Sok", "Vong")])[("Dara", "Lim")] == (
        "Dara",
        "Lim",
    )


@pytest.mark.parametrize(
    ("word", "following", "expected"),
    [
        ("Pol", "Lt", True),
        ("Pol", ".", True),
        ("Pol", "Sophea", False),
        ("Gen.", "Sophea", True),
        ("Minister", None, True),
        ("Sophea", None, False),
    ],
)
def test_a_rank_that_is_also_a_given_name(word, following, expected):
    assert is_title_word(word, following) is expected


def test_pol_opening_a_name_stays_in_the_name():
    assert clean_person_name("Pol Sophea Dara") == "Pol Sophea Dara"
    assert clean_person_name("Pol Lt Gen Sophea Dara") == "Sophea Dara"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Certificates of Completion to Police", False),
        ("Office to Counter Drug Trafficking", True),
    ],
)
def test_a_head_after_to_names_no_agency(name, expected):
    assert is_agency_like(name, GAZETTEER) is expected


@pytest.mark.parametrize(
    ("zone", "text", "expected"),
    [
        ("title", "Police Seize Drugs", True),
        ("subheading", "Background", True),
        ("caption", "Border Officers Receive Certificates of Completion", True),
        ("caption", "Officers stand at the border post in March.", False),
        # a line of hard-wrapped prose is body, punctuated or not
        ("body", "Dara Vong signed the agreement on behalf of the", False),
    ],
)
def test_what_reads_as_a_headline(zone, text, expected):
    assert reads_as_headline(zone, text) is expected
