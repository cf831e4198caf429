"""The client's data types match the official CARLA 0.9.16 client.

The same runner script evaluates a broad set of expressions (construction, ``str``, float32
arithmetic, equality, weather presets, enums, commands, blueprint filtering) under the
official client and under ours, and the printed results must be identical. For blueprints
and the wire format, the official client talks to a small fake server that answers with a
hand-made list of actor definitions and records what the client sends.

The official client is found at ``$CARLA_OFFICIAL_PYTHON`` (default
``/tmp/carla-official-venv/bin/python``); those tests are skipped when it is missing. The
tests at the end need only our client.
"""

import json
import math
import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHONAPI = os.path.join(ROOT, 'PythonAPI')
OFFICIAL_PYTHON = os.environ.get('CARLA_OFFICIAL_PYTHON', '/tmp/carla-official-venv/bin/python')

sys.path.insert(0, PYTHONAPI)

from carla import blueprint, command, control, enums, geometry, settings, weather  # noqa: E402

MARKER = '=====RESULTS====='

# -- the fake server the official client talks to (run with our interpreter: it needs msgpack) --

SERVER = textwrap.dedent(r'''
    import json, socket, struct, sys, threading
    import msgpack

    def token(stream_id, port):
        return struct.pack('<IHBB16s', stream_id, port, 1, 1, bytes([127, 0, 0, 1]) + bytes(12))

    def jsonable(value):
        if isinstance(value, bytes):
            return {'bin': value.hex()}
        if isinstance(value, (list, tuple)):
            return [jsonable(item) for item in value]
        if isinstance(value, bool):
            return {'bool': value}
        if isinstance(value, float):
            return {'float': repr(value)}
        return value

    config = json.load(open(sys.argv[1]))
    log = open(sys.argv[2], 'w')
    rpc = socket.socket(); rpc.bind(('127.0.0.1', 0)); rpc.listen(8)
    stream = socket.socket(); stream.bind(('127.0.0.1', 0)); stream.listen(8)
    stream_port = stream.getsockname()[1]
    held = []
    next_id = [100]

    def accept_streams():
        while True:
            held.append(stream.accept()[0])

    def answer(name, args):
        ok = lambda value: [[1, value]]
        if name == 'version': return ok('0.9.16')
        if name == 'get_episode_info': return ok([7, [token(1, stream_port)]])
        if name == 'get_sensor_token': return ok([token(args[0], stream_port)])
        if name == 'get_episode_settings': return ok(config['settings'])
        if name in ('get_required_files', 'query_lights_state'): return ok([])
        if name == 'get_actor_definitions': return ok(config['definitions'])
        if name == 'get_weather_parameters': return ok(config['weather'])
        if name in ('spawn_actor', 'spawn_actor_with_parent'):
            next_id[0] += 1
            parent = args[2] if len(args) > 2 else 0
            return ok([next_id[0], parent, args[0], [[0, 0, 0], [1, 1, 1], [0, 0, 0]], b'', b''])
        if name == 'apply_batch': return [[[1, 0]] for _ in args[0]]
        if name == 'get_bones_transform':
            return ok(config['bones'])
        if name == 'apply_physics_control': return [[False]]
        return [[0, ['unhandled ' + name]]]

    def serve(connection):
        unpacker = msgpack.Unpacker(raw=False, strict_map_key=False)
        while True:
            data = connection.recv(65536)
            if not data:
                return
            unpacker.feed(data)
            for _, msgid, name, params in unpacker:
                log.write(json.dumps([name, jsonable(params[1:])]) + '\n'); log.flush()
                reply = [1, msgid, None, answer(name, params[1:])]
                connection.sendall(msgpack.packb(reply, use_bin_type=True))

    threading.Thread(target=accept_streams, daemon=True).start()
    print(rpc.getsockname()[1], flush=True)
    while True:
        threading.Thread(target=serve, args=(rpc.accept()[0],), daemon=True).start()
''')

# -- the runner: evaluated under both clients ---------------------------------------------------

