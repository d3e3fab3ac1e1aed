"""The NLP stage with the real spaCy model and the real reference seeds: mentions, offsets,
shared agency ids, people, places and crime types on hand-written articles."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dagster_project.lib.entities import (
    AgencyReference,
    Gazetteer,
    is_acronym_like,
    link_agency_name,
)
from dagster_project.lib.nlp import (
    CRIME_TYPE_COLUMNS,
    DEFAULT_MODEL,
    EVENT_AGENCY_COLUMNS,
    EVENT_COLUMNS,
    EVENT_COUNTRY_COLUMNS,
    MENTION_COLUMNS,
    SENTENCE_COLUMNS,
    annotate,
    load_model,
)

SEEDS = Path(__file__).resolve().parents[2] / "dbt" / "seeds"
AGENCIES_CSV = SEEDS / "ref_agencies.csv"
PLACES_CSV = SEEDS / "ref_places.csv"

TRAINING = """International Police Expanding Their Presence

The Federal Bureau of Investigation (FBI) and the US Drug Enforcement Agency trained officers \
from the National Police in Phnom Penh, a Ministry of Interior official said on Tuesday.

Interior Minister Sar Kheng said the U.S. had helped to fight human trafficking and money \
laundering in the Kingdom of Cambodia. “We will cooperate,” Kheng said.

The Joint Transnational Crime Investigation Team, reported The Cambodia Daily, also works \
with the Ministry of Interior’s Anti-Human Trafficking and Sexual Exploitation Unit.

Copyright The Cambodia Daily. The FBI logo is a trademark."""

SEIZURE = """Thai police seized 1,500 kg of methamphetamine, and the FBI said it had shared \
intelligence with the National Anti-Drug Authority (NADA), whose officers questioned a \
suspect in Kandal.

NADA spokesman Meas Vyrith said the drug trafficking network was linked to Laos."""


CONTEXT = """Officers from the Tokyo Metropolitan Police Department and the US Customs Service \
met South Korea’s Ministry of Justice in Phnom Penh. The Customs Service shared records.

The charity Action Pour Les Enfants (APLE) helped police at the Trapeang Kriel checkpoint."""

UNITS = """Officers from the KNPA's International Cooperation Bureau and the HSI Bangkok Field \
Office met the Korean National Police Agency and Homeland Security Investigations.

Park Ji-hoon, a counsellor at the Embassy of Japan in the Lao PDR, said the Vietnamese Embassy \
in Phnom Penh and the Cambodian Embassy in Bangkok had helped.

The suspect appeared in U.S. District Court for the Central District of California in Los \
Angeles, while the Tay Ninh Police and the Tay Ninh Province Police questioned his partner.

Minister of Interior Sar Sokha and Police Commissioner General Sar Thet visited the \
Vietnamese border."""

PROSECUTORS = """Thailand's Office of the Attorney General, the Malaysian Attorney-General's \
Chambers and Interpol's National Central Bureau in Phnom Penh reviewed the extradition request.

Assistant Attorney General John Smith said the Attorney General would decide."""

PEOPLE = """Police Seize Phones In Border Raid

By Lim Sokhim and Park Ji-hoon

Hem Vannak | Publication date 3 May 2024 | 09:00 ICT

Pol Sub Lt Somchai Jaidee led the raid on a house in Nueva Ecija province and in Sihanoukville's \
Ochheuteal commune, near the Cham Yeam border crossing.

Officers detained Mey Sovann, 36, and a Chinese man surnamed Zhao. Zhao was taken to the Kingdom's \
capital, the police said. Several districts in East and Southeast Asia reported similar raids.

