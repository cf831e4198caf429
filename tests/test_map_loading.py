"""Loading maps through both clients: get_available_maps, load_world with CARLA's name forms, unknown maps,
and generate_opendrive_world building a world from a client's OpenDRIVE text."""
import json
import subprocess
import sys

import numpy as np
import pytest

from engine.map import OPENDRIVE_MAP, available_maps, town_from_opendrive
from serverproc import ROOT, ServerProcess, official_available, run_client

CARLA_TOWN03 = ROOT.parent / "shared" / "testdata" / "opendrive" / "Town03.xodr"

pytestmark = pytest.mark.skipif(not CARLA_TOWN03.is_file(), reason="../shared/testdata is not beside the project")


def _run(which: str, *flags: str) -> dict:
    with ServerProcess(*flags) as server:
        result = json.loads(run_client(which, "map_loading.py", server.port, str(CARLA_TOWN03)))
        assert server.alive()
    return result


def test_maps_load_and_generate_as_carla_documents(client_kind):
    result = _run(client_kind, "-nullrhi")
    towns = available_maps()
    assert result["available_maps"] == [f"/Game/Carla/Maps/{name}" for name in towns]
    town = towns[0]
    for name in (town, f"/Game/Carla/Maps/{town}", f"Carla/Maps/{town}"):
        map_name, spawn_points = result["load_world"][name]
        assert map_name == f"Carla/Maps/{town}" and spawn_points > 0
    error_type, message = result["unknown_map"]
    assert error_type == "RuntimeError"
    assert "NoSuchTown" in message and all(name in message for name in towns)

    generated = result["generated"]
    assert generated["map_name"] == "Carla/Maps/OpenDriveMap"
    assert generated["spawn_points"] > 100 and generated["opendrive_is_the_text_sent"]
    assert generated["highest_spawn_z"] > 5.0      # Town03's hills: spawn points follow the road elevation
    assert generated["actors"] == 0
    assert abs(result["settled_height_above_spawn_road"]) < 0.2
    assert result["generate_with_default_parameters"] == "Carla/Maps/OpenDriveMap"


def test_bad_opendrive_text_is_refused_and_the_server_keeps_its_world(client_kind):
    result = _run(client_kind, "-nullrhi")
    assert result["bad_xml"][0] == "RuntimeError" and "not well-formed XML" in result["bad_xml"][1]
    assert result["no_roads"][0] == "RuntimeError" and "no <road>" in result["no_roads"][1]
    assert all(message.startswith("opendrive could not be correctly parsed")
               for _, message in (result["bad_xml"], result["no_roads"]))
    assert result["after_bad_text"] == "Carla/Maps/OpenDriveMap"
    assert result["reload"] == "Carla/Maps/OpenDriveMap"
    assert result["still_serving"] == "0.9.16"


def test_both_clients_print_the_same_line():
    if not official_available():
        pytest.skip("official carla client not installed")
    assert _run("ours", "-nullrhi") == _run("official", "-nullrhi")


def test_generated_world_loads_with_rendering_on():
    """With -RenderOffScreen each load builds the road and prop meshes of the new town."""
    probe = "import moderngl; moderngl.create_context(standalone=True, backend='egl').release()"
    if subprocess.run([sys.executable, "-c", probe], capture_output=True).returncode != 0:
        pytest.skip("no EGL: offscreen rendering cannot start")
    assert _run("ours", "-RenderOffScreen", "-quality-level=Low") == _run("ours", "-nullrhi")


def test_town_from_opendrive_text_has_ground_spawn_points_and_a_mesh():
    from engine.render.town_mesh import build_town_mesh
    town = town_from_opendrive(CARLA_TOWN03.read_text())
    assert town.name == OPENDRIVE_MAP and town.map_name == "Carla/Maps/OpenDriveMap"
    assert not town.flat
    points = np.array(town.spawn_points)
    ground = town.ground_z(points[:, 0], points[:, 1])
    np.testing.assert_allclose(points[:, 2] - 0.3, ground, atol=0.5)
    mesh = build_town_mesh(town)
    assert len(mesh.indices) > 1000
    assert mesh.positions[:, 2].max() > points[:, 2].max() - 1.0


@pytest.mark.parametrize("text,expected", [
    ("<OpenDRIVE><road", "not well-formed XML"),
    ("<OpenDRIVE><header/></OpenDRIVE>", "no <road>"),
    ("<notOpenDrive/>", "root element must be <OpenDRIVE>"),
])
def test_town_from_opendrive_refuses_bad_text_saying_why(text, expected):
    with pytest.raises(ValueError, match=expected):
        town_from_opendrive(text)


def test_malformed_generation_parameters_get_an_error_naming_the_field():
    from test_rpc_robustness import call, connect
    text = CARLA_TOWN03.read_text()
    with ServerProcess("-nullrhi") as server:
        sock, unpacker = connect(server)
        short = call(sock, unpacker, 1, "copy_opendrive_to_file", text, [2.0, 50.0])
        assert short[3][0][0] is True and "OpendriveGenerationParameters" in short[3][0][1][0]
        wrong_type = call(sock, unpacker, 2, "copy_opendrive_to_file", text,
                          [2.0, "far", 1.0, 0.6, True, True, True])
        assert wrong_type[3][0][0] is True and "max_road_length" in wrong_type[3][0][1][0]
        good = call(sock, unpacker, 3, "copy_opendrive_to_file", text, [2.0, 50.0, 1.0, 0.6, True, True, True])
        assert good[2] is None and good[3] == [[False]]
        assert call(sock, unpacker, 4, "version")[3] == [[1, "0.9.16"]]
        sock.close()
