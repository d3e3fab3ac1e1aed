"""Event extraction helpers: date resolution, quantities, trigger types and clause status."""

from __future__ import annotations

import calendar
from datetime import date, datetime

import pytest

from dagster_project.lib.events import (
    detect_status,
    find_quantities,
    parse_quantity,
    resolve_date,
)
from dagster_project.lib.pipeline import load_pipeline
from dagster_project.lib.settings import SPACY_MODEL

WED = date(2023, 11, 22)  # a Wednesday


def day(y: int, m: int, d: int) -> tuple[date, date, str]:
    return date(y, m, d), date(y, m, d), "day"


def days(start: date, end: date) -> tuple[date, date, str]:
    return start, end, "day"


def month(y: int, m: int, last: int | None = None) -> tuple[date, date, str]:
    end = last or m
    return date(y, m, 1), date(y, end, calendar.monthrange(y, end)[1]), "month"


def year(y: int) -> tuple[date, date, str]:
    return date(y, 1, 1), date(y, 12, 31), "year"


# --------------------------------------------------------------------------------------------
# Dates: text, publication date (the base), preferred direction, expected (start, end, precision)

DATE_CASES = [
    pytest.param("in 2022", None, "past", year(2022), id="year"),
    pytest.param("In October 2020", None, "past", month(2020, 10), id="month_year"),
    pytest.param("In October", WED, "past", month(2023, 10), id="month_this_year"),
    pytest.param("in December", WED, "past", month(2022, 12), id="month_last_year"),
    pytest.param("in November", WED, "past", month(2023, 11), id="month_current"),
    pytest.param("on November 7", WED, "past", day(2023, 11, 7), id="month_day"),
    pytest.param("Sept 11, 2001", None, "past", day(2001, 9, 11), id="full_date"),
    pytest.param("20 November 2009", None, "past", day(2009, 11, 20), id="day_month_year"),
    pytest.param("on the night of May 20, 2022", None, "past", day(2022, 5, 20), id="night_of"),
    pytest.param(
        "on 27 and 28 October 2010",
        None,
        "past",
        days(date(2010, 10, 27), date(2010, 10, 28)),
        id="day_range",
    ),
    pytest.param(
        "13 and 14 November",
        WED,
        "past",
        days(date(2023, 11, 13), date(2023, 11, 14)),
        id="day_range_no_year",
    ),
    pytest.param(
        "the January-November period of 2024", None, "past", month(2024, 1, 11), id="month_range"
    ),
    pytest.param(
        "last week", WED, "past", days(date(2023, 11, 13), date(2023, 11, 19)), id="last_week"
    ),
    pytest.param("on Tuesday", WED, "past", day(2023, 11, 21), id="weekday_past"),
    pytest.param("on Wednesday", WED, "past", day(2023, 11, 22), id="weekday_is_base_day"),
    pytest.param("on Tuesday", WED, "future", day(2023, 11, 28), id="weekday_planned"),
    pytest.param("yesterday", WED, "past", day(2023, 11, 21), id="yesterday"),
    pytest.param("last month", WED, "past", month(2023, 10), id="last_month"),
    pytest.param("Last year", WED, "past", year(2022), id="last_year"),
    pytest.param("Dec. 22 last year", WED, "past", day(2022, 12, 22), id="day_last_year"),
    pytest.param(
        "on Tuesday", datetime(2023, 11, 22, 9, 30), "past", day(2023, 11, 21), id="datetime_base"
    ),
]

UNRESOLVED_CASES = [
    pytest.param("In October", None, id="month_without_base"),
    pytest.param("on November 7", None, id="day_without_base"),
    pytest.param("last week", None, id="relative_without_base"),
    pytest.param("on Tuesday", None, id="weekday_without_base"),
    pytest.param("in recent years", WED, id="vague"),
    pytest.param("since 2019", WED, id="open_range"),
    pytest.param("10 days", WED, id="duration"),
    pytest.param("at some time", WED, id="some_time"),
    pytest.param("", WED, id="empty"),
]


@pytest.mark.parametrize(("text", "base", "prefer", "expected"), DATE_CASES)
def test_resolve_date(text, base, prefer, expected):
    assert resolve_date(text, base, prefer) == expected


@pytest.mark.parametrize(("text", "base"), UNRESOLVED_CASES)
def test_resolve_date_never_invents(text, base):
    assert resolve_date(text, base) == (None, None, None)


