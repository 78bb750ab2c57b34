"""Personal data detection: CPR numbers and their look-alikes, e-mail, phone, names, redaction."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parsers.personal_data import cpr_birth_date, find_personal_data, mask_cpr, redact_cpr

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


def kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.value) for f in find_personal_data(text)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Borgerens CPR-nr. 010190-1234 fremgår af ansøgningen.", "010190-1234"),
        ("cpr 0101901234", "0101901234"),
        ("Personnummer: 311299 1234", "311299 1234"),  # a space only after a CPR label
        ("Født 290200-4123 (skudår 2000)", "290200-4123"),
        ("Barnet (150315-5021) er visiteret.", "150315-5021"),
        ("klage_150315-5021_bilag.pdf", "150315-5021"),  # a file name: "_" separates
        ("CPR:150315-5021", "150315-5021"),  # a label without a space
    ],
)
def test_cpr_found(text: str, value: str) -> None:
    assert kinds(text) == [("cpr", value)]


@pytest.mark.parametrize(
    "text",
    [
        "Sagsnr. 22/23184 og 20/057417-5",  # case numbers
        "Mødet den 11-09-2023 kl. 09:00",  # a date
        "Ring på 43 68 68 68",  # a phone number in pairs
        "Pulje på 1.250.000 kr.",  # an amount
        "KLE 00.01.00-A00-1-23",  # a KLE number
        "310299-1234 er ikke en dato",  # 31 February
        "290201-4123",  # 29 February in 2001, not a leap year
        "011390-1234",  # month 13
        "P-nr. 1003388394",  # a production unit number
        "EAN-nr. 5798000000001",  # too long
        "Sag 2023-012345",  # year-serial case number
        "010190 1234 uden etiket",  # a space without a CPR label is too loose
    ],
)
def test_cpr_look_alikes_rejected(text: str) -> None:
    assert [k for k, _ in kinds(text) if k == "cpr"] == []


# every printed dash between the two parts, alone or with narrow spaces around it
CPR_DASH_VARIANTS = [
    ("hyphen-minus", "010203-1234"),
    ("no dash", "0102031234"),
    ("en dash", "010203\u20131234"),
    ("em dash", "010203\u20141234"),
    ("minus sign", "010203\u22121234"),
    ("non-breaking hyphen", "010203\u20111234"),
    ("figure dash", "010203\u20121234"),
    ("hyphen", "010203\u20101234"),
    ("soft hyphen", "010203\u00ad1234"),
    ("thin spaces around en dash", "010203\u2009\u2013\u20091234"),
    ("no-break spaces around hyphen", "010203\u00a0-\u00a01234"),
    ("narrow no-break spaces around minus", "010203\u202f\u2212\u202f1234"),
    ("spaces around en dash", "010203 \u2013 1234"),  # thin spaces after text extraction
    ("PDF replacement character", "010203\ufffd1234"),
    ("PDF missing-glyph square", "010203\u25a01234"),
]


@pytest.mark.parametrize(("name", "cpr"), CPR_DASH_VARIANTS, ids=[n for n, _ in CPR_DASH_VARIANTS])
def test_cpr_dash_variants_are_found_and_redacted(name: str, cpr: str) -> None:
    text = f"Klage fra borger {cpr} om hjemmehjælp."
    assert kinds(text) == [("cpr", cpr)], name
    redacted, log = redact_cpr(text)
    assert redacted == "Klage fra borger 010203-XXXX om hjemmehjælp."
    assert [r.original for r in log] == [cpr]
    assert cpr_birth_date(cpr) == "1903-02-01"
    assert mask_cpr(cpr) == "010203-XXXX"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("CPR 010203\u00a01234", "010203\u00a01234"),  # a no-break space after a label
        ("CPR-nr.: 010203\u20091234", "010203\u20091234"),  # a thin space after a label
        ("Personnummer 010203  \u2013  1234", "010203  \u2013  1234"),  # two spaces each side after a label
    ],
)
def test_cpr_spaced_forms_after_a_label(text: str, value: str) -> None:
    assert kinds(text) == [("cpr", value)]
    assert "1234" not in redact_cpr(text)[0]


@pytest.mark.parametrize(
    "text",
    [
        "010203  \u2013  1234 uden etiket",  # a dash between double spaces is too loose without a label
        "010203\u00a01234 uden etiket",  # a no-break space alone, likewise
        "Sagsnr. 20/057417\u20135",  # a case number with an en dash suffix
        "Perioden 2021\u20132022",  # a year range
        "Mødet 11\u201309\u20132023",  # a date with en dashes
        "Beløb 1.250.000\u2013150.000",  # amounts
        "P-nr. 010203\u20131234",  # a labelled production unit number
        "310203\u20131234",  # 31 February
        "123456\u2013123456",  # too many digits after the dash
    ],
)
def test_cpr_dash_look_alikes_rejected(text: str) -> None:
    assert [k for k, _ in kinds(text) if k == "cpr"] == []


def test_cpr_century_from_seventh_digit() -> None:
    assert cpr_birth_date("010190-1234") == "1990-01-01"
    assert cpr_birth_date("010110-4234") == "2010-01-01"
    assert cpr_birth_date("010160-4234") == "1960-01-01"
    assert cpr_birth_date("010160-5234") == "1860-01-01"
    assert cpr_birth_date("010120-5234") == "2020-01-01"
    assert cpr_birth_date("320190-1234") is None


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1999, 12, 31)), st.integers(0, 3999))
def test_every_valid_twentieth_century_cpr_is_found(day: dt.date, serial: int) -> None:
    cpr = f"{day:%d%m%y}-{serial:04d}"
    text = f"Oplysninger om borgeren {cpr} er undtaget."
    assert kinds(text) == [("cpr", cpr)]
    assert cpr_birth_date(cpr) == day.isoformat()


@given(st.integers(20_000_000, 99_999_999))
def test_phone_numbers_are_never_cpr(number: int) -> None:
    digits = str(number)
    for text in (f"tlf. {digits}", f"{digits[:2]} {digits[2:4]} {digits[4:6]} {digits[6:]}", f"+45 {digits}"):
        assert [k for k, _ in kinds(text)] == ["phone"], text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Kontakt: tlf. 8940 2000", "8940 2000"),
        ("Telefon: 89402000", "89402000"),
        ("Mobil 20 30 40 50", "20 30 40 50"),
        ("Ring +45 43 68 68 68", "+45 43 68 68 68"),
    ],
)
def test_phone_forms(text: str, value: str) -> None:
    assert kinds(text) == [("phone", value)]


def test_amount_with_spaces_is_not_a_phone() -> None:
    assert kinds("tlf. 25 00 00 00 kr") == []


def test_email_and_position() -> None:
    text = "Skriv til jens.hansen@aarhus.dk eller post@kommune.dk."
    found = find_personal_data(text, page=3)
    assert [(f.kind, f.value) for f in found] == [("email", "jens.hansen@aarhus.dk"), ("email", "post@kommune.dk")]
    assert all(text[f.start : f.end] == f.value and f.page == 3 for f in found)


def test_names_from_document_structure() -> None:
    text = (
        "Sagsbehandler: Jens Harder Højbjerg\n"
        "Kultur og Borgerservice v/ Anne Marie Hansen\n"
        "Mødedeltagere: Lars Holte, Jørgen Lerhard og Charlotte Markussen (formand)\n"
        "Direktionen godkendte indstillingen."
    )
    names = [v for k, v in kinds(text) if k == "name"]
    assert names == ["Jens Harder Højbjerg", "Anne Marie Hansen", "Lars Holte", "Jørgen Lerhard", "Charlotte Markussen"]


def test_known_names_are_found_in_running_text() -> None:
    text = "Jens Harder Højbjerg og Trine Groth Rasmussen deltager. Trine fremlægger."
    found = find_personal_data(text, known_names=["Trine Groth Rasmussen", "Trine"])
    assert [(f.kind, f.value) for f in found] == [("name", "Trine Groth Rasmussen")]


def test_seed_minutes_have_names_but_no_cpr() -> None:
    seed = SEEDS / "direktionen-referat-2023-09-11.md"
    if not seed.exists():
        pytest.skip("shared seeds not available")
    found = find_personal_data(seed.read_text(encoding="utf-8"))
    assert not [f for f in found if f.kind in ("cpr", "phone")]
    assert "Lars Holte" in [f.value for f in found if f.kind == "name"]


def test_redaction_masks_cpr_and_logs_it() -> None:
    text = "CPR 010190-1234 og 0101901234; tlf. 43 68 68 68; sag 22/23184."
    redacted, log = redact_cpr(text, page=2)
    assert redacted == "CPR 010190-XXXX og 010190-XXXX; tlf. 43 68 68 68; sag 22/23184."
    assert [(r.original, r.replacement, r.page) for r in log] == [
        ("010190-1234", "010190-XXXX", 2),
        ("0101901234", "010190-XXXX", 2),
    ]
    assert text[log[1].start : log[1].end] == "0101901234"
    assert redact_cpr(redacted) == (redacted, [])
    assert mask_cpr("311299 1234") == "311299-XXXX"


REALDOCS = Path(__file__).resolve().parents[1].parent / "shared" / "realdocs"


def _real_texts() -> list[tuple[str, str]]:
    import re

    import pypdfium2

    texts = []
    for path in sorted(REALDOCS.glob("*")):
        if path.suffix == ".pdf":
            pdf = pypdfium2.PdfDocument(str(path))
            try:
                pages = []
                for page in pdf:
                    textpage = page.get_textpage()
                    pages.append(textpage.get_text_range())
                    textpage.close()
                    page.close()
            finally:
                pdf.close()
            texts.append((path.name, "\n".join(pages)))
        elif path.suffix in (".html", ".xml"):
            raw = path.read_text(encoding="utf-8", errors="replace")
            texts.append((path.name, re.sub(r"<[^>]+>", " ", raw)))
    return texts


def test_real_public_documents_hold_no_cpr_numbers() -> None:
    if not REALDOCS.is_dir():
        pytest.skip("shared realdocs not available")
    texts = _real_texts()
    assert len(texts) >= 10
    for name, text in texts:
        assert [f.value for f in find_personal_data(text, kinds=("cpr",))] == [], name
    # the Ballerup letter prints the sender's phone and fax; both are found as phones
    letter = dict(texts)["ballerup_sbsys_bilag_monopolbruddet_2013.pdf"]
    phones = [f.value for f in find_personal_data(letter, kinds=("phone",))]
    assert phones == ["3370 3370", "3370 3371"]


_FRAGMENTS = st.sampled_from(
    ["Borger ", "cpr.nr.", "CPR-nr. ", "sag 22/23184 ", "tlf. 43 68 68 68 ", "1.250.000 kr. ", "den 11-09-2023 ", "\n"]
)


@given(
    st.lists(
        st.one_of(
            _FRAGMENTS,
            st.builds(
                lambda d, s, dash: f"{d:%d%m%y}{'-' if dash else ''}{s:04d}",
                st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(1999, 12, 31)),
                st.integers(0, 3999),
                st.booleans(),
            ),
        ),
        max_size=12,
    )
)
def test_redaction_leaves_no_cpr_behind(parts: list[str]) -> None:
    text = " ".join(parts)
    redacted, log = redact_cpr(text)
    assert find_personal_data(redacted, kinds=("cpr",)) == []
    assert len(log) == len(find_personal_data(text, kinds=("cpr",)))
    assert sum(1 for p in parts if p[:1].isdigit() and len(p.replace("-", "")) == 10) == len(log)


def test_span_overlap_check_agrees_with_the_pairwise_rule():
    import random

    from parsers.personal_data import _Spans

    rng = random.Random(8)
    for _ in range(200):
        spans = _Spans()
        taken: list[tuple[int, int]] = []
        for _ in range(60):
            start = rng.randrange(0, 200)
            end = start + rng.randrange(1, 12)  # findings are never empty
            expected = not any(start < e and s < end for s, e in taken)
            if expected:
                taken.append((start, end))
            assert spans.take(start, end) == expected


@pytest.mark.parametrize(
    "text, masked",
    [
        ("Klager 010190 1234 har skrevet", "Klager 010190-XXXX har skrevet"),
        ("Klager 010190\u00a01234 har skrevet", "Klager 010190-XXXX har skrevet"),
        ("klage_010190 1234.pdf", "klage_010190-XXXX.pdf"),
        ("kontonr. 010190 1234", "kontonr. 010190 1234"),  # another kind of ten-digit number
        ("beløb 120000 1500", "beløb 120000 1500"),  # no date: month 00
    ],
)
def test_redaction_masks_a_number_in_two_parts_without_a_cpr_label(text: str, masked: str) -> None:
    """Masking errs on the safe side: two parts with only a space between them are masked when they
    make a valid CPR number, while the personal-data flags still need a label before them."""
    assert redact_cpr(text)[0] == masked
    assert find_personal_data(text, kinds=("cpr",)) == []


def _name_label_alternatives() -> list[str]:
    """The labels ``_NAME_LABEL_RE`` looks for, read from its pattern."""
    from parsers.personal_data import _NAME_LABEL_RE

    found = re.search(r"\(\?:([a-zæøå |]+)\)", _NAME_LABEL_RE.pattern)
    assert found is not None
    return [*found.group(1).split("|"), "v/"]


@pytest.mark.parametrize("label", _name_label_alternatives())
def test_every_name_label_passes_the_word_guard(label: str) -> None:
    from parsers.personal_data import NAME_LABEL_WORDS

    assert any(word in label for word in NAME_LABEL_WORDS)
    for text in (f"{label.capitalize()} Anne Hansen", f"{label.upper()} Anne Hansen"):
        assert ("name", "Anne Hansen") in kinds(text), text


def test_name_label_guard_knows_every_letter_that_matches_only_when_case_is_ignored() -> None:
    """A letter the label pattern matches ignoring case whose lower case is not that letter would slip past
    a guard on ``text.lower()``; the guard scans every text holding one (``NAME_LABEL_ODD_LETTERS``)."""
    from parsers.personal_data import NAME_LABEL_ODD_LETTERS, NAME_LABEL_WORDS

    letters = set("".join(NAME_LABEL_WORDS))
    every = "".join(chr(i) for i in range(sys.maxunicode + 1) if not 0xD800 <= i <= 0xDFFF)
    pattern = re.compile("[" + re.escape("".join(sorted(letters))) + "]", re.IGNORECASE)
    odd = {c for c in pattern.findall(every) if c.lower() not in letters}
    assert odd == set(NAME_LABEL_ODD_LETTERS)
    assert ("name", "Anne Hansen") in kinds("\u017fagsbehandler: Anne Hansen")  # ſ matches s
    assert ("name", "Anne Hansen") in kinds("ANSVARL\u0130G: Anne Hansen")  # İ matches i


def test_a_text_without_a_name_label_word_has_no_labelled_name() -> None:
    assert kinds("Sagen behandles af Anne Hansen og Jens Olsen.") == []