By the end of the month, Stung Treng and Preah Vihear provinces will also be inspected."""


ARTICLES = {
    "a-training": TRAINING,
    "a-seizure": SEIZURE,
    "a-context": CONTEXT,
    "a-units": UNITS,
    "a-people": PEOPLE,
    "a-prosecutors": PROSECUTORS,
}


def _frames(articles: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Paragraph and article frames as the paragraph stage writes them: blank-line paragraphs,
    a first line without a full stop is the title, a "Copyright" paragraph is not content."""
    para_rows, article_rows = [], []
    for article_id, text in articles.items():
        article_rows.append(
            {
                "article_id": article_id,
                "text": text,
                "title": None,
                "published_at": pd.Timestamp("2024-03-14"),
                "publisher": None,
            }
        )
        start = 0
        for index, chunk in enumerate(text.split("\n\n")):
            start = text.index(chunk, start)
            boiler = chunk.startswith("Copyright")
            para_rows.append(
                {
                    "paragraph_id": f"{article_id}-{index:04d}",
                    "article_id": article_id,
                    "paragraph_index": index,
                    "char_start": start,
                    "char_end": start + len(chunk),
                    "paragraph_text": chunk,
                    "zone": "title" if index == 0 and not chunk.endswith(".") else "body",
                    "is_boilerplate": boiler,
                    "is_duplicate": False,
                    "is_content": not boiler,
                }
            )
            start += len(chunk)
    return pd.DataFrame(para_rows), pd.DataFrame(article_rows)


@pytest.fixture(scope="module")
def result() -> dict[str, pd.DataFrame]:
    paragraphs, articles = _frames(ARTICLES)
    return annotate(paragraphs, articles, DEFAULT_MODEL, AGENCIES_CSV)


@pytest.fixture(scope="module")
def mentions(result) -> pd.DataFrame:
    return result["mentions"]


def _agencies(mentions: pd.DataFrame, article_id: str) -> dict[str, set[str]]:
    rows = mentions[(mentions.article_id == article_id) & (mentions.entity_type == "agency")]
    return {aid: set(group.surface_text) for aid, group in rows.groupby("agency_id")}


def test_frames_have_the_contract_columns(result):
    expected = {
        "sentences": SENTENCE_COLUMNS,
        "mentions": MENTION_COLUMNS,
        "crime_types": CRIME_TYPE_COLUMNS,
        "events": EVENT_COLUMNS,
        "event_agencies": EVENT_AGENCY_COLUMNS,
        "event_countries": EVENT_COUNTRY_COLUMNS,
    }
    assert set(result) == set(expected)
    for key, columns in expected.items():
        assert list(result[key].columns) == list(columns), key
        assert [str(t) for t in result[key].dtypes] == list(columns.values()), key


def test_offsets_slice_back_into_the_article_text(result):
    texts = ARTICLES
    for row in result["mentions"].itertuples():
        assert texts[row.article_id][row.char_start : row.char_end] == row.surface_text
    for row in result["sentences"].itertuples():
        assert texts[row.article_id][row.char_start : row.char_end] == row.sentence_text
    for row in result["crime_types"].itertuples():
        assert texts[row.article_id][row.char_start : row.char_end] == row.evidence_text


def test_agencies_are_found_and_linked(mentions):
    found = _agencies(mentions, "a-training")
    assert found["us-fbi"] == {"Federal Bureau of Investigation", "FBI"}
    assert found["us-dea"] == {"US Drug Enforcement Agency"}
    assert found["kh-cnp"] == {"National Police"}
    assert found["kh-moi"] == {"Ministry of Interior"}
    assert "disc-joint-transnational-crime-investigation-team" in found
    assert "disc-anti-human-trafficking-and-sexual-exploitation-unit" in found
    assert len(found) == 6, found


def test_agency_ids_are_shared_across_articles(mentions):
    agencies = mentions[mentions.entity_type == "agency"]
    fbi = agencies[agencies.agency_id == "us-fbi"]
    assert set(fbi.article_id) == {"a-training", "a-seizure"}
    assert set(fbi.entity_name) == {"Federal Bureau of Investigation"}


