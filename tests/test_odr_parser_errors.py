"""Malformed OpenDRIVE raises OpenDriveError naming the file, the line of the offending element and the problem."""

from __future__ import annotations

import re

import pytest

from carla_odr import OpenDriveError, parse_xodr
from engine.map.town import load_town, town_from_opendrive

SOURCE = "bad.xodr"

# Two roads meeting in a junction; every element starts on its own line so a line number finds it.
VALID = """<?xml version="1.0" standalone="yes"?>
<OpenDRIVE>
    <header revMajor="1" revMinor="4" name="tiny">
        <geoReference><![CDATA[+proj=tmerc +lat_0=49.0 +lon_0=8.0]]></geoReference>
    </header>
    <road name="a" length="20" id="1" junction="-1">
        <link>
            <successor elementType="junction" elementId="100"/>
        </link>
        <planView>
            <geometry s="0" x="0" y="0" hdg="0" length="20">
                <line/>
            </geometry>
        </planView>
        <elevationProfile>
            <elevation s="0" a="0" b="0" c="0" d="0"/>
        </elevationProfile>
        <lanes>
            <laneSection s="0">
                <center>
                    <lane id="0" type="none" level="false"/>
                </center>
                <right>
                    <lane id="-1" type="driving" level="false">
                        <width sOffset="0" a="3.5" b="0" c="0" d="0"/>
                        <roadMark sOffset="0" type="solid" width="0.15"/>
                    </lane>
                </right>
            </laneSection>
        </lanes>
    </road>
    <road name="b" length="10" id="2" junction="100">
        <link>
            <predecessor elementType="road" elementId="1" contactPoint="end"/>
        </link>
        <planView>
            <geometry s="0" x="20" y="0" hdg="0" length="10">
                <arc curvature="0.01"/>
            </geometry>
        </planView>
        <lanes>
            <laneSection s="0.0">
                <right>
                    <lane id="-1" type="driving" level="false">
                        <width sOffset="0" a="3.5"/>
                    </lane>
                </right>
            </laneSection>
        </lanes>
    </road>
    <junction id="100" name="j">
        <connection id="0" incomingRoad="1" connectingRoad="2" contactPoint="start">
            <laneLink from="-1" to="-1"/>
        </connection>
    </junction>
</OpenDRIVE>
"""

PARAM_POLY3 = '<paramPoly3 aU="0" bU="10" cU="0" dU="0" aV="0" bV="0" cV="0" dV="0" pRange="{}"/>'
PLAN_VIEW_B = """<planView>
            <geometry s="0" x="20" y="0" hdg="0" length="10">
                <arc curvature="0.01"/>
            </geometry>
        </planView>
"""
LANE_B = """<lane id="-1" type="driving" level="false">
                        <width sOffset="0" a="3.5"/>
                    </lane>"""


def line_of(text: str, fragment: str) -> int:
    assert fragment in text, fragment
    return text[: text.index(fragment)].count("\n") + 1


def replaced(old: str, new: str, text: str = VALID) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def assert_reported(text: str, fragment: str, *problem: str) -> OpenDriveError:
    """Parsing ``text`` fails at the line holding ``fragment`` with a message holding each ``problem`` part."""
    with pytest.raises(OpenDriveError) as caught:
        parse_xodr(text, source=SOURCE)
    error = caught.value
    message = str(error)
    line = line_of(text, fragment)
    assert error.source == SOURCE and error.line == line, message
    assert message.startswith(f"{SOURCE}, line {line}, column "), message
    for part in problem:
        assert part in message, message
    return error


def test_the_valid_document_parses():
    odr = parse_xodr(VALID, source=SOURCE)
    assert sorted(odr.roads) == [1, 2] and list(odr.junctions) == [100]