RUNNER = textwrap.dedent(r'''
    import json, math, os, subprocess, sys, tempfile, traceback, types

    MODE = sys.argv[1]
    if MODE == 'official':
        import carla
    else:
        from carla import blueprint, command, control, enums, geometry, settings, weather
        carla = types.SimpleNamespace()
        for module in (geometry, enums, control, weather, settings, blueprint):
            for name in module.__all__:
                setattr(carla, name, getattr(module, name))
        carla.command = command

    def attribute(id, type, value, recommended=(), modifiable=True, restrict=False):
        return [id, type, value, list(recommended), modifiable, restrict]

    VEHICLES = [
        'vehicle.audi.a2', 'vehicle.audi.etron', 'vehicle.audi.tt', 'vehicle.bmw.grandtourer',
        'vehicle.chevrolet.impala', 'vehicle.citroen.c3', 'vehicle.dodge.charger_2020',
        'vehicle.dodge.charger_police', 'vehicle.ford.crown', 'vehicle.ford.mustang',
        'vehicle.jeep.wrangler_rubicon', 'vehicle.lincoln.mkz_2017', 'vehicle.lincoln.mkz_2020',
        'vehicle.mercedes.coupe', 'vehicle.mini.cooper_s', 'vehicle.nissan.micra',
        'vehicle.nissan.patrol', 'vehicle.seat.leon', 'vehicle.tesla.model3',
        'vehicle.toyota.prius', 'vehicle.carlamotors.carlacola', 'vehicle.tesla.cybertruck',
        'vehicle.harley-davidson.low_rider', 'vehicle.kawasaki.ninja', 'vehicle.yamaha.yzf',
        'vehicle.bh.crossbike', 'vehicle.diamondback.century', 'vehicle.gazelle.omafiets']

    def vehicle(uid, name):
        tags = 'vehicle,car' if uid % 3 else 'car,vehicle,four_wheels'
        return [uid, name, tags, [
            attribute('role_name', 4, 'autopilot', ['autopilot', 'scenario', 'ego_vehicle']),
            attribute('color', 5, '17,37,103', ['17,37,103', '255,255,255', '0,0,0'], True, True),
            attribute('number_of_wheels', 2, '4', [], False),
            attribute('sticky_control', 1, 'true'),
            attribute('terramechanics', 1, 'false'),
            attribute('generation', 2, '2', [], False),
            attribute('base_type', 4, 'car', [], False),
            attribute('special_type', 4, '', [], False),
            attribute('has_dynamic_doors', 1, 'true', [], False),
            attribute('has_lights', 1, 'true', [], False),
            attribute('object_type', 4, '')]]

    DEFINITIONS = [vehicle(uid, name) for uid, name in enumerate(VEHICLES)]
    DEFINITIONS += [[100 + i, 'walker.pedestrian.%04d' % i, 'walker,pedestrian', [
        attribute('role_name', 4, 'pedestrian'), attribute('is_invincible', 1, 'true'),
        attribute('speed', 3, '1.0', ['1.0', '1.5', '2.0']),
        attribute('age', 4, 'adult', [], False), attribute('generation', 2, '2', [], False)]]
        for i in range(1, 15)]
    DEFINITIONS += [
        [200, 'sensor.camera.rgb', 'sensor,camera,rgb', [
            attribute('image_size_x', 2, '800'), attribute('image_size_y', 2, '600'),
            attribute('fov', 3, '90.0'), attribute('sensor_tick', 3, '0.0'),
            attribute('role_name', 4, 'front'), attribute('gamma', 3, '2.2'),
            attribute('enable_postprocess_effects', 1, 'True'),
            attribute('lens_circle_falloff', 3, '5.0'),
            attribute('motion_blur_intensity', 3, '0.45'),
            attribute('bloom_intensity', 3, '0.675'),
            attribute('exposure_mode', 4, 'histogram', ['manual', 'histogram'], True, True)]],
        [201, 'sensor.other.collision', 'sensor,other,collision', [attribute('role_name', 4, 'front')]],
        [202, 'sensor.camera.depth', 'sensor,camera,depth', [
            attribute('image_size_x', 2, '800'), attribute('fov', 3, '90.0')]],
        [203, 'static.prop.barrel', 'static,prop,barrel', [
            attribute('size', 4, 'small', [], False), attribute('role_name', 4, '')]],
        [204, 'controller.ai.walker', 'controller,ai,walker', []],
        [205, 'traffic.traffic_light', 'traffic,traffic_light', [attribute('role_name', 4, '')]],
        [206, 'weird.one', '', [
            attribute('f', 3, '1e3x'), attribute('i', 2, '12abc'),
            attribute('c', 5, ' 25, 1,2x'), attribute('b', 1, 'TRUE'),
            attribute('h', 3, '0x1.8p1'), attribute('n', 2, '99999999999')]],
        [207, 'weird.two', 'a,,b,a', [
            attribute('c', 5, '-1,2,3'), attribute('s', 4, 'x', ['y', 'z'], True, True)]],
        [208, 'weird.three', ','.join('tag%d' % i for i in range(20)), [
            attribute('a%d' % i, 2, str(i)) for i in range(17)]],
        [209, 'vehicle.audi.a2', 'duplicate', []],
    ]
    WEATHER = [1.5, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14.25]
    POSE = lambda a: [[a, 2.5, 3], [0.5, a, 0.125]]
    BONES = [[['hand_l', POSE(1), POSE(2), POSE(3)], ['head', POSE(4), POSE(5), POSE(6)]]]
    SETTINGS = [True, True, [True, 0.1], True, 0.02, 7, 0.5, False, 100.0, 200.0, False]

    def render(value):
        name = type(value).__name__
        if value is None or isinstance(value, (bool, float, str)):
            return repr(value)
        if isinstance(value, int):
            if name == 'int':
                return repr(value)
            return '%s<%s|%r|%d>' % (name, value, value, value)
        if isinstance(value, (list, tuple)):
            return '[%s]' % ', '.join(render(item) for item in value)
        if isinstance(value, dict):
            return '{%s}' % ', '.join('%s: %s' % (render(k), render(v)) for k, v in value.items())
        if name in ('Vector3D', 'Location'):
            return '%s(%r, %r, %r)' % (name, value.x, value.y, value.z)
        if name == 'Vector2D':
            return 'Vector2D(%r, %r)' % (value.x, value.y)
        if name == 'Rotation':
            return 'Rotation(%r, %r, %r)' % (value.pitch, value.yaw, value.roll)
        if name == 'Transform':
            return 'Transform(%s, %s)' % (render(value.location), render(value.rotation))
        if name == 'BoundingBox':
            # actor_id is left out: the official two-argument constructor leaves it uninitialised.
            return 'BoundingBox(%s, %s, %s)' % (
                render(value.location), render(value.extent), render(value.rotation))
        text = str(value)
        if ' object at 0x' in text:
            text = '<object>'
        return '%s:%s' % (name, text)

    def outcome(function):
        try:
            return ['ok', render(function())]
        except Exception as error:
            kind = type(error).__name__
            if kind == 'ArgumentError' or isinstance(error, TypeError):
                return ['error', 'TypeError']
            return ['error', kind, str(error)]

    def evaluate(items, scope):
        results = []
        for item in items:
            if item.startswith('exec:'):
                code = item[5:]
                def run(code=code):
                    local = dict(scope)
                    exec(code, local)
                    return local.get('result')
                results.append([item, outcome(run)])
            else:
                results.append([item, outcome(lambda item=item: eval(item, scope))])
        return results

    def official_library():
        directory = tempfile.mkdtemp()
        config_path = os.path.join(directory, 'config.json')
        log_path = os.path.join(directory, 'calls.jsonl')
        with open(config_path, 'w') as stream:
            json.dump({'definitions': DEFINITIONS, 'weather': WEATHER, 'settings': SETTINGS,
                       'bones': BONES}, stream)
        server = subprocess.Popen([sys.argv[3], sys.argv[2], config_path, log_path],
                                  stdout=subprocess.PIPE, text=True)
        port = int(server.stdout.readline())
        client = carla.Client('127.0.0.1', port)
        client.set_timeout(10.0)
        world = client.get_world()
        return server, log_path, client, world

    class OfficialSink:
        """Sends through the official client; the fake server records the calls."""
        def __init__(self, client, world):
            self.client, self.world = client, world
        def spawn(self, bp, transform, parent=None, attachment_type=None):
            if parent is None:
                return self.world.spawn_actor(bp, transform)
            return self.world.spawn_actor(bp, transform, attach_to=parent,
                                          attachment_type=attachment_type)
        def control(self, actor, value):
            actor.apply_control(value)
        def ackermann(self, actor, value):
            actor.apply_ackermann_control(value)
        def physics(self, actor, value):
            actor.apply_physics_control(value)
        def ackermann_settings(self, actor, value):
            actor.apply_ackermann_controller_settings(value)
        def bones(self, actor, value):
            actor.set_bones(value)
        def weather(self, value):
            self.world.set_weather(value)
        def batch(self, commands):
            self.client.apply_batch(commands)

    class OurSink:
        """Records what our types put on the wire, as the fake server logs it."""
        def __init__(self):
            # The official run spawns one walker (for get_bones) before these actions.
            self.calls, self.next_id = [], 101
        def spawn(self, bp, transform, parent=None, attachment_type=None):
            self.next_id += 1
            actor = types.SimpleNamespace(id=self.next_id, walker=bp.id.startswith('walker'))
            if parent is None:
                self.calls.append(['spawn_actor', [bp._to_description(), transform._to_wire()]])
            else:
                self.calls.append(['spawn_actor_with_parent', [
                    bp._to_description(), transform._to_wire(), parent.id,
                    int(attachment_type), '']])
            return actor
        def control(self, actor, value):
            name = 'apply_control_to_walker' if actor.walker else 'apply_control_to_vehicle'
            self.calls.append([name, [actor.id, value._to_wire()]])
        def ackermann(self, actor, value):
            self.calls.append(['apply_ackermann_control_to_vehicle', [actor.id, value._to_wire()]])
        def physics(self, actor, value):
            self.calls.append(['apply_physics_control', [actor.id, value._to_wire()]])
        def ackermann_settings(self, actor, value):
            self.calls.append(['apply_ackermann_controller_settings', [actor.id, value._to_wire()]])
        def bones(self, actor, value):
            self.calls.append(['set_bones_transform', [actor.id, value._to_wire()]])
        def weather(self, value):
            self.calls.append(['set_weather_parameters', [value._to_wire()]])
        def batch(self, commands):
            self.calls.append(['apply_batch', [[c._to_wire() for c in commands], False]])

    def wire_actions(lib, sink):
        bp = lib.find('vehicle.audi.a2')
        bp.set_attribute('role_name', 'hero')
        bp.set_attribute('color', '1,2,3')
        vehicle = sink.spawn(bp, carla.Transform(carla.Location(1, 2, 3.5), carla.Rotation(0.1, 90, 0)))
        walker = sink.spawn(lib.find('walker.pedestrian.0001'), carla.Transform())
        camera = lib.find('sensor.camera.rgb')
        camera.set_attribute('image_size_x', '320')
        sink.spawn(camera, carla.Transform(carla.Location(x=-5.5, z=2.8)), vehicle,
                   carla.AttachmentType.SpringArmGhost)
        sink.control(vehicle, carla.VehicleControl(0.5, -0.25, 0.1, True, False, True, 2))
        sink.ackermann(vehicle, carla.VehicleAckermannControl(0.1, 0.2, 0.3, 0.4, 0.5))
        sink.control(walker, carla.WalkerControl(carla.Vector3D(1, 0.5, 0), 1.25, True))
        physics = carla.VehiclePhysicsControl(
            forward_gears=[carla.GearPhysicsControl(2, 3, 4), carla.GearPhysicsControl()],
            wheels=[carla.WheelPhysicsControl(radius=5, position=carla.Vector3D(1, 2, 3)),
                    carla.WheelPhysicsControl(tire_friction=3.5)],
            torque_curve=[carla.Vector2D(0, 400), carla.Vector2D(1890.5, 500.25)],
            use_sweep_wheel_collision=True, center_of_mass=carla.Location(1, 2, 3), mass=0.1,
            max_rpm=5800, drag_coefficient=0.25)
        sink.physics(vehicle, physics)
        sink.ackermann_settings(vehicle, carla.AckermannControllerSettings(0.1, 0.2, 0.3, 1, 2, 3))
        sink.bones(walker, carla.WalkerBoneControlIn([
            ('hand_l', carla.Transform(carla.Location(0.1, 0.2, 0.3), carla.Rotation(1, 2, 3))),
            ('head', carla.Transform())]))
        sink.weather(carla.WeatherParameters.WetCloudySunset)
        sink.weather(carla.WeatherParameters(1.1, 2.2, 3.3, 4.4, 5.5, 6.6, 7.7, 8.8, 9.9, 10.1, 11.11, 0.5, 0.25, 12.5))
        c = carla.command
        future = c.FutureActor
        sink.batch([
            c.SpawnActor(bp, carla.Transform()),
            c.SpawnActor(bp, carla.Transform(carla.Location(3, 4, 5)), 5),
            c.SpawnActor(bp, carla.Transform(), vehicle),
            c.SpawnActor(bp, carla.Transform(), vehicle, carla.AttachmentType.SpringArm, 'socket'),
            c.SpawnActor(bp, carla.Transform())
                .then(c.ApplyTargetVelocity(future, carla.Vector3D(1, 2, 3)))
                .then(c.SetAutopilot(future, True, 8005))
                .then(c.SetVehicleLightState(future, carla.VehicleLightState.Brake | carla.VehicleLightState.Fog)),
            c.DestroyActor(vehicle), c.DestroyActor(17),
            c.ApplyVehicleControl(vehicle, carla.VehicleControl(throttle=1, gear=-1)),
            c.ApplyVehicleAckermannControl(vehicle, carla.VehicleAckermannControl(speed=3)),
            c.ApplyWalkerControl(walker, carla.WalkerControl(speed=2)),
            c.ApplyVehiclePhysicsControl(vehicle, physics),
            c.ApplyTransform(vehicle, carla.Transform(carla.Location(1, 2, 3), carla.Rotation(4, 5, 6))),
            c.ApplyWalkerState(walker, carla.Transform(), 1.5),
            c.ApplyTargetVelocity(vehicle, carla.Vector3D(1, 0, 0)),
            c.ApplyTargetAngularVelocity(vehicle.id, carla.Vector3D(0, 1, 0)),
            c.ApplyImpulse(vehicle, carla.Vector3D(0, 0, 1)),
            c.ApplyForce(vehicle, carla.Location(2, 0, 1)),
            c.ApplyAngularImpulse(vehicle, carla.Vector3D(3, 0, 1)),
            c.ApplyTorque(vehicle, carla.Vector3D(4, 0, 1)),
            c.SetSimulatePhysics(vehicle, False),
            c.SetEnableGravity(vehicle, True),
            c.SetAutopilot(vehicle, True),
            c.SetAutopilot(vehicle.id, False, 8001),
            c.SetVehicleLightState(vehicle, carla.VehicleLightState.Brake | carla.VehicleLightState.Fog),
            c.SetVehicleLightState(vehicle.id, carla.VehicleLightState.All),
        ])

    WIRE_CALLS = ('spawn_actor', 'spawn_actor_with_parent', 'apply_control_to_vehicle',
                  'apply_ackermann_control_to_vehicle', 'apply_control_to_walker',
                  'apply_physics_control', 'set_weather_parameters', 'apply_batch',
                  'apply_ackermann_controller_settings', 'set_bones_transform')

    def jsonable(value):
        if isinstance(value, bytes):
            return {'bin': value.hex()}
        if isinstance(value, (list, tuple)):
            return [jsonable(item) for item in value]
        if isinstance(value, bool):
            return {'bool': value}
        if isinstance(value, float):
            return {'float': repr(value)}
        if isinstance(value, int):
            return int(value)
        return value

    def main():
        scope = {'carla': carla, 'math': math}
        exec(SETUP, scope)
        output = {'expressions': evaluate(EXPRESSIONS, scope)}
        if MODE == 'official':
            server, log_path, client, world = official_library()
            try:
                lib = world.get_blueprint_library()
                walker = world.spawn_actor(lib.find('walker.pedestrian.0002'), carla.Transform())
                scope.update(lib=lib, loaded_weather=world.get_weather(),
                             loaded_settings=world.get_settings(), loaded_bones=walker.get_bones())
                output['blueprints'] = evaluate(BLUEPRINT_EXPRESSIONS, scope)
                client.get_server_version()  # every earlier call has reached the server
                skip = len(open(log_path).readlines())
                wire_actions(world.get_blueprint_library(), OfficialSink(client, world))
                client.get_server_version()
                calls = [json.loads(line) for line in open(log_path)][skip:]
                output['wire'] = [call for call in calls if call[0] in WIRE_CALLS]
            finally:
                server.kill()
        else:
            lib = carla.BlueprintLibrary._from_wire(DEFINITIONS)
            scope.update(lib=lib, loaded_weather=carla.WeatherParameters._from_wire(WEATHER),
                         loaded_settings=carla.WorldSettings._from_wire(SETTINGS),
                         loaded_bones=carla.WalkerBoneControlOut._from_wire(BONES))
            output['blueprints'] = evaluate(BLUEPRINT_EXPRESSIONS, scope)
            sink = OurSink()
            wire_actions(carla.BlueprintLibrary._from_wire(DEFINITIONS), sink)
            output['wire'] = [[name, jsonable(args)] for name, args in sink.calls]
        print(MARKER)
        print(json.dumps(output))
''')