def test_inexact_name_and_its_acronym_link_to_one_reference_agency(mentions):
    found = _agencies(mentions, "a-seizure")
    assert found["kh-nacd"] == {"National Anti-Drug Authority", "NADA"}
    nada = mentions[(mentions.surface_text == "NADA")]
    assert len(nada) == 2
    assert set(nada.method) == {"acronym_definition"}


def test_context_decides_between_agencies(mentions):
    found = _agencies(mentions, "a-context")
    assert found == {
        "disc-tokyo-metropolitan-police-department": {"Tokyo Metropolitan Police Department"},
        "us-customs": {"US Customs Service", "Customs Service"},
        "kr-moj": {"Ministry of Justice"},
    }
    follow_up = mentions[
        (mentions.article_id == "a-context") & (mentions.surface_text == "Customs Service")
    ]
    assert set(follow_up.method) == {"coreference"}
    tokyo = mentions[mentions.agency_id == "disc-tokyo-metropolitan-police-department"]
    assert set(tokyo.agency_country_code) == {"JP"}


def test_organisations_and_places_are_not_people(mentions):
    context = mentions[mentions.article_id == "a-context"]
    assert context[context.entity_type == "person"].empty
    places = set(context[context.entity_type == "place"].entity_name)
    assert {"South Korea", "Phnom Penh", "Trapeang Kriel"} <= places
    # a city inside an agency's name is part of the name, not a place mention
    assert "Tokyo" not in places


def test_outlets_headlines_and_boilerplate_are_not_agencies(mentions):
    agencies = mentions[mentions.entity_type == "agency"]
    assert not agencies.surface_text.str.contains("Daily|International Police").any()
    boilerplate_start = TRAINING.index("Copyright")
    training = agencies[agencies.article_id == "a-training"]
    assert (training.char_start < boilerplate_start).all()


def test_agency_columns_come_from_the_reference(mentions):
    fbi = mentions[mentions.agency_id == "us-fbi"].iloc[0]
    assert (fbi.agency_acronym, fbi.agency_country_code, fbi.agency_type) == ("FBI", "US", "police")
    assert bool(fbi.agency_is_reference) and fbi.method == "reference"
    team = mentions[mentions.agency_id == "disc-joint-transnational-crime-investigation-team"]
    assert not team.agency_is_reference.any()
    assert set(team.method) <= {"discovered", "model"}
    assert mentions.confidence.between(0, 1).all()
    assert set(mentions.model_name) == {DEFAULT_MODEL}


def test_people_short_forms_resolve_to_full_names(mentions):
    people = mentions[(mentions.article_id == "a-training") & (mentions.entity_type == "person")]
    assert set(people.entity_name) == {"Sar Kheng"}
    assert set(people.surface_text) == {"Sar Kheng", "Kheng"}
    assert set(people.person_role) == {"Interior Minister"}
    vyrith = mentions[mentions.entity_name == "Meas Vyrith"]
    assert set(vyrith.person_role) == {"NADA spokesman"}


def test_places_are_normalised(mentions):
    places = mentions[mentions.entity_type == "place"]
    by_surface = {
        row.surface_text: (row.entity_name, row.country_code) for row in places.itertuples()
    }
    assert by_surface["U.S."] == ("United States", "US")
    assert by_surface["Kingdom of Cambodia"] == ("Cambodia", "KH")
    assert by_surface["Phnom Penh"] == ("Phnom Penh", "KH")
    assert by_surface["Kandal"] == ("Kandal", "KH")
    assert "Thai" not in by_surface
    assert set(places[places.surface_text == "Kandal"].place_type) == {"province"}


def test_crime_types(result):
    crimes = result["crime_types"]
    by_article = crimes.groupby("article_id").crime_type.apply(set).to_dict()
    assert by_article["a-training"] == {"human_trafficking", "money_laundering"}
    assert by_article["a-seizure"] == {"drug_trafficking", "organized_crime"}


