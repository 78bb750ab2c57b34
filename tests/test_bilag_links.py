"""The bilag matcher and the export/print pairing of ``ingest.bilag_links``, on records and paths."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.bilag_links import (
    BilagCandidate,
    ListedBilag,
    fold_name,
    group_of,
    match_bilag,
    name_keys,
    same_meeting,
)
from parsers.records import Attachment, CaseNumber, Item, Meeting

MEETING = "/arkiv/tu/referat_2023-09-11.pdf"


def _listed(*attachments: Attachment, item: str = "aaaa-0-0") -> list[ListedBilag]:
    return [ListedBilag(item, i, a) for i, a in enumerate(attachments)]


def _cand(path: str, sha: str | None = None, title: str | None = None) -> BilagCandidate:
    return BilagCandidate(sha or f"{abs(hash(path)):064x}"[:64], path, title)


def _links(
    listed: list[ListedBilag], cands: list[BilagCandidate], meeting: str = MEETING
) -> dict[int, tuple[str, str]]:
    return {link.attachment_index: (link.bilag_path, link.method) for link in match_bilag([meeting], listed, cands)}


@pytest.mark.parametrize(
    ("printed", "file_name"),
    [
        ("Bilag 2: Høringssvar fra Grundejerforeningen", "Høringssvar fra grundejerforeningen.pdf"),
        ("Bilag 2: Høringssvar fra Grundejerforeningen", "bilag_2_horingssvar_fra_grundejerforeningen.PDF"),
        ("Bilag 2: Høringssvar fra Grundejerforeningen", "Bilag 2 - Hoeringssvar fra Grundejerforeningen.docx"),
        ("Bilag 1.2 - Økonomioversigt", "økonomioversigt.doc"),
        ("Notat om vandværket (påført 02.10.2025)", "notat-om-vandvaerket-pafort-02-10-2025.pdf"),
        ("Nyhedsbrev nr. 1-2017.pdf", "Nyhedsbrev nr. 1-2017.pdf"),
        ("3 Tryghed i ældrelivet", "Tryghed i aeldrelivet.pdf"),
    ],
)
def test_a_printed_title_matches_its_file_name_whatever_the_numbering_case_diacritics_and_extension(
    printed: str, file_name: str
) -> None:
    cands = [_cand(f"/arkiv/tu/{file_name}"), _cand("/arkiv/tu/andet notat.pdf")]
    assert _links(_listed(Attachment(printed)), cands) == {0: (f"/arkiv/tu/{file_name}", "file_name")}


def test_unrelated_and_partial_names_do_not_match() -> None:
    cands = [_cand("/arkiv/tu/Høringssvar.pdf"), _cand("/arkiv/tu/bilag.pdf"), _cand("/arkiv/tu/2.pdf")]
    assert _links(_listed(Attachment("Bilag 2: Høringssvar fra Grundejerforeningen")), cands) == {}


def test_the_document_title_matches_when_the_file_name_does_not() -> None:
    cands = [_cand("/arkiv/tu/scan0001.pdf", title="HØRINGSSVAR FRA GRUNDEJERFORENINGEN"), _cand("/arkiv/tu/x.pdf")]
    listed = _listed(Attachment("Bilag 2: Høringssvar fra Grundejerforeningen"))
    assert _links(listed, cands) == {0: ("/arkiv/tu/scan0001.pdf", "title")}


def test_the_document_number_in_the_file_name_matches() -> None:
    listed = _listed(Attachment("Notat om fritidstilbud", number=2, document_number="123456/13"))
    cands = [_cand("/arkiv/tu/123456-13.pdf"), _cand("/arkiv/tu/1234567-13.pdf")]
    assert _links(listed, cands) == {0: ("/arkiv/tu/123456-13.pdf", "document_number")}


def test_a_file_named_only_bilag_n_matches_the_one_attachment_numbered_n() -> None:
    listed = _listed(Attachment("Bilag 1: Tidsplan"), Attachment("Bilag 2: Kort over området"))
    cands = [_cand("/arkiv/tu/Bilag 2.pdf")]
    assert _links(listed, cands) == {1: ("/arkiv/tu/Bilag 2.pdf", "number")}
    # two items both numbering a "Bilag 2": the number alone says nothing
    twice = listed + _listed(Attachment("Bilag 2: Budget"), item="aaaa-0-1")
    assert match_bilag([MEETING], twice, cands) == []


def test_an_export_file_reference_wins_and_resolves_inside_the_zip() -> None:
    meeting = "/arkiv/Publication32.zip!Publication32/Publication32.xml"
    listed = _listed(Attachment("Brev fra KL", number=1, file="Enclosures/1.pdf"))
    cands = [
        _cand("/arkiv/Publication32.zip!Publication32/Enclosures/1.pdf", sha="1" * 64),
        _cand("/arkiv/Publication32.zip!Publication32/Brev fra KL.pdf", sha="2" * 64),
        _cand("/arkiv/Publication32.zip!Enclosures/1.pdf", sha="3" * 64),
    ]
    assert _links(listed, cands, meeting) == {0: ("/arkiv/Publication32.zip!Publication32/Enclosures/1.pdf", "file")}
    # a backslash reference in a plain folder, any case
    listed = _listed(Attachment("Brev", file="Enclosures/1.PDF"))
    assert _links(listed, [_cand("/arkiv/p/enclosures/1.pdf")], "/arkiv/p/pub.xml") == {
        0: ("/arkiv/p/enclosures/1.pdf", "file")
    }


def test_two_different_files_that_fit_equally_are_not_guessed_but_copies_of_one_file_are_linked() -> None:
    listed = _listed(Attachment("Bilag 1: Tidsplan"))
    different = [_cand("/arkiv/tu/tidsplan.pdf", sha="1" * 64), _cand("/arkiv/tu/Tidsplan.docx", sha="2" * 64)]
    assert _links(listed, different) == {}
    copies = [_cand("/arkiv/tu/tidsplan.pdf", sha="1" * 64), _cand("/arkiv/tu/Tidsplan.pdf", sha="1" * 64)]
    assert _links(listed, copies) == {0: ("/arkiv/tu/Tidsplan.pdf", "file_name")}  # the first path, sorted


def test_the_same_bilag_file_can_belong_to_two_items() -> None:
    listed = _listed(Attachment("Budgetoversigt"), item="aaaa-0-0") + _listed(
        Attachment("Budgetoversigt"), item="aaaa-0-3"
    )
    links = match_bilag([MEETING], listed, [_cand("/arkiv/tu/budgetoversigt.xlsx.pdf")])
    assert [(link.item_key, link.method) for link in links] == [("aaaa-0-0", "file_name"), ("aaaa-0-3", "file_name")]


def test_matching_does_not_depend_on_the_order_of_attachments_or_files() -> None:
    listed = _listed(
        Attachment("Bilag 1: Tidsplan"),
        Attachment("Bilag 2: Kort"),
        Attachment("Notat", document_number="2017-000516-1"),
        Attachment("Ref", file="Enclosures/1.pdf"),
    )
    cands = [
        _cand("/arkiv/tu/tidsplan.pdf"),
        _cand("/arkiv/tu/kort.pdf"),
        _cand("/arkiv/tu/6104646 2017-000516-1.pdf"),
        _cand("/arkiv/tu/Enclosures/1.pdf"),
        _cand("/arkiv/tu/støj.pdf"),
    ]
    expected = match_bilag([MEETING], listed, cands)
    assert len(expected) == 4
    for order in itertools.islice(itertools.permutations(cands), 0, None, 7):
        assert match_bilag([MEETING], list(reversed(listed)), list(order)) == expected


@given(st.text(alphabet="abeorsæøåABEÆØÅ -,", max_size=30))
def test_a_title_keeps_its_key_under_numbering_case_and_extension(text: str) -> None:
    assert fold_name(fold_name(text)) == fold_name(text)
    key = fold_name(text)
    if len(key) >= 3:
        assert key in name_keys(f"Bilag 3: {text}")
        assert key in name_keys(f"bilag_12_{text.upper()}.PDF")
        assert name_keys(text.upper()) == name_keys(text)


def test_groups_are_folders_or_zips() -> None:
    assert group_of("/a/b/c.pdf") == "/a/b"
    assert group_of("/a/b.zip!x/y/z.pdf") == "/a/b.zip"


def _meeting(date: str, body: str, *titles: str, kind: str = "referat") -> Meeting:
    items = tuple(
        Item(number=n, title=t, case_numbers=(CaseNumber(f"22/{n}", f"22/{n}"),)) for n, t in enumerate(titles, 1)
    )
    return Meeting(body=body, document_type=kind, date=date, items=items)  # type: ignore[arg-type]


def test_same_meeting_needs_body_date_type_and_agreeing_items() -> None:
    export = _meeting("2016-10-06", "Mødesystemgruppen", "First Agenda", "GetOrganized", "Eventuelt")
    assert same_meeting(
        export, _meeting("2016-10-06", "Mødesystemgruppen", "First Agenda", "GetOrganized", "Eventuelt")
    )
    assert same_meeting(export, _meeting("2016-10-06", "MØDESYSTEMGRUPPEN", "First Agenda: status", "Andet", "X"))
    assert not same_meeting(export, _meeting("2016-10-07", "Mødesystemgruppen", "First Agenda"))
    assert not same_meeting(export, _meeting("2016-10-06", "Byrådet", "First Agenda", "GetOrganized", "Eventuelt"))
    assert not same_meeting(
        export,
        _meeting("2016-10-06", "Mødesystemgruppen", "First Agenda", "GetOrganized", "Eventuelt", kind="dagsorden"),
    )
    unrelated = Meeting(
        body="Mødesystemgruppen",
        document_type="referat",
        date="2016-10-06",
        items=tuple(Item(number=n, title=f"Andet emne {n}") for n in (1, 2, 3)),
    )
    assert not same_meeting(export, unrelated)
