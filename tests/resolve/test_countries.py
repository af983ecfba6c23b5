"""Country of an address: pycountry names plus the spellings real exports use."""

from __future__ import annotations

import pytest

from graphkit.resolve.countries import alpha3, country_name, country_of


@pytest.mark.parametrize(("address", "code"), [
    # Web of Science
    ("Univ Seville, Escuela Super Ingn, Camino Descubrimientos S-N, Seville 41092, Spain.", "ES"),
    ("Duke Univ, Durham, NC 27710 USA.", "US"),
    ("Peking Univ, Beijing 100871, Peoples R China.", "CN"),
    ("Univ Oxford, Oxford OX1 2JD, England", "GB"),
    ("Univ Edinburgh, Edinburgh, Midlothian, Scotland", "GB"),
    ("Cardiff Univ, Cardiff, S Glam, Wales", "GB"),
    ("Queens Univ Belfast, Belfast, Antrim, North Ireland", "GB"),
    ("Seoul Natl Univ, Seoul, South Korea", "KR"),
    ("Moscow MV Lomonosov State Univ, Moscow, Russia", "RU"),
    ("UAE Univ, Al Ain, U Arab Emirates", "AE"),
    ("Univ Toronto, Toronto, ON, Canada", "CA"),
    ("Sherbrooke Univ, Montreal, PQ, Canada", "CA"),
    ("Ctr Addict, 200-100 Collip Circle, London, ON N6G 4X8, Canada", "CA"),
    ("Univ Connecticut, Storrs, CT, 06269, USA, USA.", "US"),  # Zoological Record
    # MEDLINE / Scopus
    ("Department of X, Maastricht University, Maastricht, The Netherlands.", "NL"),
    ("Cleveland Clinic, Cleveland, OH, U.S.A.", "US"),
    ("Harvard Medical School, Boston, MA 02115, United States of America", "US"),
    ("University of Lodz, Poland. Electronic address: someone@example.org.", "PL"),
    ("Kishore College, Kolkata, 700060, India; email: someone@example.org", "IN"),
    ("Institute of X, Tehran, Iran", "IR"),
    ("Hanoi Medical University, Hanoi, Viet Nam", "VN"),
    ("Universidad de Granada, 18071 Granada, (Spain)", "ES"),
    ("Tufts Medical Center, Boston, MA (P.S.G., M.J.S.)", "US"),
    ("Point Reyes StationCA  94956, United States", "US"),
    ("Dept Pharmacology, Wright State University, Dayton, OH 45435 ( ; ).", "US"),
    ("University of Science and Technology of China, Hefei, Anhui Province, People's Republic of China 230026.",
     "CN"),
    ("Department of Anthropology, University of British Columbia, Vancouver, BC, Canada V6T 1Z1.", "CA"),
    ("City Univ Hong Kong, Dept Comp Sci, Kowloon, Hong Kong, Peoples R China.", "HK"),
    ("Univ Macau, Fac Sci & Technol, Taipa, Macau, Peoples R China.", "MO"),
    ("1 California Department of Food and Agriculture, Sacramento, CA 95832; and.", "US"),
    ("Queensland Department of Health, Herston, Qld 4006, Australia. Email.", "AU"),
    ("University of New Mexico, Albuquerque, New Mexico", "US"),  # not Mexico
    ("University of Sydney, Sydney, New South Wales", "AU"),  # not Wales
    ("Princeton University, Princeton, New Jersey", "US"),  # not Jersey
    ("Environmental Genetics Facility Northern Arizona University Flagstaff Arizona.", "US"),
    ("Department of Genetics, University of Georgia.", "US"),  # the state, not the country
    ("Ilia State University, Tbilisi, Georgia", "GE"),
    ("Tbilisi State Univ, Dept Appl Math & Comp Sci, GE-380028 Tbilisi, Rep of Georgia.", "GE"),
    # no country, but a US state or Canadian province
    ("Harvard Med Sch, Boston, MA 02115", "US"),
    ("Cleveland Clinic, Cleveland, OH", "US"),
    ("National Institute of Mental Health, Bethesda, Maryland", "US"),
    ("University of Toronto, Toronto, Ontario", "CA"),
    ("BioMedCom Consultants, Dorval, Quebec, Canada (MMG, MW, HK)", "CA"),
])
def test_country_of_real_addresses(address, code):
    assert country_of(address) == code


@pytest.mark.parametrize("address", [
    "University of Washington, Seattle",  # a city alone is not guessed
    "Institute, Paris",
    "Department of Otolaryngology, University Hospital of Getafe.",
    "NA",
    "",
    "Georgia Institute of Technology, Atlanta",  # a country's name inside an institution's is not its country
])
def test_addresses_without_a_country_stay_without(address):
    assert country_of(address) is None


def test_names_and_alpha3_come_from_pycountry():
    assert country_name("GB") == "United Kingdom"
    assert country_name("IR") == "Iran"  # the common name where ISO has one
    assert alpha3("ES") == "ESP" and alpha3("es") == "ESP"
    assert alpha3("XK") is None