# Definitions shared by the expressions below.
SETUP = textwrap.dedent('''
    POINTS = [(0.1, 0.2, 0.3), (1, -2, 3.5), (-1000.0, 7.25, 0.001), (123.456, -654.321, 42.0),
              (0, 0, 0), (1e-20, 3e20, -7.7), (0.333, 0.333, 0.334)]
    VS = [carla.Vector3D(*p) for p in POINTS]
    LS = [carla.Location(*p) for p in POINTS]
    ANGLES = [(10, 20, 30), (0, 90, 0), (-45.5, 181.25, 359.9), (89.9, -720.1, 0.001),
              (0, 0, 0), (33.3, 44.4, 55.5), (-90, 0, 180), (0.1, 0.2, -0.3), (1234.5, -987.6, 45.0)]
    RS = [carla.Rotation(*a) for a in ANGLES]
    TS = [carla.Transform(carla.Location(*p), r) for p, r in zip(POINTS, RS)]
    PRESETS = ['Default', 'ClearNoon', 'CloudyNoon', 'WetNoon', 'WetCloudyNoon', 'MidRainyNoon',
               'HardRainNoon', 'SoftRainNoon', 'ClearSunset', 'CloudySunset', 'WetSunset',
               'WetCloudySunset', 'MidRainSunset', 'HardRainSunset', 'SoftRainSunset', 'ClearNight',
               'CloudyNight', 'WetNight', 'WetCloudyNight', 'SoftRainNight', 'MidRainyNight',
               'HardRainNight', 'DustStorm']
    WEATHER_FIELDS = ['cloudiness', 'precipitation', 'precipitation_deposits', 'wind_intensity',
                      'sun_azimuth_angle', 'sun_altitude_angle', 'fog_density', 'fog_distance',
                      'fog_falloff', 'wetness', 'scattering_intensity', 'mie_scattering_scale',
                      'rayleigh_scattering_scale', 'dust_storm']
    SETTINGS_FIELDS = ['synchronous_mode', 'no_rendering_mode', 'fixed_delta_seconds', 'substepping',
                       'max_substep_delta_time', 'max_substeps', 'max_culling_distance',
                       'deterministic_ragdolls', 'tile_stream_distance', 'actor_active_distance',
                       'spectator_as_ego']
    ENUMS = ['ActorAttributeType', 'ActorState', 'AttachmentType', 'CityObjectLabel', 'ColorConverter',
             'GBufferTextureID', 'LandmarkOrientation', 'LaneChange', 'LaneMarkingColor',
             'LaneMarkingType', 'LaneType', 'LightGroup', 'MapLayer', 'MaterialParameter',
             'RoadMarkOrientation', 'TrafficLightState', 'VehicleDoor', 'VehicleFailureState',
             'VehicleLightState', 'VehicleWheelLocation']
    def fields(obj, names):
        return [(name, getattr(obj, name)) for name in names]
    import random
    RANDOM = random.Random(16)
    def number(scale):
        return RANDOM.choice([RANDOM.uniform(-scale, scale), round(RANDOM.uniform(-scale, scale), 1)])
    RANDOM_VS = [carla.Vector3D(number(100), number(100), number(10)) for _ in range(300)]
    RANDOM_RS = [carla.Rotation(number(90), number(360), number(180)) for _ in range(300)]
    RANDOM_TS = [carla.Transform(carla.Location(v.x, v.y, v.z), r) for v, r in zip(RANDOM_VS[::-1], RANDOM_RS)]
''')

