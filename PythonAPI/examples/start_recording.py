#!/usr/bin/env python
"""Spawn vehicles on autopilot and record the simulation into a recorder file (CARLA's start_recording.py)."""

import logging
import random
import time

from _example_client import argument_parser, connect, run
import carla


def parse_args():
    parser = argument_parser(__doc__)
    parser.add_argument('-n', '--number-of-vehicles', metavar='N', default=10, type=int,
                        help='number of vehicles (default: 10)')
    parser.add_argument('-d', '--delay', metavar='D', default=2.0, type=float,
                        help='delay in seconds between spawns (default: 2.0; unused, as in CARLA)')
    parser.add_argument('--safe', action='store_true', help='avoid spawning vehicles prone to accidents')
    parser.add_argument('-f', '--recorder_filename', metavar='F', default='test1.log',
                        help='recorder filename (test1.log)')
    parser.add_argument('-t', '--recorder_time', metavar='T', default=0, type=int,
                        help='recorder duration in seconds (auto-stop; 0 records until Ctrl+C)')
    return parser.parse_args()


def main():
    args = parse_args()
    logging.basicConfig(format='%(levelname)s: %(message)s', level=logging.INFO)
    actor_list = []
    client = connect(args, timeout=10.0)
    try:
        world = client.get_world()
        blueprints = world.get_blueprint_library().filter('vehicle.*')
        if args.safe:
            blueprints = [bp for bp in blueprints if int(bp.get_attribute('number_of_wheels')) == 4]
            blueprints = [bp for bp in blueprints if not bp.id.endswith(('isetta', 'carlacola'))]
        spawn_points = world.get_map().get_spawn_points()
        print('found %d spawn points.' % len(spawn_points))

        print('Recording on file: %s' % client.start_recorder(args.recorder_filename))

        count = args.number_of_vehicles
        if count < len(spawn_points):
            random.shuffle(spawn_points)
        elif count > len(spawn_points):
            logging.warning('requested %d vehicles, but could only find %d spawn points', count, len(spawn_points))
            count = len(spawn_points)

        batch = []
        for transform in spawn_points[:count]:
            blueprint = random.choice(blueprints)
            if blueprint.has_attribute('color'):
                blueprint.set_attribute('color', random.choice(blueprint.get_attribute('color').recommended_values))
            blueprint.set_attribute('role_name', 'autopilot')
            batch.append(carla.command.SpawnActor(blueprint, transform)
                         .then(carla.command.SetAutopilot(carla.command.FutureActor, True)))
        for response in client.apply_batch_sync(batch):
            if response.error:
                logging.error(response.error)
            else:
                actor_list.append(response.actor_id)
        print('spawned %d vehicles, press Ctrl+C to exit.' % len(actor_list))

        if args.recorder_time > 0:
            time.sleep(args.recorder_time)
        else:
            while True:
                world.wait_for_tick()
    finally:
        print('\ndestroying %d actors' % len(actor_list))
        client.apply_batch_sync([carla.command.DestroyActor(actor_id) for actor_id in actor_list])
        print('Stop recording')
        client.stop_recorder()


if __name__ == '__main__':
    run(main)