# (name, old text, new text, fragment on the offending line, words of the problem)
ELEMENT_PROBLEMS = [
    ("missing_required_attribute", 'hdg="0" length="20"', 'length="20"',
     '<geometry s="0" x="0" y="0" length="20"', "road 1", "missing attribute 'hdg'"),
    ("non_numeric_value", 'hdg="0" length="20">', 'hdg="0" length="twenty">',
     'length="twenty"', "attribute 'length'='twenty' is not a number"),
    ("not_a_finite_number", 'length="20" id="1"', 'length="nan" id="1"',
     '<road name="a"', "'length'='nan' is not a finite number"),
    ("non_integer_id", 'length="10" id="2"', 'length="10" id="two"',
     '<road name="b"', "attribute 'id'='two' is not an integer"),
    ("unknown_geometry_element", '<arc curvature="0.01"/>', '<clothoid curvature="0.01"/>',
     "<clothoid", "road 2", "unsupported geometry <clothoid>"),
    ("geometry_with_two_shapes", "<line/>", '<line/><arc curvature="0.1"/>',
     '<geometry s="0" x="0" y="0"', "exactly one shape, found <line>, <arc>"),
    ("geometry_without_shape", "<line/>", "",
     '<geometry s="0" x="0" y="0"', "exactly one shape, found nothing"),
    ("arc_without_curvature", '<arc curvature="0.01"/>', "<arc/>",
     "<arc/>", "<arc> is missing attribute 'curvature'"),
    ("spiral_without_end_curvature", '<arc curvature="0.01"/>', '<spiral curvStart="0"/>',
     "<spiral", "<spiral> is missing attribute 'curvEnd'"),
    ("param_poly3_with_unknown_range", '<arc curvature="0.01"/>', PARAM_POLY3.format("degrees"),
     "<paramPoly3", "pRange 'degrees'"),
    ("negative_road_length", 'length="20" id="1"', 'length="-5" id="1"',
     '<road name="a"', "road 1 has length -5.0", "longer than 0"),
    ("zero_road_length", 'length="20" id="1"', 'length="0" id="1"',
     '<road name="a"', "road 1 has length 0.0"),
    ("negative_geometry_length", 'hdg="0" length="20">', 'hdg="0" length="-20">',
     'length="-20"', "negative length"),
    ("geometry_beyond_road_length", '<geometry s="0" x="20"', '<geometry s="40" x="20"',
     '<geometry s="40"', "starts at s=40.0, outside the road's length 10.0"),
    ("lane_section_without_lanes", LANE_B, "",
     '<laneSection s="0.0">', "road 2 laneSection s=0.0 has no lanes"),
    ("lane_section_beyond_road_length", '<laneSection s="0.0">', '<laneSection s="50">',
     '<laneSection s="50">', "starts outside the road's length"),
    ("lane_ids_with_a_gap", '<lane id="-1" type="driving" level="false">\n                        <width sOffset="0" a="3.5" b',
     '<lane id="-2" type="driving" level="false">\n                        <width sOffset="0" a="3.5" b',
     '<laneSection s="0">', "lane -2 exists but lane -1 does not"),
    ("lane_on_the_wrong_side", '<lane id="-1" type="driving" level="false">\n                        <width sOffset="0" a="3.5" b',
     '<lane id="1" type="driving" level="false">\n                        <width sOffset="0" a="3.5" b',
     '<lane id="1"', "lane 1 cannot be in <right>"),
    ("lane_without_width", '<width sOffset="0" a="3.5"/>', "",
     'level="false">\n                        \n', "road 2 laneSection s=0.0 lane -1 has no <width>"),
    ("width_without_offset", '<width sOffset="0" a="3.5"/>', '<width a="3.5"/>',
     '<width a="3.5"/>', "<width> is missing attribute 'sOffset'"),
    ("lane_border_record", '<width sOffset="0" a="3.5"/>', '<border sOffset="0" a="3.5"/>',
     "<border", "<border> lane records are not supported"),
    ("road_mark_with_bad_width", 'type="solid" width="0.15"', 'type="solid" width="thin"',
     "<roadMark", "'width'='thin' is not a number"),
    ("link_to_missing_road", 'elementId="1" contactPoint="end"', 'elementId="7" contactPoint="end"',
     "<predecessor", "road 2: predecessor names unknown road 7"),
    ("link_to_missing_junction", 'elementType="junction" elementId="100"', 'elementType="junction" elementId="101"',
     "<successor", "road 1: successor names unknown junction 101"),
    ("road_in_missing_junction", 'id="2" junction="100"', 'id="2" junction="55"',
     '<road name="b"', "road 2 belongs to unknown junction 55"),
    ("connection_to_missing_road", 'connectingRoad="2"', 'connectingRoad="9"',
     "<connection", "junction 100 connection 0: connecting road 9 is not a road"),
    ("connection_with_bad_contact_point", 'contactPoint="start">', 'contactPoint="middle">',
     "<connection", "contactPoint 'middle' is neither start nor end"),
    ("link_with_unknown_element_type", 'elementType="road" elementId="1"', 'elementType="street" elementId="1"',
     "<predecessor", "elementType 'street', expected road or junction"),
    ("road_link_without_contact_point", ' contactPoint="end"', "",
     "<predecessor", "needs contactPoint start or end, got None"),
    ("duplicate_road_id", 'length="10" id="2"', 'length="10" id="1"',
     '<road name="b"', "road id 1 appears twice"),
    ("road_without_plan_view", PLAN_VIEW_B, "", '<road name="b"', "road 2 has no <planView>"),
    ("plan_view_without_geometry", PLAN_VIEW_B, "<planView>\n        </planView>\n",
     "<planView>\n        </planView>", "road 2: <planView> has no <geometry>"),
    ("unknown_speed_unit", '        <planView>\n', '        <type s="0" type="town"><speed max="40" unit="furlongs"/></type>\n        <planView>\n',
     '<type s="0"', "unknown speed unit 'furlongs'"),
    ("malformed_geo_reference", "+lat_0=49.0", "+lat_0=4.9.0",
     "<geoReference>", "malformed lat_0 or lon_0"),
]


