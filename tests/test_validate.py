"""Each kind of bad data, with the exact message a curator sees."""

import pytest

from kg.build import validate_inputs
from kg.errors import ValidationError

from .conftest import BAD, MINI


def _violations(settings, name: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        validate_inputs(settings, [MINI, BAD / name])
    return [str(v) for v in caught.value.violations]


def test_the_mini_world_is_valid(settings):
    inputs = validate_inputs(settings, [MINI])
    assert len(inputs.files) == 3  # ontology + world.trig + observations.csv


def test_model_without_developer(settings):
    assert _violations(settings, "model-without-developer.trig") == [
        "bad/model-without-developer.trig:21: model:kling: kg:developedBy: needs kg:developedBy, "
        "an organisation (sh:MinCountConstraintComponent, shape kgsh:ModelShape)"
    ]


def test_date_in_the_wrong_form(settings):
    assert _violations(settings, "bad-date.trig") == [
        'bad/bad-date.trig:21: model:kling: kg:date: value "2024-13"^^xsd:gYearMonth is not a valid '
        "xsd:gYear, xsd:gYearMonth or xsd:date (sh:NodeConstraintComponent, shape kgsh:DateTypeShape)"
    ]


def test_paper_without_authors_or_identifier(settings):
    assert _violations(settings, "paper-without-authors.trig") == [
        "bad/paper-without-authors.trig:21: paper:vae-2013: (node): needs kg:arxivId, kg:doi or "
        "schema:url so that readers can find it (sh:OrConstraintComponent, shape kgsh:PaperShape)",
        "bad/paper-without-authors.trig:21: paper:vae-2013: kg:authorsAsPrinted: is missing: at least "
        "1 value(s) needed (sh:MinCountConstraintComponent, shape kgsh:PaperShape)",
        "bad/paper-without-authors.trig:21: paper:vae-2013: kg:firstAuthor: needs exactly one "
        "kg:firstAuthor, a person (sh:MinCountConstraintComponent, shape kgsh:PaperShape)",
        "bad/paper-without-authors.trig:21: paper:vae-2013: schema:author: needs schema:author, the "
        "persons who wrote it (sh:MinCountConstraintComponent, shape kgsh:PaperShape)",
    ]


def test_dangling_reference(settings):
    assert _violations(settings, "dangling-reference.trig") == [
        "bad/dangling-reference.trig:22: model:kling: kg:usesArchitecture: arch:dix is not a declared "
        "kg:Architecture; did you mean arch:dit? (sh:ClassConstraintComponent, shape kgsh:ModelShape)"
    ]


def test_a_misspelled_vendor_is_reported_at_its_line_with_did_you_mean(settings, tmp_path):
    header = (BAD / "dangling-reference.trig").read_text().split("src:report {")[0]
    typo = tmp_path / "typo.trig"
    typo.write_text(
        header
        + "src:report {\n"
        + '    org:kuaishou a kg:Organization ; rdfs:label "Kuaishou"@en .\n'
        + '    model:kling a kg:Model ; rdfs:label "Kling"@en ;\n'
        + '        kg:date "2024-06"^^xsd:gYearMonth ;\n'
        + "        kg:developedBy org:kuaishuo ;\n"
        + "        kg:architectureDisclosed false .\n"
        + "}\n"
    )
    with pytest.raises(ValidationError) as caught:
        validate_inputs(settings, [MINI, typo])
    line = header.count("\n") + 5
    assert [str(v).split("/", 1)[1] for v in caught.value.violations] == [
        f"typo.trig:{line}: model:kling: kg:developedBy: org:kuaishuo is not a declared "
        "kg:Organization; did you mean org:kuaishou? "
        "(sh:ClassConstraintComponent, shape kgsh:ModelShape)"
    ]


def test_statement_without_a_source(settings):
    assert _violations(settings, "no-source.trig") == [
        "bad/no-source.trig:20: model:sora: skos:altLabel: statement has no source: put it inside a "
        "source's graph block, src:SOURCE { ... } (kg:ProvenanceRule)"
    ]


def test_statement_in_an_undeclared_source(settings):
    assert _violations(settings, "undeclared-source.trig") == [
        "bad/undeclared-source.trig:21: model:sora: (graph): graph src:blog-post is not a declared "
        "kg:Source; declare it in data/sources.trig (kg:ProvenanceRule)"
    ]


def test_undisclosed_backbone_not_marked(settings):
    assert _violations(settings, "undisclosed-unmarked.trig") == [
        "bad/undisclosed-unmarked.trig:21: model:pika: (node): needs kg:usesArchitecture, or "
        "kg:architectureDisclosed false when the backbone is undisclosed "
        "(sh:OrConstraintComponent, shape kgsh:ModelShape)"
    ]


def test_second_label(settings):
    (message,) = _violations(settings, "two-labels.trig")
    assert message.endswith(
        "model:sora: rdfs:label: needs exactly one rdfs:label, an English (@en) literal "
        "(sh:MaxCountConstraintComponent, shape kgsh:EntityShape)"
    )


def test_validation_error_summarises_the_count(settings):
    with pytest.raises(ValidationError) as caught:
        validate_inputs(settings, [MINI, BAD / "paper-without-authors.trig"])
    assert str(caught.value).startswith("validation failed: 4 violations\n")


def test_two_entities_with_one_label(settings):
    assert _violations(settings, "duplicate-label.trig")[0] == (
        "bad/duplicate-label.trig:21: model:sora-2: rdfs:label: shares its label Sora with "
        "model:sora; make labels unique and keep other spellings in skos:altLabel "
        "(sh:SPARQLConstraintComponent, shape kgsh:UniqueLabelShape)"
    )