def test_sentences_are_numbered_per_article(result):
    sentences = result["sentences"]
    for _, group in sentences.groupby("article_id"):
        assert list(group.sentence_index) == list(range(len(group)))
    mentions = result["mentions"]
    assert mentions.sentence_index.notna().all()


def test_no_content_gives_typed_empty_frames():
    paragraphs, articles = _frames({"a-empty": "Copyright nobody."})
    out = annotate(paragraphs, articles, DEFAULT_MODEL, AGENCIES_CSV, PLACES_CSV)
    assert all(frame.empty for frame in out.values())
    assert str(out["mentions"].char_start.dtype) == "Int64"
    assert str(out["events"].event_date.dtype) == "datetime64[us]"


def test_missing_model_names_the_setting():
    with pytest.raises(RuntimeError, match="NEWS_SPACY_MODEL"):
        load_model("no_such_spacy_model_installed")


def test_every_reference_name_links_back_to_its_agency():
    reference = AgencyReference.from_csv(AGENCIES_CSV, Gazetteer.from_csv(PLACES_CSV))
    assert 150 <= len(reference.agencies) <= 400
    wrong = []
    for agency in reference.agencies:
        # an embassy is known by where it stands: its host country is the article's context
        rank = tuple(dict.fromkeys(c for c in (reference.where(agency), agency.country_code)))
        rank = () if rank == ("INT",) else rank
        for form in (agency.canonical_name, *agency.aliases):
            if is_acronym_like(form):
                ok = agency in reference.by_acronym(form)
            else:
                link = link_agency_name(form, reference, rank)
                ok = link is not None and link.agency == agency
            if not ok:
                wrong.append((agency.agency_id, form))
    assert wrong == []


def _by_surface(mentions: pd.DataFrame, article_id: str, entity_type: str) -> dict[str, str]:
    rows = mentions[(mentions.article_id == article_id) & (mentions.entity_type == entity_type)]
    return dict(zip(rows.surface_text, rows.entity_name, strict=True))


def test_units_of_agencies_are_named_after_their_parent(mentions):
    agencies = mentions[(mentions.article_id == "a-units") & (mentions.entity_type == "agency")]
    by_surface = dict(zip(agencies.surface_text, agencies.agency_id, strict=False))
    bureau = "disc-international-cooperation-bureau-of-the-korean-national-police-agency"
    assert by_surface["International Cooperation Bureau"] == bureau
    assert by_surface["KNPA"] == "kr-knpa"
    # the unit is named with its agency's acronym, which stays a mention of that agency
    field = agencies[agencies.surface_text == "Bangkok Field Office"].iloc[0]
    assert field.entity_name == "HSI Bangkok Field Office"
    assert (field.agency_country_code, field.agency_is_reference) == ("US", False)
    assert by_surface["HSI"] == by_surface["Homeland Security Investigations"] == "us-hsi"


def test_embassies_abroad_are_not_the_embassies_in_phnom_penh(mentions):
    found = _by_surface(mentions, "a-units", "agency")
    assert found["Embassy of Japan in the Lao PDR"] == "Embassy of Japan in Laos"
    assert found["Cambodian Embassy in Bangkok"] == "Embassy of Cambodia in Thailand"
    assert found["Vietnamese Embassy in Phnom Penh"] == "Embassy of Vietnam in Cambodia"


def test_court_complements_and_provincial_police(mentions):
    found = _by_surface(mentions, "a-units", "agency")
    court = "U.S. District Court for the Central District of California"
    assert found[court] == "District Court for the Central District of California"
    tay_ninh = {found["Tay Ninh Police"], found["Tay Ninh Province Police"]}
    assert tay_ninh == {"Tay Ninh Provincial Police Department"}
    # a titled person is not an agency, and a short form does not take over another name
    assert not any("Minister" in surface for surface in found)
    people = _by_surface(mentions, "a-units", "person")
    assert people.get("Sar") is None