EXPRESSIONS = [
    # construction and text
    'carla.Location(x=0.1).x', 'str(carla.Location(0.1, 0.2, 0.3))', 'carla.Location(0.1, 0.2, 0.3)',
    'str(carla.Vector3D(1, 2, 3))', 'str(carla.Vector2D(1, 2))', 'str(carla.Rotation(1, 2, 3))',
    'str(carla.Transform())', 'str(carla.Transform(carla.Location(1, 2, 3), carla.Rotation(yaw=90)))',
    'str(carla.Transform(carla.Location(1, 2, 3)))', 'str(carla.Transform(rotation=carla.Rotation(1, 2, 3)))',
    'str(carla.Transform(carla.Vector3D(4, 4, 4)))',
    'str(carla.BoundingBox())', 'str(carla.BoundingBox(carla.Location(1, 2, 3), carla.Vector3D(1, 1, 1)))',
    'carla.BoundingBox(carla.Location(1, 2, 3), carla.Vector3D(1, 1, 1))', 'carla.BoundingBox().actor_id',
    'str(carla.GeoLocation(1.123456789, 2, 3))', 'carla.GeoLocation(1.123456789, 2, 3).latitude',
    'str(carla.Color(1, 2, 3))', 'carla.Color(1, 2, 3).a', 'str(carla.Color(255, 0, 128, 7))',
    'carla.FloatColor(0.1, 0.2, 0.3).r', 'carla.FloatColor().a', 'carla.FloatColor(0.1) == carla.FloatColor(0.1)',
    'carla.Color(300, 0, 0)', 'carla.Color(-1, 0, 0)', 'carla.Color(1.5, 0, 0)',
    'carla.Location(x=1e40)', 'str(carla.Location(x=1e40))', 'str(carla.Location(x=float("nan")))',
    'str(carla.Location(x=float("inf"), y=-float("inf")))', 'carla.Location(x=1e-50).x',
    'str(carla.Location(x=123456789.123))', 'str(carla.Location(x=-0.0))', 'carla.Location(x="a")',
    'carla.Location(x=None)', 'str(carla.Location(x=True))', 'carla.Location(1, 2, 3, 4)',
    'str(carla.Location(1e10, -1e-7, 123.4567891))', 'str(carla.Rotation(-0.0000001, 1e20, 359.9999999))',
    'str(carla.Rotation(pitch=1, roll=2))', 'str(carla.Vector3D(carla.Location(1, 2, 3)))',
    'str(carla.Location(carla.Vector3D(1, 2, 3)))', 'carla.Vector3D(x=2.5, z=-1)',
    'carla.Vector2D(x=0.1, y=1e39)', 'carla.Rotation(yaw=0.1)',
    # arithmetic (float32) and its result types
    'abs(carla.Vector3D(-1.5, 2.7, -3.2))', 'abs(carla.Location(-1.5, 2.7, -3.2))',
    '2.0 / carla.Vector3D(1, 2, 3)', 'carla.Vector3D(1, 2, 3) / 3', 'carla.Vector3D(0.1, 0.2, 0.3) * 0.1',
    '0.7 * carla.Vector3D(1, 2, 3)', 'carla.Location(1, 2, 3) * 2',
    'carla.Location(1, 2, 3) + carla.Location(0.1, 0.2, 0.3)', 'carla.Location(1, 2, 3) - carla.Vector3D(0.1, 2, 3)',
    'carla.Vector3D(1, 2, 3) - carla.Location(1, 2, 3)', '[v + w for v in VS for w in VS]',
    '[v - w for v in LS for w in VS]', '[v * 0.37 for v in VS]', '[v / 7.1 for v in VS]',
    '[str(v / 0) for v in VS]', 'str(carla.Vector3D(float("inf"), 0, 0) - carla.Vector3D(float("inf"), 0, 0))',
    'carla.Vector3D(1, 2, 3) * carla.Vector3D(1, 2, 3)', 'carla.Location(1, 2, 3) + 1', '-carla.Location(1, 2, 3)',
    'carla.Vector2D(3, 4) * 2', '2 / carla.Vector2D(3, 4)', 'carla.Vector2D(3, 4) - carla.Vector2D(0.1, 0.2)',
    'carla.Vector2D(3, 4) + carla.Vector2D(0.1, 0.2)', 'str(carla.Vector2D(3, 4) / 0)',
    'exec:a = carla.Location(1, 2, 3); b = a; a += carla.Location(0.1, 1, 1); result = (type(a).__name__, a is b, str(a), str(b))',
    'exec:a = carla.Location(1, 2, 3); b = a; a *= 2.2; result = (type(a).__name__, a is b, str(a), str(b))',
    'exec:a = carla.Location(1, 2, 3); b = a; a /= 2; result = (type(a).__name__, a is b, str(a), str(b))',
    'exec:a = carla.Vector3D(1, 2, 3); b = a; a -= carla.Location(1, 1, 1); result = (type(a).__name__, a is b, str(a))',
    'exec:a = carla.Vector2D(1, 2); b = a; a /= 2; result = (type(a).__name__, a is b, str(a), str(b))',
    'exec:a = carla.Vector2D(1, 2); b = a; a += carla.Vector2D(1, 2); a *= 3; result = (a is b, str(a))',
    # equality
    'carla.Location(1, 2, 3) == carla.Vector3D(1, 2, 3)', 'carla.Vector3D(1, 2, 3) == carla.Location(1, 2, 3)',
    'carla.Vector3D(1, 2, 3) == 5', 'carla.Vector3D(1, 2, 3) != 5', 'carla.Location(1, 2, 3) == None',
    'carla.Location(1, 2, 3) == (1, 2, 3)', 'carla.Vector2D(1, 2) == carla.Vector3D(1, 2, 0)',
    'carla.Rotation(1, 2, 3) == carla.Rotation(1, 2, 3)', 'carla.Rotation(1, 2, 3) != carla.Rotation(1, 2, 3.0001)',
    'carla.Transform() == carla.Transform()', 'carla.Transform() == None', 'carla.Transform() != carla.Transform(carla.Location(z=1))',
    'carla.Color(1, 2, 3) == carla.Color(1, 2, 3)', 'carla.Color(1, 2, 3, 4) == carla.Color(1, 2, 3)',
    'carla.GeoLocation(1, 2, 3) == carla.GeoLocation(1, 2, 3)', 'carla.GeoLocation(1, 2, 3) != carla.GeoLocation(1, 2, 3.0000001)',
    'carla.BoundingBox() == carla.BoundingBox()', 'carla.Vector3D(0.1, 0, 0) == carla.Vector3D(0.1000000001, 0, 0)',
    # vector methods
    '[v.length() for v in VS]', '[v.squared_length() for v in VS]', '[v.make_unit_vector() for v in VS[:4]]',
    'carla.Vector3D(0, 0, 0).make_unit_vector()', 'carla.Vector3D(1e-30, 0, 0).make_unit_vector()',
    '[v.cross(w) for v in VS for w in VS]', '[v.dot(w) for v in VS for w in VS]', '[v.dot_2d(w) for v in VS for w in VS]',
    '[v.distance(w) for v in VS for w in VS]', '[v.distance_2d(w) for v in VS for w in VS]',
    '[v.distance_squared(w) for v in VS for w in VS]', '[v.distance_squared_2d(w) for v in VS for w in VS]',
    '[v.get_vector_angle(w) for v in VS[:4] for w in VS[:4]]', 'carla.Vector3D(1, 0, 0).get_vector_angle(carla.Vector3D(0, 0, 0))',
    '[l.distance(m) for l in LS for m in LS]', 'carla.Location(1, 2, 3).distance(carla.Vector3D(4, 5, 6.1))',
    'carla.Vector3D(1, 2, 3).distance(carla.Location(4, 5, 6.1))',
    'carla.Vector2D(3, 4).length()', 'carla.Vector2D(0.1, 0.2).squared_length()', 'carla.Vector2D(0.1, 0.2).length()',
    'carla.Vector2D(3, 4).make_unit_vector()', 'carla.Vector2D(0, 0).make_unit_vector()',
    # rotations and transforms
    '[r.get_forward_vector() for r in RS]', '[r.get_right_vector() for r in RS]', '[r.get_up_vector() for r in RS]',
    '[t.get_forward_vector() for t in TS]', '[t.get_right_vector() for t in TS]', '[t.get_up_vector() for t in TS]',
    '[t.get_matrix() for t in TS]', '[t.get_inverse_matrix() for t in TS]',
    '[t.transform(carla.Location(1, 1, 1)) for t in TS]', '[t.transform(carla.Vector3D(-3.5, 0.25, 7)) for t in TS]',
    '[t.transform_vector(carla.Vector3D(1, 2, 3)) for t in TS]', '[t.inverse_transform(carla.Vector3D(1, 2, 3)) for t in TS]',
    'exec:t = TS[0]; v = carla.Location(1, 1, 1); r = t.transform(v); result = (r is v, type(r).__name__, v, r)',
    'exec:t = TS[0]; v = carla.Location(1, 1, 1); r = t.inverse_transform(v); result = (r is v, type(r).__name__, v, r)',
    'exec:t = TS[0]; v = carla.Location(1, 1, 1); r = t.transform_vector(v); result = (r is v, type(r).__name__, v, r)',
    'exec:pts = [carla.Location(1, 1, 1), carla.Vector3D(2, 2, 2)]; r = TS[5].transform(pts); result = (r, pts)',
    'TS[0].transform(5)', 'carla.Transform(5)',
    'exec:t = carla.Transform(); t.location.x = 5; t.rotation.yaw = 7; result = t',
    'exec:t = carla.Transform(); l = carla.Location(1, 2, 3); t.location = l; l.x = 9; result = t',
    'exec:l = carla.Location(1, 2, 3); t = carla.Transform(l); l.x = 9; result = t',
    'exec:t = carla.Transform(); loc = t.location; t.location = carla.Location(7, 7, 7); result = loc',
    'exec:t = carla.Transform(); t.location = carla.Vector3D(4, 4, 4); result = (t, type(t.location).__name__)',
    # many random cases of the float32 geometry
    '[t.transform(carla.Location(v.x, v.y, v.z)) for t, v in zip(RANDOM_TS, RANDOM_VS)]',
    '[t.inverse_transform(carla.Location(v.x, v.y, v.z)) for t, v in zip(RANDOM_TS, RANDOM_VS)]',
    '[(r.get_forward_vector(), r.get_right_vector(), r.get_up_vector()) for r in RANDOM_RS]',
    '[(t.get_matrix(), t.get_inverse_matrix()) for t in RANDOM_TS[:100]]',
    '[(v.length(), v.make_unit_vector(), v.get_vector_angle(w), v.cross(w), v.distance(w), v.dot(w)) for v, w in zip(RANDOM_VS, RANDOM_VS[1:])]',
    '[(v * 0.3, v / 3.3, v + w, v - w, abs(v)) for v, w in zip(RANDOM_VS, RANDOM_VS[1:])]',
    '[carla.BoundingBox(v, carla.Vector3D(2.3, 1.1, 0.8)).get_world_vertices(t) for v, t in zip(RANDOM_VS[:50], RANDOM_TS)]',
    '[carla.BoundingBox(carla.Location(), carla.Vector3D(2.3, 1.1, 0.8)).contains(v, t) for v, t in zip(RANDOM_VS, RANDOM_TS[::-1])]',
    # bounding boxes
    'exec:b = carla.BoundingBox(carla.Location(1, 2, 3), carla.Vector3D(1, 2, 3)); b.rotation = carla.Rotation(10, 20, 30); result = b.get_local_vertices()',
    'exec:b = carla.BoundingBox(carla.Location(1, 2, 3), carla.Vector3D(1, 2, 3)); b.rotation = carla.Rotation(10, 20, 30); result = b.get_world_vertices(TS[5])',
    'exec:b = carla.BoundingBox(carla.Location(1, 2, 3), carla.Vector3D(1, 2, 3)); b.rotation = carla.Rotation(10, 20, 30); result = [b.contains(carla.Location(x, y, z), TS[0]) for x in (-1, 1, 2, 4) for y in (0, 2, 3.5, 6) for z in (0, 4, 5.5, 8)]',
    'str(carla.BoundingBox(carla.Location(1, 2, 3), carla.Vector3D(1, 2, 3)))',
    'exec:b = carla.BoundingBox(); b.extent.x = 2; b.location = carla.Vector3D(1, 1, 1); result = b',
    'exec:b = carla.BoundingBox(); b.actor_id = 5; result = b',
    # controls
    'str(carla.VehicleControl())', 'str(carla.VehicleControl(0.1, -0.2, 0.3, True, False, True, 3))',
    'carla.VehicleControl(gear=-1).gear', 'carla.VehicleControl(throttle=0.1).throttle', 'carla.VehicleControl(throttle=2).throttle',
    'str(carla.VehicleControl(hand_brake=1))', 'carla.VehicleControl(gear=1.5)', 'carla.VehicleControl(reverse=1.5)',
    'carla.VehicleControl() == carla.VehicleControl()', 'carla.VehicleControl() == None',
    'carla.VehicleControl(steer=0.5) != carla.VehicleControl()', 'str(carla.VehicleControl(steer=float("nan")))',
    'carla.VehicleControl(steer=float("nan")) == carla.VehicleControl(steer=float("nan"))',
    'str(carla.VehicleControl(steer=-0.0))',
    'exec:c = carla.VehicleControl(); c.throttle = 0.1; c.gear = 2; c.reverse = 5; result = (c.throttle, c.reverse, str(c))',
    'str(carla.VehicleAckermannControl())', 'str(carla.VehicleAckermannControl(0.1, 0.2, 0.3, 0.4, 0.5))',
    'carla.VehicleAckermannControl(speed=0.1).speed', 'carla.VehicleAckermannControl() == carla.VehicleAckermannControl(jerk=1)',
    'str(carla.AckermannControllerSettings())', 'str(carla.AckermannControllerSettings(1, 2, 3, 4, 5, 6))',
    'carla.AckermannControllerSettings(0.1).speed_kp',
    'str(carla.WalkerControl())', 'str(carla.WalkerControl(carla.Vector3D(1, 0, 0), 1.5, True))',
    'carla.WalkerControl(carla.Vector3D(1, 0, 0), 1.5, True).direction', 'str(carla.WalkerControl(direction=carla.Location(1, 2, 3)))',
    'carla.WalkerControl() == carla.WalkerControl()', 'carla.WalkerControl(speed=1) == carla.WalkerControl()',
    'exec:w = carla.WalkerControl(); d = w.direction; d.x = 5; result = str(w)',
    'str(carla.GearPhysicsControl())', 'str(carla.GearPhysicsControl(1, 2, 3))', 'carla.GearPhysicsControl().up_ratio',
    'carla.GearPhysicsControl() == carla.GearPhysicsControl()',
    'str(carla.WheelPhysicsControl())', 'str(carla.WheelPhysicsControl(position=carla.Vector3D(1, 2, 3)))',
    'carla.WheelPhysicsControl() == carla.WheelPhysicsControl(radius=1)', 'carla.WheelPhysicsControl().position',
    'exec:w = carla.WheelPhysicsControl(); w.position.x = 5; result = w.position',
    'str(carla.VehiclePhysicsControl())', 'carla.VehiclePhysicsControl().torque_curve', 'carla.VehiclePhysicsControl().wheels',
    'str(carla.VehiclePhysicsControl(mass=1000.5, moi=0.1, max_rpm=7000, use_gear_autobox=False))',
    'str(carla.VehiclePhysicsControl(torque_curve=[carla.Vector2D(0, 400), carla.Vector2D(1000, 500)]))',
    'str(carla.VehiclePhysicsControl(torque_curve=[(0, 1)]))', 'carla.VehiclePhysicsControl(torque_curve=5)',
    'carla.VehiclePhysicsControl(mass="a")', 'carla.VehiclePhysicsControl(1)', 'str(carla.VehiclePhysicsControl(foo=1))',
    'str(carla.VehiclePhysicsControl(forward_gears=[carla.GearPhysicsControl(2, 3, 4), carla.GearPhysicsControl()], wheels=[carla.WheelPhysicsControl(radius=5)], use_sweep_wheel_collision=True, center_of_mass=carla.Location(1, 2, 3), mass=0.1))',
    'carla.VehiclePhysicsControl() == carla.VehiclePhysicsControl()',
    'carla.VehiclePhysicsControl(torque_curve=[carla.Vector2D(1, 1)]) == carla.VehiclePhysicsControl()',
    'carla.VehiclePhysicsControl(steering_curve=[carla.Vector2D(1, 1)]) == carla.VehiclePhysicsControl()',
    'carla.VehiclePhysicsControl(wheels=[carla.WheelPhysicsControl()]) == carla.VehiclePhysicsControl()',
    'exec:pc = carla.VehiclePhysicsControl(); tc = pc.torque_curve; tc.append(carla.Vector2D(1, 1)); result = len(pc.torque_curve)',
    'exec:pc = carla.VehiclePhysicsControl(); pc.torque_curve = [carla.Vector2D(1, 2)]; result = pc.torque_curve',
    'exec:pc = carla.VehiclePhysicsControl(); pc.torque_curve = [[1, 2]]; result = pc.torque_curve',
    'exec:pc = carla.VehiclePhysicsControl(); pc.torque_curve = (carla.Vector2D(1, 2),); result = pc.torque_curve',
    'exec:pc = carla.VehiclePhysicsControl(); pc.wheels = [carla.WheelPhysicsControl(radius=5)]; w = pc.wheels[0]; w.radius = 7; result = pc.wheels[0].radius',
    'exec:pc = carla.VehiclePhysicsControl(); pc.wheels = [1]; result = pc.wheels',
    'exec:pc = carla.VehiclePhysicsControl(); pc.center_of_mass = carla.Vector3D(1, 2, 3); result = (type(pc.center_of_mass).__name__, pc.center_of_mass)',
    'exec:pc = carla.VehiclePhysicsControl(); pc.forward_gears = [carla.GearPhysicsControl()]; result = pc == carla.VehiclePhysicsControl()',
    'exec:pc = carla.VehiclePhysicsControl(); result = (pc.mass, pc.max_rpm, pc.use_gear_autobox, pc.use_sweep_wheel_collision, pc.drag_coefficient, pc.damping_rate_zero_throttle_clutch_disengaged)',
    'str(carla.WalkerBoneControlIn())', 'carla.WalkerBoneControlIn().bone_transforms',
    "str(carla.WalkerBoneControlIn([('a', carla.Transform()), ('b', carla.Transform(carla.Location(1, 2, 3)))]))",
    "[str(b) for b in carla.WalkerBoneControlIn([('a', carla.Transform())]).bone_transforms]",
    "carla.WalkerBoneControlIn([('a', carla.Transform())]).bone_transforms[0].name",
    'str(carla.WalkerBoneControlOut())',
    # weather
    'str(carla.WeatherParameters())', 'str(carla.WeatherParameters(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14))',
    '[str(getattr(carla.WeatherParameters, name)) for name in PRESETS]',
    '[fields(getattr(carla.WeatherParameters, name), WEATHER_FIELDS) for name in PRESETS]',
    '[name for name, value in vars(carla.WeatherParameters).items() if isinstance(value, carla.WeatherParameters)]',
    'fields(carla.WeatherParameters(), WEATHER_FIELDS)', 'carla.WeatherParameters(cloudiness=0.1).cloudiness',
    'carla.WeatherParameters.ClearNoon == carla.WeatherParameters.Default',
    'carla.WeatherParameters.ClearNoon == carla.WeatherParameters(5, 0, 0, 10, -1, 45, 2, 0.75, 0.1, 0, 1, 0.03, 0.0331, 0)',
    'carla.WeatherParameters.ClearNoon is carla.WeatherParameters.ClearNoon',
    'carla.WeatherParameters(cloudiness=float("nan")) == carla.WeatherParameters(cloudiness=float("nan"))',
    '[carla.WeatherParameters(**{f: 1.0}) == carla.WeatherParameters() for f in WEATHER_FIELDS]',
    'carla.WeatherParameters(cloudiness="x")',
    # settings
    'str(carla.WorldSettings(fixed_delta_seconds=0.05))', 'carla.WorldSettings().fixed_delta_seconds',
    'carla.WorldSettings(fixed_delta_seconds=0.05).fixed_delta_seconds', 'str(carla.WorldSettings(True, False, 0.05))',
    'carla.WorldSettings() == carla.WorldSettings()', 'carla.WorldSettings(max_substeps=3.5)',
    'carla.WorldSettings(fixed_delta_seconds=None)', 'fields(carla.WorldSettings(), SETTINGS_FIELDS)',
    'str(carla.WorldSettings(max_culling_distance=0.1, fixed_delta_seconds=0.1))',
    'str(carla.WorldSettings(max_substep_delta_time=1/3, fixed_delta_seconds=1/3, tile_stream_distance=1234567.0))',
    'carla.WorldSettings(fixed_delta_seconds=0.05) == carla.WorldSettings(fixed_delta_seconds=0.0500001)',
    '[carla.WorldSettings(**{f: v}) == carla.WorldSettings() for f, v in [("synchronous_mode", True), ("no_rendering_mode", True), ("fixed_delta_seconds", 0.1), ("substepping", False), ("max_substep_delta_time", 0.5), ("max_substeps", 3), ("max_culling_distance", 1.0), ("deterministic_ragdolls", True), ("tile_stream_distance", 1.0), ("actor_active_distance", 1.0), ("spectator_as_ego", False)]]',
    'exec:s = carla.WorldSettings(); out = []\nfor v in [-1.0, float("nan"), 1e-300, 0.0, -0.0, 5, None, 0.1]:\n    s.fixed_delta_seconds = v; out.append(s.fixed_delta_seconds)\nresult = out',
    'exec:s = carla.WorldSettings(); s.max_culling_distance = 0.1; s.tile_stream_distance = 0.1; s.max_substep_delta_time = 0.1; s.synchronous_mode = 1; result = fields(s, SETTINGS_FIELDS)',
    'exec:s = carla.WorldSettings(); s.max_substeps = 2 ** 31; result = s.max_substeps',
    # enums
    '[(e, [(k, str(v), repr(v), int(v), v.name) for k, v in getattr(carla, e).names.items()]) for e in ENUMS]',
    '[(e, [(k, repr(v)) for k, v in getattr(carla, e).values.items()]) for e in ENUMS]',
    'str(carla.TrafficLightState.Red)', 'repr(carla.TrafficLightState.Red)', 'carla.TrafficLightState(1)',
    'repr(carla.TrafficLightState(17))', 'str(carla.TrafficLightState(1))', 'carla.TrafficLightState(1).name',
    'carla.TrafficLightState(1) == carla.TrafficLightState.Yellow', 'carla.TrafficLightState(1) is carla.TrafficLightState.Yellow',
    'carla.VehicleLightState.Position | carla.VehicleLightState.LowBeam', 'carla.VehicleLightState.Position | 2',
    'repr(carla.VehicleLightState(3))', 'carla.VehicleLightState.All == 4294967295', '~carla.VehicleLightState.Position',
    'carla.TrafficLightState.Red == carla.LaneChange.NONE', 'carla.TrafficLightState(True)', 'carla.TrafficLightState(1.5)',
    'carla.TrafficLightState()', "carla.TrafficLightState('Red')", 'carla.TrafficLightState.Green * 2',
    'sorted([carla.TrafficLightState.Green, carla.TrafficLightState.Red])', 'str([carla.TrafficLightState.Green])',
    "'%s %d' % (carla.TrafficLightState.Green, carla.TrafficLightState.Green)", "f'{carla.TrafficLightState.Green}'",
    '{carla.TrafficLightState.Green: 1}[2]', 'isinstance(carla.TrafficLightState.Red, int)',
    'carla.LaneMarkingColor.Standard is carla.LaneMarkingColor.White', 'str(carla.LaneMarkingColor.Standard)',
    'carla.VehicleWheelLocation.FL_Wheel.name', 'int(carla.LaneType.Any)', 'carla.LaneType.Driving | carla.LaneType.Sidewalk',
    'carla.MapLayer.All | carla.MapLayer.Walls', 'carla.TrafficLightState.__name__',
    # commands
    'carla.command.FutureActor', 'carla.command.DestroyActor(5).actor_id', 'carla.command.DestroyActor(actor_id=5).actor_id',
    'carla.command.DestroyActor(-1)', 'carla.command.DestroyActor(5.0)', "carla.command.DestroyActor('5')",
    'carla.command.DestroyActor().actor_id', 'carla.command.ApplyTransform(5, carla.Transform(carla.Location(1, 2, 3))).transform',
    'carla.command.ApplyWalkerState(5, carla.Transform(), 1.5).speed', 'carla.command.ApplyWalkerState(5, carla.Transform(), 0.1).speed',
    'carla.command.ApplyTargetVelocity(5, carla.Vector3D(1, 2, 3)).velocity', 'carla.command.ApplyTargetVelocity(5, carla.Location(1, 2, 3)).velocity',
    'carla.command.ApplyTargetAngularVelocity(5, carla.Vector3D(1, 2, 3)).angular_velocity',
    'carla.command.ApplyImpulse(5, carla.Vector3D(1, 2, 3)).impulse', 'carla.command.ApplyForce(5, carla.Vector3D(1, 2, 3)).force',
    'carla.command.ApplyAngularImpulse(5, carla.Vector3D(1, 2, 3)).impulse', 'carla.command.ApplyTorque(5, carla.Vector3D(1, 2, 3)).torque',
    'carla.command.SetSimulatePhysics(5, 1).enabled', 'carla.command.SetEnableGravity(5, True).enabled',
    'carla.command.SetAutopilot(5, True).tm_port', 'carla.command.SetAutopilot(5, True, 8001).tm_port',
    'carla.command.SetAutopilot(5, True, tm_port=8001).tm_port', 'carla.command.SetAutopilot(5, True).enabled',
    'carla.command.SetVehicleLightState(5, 3).light_state', 'carla.command.SetVehicleLightState(5, carla.VehicleLightState.Brake).light_state',
    'str(carla.command.ApplyVehicleControl(5, carla.VehicleControl(throttle=1)).control)',
    'str(carla.command.ApplyVehicleAckermannControl(5, carla.VehicleAckermannControl(speed=1)).control)',
    'str(carla.command.ApplyWalkerControl(5, carla.WalkerControl(speed=1)).control)',
    'str(carla.command.ApplyVehiclePhysicsControl(5, carla.VehiclePhysicsControl()).physics_control)',
    'carla.command.SpawnActor().transform', 'carla.command.SpawnActor().attachment_type', 'carla.command.SpawnActor().socket_name',
    'carla.command.Response()', 'carla.command.ApplyVehicleControl(5, carla.VehicleAckermannControl())',
    'exec:c = carla.command.ApplyTransform(5, carla.Transform()); t = c.transform; t.location.x = 9; result = c.transform',
    'exec:c = carla.command.ApplyTransform(5, carla.Transform()); c.transform = carla.Transform(carla.Location(1, 1, 1)); result = c.transform',
    'exec:c = carla.command.DestroyActor(5); c.actor_id = 6; result = c.actor_id',
    'exec:c = carla.command.SetAutopilot(5, True); c.tm_port = 6; result = c.tm_port',
    'exec:t = carla.Transform(); c = carla.command.ApplyTransform(5, t); t.location.x = 3; result = c.transform',
]

