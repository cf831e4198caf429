#!/usr/bin/env python
"""List the collisions of a recorder file, filtered by actor types (CARLA's show_recorder_collisions.py).

Types: h = hero, v = vehicle, w = walker, t = traffic light, o = other, a = any.
"""

import argparse

import _client_path  # noqa: F401
import carla


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--host', metavar='H', default='127.0.0.1', help='IP of the host server (default: 127.0.0.1)')
    parser.add_argument('-p', '--port', metavar='P', default=2000, type=int, help='TCP port to listen to (default: 2000)')
    parser.add_argument('-f', '--recorder_filename', metavar='F', default='test1.rec',
                        help='recorder filename (test1.rec)')
    parser.add_argument('-t', '--types', metavar='T', default='aa',
                        help='pair of types (a=any, h=hero, v=vehicle, w=walker, t=trafficLight, o=others)')
    args = parser.parse_args()
    if len(args.types) != 2 or any(c not in 'ahvwto' for c in args.types):
        parser.error('--types needs two letters out of a h v w t o, got %r' % args.types)
    return args


def main():
    args = parse_args()
    client = carla.Client(args.host, args.port)
    client.set_timeout(60.0)
    print(client.show_recorder_collisions(args.recorder_filename, args.types[0], args.types[1]))


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:
        pass
    finally:
        print('\ndone.')
