"""ISO 3166 region codes, the EU and EEA groups, and how to name them in prose.

Licenses exclude "the EU" while organisations say where they operate country by
country, so every comparison goes through `expand_regions`, which turns the
`EU` and `EEA` group codes into their member states. The code list is kept here
as data (no third-party dependency) and is checked at profile load, so a typo
such as `UK` fails with a hint instead of silently matching nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

_NAMES_TABLE = """
AD Andorra|AE United Arab Emirates|AF Afghanistan|AG Antigua and Barbuda|AI Anguilla
AL Albania|AM Armenia|AO Angola|AQ Antarctica|AR Argentina|AS American Samoa
AT Austria|AU Australia|AW Aruba|AX Aland Islands|AZ Azerbaijan
BA Bosnia and Herzegovina|BB Barbados|BD Bangladesh|BE Belgium|BF Burkina Faso
BG Bulgaria|BH Bahrain|BI Burundi|BJ Benin|BL Saint Barthelemy|BM Bermuda|BN Brunei
BO Bolivia|BQ Bonaire, Sint Eustatius and Saba|BR Brazil|BS Bahamas|BT Bhutan
BV Bouvet Island|BW Botswana|BY Belarus|BZ Belize|CA Canada|CC Cocos (Keeling) Islands
CD Democratic Republic of the Congo|CF Central African Republic|CG Congo
CH Switzerland|CI Cote d'Ivoire|CK Cook Islands|CL Chile|CM Cameroon|CN China
CO Colombia|CR Costa Rica|CU Cuba|CV Cabo Verde|CW Curacao|CX Christmas Island
CY Cyprus|CZ Czechia|DE Germany|DJ Djibouti|DK Denmark|DM Dominica
DO Dominican Republic|DZ Algeria|EC Ecuador|EE Estonia|EG Egypt|EH Western Sahara
ER Eritrea|ES Spain|ET Ethiopia|FI Finland|FJ Fiji|FK Falkland Islands|FM Micronesia
FO Faroe Islands|FR France|GA Gabon|GB United Kingdom|GD Grenada|GE Georgia
GF French Guiana|GG Guernsey|GH Ghana|GI Gibraltar|GL Greenland|GM Gambia|GN Guinea
GP Guadeloupe|GQ Equatorial Guinea|GR Greece
GS South Georgia and the South Sandwich Islands|GT Guatemala|GU Guam
GW Guinea-Bissau|GY Guyana|HK Hong Kong|HM Heard Island and McDonald Islands
HN Honduras|HR Croatia|HT Haiti|HU Hungary|ID Indonesia|IE Ireland|IL Israel
IM Isle of Man|IN India|IO British Indian Ocean Territory|IQ Iraq|IR Iran|IS Iceland
IT Italy|JE Jersey|JM Jamaica|JO Jordan|JP Japan|KE Kenya|KG Kyrgyzstan|KH Cambodia
KI Kiribati|KM Comoros|KN Saint Kitts and Nevis|KP North Korea|KR South Korea
KW Kuwait|KY Cayman Islands|KZ Kazakhstan|LA Laos|LB Lebanon|LC Saint Lucia
LI Liechtenstein|LK Sri Lanka|LR Liberia|LS Lesotho|LT Lithuania|LU Luxembourg
LV Latvia|LY Libya|MA Morocco|MC Monaco|MD Moldova|ME Montenegro|MF Saint Martin
MG Madagascar|MH Marshall Islands|MK North Macedonia|ML Mali|MM Myanmar|MN Mongolia
MO Macao|MP Northern Mariana Islands|MQ Martinique|MR Mauritania|MS Montserrat
MT Malta|MU Mauritius|MV Maldives|MW Malawi|MX Mexico|MY Malaysia|MZ Mozambique
NA Namibia|NC New Caledonia|NE Niger|NF Norfolk Island|NG Nigeria|NI Nicaragua
NL Netherlands|NO Norway|NP Nepal|NR Nauru|NU Niue|NZ New Zealand|OM Oman|PA Panama
PE Peru|PF French Polynesia|PG Papua New Guinea|PH Philippines|PK Pakistan|PL Poland
PM Saint Pierre and Miquelon|PN Pitcairn|PR Puerto Rico|PS Palestine|PT Portugal
PW Palau|PY Paraguay|QA Qatar|RE Reunion|RO Romania|RS Serbia|RU Russia|RW Rwanda
SA Saudi Arabia|SB Solomon Islands|SC Seychelles|SD Sudan|SE Sweden|SG Singapore
SH Saint Helena, Ascension and Tristan da Cunha|SI Slovenia|SJ Svalbard and Jan Mayen
SK Slovakia|SL Sierra Leone|SM San Marino|SN Senegal|SO Somalia|SR Suriname
SS South Sudan|ST Sao Tome and Principe|SV El Salvador|SX Sint Maarten|SY Syria
SZ Eswatini|TC Turks and Caicos Islands|TD Chad|TF French Southern Territories
TG Togo|TH Thailand|TJ Tajikistan|TK Tokelau|TL Timor-Leste|TM Turkmenistan
TN Tunisia|TO Tonga|TR Turkey|TT Trinidad and Tobago|TV Tuvalu|TW Taiwan|TZ Tanzania
UA Ukraine|UG Uganda|UM United States Minor Outlying Islands|US United States
UY Uruguay|UZ Uzbekistan|VA Holy See|VC Saint Vincent and the Grenadines
VE Venezuela|VG British Virgin Islands|VI United States Virgin Islands|VN Vietnam
VU Vanuatu|WF Wallis and Futuna|WS Samoa|YE Yemen|YT Mayotte|ZA South Africa
ZM Zambia|ZW Zimbabwe
"""


def _parse_names(table: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for entry in table.replace("\n", "|").split("|"):
        if entry.strip():
            code, name = entry.strip().split(" ", 1)
            names[code] = name
    return names


COUNTRY_NAMES: Mapping[str, str] = MappingProxyType(_parse_names(_NAMES_TABLE))
"""ISO 3166-1 alpha-2 code -> English short name, for every assigned code."""

EU_MEMBERS: frozenset[str] = frozenset(
    (
        "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU "
        "IE IT LT LU LV MT NL PL PT RO SE SI SK"
    ).split()
)
"""The 27 member states of the European Union (Greece is `GR`, as in ISO)."""

EEA_MEMBERS: frozenset[str] = EU_MEMBERS | {"IS", "LI", "NO"}
"""The European Economic Area: the EU plus Iceland, Liechtenstein and Norway."""

GROUPS: Mapping[str, frozenset[str]] = MappingProxyType(
    {"EU": EU_MEMBERS, "EEA": EEA_MEMBERS}
)
GROUP_NAMES: Mapping[str, str] = MappingProxyType(
    {"EU": "European Union", "EEA": "European Economic Area"}
)

_COMMON_MISTAKES: Mapping[str, str] = MappingProxyType(
    {"UK": "GB", "EL": "GR", "EN": "GB", "USA": "US"}
)


def is_region_code(code: str) -> bool:
    """Return True for an assigned ISO 3166-1 alpha-2 code or a group (EU, EEA)."""
    return code in COUNTRY_NAMES or code in GROUPS


def suggest_code(code: str) -> str | None:
    """Return the ISO code people usually mean by a common non-ISO code (UK -> GB)."""
    return _COMMON_MISTAKES.get(code.upper())


def expand_regions(codes: Iterable[str]) -> frozenset[str]:
    """Return the countries that `codes` cover, with EU and EEA opened up."""
    countries: set[str] = set()
    for code in codes:
        countries |= GROUPS.get(code, {code})
    return frozenset(countries)


def country_of(jurisdiction: str) -> str:
    """Return the country of an ISO 3166-2 code: `US-CA` and `US` are both in US."""
    return jurisdiction.split("-", 1)[0].upper()


def region_name(code: str) -> str:
    """Return the English name of a country or group code, or the code itself."""
    return GROUP_NAMES.get(code) or COUNTRY_NAMES.get(country_of(code), code)


def format_regions(codes: Iterable[str]) -> str:
    """Join codes for a sentence, groups with their article: `the EU, GB, KR`."""
    return ", ".join(f"the {code}" if code in GROUPS else code for code in codes)