BLUEPRINT_EXPRESSIONS = [
    'len(lib)', '[bp.id for bp in lib]', 'str(lib)', '[bp.id for bp in lib.filter("vehicle.*")]',
    '[bp.id for bp in lib.filter("*a*")]', '[bp.id for bp in lib.filter("walker")]', '[bp.id for bp in lib.filter("car")]',
    '[bp.id for bp in lib.filter("sensor.camera.*")]', '[bp.id for bp in lib.filter("[sw]*")]',
    '[bp.id for bp in lib.filter("*.a?di.*")]', '[bp.id for bp in lib.filter("[!v]*")]', '[bp.id for bp in lib.filter("*[0-9][0-9]")]',
    '[bp.id for bp in lib.filter("vehicle.*").filter("*.[a-f]*")]', '[bp.id for bp in lib.filter("")]',
    '[bp.id for bp in lib.filter("tag1?")]', '[bp.id for bp in lib.filter("*")]', 'lib.filter(5)',
    'lib.filter("vehicle.*")[0].id', 'lib.filter("vehicle.*")[-1]', 'lib[0].id', 'lib[1000]', 'lib[-1]', 'lib[1.0]',
    'lib[True].id', 'lib.find("sensor.camera.rgb")', 'lib.find("nope")', 'str(lib.find("sensor.camera.rgb"))',
    'lib.find("vehicle.audi.a2").tags', 'lib.find("vehicle.audi.tt").tags', 'lib.find("sensor.camera.rgb").tags',
    'lib.find("weird.one").tags', 'lib.find("weird.two").tags', 'lib.find("weird.three").tags',
    'lib.find("controller.ai.walker").tags', 'lib.find("traffic.traffic_light").tags',
    '[str(a) for a in lib.find("sensor.camera.rgb")]', '[a.id for a in lib.find("vehicle.audi.a2")]',
    '[str(a) for a in lib.find("weird.three")]', '[str(a) for a in lib.find("weird.one")]',
    'len(lib.find("vehicle.audi.a2"))', 'len(lib.find("controller.ai.walker"))',
    'lib.find("vehicle.audi.a2").has_tag("car")', 'lib.find("vehicle.audi.a2").has_tag("ca")',
    'lib.find("vehicle.audi.a2").match_tags("c*")', 'lib.find("vehicle.audi.a2").match_tags("vehicle.audi.*")',
    'lib.find("vehicle.audi.a2").has_attribute("color")', 'lib.find("vehicle.audi.a2").has_attribute("nope")',
    'lib.find("vehicle.audi.a2").get_attribute("nope")', 'str(lib.find("vehicle.audi.a2").get_attribute("color"))',
    'lib.find("vehicle.audi.a2").get_attribute("color").as_color()', 'lib.find("vehicle.audi.a2").get_attribute("color").as_str()',
    'lib.find("vehicle.audi.a2").get_attribute("color").recommended_values', 'lib.find("vehicle.audi.a2").get_attribute("color").type',
    'lib.find("vehicle.audi.a2").get_attribute("color").is_modifiable', 'lib.find("vehicle.audi.a2").get_attribute("color").id',
    'str(lib.find("vehicle.audi.a2").get_attribute("number_of_wheels"))', 'lib.find("vehicle.audi.a2").get_attribute("number_of_wheels").as_int()',
    'int(lib.find("vehicle.audi.a2").get_attribute("number_of_wheels"))', 'float(lib.find("vehicle.audi.a2").get_attribute("number_of_wheels"))',
    'lib.find("vehicle.audi.a2").get_attribute("number_of_wheels") == 4', 'lib.find("vehicle.audi.a2").get_attribute("number_of_wheels") == "4"',
    'lib.find("vehicle.audi.a2").get_attribute("number_of_wheels") == None', 'lib.find("vehicle.audi.a2").get_attribute("number_of_wheels") == [4]',
    'lib.find("vehicle.audi.a2").get_attribute("number_of_wheels") != [4]', 'lib.find("vehicle.audi.a2").get_attribute("number_of_wheels").is_modifiable',
    'lib.find("vehicle.audi.a2").get_attribute("role_name") == "autopilot"', 'lib.find("vehicle.audi.a2").get_attribute("role_name") != "x"',
    'lib.find("vehicle.audi.a2").get_attribute("sticky_control") == True', 'bool(lib.find("vehicle.audi.a2").get_attribute("sticky_control"))',
    'bool(lib.find("vehicle.audi.a2").get_attribute("role_name"))', 'lib.find("vehicle.audi.a2").get_attribute("color") == carla.Color(17, 37, 103)',
    'lib.find("vehicle.audi.a2").get_attribute("color") == lib.find("vehicle.audi.tt").get_attribute("color")',
    'lib.find("vehicle.audi.a2").get_attribute("color") == lib.find("vehicle.audi.tt").get_attribute("role_name")',
    'lib.find("vehicle.audi.a2").get_attribute("sticky_control").as_int()', 'lib.find("sensor.camera.rgb").get_attribute("fov").as_float()',
    'lib.find("sensor.camera.rgb").get_attribute("gamma").as_float()', 'float(lib.find("sensor.camera.rgb").get_attribute("gamma"))',
    'lib.find("sensor.camera.rgb").get_attribute("gamma") == 2.2', 'lib.find("sensor.camera.rgb").get_attribute("fov") == 90',
    'lib.find("weird.one").get_attribute("i").as_int()', 'lib.find("weird.one").get_attribute("n").as_int()',
    'lib.find("weird.one").get_attribute("h").as_float()', 'lib.find("weird.one").get_attribute("f").as_float()',
    'str(lib.find("weird.two"))', 'str(lib.find("weird.one"))', 'str(lib.filter("weird.*"))',
    'str(lib.filter_by_attribute("role_name", "scenario"))', '[bp.id for bp in lib.filter_by_attribute("role_name", "front")]',
    '[bp.id for bp in lib.filter_by_attribute("number_of_wheels", "4")]', '[bp.id for bp in lib.filter_by_attribute("number_of_wheels", "4.0")]',
    '[bp.id for bp in lib.filter_by_attribute("speed", "1.5")]', 'str(lib.filter("nothing"))', 'len(lib.filter("nothing"))',
    'lib.find("vehicle.audi.a2") == lib.find("vehicle.audi.a2")', 'lib.find("vehicle.audi.a2").id',
    'exec:bp = lib.find("vehicle.audi.a2"); bp.set_attribute("number_of_wheels", "3")',
    'exec:bp = lib.find("vehicle.audi.a2"); bp.set_attribute("nope", "3")',
    'exec:bp = lib.find("vehicle.audi.a2"); bp.set_attribute("sticky_control", "TRUE"); result = str(bp.get_attribute("sticky_control"))',
    'exec:bp = lib.find("vehicle.audi.a2"); bp.set_attribute("sticky_control", "FaLsE"); result = (str(bp.get_attribute("sticky_control")), bp.get_attribute("sticky_control").as_bool())',
    'exec:bp = lib.find("vehicle.audi.a2"); bp.set_attribute("sticky_control", "1")',
    'exec:bp = lib.find("vehicle.audi.a2")\ntry:\n    bp.set_attribute("sticky_control", "1")\nexcept ValueError:\n    pass\nresult = [a.id for a in bp]\nresult.append(bp.get_attribute("sticky_control").as_bool())',
    'exec:bp = lib.find("vehicle.audi.a2"); bp.set_attribute("color", "1,2,3"); result = str(bp.get_attribute("color"))',
    'exec:bp = lib.find("vehicle.audi.a2"); bp.set_attribute("color", "1,2,256")',
    'exec:bp = lib.find("vehicle.audi.a2"); bp.set_attribute("color", "-1,2,25"); result = str(bp.get_attribute("color"))',
    'exec:bp = lib.find("vehicle.audi.a2"); bp.set_attribute("color", " 1, 2 ,x"); result = str(bp.get_attribute("color"))',
    'exec:bp = lib.find("vehicle.audi.a2"); bp.set_attribute("role_name", "hero"); result = (str(bp.get_attribute("role_name")), str(lib.find("vehicle.audi.a2").get_attribute("role_name")))',
    'exec:bp = lib.find("sensor.camera.rgb"); bp.set_attribute("image_size_x", "abc"); result = str(bp.get_attribute("image_size_x"))',
    'exec:bp = lib.find("sensor.camera.rgb"); bp.set_attribute("image_size_x", "320.7"); result = str(bp.get_attribute("image_size_x"))',
    'exec:bp = lib.find("sensor.camera.rgb"); bp.set_attribute("image_size_x", " -42x"); result = bp.get_attribute("image_size_x").as_int()',
    'exec:bp = lib.find("sensor.camera.rgb"); bp.set_attribute("fov", "1e40")',
    'exec:bp = lib.find("sensor.camera.rgb"); bp.set_attribute("fov", "-inf")',
    'exec:bp = lib.find("sensor.camera.rgb"); bp.set_attribute("fov", "nan"); result = str(bp.get_attribute("fov"))',
    'exec:bp = lib.find("sensor.camera.rgb"); bp.set_attribute("fov", "abc"); result = str(bp.get_attribute("fov"))',
    'exec:bp = lib.find("sensor.camera.rgb"); bp.set_attribute("fov", "110.123456789"); result = (str(bp.get_attribute("fov")), bp.get_attribute("fov").as_float())',
    'exec:bp = lib.find("sensor.camera.rgb"); bp.set_attribute("fov", "3.4028235e38"); result = str(bp.get_attribute("fov"))',
    'exec:bp = lib.find("sensor.camera.rgb"); bp.set_attribute("exposure_mode", "bogus"); result = str(bp.get_attribute("exposure_mode"))',
    'exec:bp = lib.find("sensor.camera.rgb"); bp.set_attribute("image_size_x", 320)',
    'exec:bp = lib.find("vehicle.audi.a2"); a = bp.get_attribute("role_name"); bp.set_attribute("role_name", "hero"); result = str(a)',
    'lib.find("vehicle.audi.a2").get_attribute("color").as_int()', 'lib.find("vehicle.audi.a2").get_attribute("role_name").as_bool()',
    # what the client decodes from the server
    'str(loaded_weather)', 'fields(loaded_weather, WEATHER_FIELDS)', 'str(loaded_settings)', 'fields(loaded_settings, SETTINGS_FIELDS)',
    'str(loaded_bones)', '[str(bone) for bone in loaded_bones.bone_transforms]',
    '[(bone.name, bone.world, bone.component, bone.relative) for bone in loaded_bones.bone_transforms]',
    # commands built from blueprints
    'exec:c = carla.command.SpawnActor(lib.find("vehicle.audi.a2"), carla.Transform(carla.Location(1, 2, 3))); result = (c.transform, c.socket_name)',
    'exec:c = carla.command.SpawnActor(lib.find("vehicle.audi.a2"), carla.Transform()); result = c.then(carla.command.DestroyActor(0)) is c',
]


