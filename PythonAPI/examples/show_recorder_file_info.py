#!/usr/bin/env python
"""Show the content of a recorder file (CARLA's show_recorder_file_info.py).

With --json the file is read here, not by the server: a name without a path means the recordings folder of
the server in this checkout. The output is the header, the frame count, the duration and every event
(creations, destructions, parenting, collisions) by frame, as JSON.
"""

import argparse
import os
import sys

from _example_client import argument_parser, connect, run


def parse_args():
    parser = argument_parser(__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('-f', '--recorder_filename', metavar='F', default='test1.rec',
                        help='recorder filename (test1.rec)')
    parser.add_argument('-a', '--show_all', action='store_true', help='show detailed info about all frames content')
    parser.add_argument('-s', '--save_to_file', metavar='S', help='save result to file (specify name and extension)')
    parser.add_argument('--json', action='store_true', help='read the file locally and print its events as JSON')
    return parser.parse_args()


def local_json(name):
    """The JSON export of the recorder engine, run on a local copy of the file."""
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    from engine.recorder.errors import RecorderFileError
    from engine.recorder.queries import file_info_json, resolve_recorder_path
    path = resolve_recorder_path(name)
    try:
        return file_info_json(path)
    except RecorderFileError as error:
        raise SystemExit('%s: %s' % (path, error))


def main():
    args = parse_args()
    if args.json:
        info = local_json(args.recorder_filename)
    else:
        info = connect(args).show_recorder_file_info(args.recorder_filename, args.show_all)
    if args.save_to_file:
        with open(args.save_to_file, 'w') as f:
            f.write(info)
    else:
        print(info)


if __name__ == '__main__':
    # JSON output stays parseable: the closing line goes to stderr then
    run(main, sys.stderr if '--json' in sys.argv[1:] else sys.stdout)
