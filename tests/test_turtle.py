from pathlib import Path

import pytest

from kg.build.turtle import locate_subjects, read_rdf
from kg.errors import ParseError

from .conftest import BAD, MINI


def test_read_rdf_reports_file_line_and_column_of_a_syntax_error():
    with pytest.raises(ParseError) as caught:
        read_rdf(BAD / "truncated.trig", "bad/truncated.trig")
    assert (caught.value.line, caught.value.column) == (21, 51)
    assert str(caught.value) == (
        "bad/truncated.trig:21:51: Line jumps are not allowed in string literals, use \\n"
    )


def test_read_rdf_names_the_line_of_a_byte_that_is_not_utf8():
    with pytest.raises(ParseError) as caught:
        read_rdf(BAD / "not-utf8.trig", "bad/not-utf8.trig")
    assert str(caught.value) == "bad/not-utf8.trig:21:36: not UTF-8 (byte 0xe9); save it as UTF-8"


def test_read_rdf_maps_each_subject_to_its_typed_definition():
    _quads, where = read_rdf(MINI / "world.trig", "mini/world.trig")
    text = (MINI / "world.trig").read_text().splitlines()
    file, line = where.find("https://w3id.org/genvid-kg/id/model/sora")
    assert file == "mini/world.trig"
    assert text[line - 1].strip().startswith("model:sora a kg:Model")


def test_locate_subjects_ignores_graph_names_and_comments():
    text = (
        "@prefix ex: <http://e/> .\n"
        "ex:g {  # a graph\n"
        "  ex:a a ex:T ;\n"
        '     ex:p "x # not a comment" .\n'
        "  ex:b ex:p ex:a .\n"
        "}\n"
    )
    where = locate_subjects(text, "t.trig")
    assert where.find("http://e/a") == ("t.trig", 3)
    assert where.find("http://e/b") == ("t.trig", 5)
    assert where.find("http://e/g") is None


def test_read_rdf_rejects_an_unknown_file_type(tmp_path: Path):
    path = tmp_path / "x.rdf"
    path.write_text("<a> <b> <c> .")
    with pytest.raises(ParseError, match=r"x.rdf: unknown RDF file type '.rdf'"):
        read_rdf(path, "x.rdf")