def _official_available():
    return os.path.exists(OFFICIAL_PYTHON)


def _run(python, mode, tmp_path, environment=None):
    runner = tmp_path / 'runner.py'
    server = tmp_path / 'server.py'
    runner.write_text(
        'SETUP = %r\nEXPRESSIONS = %r\nBLUEPRINT_EXPRESSIONS = %r\nMARKER = %r\n%s\nmain()\n'
        % (SETUP, EXPRESSIONS, BLUEPRINT_EXPRESSIONS, MARKER, RUNNER))
    server.write_text(SERVER)
    completed = subprocess.run(
        [python, str(runner), mode, str(server), sys.executable], capture_output=True, text=True,
        env=environment, cwd=str(tmp_path))
    assert MARKER in completed.stdout, completed.stdout[-3000:] + completed.stderr[-3000:]
    return json.loads(completed.stdout.split(MARKER, 1)[1])


@pytest.fixture(scope='module')
def both_clients(tmp_path_factory):
    if not _official_available():
        pytest.skip('official client not found at %s' % OFFICIAL_PYTHON)
    official = _run(OFFICIAL_PYTHON, 'official', tmp_path_factory.mktemp('official'))
    environment = dict(os.environ, PYTHONPATH=PYTHONAPI)
    ours = _run(sys.executable, 'ours', tmp_path_factory.mktemp('ours'), environment)
    return official, ours