def test_people_from_bylines_titles_appositions_ages_and_surnames(mentions):
    people = mentions[(mentions.article_id == "a-people") & (mentions.entity_type == "person")]
    assert set(people.entity_name) == {
        "Lim Sokhim",
        "Park Ji-hoon",
        "Hem Vannak",
        "Somchai Jaidee",
        "Mey Sovann",
        "Zhao",
    }
    assert (people.entity_name == "Zhao").sum() == 2
    authors = people[people.person_role == "author"]
    assert set(authors.entity_name) == {"Lim Sokhim", "Park Ji-hoon", "Hem Vannak"}
    # ranks alone are not a role
    assert people[people.entity_name == "Somchai Jaidee"].person_role.isna().all()
    units = mentions[(mentions.article_id == "a-units") & (mentions.entity_type == "person")]
    assert "Park Ji-hoon" in set(units.entity_name)


def test_places_before_kind_nouns_and_generic_words(mentions):
    places = mentions[(mentions.article_id == "a-people") & (mentions.entity_type == "place")]
    found = dict(zip(places.surface_text, places.entity_name, strict=False))
    assert found["Nueva Ecija"] == "Nueva Ecija"
    assert found["Ochheuteal"] == "Ochheuteal"
    assert found["Cham Yeam"] == "Cham Yeam"
    assert {"Stung Treng", "Preah Vihear", "Southeast Asia"} <= set(found)
    assert not {"Kingdom", "East", "Several", "Nueva Ecija province"} & set(found)
    kinds = dict(zip(places.entity_name, places.place_type, strict=False))
    assert (kinds["Nueva Ecija"], kinds["Ochheuteal"]) == ("province", "region")


@pytest.mark.parametrize(
    ("surface", "name"),
    [("Viet Nam", "Vietnam"), ("Ubon", "Ubon Ratchathani"), ("Vang Tao", "Vangtao")],
)
def test_gazetteer_aliases(surface, name):
    place = Gazetteer.from_csv(PLACES_CSV).lookup(surface)
    assert place is not None and place.name == name


FURNITURE = """Police Deport Scam Suspects

By Lim Sokhim

Officers deported 40 suspects to China on Monday, police said.

Media contact: none

Keo Sarath, spokesman, General Department of Immigration, Phnom Penh

Related: Interpol and the FBI raid a compound in Kampot province"""


def test_attribution_lines_of_page_furniture_are_read_for_people_only():
    paragraphs, articles = _frames({"a-furniture": FURNITURE})
    furniture = ~paragraphs.paragraph_text.str.startswith(("Police Deport", "Officers"))
    paragraphs.loc[furniture, ["is_boilerplate", "is_content"]] = [True, False]
    out = annotate(paragraphs, articles, DEFAULT_MODEL, AGENCIES_CSV, PLACES_CSV)
    mentions = out["mentions"]
    people = mentions[mentions.entity_type == "person"]
    assert set(people.entity_name) == {"Lim Sokhim", "Keo Sarath"}
    assert people.sentence_index.isna().all()
    # nothing else is read from page furniture
    others = mentions[mentions.entity_type != "person"]
    assert set(others.surface_text) == {"China"}
    assert len(out["sentences"]) == 2
    assert set(out["crime_types"].evidence_text) <= set(out["sentences"].sentence_text)


def test_an_archive_photo_caption_is_read_for_names_but_states_no_event():
    caption = "FILE - Police officers arrested a drug suspect in Phnom Penh on May 2, 2019."
    paragraphs, articles = _frames(
        {"a-file": f"{caption}\n\nThe court will hear the case of the man next week."}
    )
    paragraphs.loc[paragraphs.paragraph_index == 0, "zone"] = "caption"
    out = annotate(paragraphs, articles, DEFAULT_MODEL, AGENCIES_CSV, PLACES_CSV)
    assert "Phnom Penh" in set(out["mentions"].entity_name)
    assert out["events"].empty
    paragraphs.loc[paragraphs.paragraph_index == 0, "zone"] = "body"
    out = annotate(paragraphs, articles, DEFAULT_MODEL, AGENCIES_CSV, PLACES_CSV)
    assert list(out["events"].event_type) == ["arrest"]


