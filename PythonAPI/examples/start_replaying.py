#!/usr/bin/env python
"""Replay a recorder file in the server (CARLA's start_replaying.py)."""

from _example_client import argument_parser, connect, run


def parse_args():
    parser = argument_parser(__doc__)
    parser.add_argument('-s', '--start', metavar='S', default=0.0, type=float,
                        help='starting time (default: 0.0; negative counts from the end)')
    parser.add_argument('-d', '--duration', metavar='D', default=0.0, type=float,
                        help='duration (default: 0.0, the whole recording)')
    parser.add_argument('-f', '--recorder-filename', metavar='F', default='test1.log',
                        help='recorder filename (test1.log)')
    parser.add_argument('-c', '--camera', metavar='C', default=0, type=int,
                        help='camera follows an actor (ex: 82; its id in the recording)')
    parser.add_argument('-x', '--time-factor', metavar='X', default=1.0, type=float, help='time factor (default 1.0)')
    parser.add_argument('-i', '--ignore-hero', action='store_true', help='ignore hero vehicles')
    parser.add_argument('--move-spectator', action='store_true', help='move spectator camera')
    parser.add_argument('--spawn-sensors', action='store_true', help='spawn sensors in the replayed world')
    return parser.parse_args()


def main():
    args = parse_args()
    client = connect(args)
    client.set_replayer_time_factor(args.time_factor)
    client.set_replayer_ignore_hero(args.ignore_hero)
    client.set_replayer_ignore_spectator(not args.move_spectator)
    print(client.replay_file(args.recorder_filename, args.start, args.duration, args.camera, args.spawn_sensors))


if __name__ == '__main__':
    run(main)