# --------------------------------------------------------------------------------------------
# Quantities: text, expected (quantity_text, value, unit, qualifier, substance)

METH = "methamphetamine"
QUANTITY_CASES = [
    pytest.param(
        "over 1,500 kg of methamphetamine",
        ("over 1,500 kg of methamphetamine", 1500.0, "kg", "over", METH),
        id="kg_over",
    ),
    pytest.param(
        "more than a ton of ketamine and other drugs",
        ("more than a ton of ketamine", 1.0, "t", "more than", "ketamine"),
        id="a_ton",
    ),
    pytest.param(
        "about 300 grams of illicit drugs",
        ("about 300 grams of illicit drugs", 300.0, "g", "about", "illicit drugs"),
        id="grams",
    ),
    pytest.param(
        "more than 10,000 methamphetamine tablets",
        ("more than 10,000 methamphetamine tablets", 10000.0, "pills", "more than", METH),
        id="tablets",
    ),
    pytest.param(
        "5,000 litres of safrole oil",
        ("5,000 litres of safrole oil", 5000.0, "l", None, "safrole oil"),
        id="litres",
    ),
    pytest.param(
        "$1.2 million in cash", ("$1.2 million", 1_200_000.0, "USD", None, None), id="dollars"
    ),
    pytest.param("US$3 million", ("US$3 million", 3e6, "USD", None, None), id="us_dollars"),
    pytest.param(
        "nearly 750 suspects",
        ("nearly 750 suspects", 750.0, "people", "nearly", None),
        id="suspects",
    ),
    pytest.param(
        "312 Chinese nationals",
        ("312 Chinese nationals", 312.0, "people", None, None),
        id="nationals",
    ),
    pytest.param(
        "two Laotian men", ("two Laotian men", 2.0, "people", None, None), id="word_number"
    ),
    pytest.param(
        "1,133 Chinese (222 of them women)",
        ("1,133 Chinese", 1133.0, "people", None, None),
        id="demonym_count",
    ),
    pytest.param(
        "a total of 13.3 tons of illicit drugs",
        ("a total of 13.3 tons of illicit drugs", 13.3, "t", "a total of", "illicit drugs"),
        id="tonnes_total",
    ),
]


@pytest.mark.parametrize(("text", "expected"), QUANTITY_CASES)
def test_parse_quantity(text, expected):
    q = parse_quantity(text)
    assert (q.text, q.value, q.unit, q.qualifier, q.substance) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("three major sweeps", id="operations_are_not_units"),
        pytest.param("aged 40 and 58", id="ages"),
        pytest.param("no numbers here", id="no_number"),
        pytest.param("a suspect was held", id="article_is_not_a_count"),
    ],
)
def test_parse_quantity_none(text):
    assert parse_quantity(text) is None


def test_find_quantities_lists_every_item_in_order():
    found = find_quantities("8 kg of crystal meth, 1.13 kg of liquid meth and 54 grams of ketamine")
    assert [(q.value, q.unit) for q in found] == [(8.0, "kg"), (1.13, "kg"), (54.0, "g")]


# --------------------------------------------------------------------------------------------
# Triggers and status need a parse: the real model, loaded once for the module.


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline(SPACY_MODEL.default)


def token(nlp, sentence: str, word: str):
    doc = nlp(sentence)
    return next(t for t in doc if t.text == word)


