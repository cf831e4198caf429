#!/usr/bin/env python
"""List the collisions of a recorder file, filtered by actor types (CARLA's show_recorder_collisions.py).

Types: h = hero, v = vehicle, w = walker, t = traffic light, o = other, a = any.
"""

import argparse

from _example_client import argument_parser, connect, run


def parse_args():
    parser = argument_parser(__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
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
    print(connect(args).show_recorder_collisions(args.recorder_filename, args.types[0], args.types[1]))


if __name__ == '__main__':
    run(main)