def _differences(official, ours):
    assert [item for item, _ in official] == [item for item, _ in ours]
    return ['%s\n    official: %s\n    ours:     %s' % (item, expected, got)
            for (item, expected), (_, got) in zip(official, ours) if expected != got]


def test_value_types_print_and_compute_like_official(both_clients):
    official, ours = both_clients
    differences = _differences(official['expressions'], ours['expressions'])
    assert not differences, '\n'.join(differences)


def test_blueprint_library_orders_filters_and_checks_like_official(both_clients):
    official, ours = both_clients
    differences = _differences(official['blueprints'], ours['blueprints'])
    assert not differences, '\n'.join(differences)


def _mask_spawn_garbage(calls):
    """SpawnActor without an attachment type sends uninitialised memory there; ignore it.

    In the batch of ``wire_actions``, only the SpawnActor with a socket name has one.
    """
    def mask(command):
        index, payload = command[0]
        if index == 0:
            if payload[4] == '':
                payload[3] = 'unset'
            for inner in payload[5]:
                mask(inner)
    for name, args in calls:
        if name == 'apply_batch':
            for command in args[0]:
                mask(command)
    return calls


def test_wire_forms_match_what_official_client_sends(both_clients):
    official, ours = both_clients
    expected = _mask_spawn_garbage(official['wire'])
    got = _mask_spawn_garbage(ours['wire'])
    assert [name for name, _ in got] == [name for name, _ in expected]
    for (name, expected_args), (_, got_args) in zip(expected, got):
        if name == 'apply_batch':
            for index, (want, have) in enumerate(zip(expected_args[0], got_args[0])):
                assert have == want, 'command %d of the batch' % index
        assert got_args == expected_args, name


