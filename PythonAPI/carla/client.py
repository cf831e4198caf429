"""Client: the connection to a simulator, worlds, batches and the recorder."""

import os

from . import command
from ._simulator import CLIENT_VERSION, MAP_LAYER_ALL, Simulator
from .geometry import _int
from .world import World

_REPLAY_FOLLOW_OFFSET = [[-10.0, 0.0, 5.0], [-25.0, 0.0, 0.0]]


class OpendriveGenerationParameters:
    """Mesh generation settings sent with ``generate_opendrive_world``."""

    def __init__(self, vertex_distance=2.0, max_road_length=50.0, wall_height=1.0,
                 additional_width=0.6, smooth_junctions=True, enable_mesh_visibility=True,
                 enable_pedestrian_navigation=True):
        self.vertex_distance = vertex_distance
        self.max_road_length = max_road_length
        self.wall_height = wall_height
        self.additional_width = additional_width
        self.smooth_junctions = smooth_junctions
        self.enable_mesh_visibility = enable_mesh_visibility
        self.enable_pedestrian_navigation = enable_pedestrian_navigation

    def _to_wire(self):
        return [float(self.vertex_distance), float(self.max_road_length), float(self.wall_height),
                float(self.additional_width), bool(self.smooth_junctions),
                bool(self.enable_mesh_visibility), bool(self.enable_pedestrian_navigation)]


class Client:
    """Connection to the simulator at ``host:port`` (the world port; streams use their tokens)."""

    def __init__(self, host='127.0.0.1', port=2000, worker_threads=0):
        self._simulator = Simulator(str(host), int(port))
        self._files_base_folder = os.path.join(os.path.expanduser('~'), 'carlaCache')

    # -- connection --------------------------------------------------------------------------

    def set_timeout(self, seconds):
        self._simulator.rpc.timeout = float(seconds)

    def get_timeout(self):
        return self._simulator.rpc.timeout

    def get_client_version(self):
        return CLIENT_VERSION

    def get_server_version(self):
        return self._simulator.rpc.call('version')

    # -- worlds ------------------------------------------------------------------------------

    def get_world(self):
        episode = self._simulator.episode()
        return World(self._simulator, episode.id)

    def load_world(self, map_name, reset_settings=True, map_layers=MAP_LAYER_ALL):
        episode = self._simulator.load_episode(str(map_name), reset_settings, int(map_layers))
        return World(self._simulator, episode.id)

    def reload_world(self, reset_settings=True):
        return self.load_world('', reset_settings)

    def load_world_if_different(self, map_name, reset_settings=True, map_layers=MAP_LAYER_ALL):
        world = self.get_world()
        current = world.get_map().name
        if current in (map_name, 'Carla/Maps/' + map_name):
            return world
        return self.load_world(map_name, reset_settings, map_layers)

    def generate_opendrive_world(self, opendrive, parameters=None, reset_settings=True):
        if parameters is None:
            parameters = OpendriveGenerationParameters()
        self._simulator.rpc.call_void('copy_opendrive_to_file', str(opendrive),
                                      parameters._to_wire())
        return self.load_world('OpenDriveMap', reset_settings)

    def get_available_maps(self):
        return list(self._simulator.rpc.call('get_available_maps'))

    # -- files -------------------------------------------------------------------------------

    def set_files_base_folder(self, path):
        self._files_base_folder = os.fspath(path)
        return True

    def get_required_files(self, folder='', download=True):
        files = list(self._simulator.rpc.call('get_required_files', str(folder)))
        if download:
            for name in files:
                if not os.path.exists(os.path.join(self._files_base_folder, name)):
                    self.request_file(name)
        return files

    def request_file(self, name):
        content = self._simulator.rpc.call('request_file', str(name))
        path = os.path.join(self._files_base_folder, name)
        os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
        with open(path, 'wb') as f:
            f.write(bytes(content))

    # -- batches -----------------------------------------------------------------------------

    def apply_batch(self, commands, do_tick=False):
        self._simulator.rpc.cast('apply_batch', [c._to_wire() for c in commands], bool(do_tick))

    def apply_batch_sync(self, commands, do_tick=False):
        """Run the commands, wait for one Response each, then hand autopilot changes to the TM."""
        commands = list(commands)
        wires = self._simulator.rpc.call_raw(
            'apply_batch', [c._to_wire() for c in commands], bool(do_tick))
        responses = [command.Response._from_wire(w) for w in wires]
        if do_tick:
            # The server sent the new state before its answer: make it the current snapshot.
            self._simulator.episode().settle()
        self._apply_autopilot_commands(commands, responses)
        return responses

    def _apply_autopilot_commands(self, commands, responses):
        enable, disable = [], []
        tm_port = 8000
        for cmd, response in zip(commands, responses):
            if response.has_error():
                continue
            autopilot = None
            if isinstance(cmd, command.SpawnActor):
                for after in cmd._do_after:
                    if isinstance(after, command.SetAutopilot):
                        autopilot = after
            elif isinstance(cmd, command.SetAutopilot):
                autopilot = cmd
            if autopilot is None:
                continue
            tm_port = int(autopilot.tm_port)
            actor = self.get_world().get_actor(response.actor_id)
            if actor is not None:
                (enable if autopilot.enabled else disable).append(actor)
        if enable or disable:
            tm = self._simulator.traffic_manager(tm_port)
            tm._register(sorted(enable, key=lambda a: a.id))
            tm._unregister(sorted(disable, key=lambda a: a.id))

    def get_trafficmanager(self, port=8000):
        return self._simulator.traffic_manager(_int(port, 'Client.get_trafficmanager', 0, 65535))

    # -- recorder and replayer ---------------------------------------------------------------

    def start_recorder(self, name, additional_data=False):
        return self._simulator.rpc.call('start_recorder', str(name), bool(additional_data))

    def stop_recorder(self):
        self._simulator.rpc.cast('stop_recorder')

    def show_recorder_file_info(self, name, show_all=False):
        return self._simulator.rpc.call('show_recorder_file_info', str(name), bool(show_all))

    def show_recorder_collisions(self, name, type1, type2):
        return self._simulator.rpc.call('show_recorder_collisions', str(name),
                                        _char_code(type1), _char_code(type2))

    def show_recorder_actors_blocked(self, name, min_time, min_distance):
        return self._simulator.rpc.call('show_recorder_actors_blocked', str(name),
                                        float(min_time), float(min_distance))

    def replay_file(self, name, time_start, duration, follow_id, replay_sensors=False,
                    offset=None):
        offset = _REPLAY_FOLLOW_OFFSET if offset is None else offset._to_wire()
        return self._simulator.rpc.call('replay_file', str(name), float(time_start),
                                        float(duration), int(follow_id), bool(replay_sensors),
                                        offset)

    def stop_replayer(self, keep_actors):
        self._simulator.rpc.cast('stop_replayer', bool(keep_actors))

    def set_replayer_time_factor(self, time_factor=1.0):
        self._simulator.rpc.cast('set_replayer_time_factor', float(time_factor))

    def set_replayer_ignore_hero(self, ignore_hero):
        self._simulator.rpc.cast('set_replayer_ignore_hero', bool(ignore_hero))

    def set_replayer_ignore_spectator(self, ignore_spectator):
        self._simulator.rpc.cast('set_replayer_ignore_spectator', bool(ignore_spectator))


def _char_code(value):
    """CARLA sends the recorder's actor-type characters as integers."""
    if isinstance(value, str):
        if len(value) != 1:
            raise TypeError('expected a single character, got %r' % value)
        return ord(value)
    return int(value)
