#!/usr/bin/env python
"""List the actors that stood still for a while in a recorder file (CARLA's show_recorder_actors_blocked.py)."""

from _example_client import argument_parser, connect, run


def parse_args():
    parser = argument_parser(__doc__)
    parser.add_argument('-f', '--recorder_filename', metavar='F', default='test1.rec',
                        help='recorder filename (test1.rec)')
    parser.add_argument('-t', '--time', metavar='T', default=30, type=float,
                        help='minimum time in seconds to consider an actor blocked (default: 30)')
    parser.add_argument('-d', '--distance', metavar='D', default=100, type=float,
                        help='distance in centimetres within which an actor counts as not moving (default: 100)')
    return parser.parse_args()


def main():
    args = parse_args()
    print(connect(args).show_recorder_actors_blocked(args.recorder_filename, args.time, args.distance))


if __name__ == '__main__':
    run(main)