# -- our client only ---------------------------------------------------------------------------

def test_components_are_float32():
    location = geometry.Location(x=0.1)
    assert location.x == 0.10000000149011612
    location.y = 1e40
    assert location.y == math.inf
    assert geometry.Rotation(yaw=0.1).yaw == 0.10000000149011612


def test_vector_arithmetic_returns_vector3d_and_iadd_is_in_place():
    a = geometry.Location(1, 2, 3)
    alias = a
    a += geometry.Location(1, 1, 1)
    assert a is alias and type(a) is geometry.Location
    total = geometry.Location(1, 2, 3) + geometry.Location(1, 2, 3)
    assert type(total) is geometry.Vector3D
    quotient = geometry.Location(1, 2, 3)
    quotient /= 2
    assert type(quotient) is geometry.Vector3D
    assert str(geometry.Vector3D(0, 0, 0) / 0) == 'Vector3D(x=-nan, y=-nan, z=-nan)'


def test_transform_attributes_are_references_and_assignment_copies():
    transform = geometry.Transform()
    transform.location.x = 5
    assert transform.location.x == 5.0
    source = geometry.Location(1, 2, 3)
    transform.location = source
    source.x = 9
    assert transform.location.x == 1.0


def test_wire_round_trips():
    transform = geometry.Transform(geometry.Location(1, 2, 3), geometry.Rotation(4, 5, 6))
    assert geometry.Transform._from_wire(transform._to_wire()) == transform
    box = geometry.BoundingBox._from_wire([[1, 2, 3], [4, 5, 6], [7, 8, 9], 42])
    assert box.actor_id == 42 and box._to_wire() == [[1, 2, 3], [4, 5, 6], [7, 8, 9], 42]
    assert geometry.BoundingBox._from_wire([[1, 2, 3], [4, 5, 6], [0, 0, 0]]).actor_id == 0
    wire = settings.WorldSettings(True, False, 0.05)._to_wire()
    assert wire[:3] == [True, False, [True, 0.05]] and len(wire) == 11
    unset = settings.WorldSettings()._to_wire()
    assert unset[2] == [False]
    assert settings.WorldSettings._from_wire(unset).fixed_delta_seconds is None
    assert settings.WorldSettings._from_wire(wire) == settings.WorldSettings(True, False, 0.05)
    weather_wire = weather.WeatherParameters.ClearNoon._to_wire()
    assert len(weather_wire) == 14
    assert weather.WeatherParameters._from_wire(weather_wire) == weather.WeatherParameters.ClearNoon
    vehicle_control = control.VehicleControl(0.5, -0.25, 0.1, True, False, True, 2)
    assert vehicle_control._to_wire() == [0.5, -0.25, 0.10000000149011612, True, False, True, 2]
    assert control.VehicleControl._from_wire(vehicle_control._to_wire()) == vehicle_control
    walker = control.WalkerControl(geometry.Vector3D(0, 1, 0), 1.5, True)
    assert walker._to_wire() == [[0.0, 1.0, 0.0], 1.5, True]
    physics = control.VehiclePhysicsControl(mass=1500, wheels=[control.WheelPhysicsControl()])
    assert control.VehiclePhysicsControl._from_wire(physics._to_wire()) == physics
    assert len(physics._to_wire()) == 17


def test_command_responses_decode():
    success = command.Response._from_wire([[1, 105]])
    assert (success.actor_id, success.error, success.has_error()) == (105, '', False)
    failure = command.Response._from_wire([[0, ['Spawn failed because of collision']]])
    assert (failure.actor_id, failure.has_error()) == (0, True)
    assert failure.error == 'Spawn failed because of collision'


def test_commands_accept_actor_objects_and_ids():
    class Actor:
        id = 42
    assert command.DestroyActor(Actor())._to_wire() == [[1, [42]]]
    assert command.SetAutopilot(42, True, 8005)._to_wire() == [[16, [42, True]]]
    spawn = command.SpawnActor(
        blueprint.BlueprintLibrary._from_wire([[3, 'vehicle.x', 'vehicle', []]]).find('vehicle.x'),
        geometry.Transform(), Actor(), enums.AttachmentType.SpringArm, 'wheel')
    spawn.then(command.DestroyActor(command.FutureActor))
    assert spawn._to_wire() == [[0, [[3, 'vehicle.x', []], [[0.0] * 3, [0.0] * 3],
                                     [True, 42], 1, 'wheel', [[[1, [0]]]]]]]


def test_blueprint_order_is_the_official_unordered_map_order():
    # Orders printed by the official client for these definitions.
    definitions = [[i, name, 'vehicle,car', []] for i, name in enumerate(
        ['vehicle.audi.a2', 'vehicle.audi.tt', 'vehicle.tesla.model3', 'sensor.camera.rgb'])]
    definitions += [[10, 'x', 'car,vehicle,four_wheels', []], [11, 'y', 'a,,b,a', []]]
    library = blueprint.BlueprintLibrary._from_wire(definitions)
    assert [bp.id for bp in library] == [
        'y', 'sensor.camera.rgb', 'vehicle.tesla.model3', 'x', 'vehicle.audi.tt', 'vehicle.audi.a2']
    assert [bp.id for bp in library.filter('vehicle.*')] == [
        'vehicle.audi.a2', 'vehicle.audi.tt', 'vehicle.tesla.model3']
    assert library.find('x').tags == ['four_wheels', 'car', 'vehicle']
    assert library.find('y').tags == ['b', 'a', '']


def test_blueprint_description_lists_every_attribute_with_its_value():
    library = blueprint.BlueprintLibrary._from_wire([[9, 'sensor.camera.rgb', 'sensor', [
        ['image_size_x', 2, '800', [], True, False], ['fov', 3, '90.0', [], False, False]]]])
    camera = library.find('sensor.camera.rgb')
    camera.set_attribute('image_size_x', '320')
    description = camera._to_description()
    assert description[:2] == [9, 'sensor.camera.rgb']
    assert sorted(description[2]) == [['fov', 3, '90.0'], ['image_size_x', 2, '320']]
    with pytest.raises(ValueError, match='fov: read-only attribute'):
        camera.set_attribute('fov', '100')


def test_wildcards_follow_fnmatch():
    match = blueprint._wildcard_match
    assert match('vehicle.audi.a2', 'vehicle.*')
    assert match('vehicle.audi.a2', '*.a?di.*')
    assert not match('vehicle.audi.a2', 'vehicle')
    assert match('a/b', 'a*b')
    assert match('[x', '[x')
    assert match('x]', '[]x]]')
    assert not match('v', '[!v]')
    assert match('*', '\\*') and not match('a', '\\*')