@pytest.mark.parametrize(
    "old, new, fragment, problem",
    [pytest.param(old, new, fragment, problem, id=name) for name, old, new, fragment, *problem in ELEMENT_PROBLEMS],
)
def test_element_problem_is_reported_with_file_line_and_what_is_wrong(old, new, fragment, problem):
    assert_reported(replaced(old, new), fragment, *problem)


def test_road_without_lanes_is_reported_at_the_road():
    text = replaced("        <lanes>", "        <lanez>", replaced("        </lanes>", "        </lanez>"))
    assert_reported(text, '<road name="a"', "road 1 has no <lanes>")


def test_broken_xml_is_reported_at_the_position_expat_stops():
    error = assert_reported(replaced("    </junction>\n", ""), "</OpenDRIVE>", "not well-formed XML: mismatched tag")
    assert error.column == 3


def test_unclosed_attribute_quote_is_reported_as_broken_xml():
    assert_reported(replaced('name="tiny"', 'name="tiny'), '<geoReference>', "not well-formed XML")


def test_empty_input_says_there_is_no_element():
    error = assert_reported("", "", "not well-formed XML: no element found")
    assert error.line == 1


def test_wrong_root_element_is_reported_at_the_root():
    assert_reported('<?xml version="1.0"?>\n<Scenario>\n</Scenario>\n', "<Scenario>",
                    "root element must be <OpenDRIVE>, found <Scenario>")


def test_doctype_declaration_is_refused_at_its_line():
    text = replaced("<OpenDRIVE>", '<!DOCTYPE OpenDRIVE [<!ENTITY big "x">]>\n<OpenDRIVE>')
    error = assert_reported(text, "<!DOCTYPE", "<!DOCTYPE declarations are not allowed")
    assert error.column == 1


def test_message_without_a_source_starts_at_the_line():
    with pytest.raises(OpenDriveError, match=r"^line 11, column 13: road 1: <geometry> is missing attribute 'hdg'$"):
        parse_xodr(replaced('hdg="0" length="20"', 'length="20"'))


def test_open_drive_error_is_a_value_error_with_its_parts():
    with pytest.raises(ValueError) as caught:
        parse_xodr(replaced('<arc curvature="0.01"/>', "<arc/>"), SOURCE)
    error = caught.value
    assert isinstance(error, OpenDriveError)
    assert (error.source, error.line, error.column) == (SOURCE, line_of(VALID, "<arc"), 17)
    assert error.problem == "road 2 geometry s=0.0: <arc> is missing attribute 'curvature'"


def test_input_that_is_not_a_string_is_refused():
    with pytest.raises(OpenDriveError, match=f"^{SOURCE}: OpenDRIVE input must be a str, not bytes$"):
        parse_xodr(VALID.encode(), source=SOURCE)


def _attribute_variants():
    """Every attribute of the valid document dropped, and set to a word that is no number."""
    for match in re.finditer(r'\s(\w+)="([^"]*)"', VALID):
        start, end = match.span()
        yield f"drop-{match.group(1)}@{start}", VALID[:start] + VALID[end:]
        value_start, value_end = match.span(2)
        yield f"word-{match.group(1)}@{start}", VALID[:value_start] + "bogus" + VALID[value_end:]


def _element_variants():
    """Every line of the valid document removed: unbalanced tags, lost children, lost records."""
    lines = VALID.split("\n")
    for index in range(1, len(lines) - 1):
        yield f"line-{index + 1}", "\n".join(lines[:index] + lines[index + 1:])


@pytest.mark.parametrize("name, text", [*_attribute_variants(), *_element_variants()])
def test_any_damage_parses_or_raises_a_located_open_drive_error(name, text):
    try:
        parse_xodr(text, source=SOURCE)
    except OpenDriveError as error:
        assert error.line is not None and error.column is not None, str(error)
        assert str(error).startswith(f"{SOURCE}, line {error.line}, column {error.column}: "), str(error)


def test_server_map_loading_names_the_file_and_line(tmp_path):
    (tmp_path / "Broken.xodr").write_text(replaced('<arc curvature="0.01"/>', "<arc/>"), encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        load_town("Broken", maps_dir=tmp_path)
    message = str(caught.value)
    assert "Broken.xodr" in message and f"line {line_of(VALID, '<arc')}" in message
    assert "<arc> is missing attribute 'curvature'" in message


def test_generated_world_from_bad_text_reports_the_line_and_problem():
    with pytest.raises(ValueError) as caught:
        town_from_opendrive(replaced('connectingRoad="2"', 'connectingRoad="9"'))
    message = str(caught.value)
    assert f"line {line_of(VALID, '<connection')}" in message
    assert "connecting road 9 is not a road" in message
