"""Roads of every plan-view geometry, and the lane/elevation polynomials, against values computed here.

Expected points come from closed forms (line, arc) or from fine numerical integration with numpy
(spiral, poly3, paramPoly3), independent of carla_odr's own quadrature and arc-length tables.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from carla_odr import parse_xodr

MM = 1e-3
X0, Y0, HDG0 = 12.5, -7.25, 0.6
STEPS = 400_000  # integration steps per element: trapezoid error far below a micrometre


def road_xodr(length: float, shape: str, extra: str = "", lanes: str | None = None) -> str:
    lanes = lanes or """<laneSection s="0"><center><lane id="0" type="none"/></center>
        <right><lane id="-1" type="driving"><width sOffset="0" a="3.5"/></lane></right></laneSection>"""
    return f"""<OpenDRIVE><header revMajor="1" revMinor="4"/>
    <road id="1" length="{length!r}" junction="-1">
      <planView><geometry s="0" x="{X0!r}" y="{Y0!r}" hdg="{HDG0!r}" length="{length!r}">{shape}</geometry></planView>
      {extra}
      <lanes>{lanes}</lanes>
    </road></OpenDRIVE>"""


def evaluated(text: str, s: np.ndarray) -> np.ndarray:
    road = parse_xodr(text).road(1)
    x, y, _, heading = road.reference_pose(s)
    return np.stack([x, y, heading])


def rotated(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    c, s = math.cos(HDG0), math.sin(HDG0)
    return X0 + u * c - v * s, Y0 + u * s + v * c


def cumulative_trapezoid(values: np.ndarray, step: float) -> np.ndarray:
    return np.concatenate(([0.0], np.cumsum(0.5 * (values[1:] + values[:-1]) * step)))


def assert_poses_close(actual: np.ndarray, expected: np.ndarray):
    position_error = np.hypot(actual[0] - expected[0], actual[1] - expected[1]).max()
    heading_error = np.abs(np.angle(np.exp(1j * (actual[2] - expected[2])))).max()
    assert position_error < MM, f"position off by {position_error:.3g} m"
    assert heading_error < 1e-5, f"heading off by {heading_error:.3g} rad"


def test_line_points_follow_the_heading():
    s = np.linspace(0.0, 80.0, 17)
    expected = np.stack([X0 + s * math.cos(HDG0), Y0 + s * math.sin(HDG0), np.full_like(s, HDG0)])
    assert_poses_close(evaluated(road_xodr(80.0, "<line/>"), s), expected)


@pytest.mark.parametrize("curvature", [0.02, -0.035, 0.5])
def test_arc_points_lie_on_the_circle_at_the_swept_angle(curvature):
    length = 60.0 if abs(curvature) < 0.1 else 10.0
    s = np.linspace(0.0, length, 13)
    radius = 1.0 / curvature
    centre_x, centre_y = X0 - radius * math.sin(HDG0), Y0 + radius * math.cos(HDG0)
    heading = HDG0 + curvature * s
    expected = np.stack([centre_x + radius * np.sin(heading), centre_y - radius * np.cos(heading), heading])
    assert_poses_close(evaluated(road_xodr(length, f'<arc curvature="{curvature!r}"/>'), s), expected)


@pytest.mark.parametrize(
    "curv_start, curv_end, length",
    [
        (0.0, 0.05, 70.0),  # straight into a left bend
        (0.05, 0.0, 70.0),  # bend opening out
        (0.0, -0.04, 50.0),  # into a right bend
        (0.02, -0.03, 90.0),  # through zero curvature, left to right
        (-0.01, -0.06, 40.0),  # starting curved, tightening
        (0.01, 0.2, 100.0),  # more than a full turn: about 10.5 rad of heading change
    ],
)
def test_spiral_points_match_integrated_curvature(curv_start, curv_end, length):
    t = np.linspace(0.0, length, STEPS + 1)
    rate = (curv_end - curv_start) / length
    heading = HDG0 + curv_start * t + 0.5 * rate * t * t
    x = X0 + cumulative_trapezoid(np.cos(heading), t[1])
    y = Y0 + cumulative_trapezoid(np.sin(heading), t[1])
    picks = np.linspace(0, STEPS, 11).astype(int)
    shape = f'<spiral curvStart="{curv_start!r}" curvEnd="{curv_end!r}"/>'
    actual = evaluated(road_xodr(length, shape), t[picks])
    assert_poses_close(actual, np.stack([x[picks], y[picks], heading[picks]]))


def test_spiral_from_zero_curvature_matches_fresnel_series():
    # Clothoid with curvature s/A^2: x = integral cos(t^2/(2A^2)), y = integral sin(...), by their power series.
    a_squared, length = 400.0, 30.0
    s = np.linspace(0.0, length, 7)
    x_local = np.zeros_like(s)
    y_local = np.zeros_like(s)
    for n in range(12):
        sign = (-1.0) ** n
        x_local += sign * s ** (4 * n + 1) / ((4 * n + 1) * math.factorial(2 * n) * (2 * a_squared) ** (2 * n))
        y_local += sign * s ** (4 * n + 3) / ((4 * n + 3) * math.factorial(2 * n + 1) * (2 * a_squared) ** (2 * n + 1))
    x, y = rotated(x_local, y_local)
    expected = np.stack([x, y, HDG0 + s * s / (2.0 * a_squared)])
    shape = f'<spiral curvStart="0" curvEnd="{length / a_squared!r}"/>'
    assert_poses_close(evaluated(road_xodr(length, shape), s), expected)


def _points_by_arc_length(u_of_p, v_of_p, du_of_p, dv_of_p, p_end: float, s: np.ndarray) -> np.ndarray:
    """Poses at arc lengths s of the local curve (u(p), v(p)), integrating the speed on a fine p grid."""
    p = np.linspace(0.0, p_end, STEPS + 1)
    arc = cumulative_trapezoid(np.hypot(du_of_p(p), dv_of_p(p)), p[1])
    p_at_s = np.interp(s, arc, p)
    x, y = rotated(u_of_p(p_at_s), v_of_p(p_at_s))
    return np.stack([x, y, HDG0 + np.arctan2(dv_of_p(p_at_s), du_of_p(p_at_s))])


def _cubic(a, b, c, d):
    return (lambda p: a + p * (b + p * (c + p * d))), (lambda p: b + p * (2.0 * c + p * 3.0 * d))


@pytest.mark.parametrize("coefficients", [(0.0, 0.0, 0.01, -0.0001), (0.5, 0.1, -0.004, 0.00002), (0.0, -0.3, 0.0, 0.0)])
def test_poly3_points_are_at_arc_length_along_the_cubic(coefficients):
    a, b, c, d = coefficients
    u_span = 60.0
    v, dv = _cubic(a, b, c, d)
    u_grid = np.linspace(0.0, u_span, STEPS + 1)
    length = float(cumulative_trapezoid(np.hypot(1.0, dv(u_grid)), u_grid[1])[-1])
    s = np.linspace(0.0, length, 13)
    expected = _points_by_arc_length(lambda u: u, v, np.ones_like, dv, u_span, s)
    shape = f'<poly3 a="{a!r}" b="{b!r}" c="{c!r}" d="{d!r}"/>'
    assert_poses_close(evaluated(road_xodr(length, shape), s), expected)


PARAM_POLY3_CURVES = {
    # (aU, bU, cU, dU), (aV, bV, cV, dV) for p in [0, 1]: a gentle S and an uneven-speed bend.
    "s_curve": ((0.0, 50.0, 0.0, 0.0), (0.0, 0.0, 12.0, -8.0)),
    "uneven_speed": ((0.0, 20.0, 25.0, -5.0), (0.0, 0.0, 15.0, 4.0)),
}


@pytest.mark.parametrize("p_range", ["normalized", "arcLength"])
@pytest.mark.parametrize("curve", sorted(PARAM_POLY3_CURVES))
def test_param_poly3_points_are_at_arc_length_along_the_curve(curve, p_range):
    coefficients_u, coefficients_v = PARAM_POLY3_CURVES[curve]
    u1, du1 = _cubic(*coefficients_u)
    v1, dv1 = _cubic(*coefficients_v)
    p = np.linspace(0.0, 1.0, STEPS + 1)
    length = float(cumulative_trapezoid(np.hypot(du1(p), dv1(p)), p[1])[-1])
    if p_range == "normalized":
        u, du, v, dv, p_end = u1, du1, v1, dv1, 1.0
        coefficients = (*coefficients_u, *coefficients_v)
    else:  # the same curve with p running over [0, length]: coefficient k scaled by length^-k
        scale = [length ** -k for k in range(4)]
        cu = [c * f for c, f in zip(coefficients_u, scale)]
        cv = [c * f for c, f in zip(coefficients_v, scale)]
        (u, du), (v, dv), p_end = _cubic(*cu), _cubic(*cv), length
        coefficients = (*cu, *cv)
    names = ("aU", "bU", "cU", "dU", "aV", "bV", "cV", "dV")
    attributes = " ".join(f'{name}="{value!r}"' for name, value in zip(names, coefficients))
    s = np.linspace(0.0, length, 13)
    expected = _points_by_arc_length(u, v, du, dv, p_end, s)
    actual = evaluated(road_xodr(length, f'<paramPoly3 {attributes} pRange="{p_range}"/>'), s)
    assert_poses_close(actual, expected)


def test_plan_view_picks_the_geometry_each_s_falls_in():
    text = f"""<OpenDRIVE><header/>
    <road id="1" length="60" junction="-1"><planView>
      <geometry s="0" x="0" y="0" hdg="0" length="20"><line/></geometry>
      <geometry s="20" x="20" y="0" hdg="0" length="20"><arc curvature="0.05"/></geometry>
      <geometry s="40" x="{20 + 20 * 0 + math.sin(1.0) / 0.05!r}" y="{(1 - math.cos(1.0)) / 0.05!r}" hdg="1.0" length="20"><line/></geometry>
    </planView><lanes><laneSection s="0"><right><lane id="-1" type="driving"><width sOffset="0" a="3"/></lane></right>
    </laneSection></lanes></road></OpenDRIVE>"""
    road = parse_xodr(text).road(1)
    x, y, _, heading = road.reference_pose(np.array([10.0, 30.0, 50.0]))
    end_x, end_y = 20 + math.sin(1.0) / 0.05, (1 - math.cos(1.0)) / 0.05
    assert np.allclose([x[0], y[0], heading[0]], [10.0, 0.0, 0.0], atol=1e-9)
    assert np.allclose([x[1], y[1], heading[1]], [20 + math.sin(0.5) / 0.05, (1 - math.cos(0.5)) / 0.05, 0.5], atol=1e-9)
    assert np.allclose([x[2], y[2], heading[2]], [end_x + 10 * math.cos(1.0), end_y + 10 * math.sin(1.0), 1.0], atol=1e-9)


PROFILES = """
      <elevationProfile>
        <elevation s="0" a="1.5" b="0.02" c="0" d="0"/>
        <elevation s="30" a="2.1" b="0.02" c="-0.001" d="0.00001"/>
      </elevationProfile>
      <lateralProfile>
        <superelevation s="0" a="0" b="0.001" c="0" d="0"/>
        <superelevation s="25" a="0.025" b="0" c="-0.0001" d="0"/>
      </lateralProfile>"""
LANES = """
        <laneOffset s="0" a="0.5" b="0.01" c="0" d="0"/>
        <laneOffset s="20" a="0.7" b="0" c="0.001" d="-0.00001"/>
        <laneSection s="0">
          <left><lane id="1" type="driving"><width sOffset="0" a="3.0"/></lane></left>
          <center><lane id="0" type="none"/></center>
          <right>
            <lane id="-1" type="driving"><width sOffset="0" a="3.5" b="0"/></lane>
            <lane id="-2" type="shoulder"><width sOffset="0" a="1.0" b="0.05"/><width sOffset="10" a="1.5" b="0" c="0.002"/></lane>
          </right>
        </laneSection>
        <laneSection s="40">
          <center><lane id="0" type="none"/></center>
          <right><lane id="-1" type="driving"><width sOffset="0" a="3.5" b="0" c="0.001" d="-0.0001"/></lane></right>
        </laneSection>"""


@pytest.fixture(scope="module")
def profiled_road():
    return parse_xodr(road_xodr(60.0, "<line/>", PROFILES, LANES)).road(1)


def test_elevation_is_the_cubic_of_the_record_s_falls_in(profiled_road):
    z = profiled_road.reference_pose(np.array([0.0, 10.0, 30.0, 45.0]))[2]
    # 1.5 + 0.02*10; at s=45: ds=15 -> 2.1 + 0.3 - 0.225 + 0.03375
    assert np.allclose(z, [1.5, 1.7, 2.1, 2.20875], atol=1e-12)


def test_superelevation_is_the_cubic_of_the_record_s_falls_in(profiled_road):
    roll = profiled_road.superelevation(np.array([0.0, 20.0, 25.0, 35.0]))
    # 0.001*20; at s=35: ds=10 -> 0.025 - 0.0001*100
    assert np.allclose(roll, [0.0, 0.02, 0.025, 0.015], atol=1e-12)


def test_lane_offset_is_the_cubic_of_the_record_s_falls_in(profiled_road):
    offset = profiled_road.lane_offset(np.array([0.0, 15.0, 20.0, 30.0]))
    # 0.5 + 0.01*15; at s=30: ds=10 -> 0.7 + 0.1 - 0.01
    assert np.allclose(offset, [0.5, 0.65, 0.7, 0.79], atol=1e-12)


def test_lane_widths_use_offsets_from_their_lane_section(profiled_road):
    s = np.array([5.0, 15.0, 30.0])
    offset = np.array([0.5 + 0.05, 0.5 + 0.15, 0.7 + 0.1 - 0.01])
    # lane -2 width: 1.0 + 0.05*5 = 1.25; from sOffset 10: 1.5 + 0.002*25 = 1.55 and 1.5 + 0.002*400 = 2.3
    outer_minus_2 = -(3.5 + np.array([1.25, 1.55, 2.3]))
    assert np.allclose(profiled_road.lane_t(-2, s, where=1.0), offset + outer_minus_2, atol=1e-12)
    assert np.allclose(profiled_road.lane_t(-2, s, where=0.0), offset - 3.5, atol=1e-12)
    assert np.allclose(profiled_road.lane_t(1, s), offset + 1.5, atol=1e-12)
    # second section from s=40: at s=50, ds=10 -> 3.5 + 0.1 - 0.1 = 3.5; at s=45, ds=5 -> 3.5 + 0.025 - 0.0125
    offset_late = 0.7 + np.array([0.0 + 0.001 * 400 - 0.00001 * 8000, 0.001 * 625 - 0.00001 * 15625])
    late = profiled_road.lane_t(-1, np.array([40.0 + 0.0, 45.0]), where=1.0)
    assert np.allclose(late, offset_late - np.array([3.5, 3.5125]), atol=1e-12)


def test_lane_centre_is_offset_along_the_left_normal_of_the_reference_line(profiled_road):
    s = 15.0
    x, y, z, heading = profiled_road.lane_center(-1, np.array([s]))
    t = 0.65 - 1.75
    expected_x = X0 + s * math.cos(HDG0) - t * math.sin(HDG0)
    expected_y = Y0 + s * math.sin(HDG0) + t * math.cos(HDG0)
    assert np.allclose([x[0], y[0], z[0], heading[0]], [expected_x, expected_y, 1.8, HDG0], atol=1e-12)
