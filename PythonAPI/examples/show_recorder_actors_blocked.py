#!/usr/bin/env python
"""List the actors that stood still for a while in a recorder file (CARLA's show_recorder_actors_blocked.py)."""

import argparse

import _client_path  # noqa: F401
import carla


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--host', metavar='H', default='127.0.0.1', help='IP of the host server (default: 127.0.0.1)')
    parser.add_argument('-p', '--port', metavar='P', default=2000, type=int, help='TCP port to listen to (default: 2000)')
    parser.add_argument('-f', '--recorder_filename', metavar='F', default='test1.rec',
                        help='recorder filename (test1.rec)')
    parser.add_argument('-t', '--time', metavar='T', default=30, type=float,
                        help='minimum time in seconds to consider an actor blocked (default: 30)')
    parser.add_argument('-d', '--distance', metavar='D', default=100, type=float,
                        help='distance in centimetres within which an actor counts as not moving (default: 100)')
    return parser.parse_args()


def main():
    args = parse_args()
    client = carla.Client(args.host, args.port)
    client.set_timeout(60.0)
    print(client.show_recorder_actors_blocked(args.recorder_filename, args.time, args.distance))


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:
        pass
    finally:
        print('\ndone.')