TRIGGER_CASES = [
    pytest.param(
        "Police arrested five suspects on Monday.", "arrested", "arrest", id="arrest_verb"
    ),
    pytest.param(
        "Officers seized 20 kg of heroin at the border.", "seized", "seizure", id="seizure_verb"
    ),
    pytest.param("Police cracked down on gambling dens.", "cracked", "operation", id="crack_down"),
    pytest.param("A raid on the compound freed 40 workers.", "raid", "operation", id="raid_noun"),
    pytest.param(
        "The joint operation lasted two days.", "operation", "operation", id="police_operation"
    ),
    pytest.param("Scam operations thrive in the region.", "operations", None, id="scam_operations"),
    pytest.param(
        "The ministers signed a memorandum of understanding.",
        "signed",
        "agreement",
        id="sign_agreement",
    ),
    pytest.param("Sign up for our newsletter today.", "Sign", None, id="sign_up"),
    pytest.param(
        "Cambodia agreed to boost cooperation with Laos.", "agreed", "agreement", id="agree_to"
    ),
    pytest.param("Officials agreed that the problem is serious.", "agreed", None, id="agree_that"),
    pytest.param(
        "The two ministers agreed to share intelligence.", "agreed", "agreement", id="agree_both"
    ),
    pytest.param(
        "The committee agreed to postpone its decision.", "agreed", None, id="agree_one_party"
    ),
    pytest.param(
        "Thai officers escorted the fugitives back to Korea.",
        "escorted",
        "deportation",
        id="escort_people_back",
    ),
    pytest.param(
        "The delegation decided to fly back home early.", "fly", None, id="fly_back_oneself"
    ),
    pytest.param(
        "The thriller Catch Them If You Can opened in cinemas last week.",
        "Catch",
        None,
        id="verb_in_title_of_work",
    ),
    pytest.param(
        "Interpol officials met their Thai counterparts.", "met", "meeting", id="meet_people"
    ),
    pytest.param("The new unit met the demands of the public.", "met", None, id="meet_demands"),
    pytest.param("The two sides held talks in Hanoi.", "talks", "meeting", id="talks"),
    pytest.param("Leaders attended the summit in Jakarta.", "summit", "conference", id="summit"),
    pytest.param(
        "The FBI will open an office in Phnom Penh.", "open", "office_opening", id="open_office"
    ),
    pytest.param("The court will open the trial next week.", "open", None, id="open_trial"),
    pytest.param(
        "They attended a training session in May.", "training", "training", id="training_session"
    ),
    pytest.param(
        "The agency gives training support to partners.", "training", None, id="training_support"
    ),
    pytest.param(
        "Thailand extradited the suspect to Korea.", "extradited", "extradition", id="extradite"
    ),
    pytest.param("Immigration deported 45 foreigners.", "deported", "deportation", id="deport"),
    pytest.param("Police will inspect all guesthouses.", "inspect", "inspection", id="inspect"),
    pytest.param("The country was placed on the grey list.", "list", "ranking", id="grey_list"),
    pytest.param("The list of suspects was published.", "list", None, id="plain_list"),
    pytest.param("Cambodia dropped to Tier 3 last year.", "Tier", "ranking", id="tier"),
    pytest.param("Police recovered stolen motorbikes.", "recovered", "seizure", id="recover_goods"),
    pytest.param("He recovered from his injuries.", "recovered", None, id="recover_health"),
    pytest.param("The warehouse caught fire.", "caught", None, id="catch_fire"),
    # people handed over to another state's police are repatriated; things handed over are not
    pytest.param(
        "Cambodian authorities handed over 23 Vietnamese nationals to Vietnamese police.",
        "handed",
        "deportation",
        id="hand_over_people",
    ),
    pytest.param(
        "Thai police handed the three suspects to Chinese police.",
        "handed",
        "deportation",
        id="hand_people_to_police",
    ),
    pytest.param(
        "UNODC handed over 30 field test kits to the border offices.",
        "handed",
        None,
        id="hand_over_equipment",
    ),
    pytest.param(
        "The handover of 12 fugitives took place at the border.",
        "handover",
        "deportation",
        id="handover_of_people",
    ),
    pytest.param(
        "The handover of power took place in 2023.", "handover", None, id="handover_of_power"
    ),
    pytest.param(
        "He was taken into custody by the Busan police.", "taken", "arrest", id="into_custody"
    ),
    pytest.param(
        "Traffickers will be held to account wherever they are.",
        "held",
        None,
        id="held_to_account",
    ),
    pytest.param(
        "All 68 people had been blacklisted from re-entering the Kingdom.",
        "blacklisted",
        None,
        id="blacklisted_people",
    ),
    pytest.param(
        "Cambodia was blacklisted by the FATF.", "blacklisted", "ranking", id="blacklisted_country"
    ),
    pytest.param(
        "The watchdog downgraded the country to its lowest tier.",
        "downgraded",
        "ranking",
        id="downgraded_country",
    ),
    pytest.param("Ruritania ranked 140th of 180 states.", "ranked", "ranking", id="ranked_itself"),
    pytest.param(
        "Safeguards for tenants were downgraded by the new law.",
        "downgraded",
        None,
        id="downgraded_safeguards",
    ),
    pytest.param(
        "Last year we upgraded to a faster connection.", "upgraded", None, id="upgraded_oneself"
    ),
    pytest.param(
        "Police found about 120 mobile phones in the villa.",
        "found",
        "seizure",
        id="search_found_items",
    ),
    pytest.param(
        "About 300 kg of heroin was found hidden in a truck.",
        "found",
        "seizure",
        id="found_drugs_passive",
    ),
    pytest.param(
        "Police said they found 3.5 kg of cocaine in his villa.",
        "found",
        "seizure",
        id="found_drugs_by_amount",
    ),
    pytest.param("The study found 60 percent of victims were women.", "found", None, id="study"),
    pytest.param("Police found three bodies in the river.", "found", None, id="found_bodies"),
    pytest.param(
        "Police rounded up 50 suspected scammers.", "rounded", "arrest", id="round_up_people"
    ),
    pytest.param("Officials rounded up the figures.", "rounded", None, id="round_up_figures"),
    pytest.param(
        "Police dismantled a trafficking ring in March.",
        "dismantled",
        "operation",
        id="dismantle_ring",
    ),
    pytest.param(
        "The government dismantled the old regulations.", "dismantled", None, id="dismantle_rules"
    ),
    pytest.param(
        "The Interpol chief paid a courtesy call on the minister.",
        "call",
        "meeting",
        id="courtesy_call",
    ),
    pytest.param("The spokesman took a call from reporters.", "call", None, id="phone_call"),
    pytest.param(
        "The Interpol chief visited the Minister of Interior on Monday.",
        "visited",
        "meeting",
        id="visit_an_official",
    ),
    pytest.param("The delegation visited the old harbour.", "visited", None, id="visit_a_site"),
    pytest.param(
        "The ambassador called on the police chief last week.",
        "called",
        "meeting",
        id="call_on_an_official",
    ),
    pytest.param("The minister called on Thailand to act.", "called", None, id="call_on_to_act"),
    pytest.param(
        "The ministry created a new anti-trafficking unit.",
        "created",
        "office_opening",
        id="create_unit",
    ),
    pytest.param(
        "Police discovered a methamphetamine lab in the forest.",
        "discovered",
        "seizure",
        id="discover_lab",
    ),
    pytest.param(
        "The fugitive was returned to Australia on Friday.",
        "returned",
        "deportation",
        id="returned_someone",
    ),
    pytest.param(
        "The minister returned to Phnom Penh on Friday.", "returned", None, id="returned_home"
    ),
    pytest.param(
        "Cambodia ordered 30 foreigners out of the country.",
        "ordered",
        "deportation",
        id="order_out",
    ),
    pytest.param(
        "Officers rescued 40 workers from a compound.", "rescued", "operation", id="rescue_people"
    ),
    pytest.param("Laos is a Tier 2 country.", "Tier", "ranking", id="tier_as_modifier"),
    pytest.param(
        "The handover ceremony of the new building took place.",
        "handover",
        None,
        id="handover_of_a_building",
    ),
    pytest.param(
        "Cambodia is preparing for its next mutual evaluation by the APG.",
        "evaluation",
        "inspection",
        id="mutual_evaluation",
    ),
    pytest.param(
        "Officials approved a new national risk assessment.",
        "assessment",
        None,
        id="risk_assessment",
    ),
]