def test_prosecutors_and_offices_named_after_titles(mentions):
    agencies = mentions[
        (mentions.article_id == "a-prosecutors") & (mentions.entity_type == "agency")
    ]
    found = {
        row.surface_text: (row.entity_name, row.agency_country_code, row.agency_type)
        for row in agencies.itertuples()
    }
    assert found["Office of the Attorney General"] == (
        "Office of the Attorney General",
        "TH",
        "judiciary",
    )
    assert found["Malaysian Attorney-General's Chambers"] == (
        "Attorney-General's Chambers",
        "MY",
        "judiciary",
    )
    assert found["National Central Bureau"][0] == (
        "National Central Bureau of the International Criminal Police Organization"
    )
    # a title alone is not an agency
    assert "Attorney General" not in found
    assert not any("John Smith" in surface for surface in found)


FIRMS = """Drelco, the state-owned gas monopoly, lost the auction to a shell company.

Analysts said Drelco had wanted the oil unit. Shareholders of telecoms giant Marvane sued, \
and Marvane said it would fight.

Kalvar, a Texas-based company, admitted bribing officials in Benin. Prosecutors said Kalvar \
paid the agent, and chief executive Dara Sokha apologised."""


def test_names_the_text_calls_firms_are_neither_places_nor_people():
    paragraphs, articles = _frames({"a-firms": FIRMS})
    found = annotate(paragraphs, articles, DEFAULT_MODEL, AGENCIES_CSV)["mentions"]
    named = set(found[found.entity_type.isin(["place", "person"])].entity_name)
    assert not named & {"Drelco", "Marvane", "Kalvar"}
    assert {"Texas", "Benin", "Dara Sokha"} <= named


NAMES_IN_PROSE = """At the Provincial Anti-Fraud Bureau in Phnom Penh, officers questioned two \
suspects.

From the Border Liaison Office in Poipet came word of the arrests.

Ministers debated the Serious Crime and Police Bill on Monday, and the National Police Act was \
amended in Phnom Penh.

Lawyer Sam Sokong said the court would rule on Monday.

Opposition MP Son Chhay and Rights Group Director Am Sam Ath said the raid was unlawful. But \
Dara Vann, Labour MP for Kandal, said it was lawful."""


def test_names_lose_an_opening_preposition_a_role_or_a_title_and_laws_name_no_agency():
    paragraphs, articles = _frames({"a-prose": NAMES_IN_PROSE})
    found = annotate(paragraphs, articles, DEFAULT_MODEL, AGENCIES_CSV)["mentions"]
    agencies = found[found.entity_type == "agency"]
    assert set(agencies.surface_text) == {"Provincial Anti-Fraud Bureau", "Border Liaison Office"}
    people = found[found.entity_type == "person"]
    assert (
        set(people.surface_text)
        == set(people.entity_name)
        == {
            "Sam Sokong",
            "Son Chhay",
            "Am Sam Ath",
            "Dara Vann",
        }
    )


NON_GOVERNMENT = """He wrote a report for the Asia Security Centre think tank in Bangkok.

The Regional Crime Research Centre, an independent charity, trained officers in Phnom Penh \
with the Provincial Anti-Fraud Bureau."""


def test_bodies_the_text_calls_charities_or_think_tanks_are_not_agencies():
    paragraphs, articles = _frames({"a-ngo": NON_GOVERNMENT})
    found = annotate(paragraphs, articles, DEFAULT_MODEL, AGENCIES_CSV)["mentions"]
    agencies = found[found.entity_type == "agency"]
    assert set(agencies.surface_text) == {"Provincial Anti-Fraud Bureau"}