@pytest.mark.parametrize(("sentence", "word", "expected"), TRIGGER_CASES)
def test_trigger_component_types_each_trigger_word(nlp, sentence, word, expected):
    assert token(nlp, sentence, word)._.event_type == expected


STATUS_CASES = [
    pytest.param("The FBI arrested the suspect last week.", "arrested", "happened", id="past"),
    pytest.param(
        "Cambodia has signed an extradition treaty with China.", "signed", "happened", id="perfect"
    ),
    pytest.param(
        "Police are preparing inspections of all hotels.", "inspections", "planned", id="preparing"
    ),
    pytest.param("Police will inspect all guesthouses.", "inspect", "planned", id="will"),
    pytest.param(
        "The minister is set to sign the agreement next month.", "sign", "planned", id="set_to"
    ),
    pytest.param(
        "Plans were still being drawn for the inspections.",
        "inspections",
        "planned",
        id="plans_drawn",
    ),
    pytest.param(
        "Negotiations with Thailand are still underway.", "Negotiations", "ongoing", id="underway"
    ),
    pytest.param(
        "Officers are attending a training course in Bangkok.",
        "course",
        "ongoing",
        id="progressive",
    ),
    pytest.param(
        "The country is currently on the grey list.", "list", "ongoing", id="current_listing"
    ),
    pytest.param("The conference ends on Friday.", "conference", "ongoing", id="present_with_time"),
    pytest.param(
        "UNODC provides training to border officers.", "training", None, id="generic_present"
    ),
    pytest.param(
        "Language barriers can complicate joint operations.", "operations", None, id="modal"
    ),
    pytest.param(
        "If they flee, police will seek their extradition.", "extradition", None, id="conditional"
    ),
    pytest.param("Officials did not sign any agreement.", "sign", None, id="negated"),
    pytest.param(
        "Customs is responsible for checking cargo.", "checking", None, id="responsible_for"
    ),
    pytest.param("He hoped the US would send police for training.", "training", None, id="wish"),
    pytest.param("No arrests were made since the 2001 attacks.", "arrests", None, id="time_anchor"),
    # present passive of a planning verb
    pytest.param(
        "A trilateral meeting with Laos is planned for June.",
        "meeting",
        "planned",
        id="is_planned_for",
    ),
    pytest.param(
        "The first course is scheduled for February 2025.",
        "course",
        "planned",
        id="is_scheduled_for",
    ),
    # reported speech: "would" after a past reporting verb is a shifted "will"
    pytest.param(
        "She said the committee would hold a meeting with foreign partners in January.",
        "meeting",
        "planned",
        id="said_would",
    ),
    pytest.param(
        "Interpol said a second phase of the operation would be launched later this year.",
        "operation",
        "planned",
        id="said_phase_would",
    ),
    pytest.param(
        "Officials say the operation would cost millions.", "operation", None, id="say_would"
    ),
    pytest.param(
        "The minister said Cambodia would never extradite its own citizens.",
        "extradite",
        None,
        id="said_would_never",
    ),
    pytest.param(
        "He said the police would arrest the suspects if they returned.",
        "arrest",
        None,
        id="said_would_if",
    ),
    pytest.param(
        "The NPA is arranging a chartered flight to repatriate the suspects.",
        "repatriate",
        "planned",
        id="arranging_means_to",
    ),
    pytest.param(
        "The agency needs a plane to repatriate the suspects.",
        "repatriate",
        None,
        id="purpose_of_a_need",
    ),
    pytest.param(
        "Another group of 37 suspects, arrested in Kampot last week, is expected to be sent "
        "back to China.",
        "arrested",
        "happened",
        id="dated_reduced_relative",
    ),
    pytest.param(
        "The foreigners are being questioned by immigration officers and will be deported "
        "once their identities have been verified.",
        "deported",
        "planned",
        id="questioned_is_not_a_denial",
    ),
    pytest.param(
        "Police said the seizure was the result of a joint operation by the Thai police.",
        "operation",
        "happened",
        id="result_of_operation",
    ),
    pytest.param(
        "The KNPA will host Cambodian investigators for a training course in Seoul.",
        "course",
        "planned",
        id="host_for_course",
    ),
    pytest.param(
        "The network is part of the framework of the Mekong MOU, signed by six countries in 1993.",
        "MOU",
        "happened",
        id="participle_after_of_phrase",
    ),
    # rules and provisions, not events
    pytest.param(
        "We will continue to inspect every building where there is information about fraud.",
        "inspect",
        None,
        id="every_building",
    ),
    pytest.param(
        "Police will arrest anyone who sells drugs near schools.", "arrest", None, id="anyone"
    ),
    pytest.param(
        "Under the agreement, the two sides will coordinate the repatriation of victims.",
        "repatriation",
        None,
        id="terms_of_agreement",
    ),
    pytest.param(
        "Under the agreement, Cambodia will extradite the suspect on Monday.",
        "extradite",
        "planned",
        id="terms_with_a_date",
    ),
]


@pytest.mark.parametrize(("sentence", "word", "expected"), STATUS_CASES)
def test_detect_status(nlp, sentence, word, expected):
    doc = nlp(sentence)
    trigger = next(t for t in doc if t.text == word)
    assert detect_status(doc[:], trigger) == expected


def test_detect_status_defaults_to_first_trigger(nlp):
    doc = nlp("Police will raid the casino next week.")
    assert detect_status(doc[:]) == "planned"


def test_detect_status_without_trigger_is_none(nlp):
    doc = nlp("The weather was pleasant in Phnom Penh.")
    assert detect_status(doc[:]) is None


def test_present_tense_with_past_date_is_happened(nlp):
    doc = nlp("Officials sign an agreement on Monday.")
    published = datetime(2023, 11, 22)
    assert detect_status(doc[:], published_at=published) == "happened"
